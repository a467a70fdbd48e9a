package cmd

import (
	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/apply"
)

// ExportOptions are the options of "export".
type ExportOptions struct {
	Output string
}

func newExportCmd(f *Factory) *cobra.Command {
	opts := &ExportOptions{}
	c := &cobra.Command{
		Use:   "export",
		Short: "Write every user in the file format that apply reads",
		Long: `Write every user, sorted by email, as a file that "apply" reads back
without change: "dqo-users export | dqo-users apply -f -" changes nothing.

On DQOps 1.13 and later every user is written with dataDomainRoles, {} when
it has none, so the file pins the whole state: applying it later also removes
data-domain roles granted since. DQOps 1.0 has no data domains, and the
field is left out.`,
		Example: `  $ dqo-users export > users.yaml
  $ dqo-users export -o csv > users.csv
  $ dqo-users export -o json | jq '.users | length'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			// The default is empty rather than "yaml" so that errors stay
			// sentences: -o yaml and json turn them into JSON objects.
			if opts.Output == "" {
				opts.Output = string(apply.FormatYAML)
			}
			format, err := apply.ParseFormat(opts.Output)
			if err != nil {
				return usageErrorf("--output: %v", err)
			}
			return exportRun(c, f, format)
		},
	}
	c.Flags().StringVarP(&opts.Output, "output", "o", "", "output format: yaml, json or csv (default yaml)")
	_ = c.RegisterFlagCompletionFunc("output", fixedCompletion(apply.Formats()...))
	return c
}

func exportRun(c *cobra.Command, f *Factory, format apply.Format) error {
	ctx := c.Context()
	_, caller, users, err := f.callerAndUsers(ctx)
	if err != nil {
		return err
	}
	return apply.Encode(f.IO.Out, format, users, caller.SupportsDataDomains())
}
