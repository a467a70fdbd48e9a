package cmd

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/output"
)

// DiffOptions are the options of "diff".
type DiffOptions struct {
	PlanOptions
	// Against is --against: the profile whose users the instance is
	// compared with, instead of a file.
	Against     string
	TargetNamed func(string) (*target, error)

	Output output.Format
}

// NewCmdDiff builds "diff"; runF, when not nil, replaces the run function.
func NewCmdDiff(f *Factory, runF func(*DiffOptions) error) *cobra.Command {
	opts := &DiffOptions{}
	opts.IO, opts.Target, opts.Targets, opts.Client, opts.ClientOf, opts.Printer, opts.Version = f.IO, f.Target, f.Targets, f.Client, f.ClientOf, f.Printer, f.Version
	opts.TargetNamed = f.TargetNamed
	var maxDeletes, csvColumns string
	c := &cobra.Command{
		Use:   "diff -f FILE",
		Short: "Show what apply would change",
		Long: `Compare a file of users with the server and print the plan that "apply"
would carry out, changing nothing:

  + create ana@example.com (editor)
  ~ update bo@example.com: role viewer -> editor
  - delete cy@example.com (viewer)          (only with --prune)
  ! ... refused: why                        (a guard refuses it)

-o json prints the plan for machines. diff exits 0 when the server matches
the file, 10 when changes (or refused ones) are pending, and another code on
an error, so that a script can tell "in sync" from "out of sync" from
"failed". The file is read as "apply" reads it, and a file bound to another
instance (its instance: key, or --instance) is refused before any request.

--against PROFILE compares the instance with another, without a file: the
plan shows what would make this instance's users those of the other
(+ only there, - only here, ~ another role or other grants); grants are
compared only when both instances have data domains, which the plan says.

--save-plan PLAN writes the plan for review; "dqo-users apply --plan PLAN"
later makes exactly its changes, or refuses (exit 12) when the server's
users changed since. A plan over --max-deletes or --max-changes is shown
with a warning: apply would refuse it.`,
		Example: `  $ dqo-users diff -f users.yaml
  $ dqo-users diff -f users.yaml --prune -o json | jq '.changes[].email'
  $ dqo-users diff -f users.yaml --prune --save-plan plan.json
  $ dqo-users diff --profile prod --against dev
  $ dqo-users export | dqo-users diff -f -    # exits 0`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if opts.Against == "" {
				if err := validateFileFlags(opts.File); err != nil {
					return err
				}
			}
			if err := opts.readFlags(c, maxDeletes, csvColumns); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return diffRun(opts)
		},
	}
	addPlanFlags(c, &opts.PlanOptions, &maxDeletes, &csvColumns)
	c.Flags().StringVar(&opts.Against, "against", "", "compare with the instance of profile `NAME` rather than a file")
	c.MarkFlagsOneRequired("file", "against")
	c.MarkFlagsMutuallyExclusive("file", "against")
	_ = c.RegisterFlagCompletionFunc("against", f.completeProfiles)
	c.Flags().BoolVar(&opts.Prune, "prune", false, "include the deletion of users the file does not mention")
	opts.Output = output.FormatText
	formatFlag(c, &opts.Output, "output", "o", "output `FORMAT`: text or json", diffFormats...)
	return c
}

// diffFormats are what diff's -o accepts: the plan for people, or JSON.
var diffFormats = []output.Format{output.FormatText, output.FormatJSON}

func diffRun(opts *DiffOptions) error {
	if opts.Against != "" {
		return opts.diffAgainst()
	}
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	if several(targets) {
		return opts.diffOnEach(targets)
	}
	p, err := opts.plan()
	if err != nil {
		return err
	}
	printer := opts.Printer(output.Options{})
	switch {
	case opts.Output == output.FormatJSON:
		err = p.plan.WriteJSON(printer.Out)
	case p.plan.InSync():
		say(opts.IO.ErrOut, "No changes: the server matches %s (%s).\n", p.file.Name, output.Count(p.plan.Unchanged, "user"))
	default:
		err = writePlanText(printer.Out, p, printer.Color)
	}
	if err != nil {
		return err
	}
	if lerr := p.plan.CheckLimits(opts.Limits, len(p.current)); lerr != nil {
		say(opts.IO.ErrOut, "warning: apply would refuse this plan: %v\n", limitError(lerr).(*ExitError).Err)
	}
	if err := opts.savePlan(p); err != nil {
		return err
	}
	if !p.plan.InSync() {
		return &ExitError{Code: ExitChanges, Err: errors.New("the server differs from the file"), Reported: true}
	}
	return nil
}
