package cmd

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/output"
)

// DiffOptions are the options of "diff".
type DiffOptions struct {
	PlanOptions

	Output output.Format
}

// NewCmdDiff builds "diff"; runF, when not nil, replaces the run function.
func NewCmdDiff(f *Factory, runF func(*DiffOptions) error) *cobra.Command {
	opts := &DiffOptions{}
	opts.IO, opts.Client, opts.Printer = f.IO, f.Client, f.Printer
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
"failed". The file is read as "apply" reads it.`,
		Example: `  $ dqo-users diff -f users.yaml
  $ dqo-users diff -f users.yaml --prune -o json | jq '.changes[].email'
  $ dqo-users export | dqo-users diff -f -    # exits 0`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if err := validateFileFlags(opts.File, opts.Format); err != nil {
				return err
			}
			if _, ok := output.ParseFormat(string(opts.Output), diffFormats...); !ok {
				return usageErrorf("--output must be text or json, not %q", opts.Output)
			}
			if runF != nil {
				return runF(opts)
			}
			return diffRun(opts)
		},
	}
	addFileFlags(c, &opts.File, &opts.Format)
	c.Flags().BoolVar(&opts.Prune, "prune", false, "include the deletion of users the file does not mention")
	c.Flags().BoolVar(&opts.Force, "force", false, "plan as apply --force would: no guard for your own account and the last admin")
	c.Flags().BoolVar(&opts.AllowLocalDomain, "allow-local-domain", false, "plan as apply --allow-local-domain would: accept new users whose email domain has no dot")
	c.Flags().StringVarP((*string)(&opts.Output), "output", "o", string(output.FormatText), "output `FORMAT`: text or json")
	_ = c.RegisterFlagCompletionFunc("output", fixedCompletion(output.Names(diffFormats)...))
	return c
}

// diffFormats are what diff's -o accepts: the plan for people, or JSON.
var diffFormats = []output.Format{output.FormatText, output.FormatJSON}

func diffRun(opts *DiffOptions) error {
	file, _, plan, err := opts.plan()
	if err != nil {
		return err
	}
	printer := opts.Printer(output.Options{})
	switch {
	case opts.Output == output.FormatJSON:
		err = plan.WriteJSON(printer.Out)
	case plan.InSync():
		say(opts.IO.ErrOut, "No changes: the server matches %s (%s).\n", file.Name, output.Count(plan.Unchanged, "user"))
	default:
		err = plan.WriteText(printer.Out, printer.Color)
	}
	if err != nil {
		return err
	}
	if !plan.InSync() {
		return &ExitError{Code: ExitChanges, Err: errors.New("the server differs from the file"), Reported: true}
	}
	return nil
}
