package cmd

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// DiffOptions are the options of "diff".
type DiffOptions struct {
	File   string
	Format string
	Prune  bool
	Force  bool
	Output string
}

func newDiffCmd(f *Factory) *cobra.Command {
	opts := &DiffOptions{}
	c := &cobra.Command{
		Use:   "diff -f FILE",
		Short: "Show what apply would change",
		Long: `Compare a file of users with the server and print the plan that "apply"
would carry out, changing nothing:

  + create ana@example.com (editor)
  ~ update bo@example.com: role viewer -> editor
  - delete cy@example.com (viewer)          (only with --prune)
  ! ... refused: why                        (a guard refuses it)

-o json prints the plan for machines. As "kubectl diff" does, it exits 0
when the server matches the file, 10 when there are changes, and another
code on an error. The file is read as "apply" reads it.`,
		Example: `  $ dqo-users diff -f users.yaml
  $ dqo-users diff -f users.yaml --prune -o json | jq '.changes[].email'
  $ dqo-users export | dqo-users diff -f -    # exits 0`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := validateFileFlags(opts.File, opts.Format); err != nil {
				return err
			}
			switch opts.Output {
			case "text", "json":
			default:
				return usageErrorf("--output must be text or json, not %q", opts.Output)
			}
			return diffRun(c, f, opts)
		},
	}
	addFileFlags(c, &opts.File, &opts.Format)
	c.Flags().BoolVar(&opts.Prune, "prune", false, "include the deletion of users the file does not mention")
	c.Flags().BoolVar(&opts.Force, "force", false, "plan as apply --force would: no guard for your own account and the last admin")
	c.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	_ = c.RegisterFlagCompletionFunc("output", fixedCompletion("text", "json"))
	return c
}

func diffRun(c *cobra.Command, f *Factory, opts *DiffOptions) error {
	file, err := readUsersFile(c.Context(), f, opts.File, opts.Format)
	if err != nil {
		return err
	}
	target, err := makePlan(c.Context(), f, file, opts.Prune, opts.Force)
	if err != nil {
		return err
	}
	plan := target.plan
	switch {
	case opts.Output == "json":
		err = plan.WriteJSON(f.IO.Out)
	case plan.InSync():
		fmt.Fprintf(f.IO.ErrOut, "No changes: the server matches %s (%s).\n", file.Name, countUsers(plan.Unchanged))
	default:
		err = plan.WriteText(f.IO.Out, f.colorEnabled())
	}
	if err != nil {
		return err
	}
	if !plan.InSync() {
		return &ExitError{Code: ExitChanges, Err: errors.New("the server differs from the file"), Reported: true}
	}
	return nil
}
