package cmd

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/apply"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// Argument validators: cobra's, with their errors as usage errors.
var (
	noArgs        = usageArgs(cobra.NoArgs)
	exactlyOneArg = usageArgs(cobra.ExactArgs(1))
	atLeastOneArg = usageArgs(cobra.MinimumNArgs(1))
)

func usageArgs(validate cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := validate(c, args); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		return nil
	}
}

// validateEmails checks the email arguments of a command that acts on
// existing users: any email a user can have is accepted, so that such a user
// can still be read and deleted; only what cannot name one is refused. Every
// bad one is reported at once.
func validateEmails(emails []string) error {
	var bad []string
	for _, e := range emails {
		if err := api.ValidateExistingEmail(e); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if len(bad) > 0 {
		return usageErrorf("%s", strings.Join(bad, "; "))
	}
	return nil
}

// validateNewEmail checks the email of a user to create (create, and apply's
// creates): a plain address, without control or invisible characters, with
// a dot in its domain unless allowLocalDomain.
func validateNewEmail(email string, allowLocalDomain bool) error {
	err := api.ValidateNewEmail(email, allowLocalDomain)
	switch {
	case errors.Is(err, api.ErrLocalDomain):
		return withHint(usageErrorf("%v", err), "pass --allow-local-domain if this DQOps deployment uses such domains")
	case err != nil:
		return usageErrorf("%v", err)
	}
	return nil
}

// uniqueEmails drops repeated emails, comparing without case, keeping order.
func uniqueEmails(emails []string) []string {
	seen := make(map[string]bool, len(emails))
	out := emails[:0:0]
	for _, e := range emails {
		k := strings.ToLower(e)
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// parseRoleFlag reads a --role value.
func parseRoleFlag(flag, value string) (api.Role, error) {
	r, err := api.ParseRole(value)
	if err != nil {
		return "", usageErrorf("--%s: %v", flag, err)
	}
	return r, nil
}

// parseDomainRoles reads repeated --domain-role DOMAIN=ROLE values.
func parseDomainRoles(values []string) (map[string]api.Role, error) {
	if len(values) == 0 {
		return nil, nil
	}
	roles := make(map[string]api.Role, len(values))
	for _, v := range values {
		domain, role, ok := strings.Cut(v, "=")
		domain = strings.TrimSpace(domain)
		if !ok || domain == "" {
			return nil, usageErrorf("--domain-role %q: use DOMAIN=ROLE, e.g. sales=editor", v)
		}
		r, err := api.ParseRole(role)
		if err != nil {
			return nil, usageErrorf("--domain-role %q: %v", v, err)
		}
		if _, dup := roles[domain]; dup {
			return nil, usageErrorf("--domain-role: data domain %q is given twice", domain)
		}
		roles[domain] = r
	}
	return roles, nil
}

// addOutputFlags gives a command that prints data the same output flags as
// every other one.
func addOutputFlags(c *cobra.Command, opts *output.Options) {
	fl := c.Flags()
	fl.StringVarP((*string)(&opts.Format), "output", "o", "", "output format: "+strings.Join(output.Names(output.Formats()), ", ")+" (default table)")
	fl.StringVar(&opts.JQ, "jq", "", "filter the JSON output with a jq `EXPRESSION`")
	fl.StringVar(&opts.Template, "template", "", "format the JSON output with a Go `TEMPLATE`")
	fl.BoolVar(&opts.NoHeaders, "no-headers", false, "omit the header row of table, csv and tsv output")
	fl.StringSliceVar(&opts.Columns, "columns", nil, "columns to show in table, csv and tsv output, by field or header, e.g. email,role")
	_ = c.RegisterFlagCompletionFunc("output", fixedCompletion(output.Names(output.Formats())...))
}

// addFileFlags gives apply and diff their -f and --format flags.
func addFileFlags(c *cobra.Command, file, format *string) {
	c.Flags().StringVarP(file, "file", "f", "", "the users `FILE` (YAML, JSON or CSV); - reads stdin")
	c.Flags().StringVar(format, "format", "", "the file's format: yaml, json or csv (default: by extension, else by content)")
	_ = c.MarkFlagRequired("file")
	_ = c.MarkFlagFilename("file", "yaml", "yml", "json", "csv")
	_ = c.RegisterFlagCompletionFunc("format", fixedCompletion(output.Names(apply.Formats())...))
}

// validateFileFlags checks -f and --format before anything is read.
func validateFileFlags(file, format string) error {
	if strings.TrimSpace(file) == "" {
		return usageErrorf("--file needs a file name, or - for stdin")
	}
	if format != "" {
		if _, err := apply.ParseFormat(format); err != nil {
			return usageErrorf("--format: %v", err)
		}
	}
	return nil
}
