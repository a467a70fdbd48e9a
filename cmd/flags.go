package cmd

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// noArgs refuses any argument, in the tool's words (cobra calls an extra
// argument of a command without subcommands an "unknown command").
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", c.CommandPath(), args[0])
	}
	return nil
}

// exactlyOne is a validator of one argument named name (EMAIL, NAME).
func exactlyOne(name string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usageErrorf("%s is missing: %s takes one %s", name, c.CommandPath(), name)
		case len(args) > 1:
			return usageErrorf("%s takes one %s, got %d: %q", c.CommandPath(), name, len(args), args)
		}
		return nil
	}
}

// atLeastOne is a validator of one or more arguments named name.
func atLeastOne(name string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageErrorf("%s is missing: %s takes one %s or more", name, c.CommandPath(), name)
		}
		return nil
	}
}

// usageArgs wraps one of cobra's validators so its error is a usage error.
func usageArgs(validate cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := validate(c, args); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		return nil
	}
}

// exclusiveFlags refuses flags of a mutually exclusive group given
// together, in a sentence naming them (cobra's message lists the groups).
func exclusiveFlags(c *cobra.Command) error {
	var err error
	c.Flags().VisitAll(func(f *pflag.Flag) {
		for _, group := range f.Annotations[exclusiveGroupAnnotation] {
			var set []string
			for name := range strings.SplitSeq(group, " ") {
				if g := c.Flags().Lookup(name); g != nil && g.Changed {
					set = append(set, "--"+name)
				}
			}
			if len(set) > 1 && err == nil {
				err = usageErrorf("%s cannot be used together: give one of them", strings.Join(set, " and "))
			}
		}
	})
	return err
}

// exclusiveGroupAnnotation is where cobra keeps MarkFlagsMutuallyExclusive's
// groups, on each flag of a group.
const exclusiveGroupAnnotation = "cobra_annotation_mutually_exclusive"

// validateEmails checks the email arguments of a command that acts on
// existing users: any email a user can have is accepted, so that such a user
// can still be read and deleted; only what cannot name one is refused. Every
// bad one is reported at once.
func validateEmails(emails []string) error {
	var bad []string
	for _, e := range emails {
		if err := api.Reachable(e); err != nil {
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

// uniqueEmails drops repeated emails, keeping order. Spellings that differ
// in case stay: they may be two users.
func uniqueEmails(emails []string) []string {
	seen := make(map[string]bool, len(emails))
	out := emails[:0:0]
	for _, e := range emails {
		if !seen[e] {
			seen[e] = true
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
	formatFlag(c, &opts.Format, "output", "o", "output `FORMAT`: "+strings.Join(output.Names(output.Formats()), ", ")+" (default table)", output.Formats()...)
	fl.StringVarP(&opts.JQ, "jq", "q", "", "filter the JSON output with a jq `EXPRESSION`")
	fl.StringVarP(&opts.Template, "template", "t", "", "format the JSON output with a Go `TEMPLATE`")
	fl.BoolVar(&opts.NoHeaders, "no-headers", false, "omit the header row of table, csv and tsv output")
	fl.StringSliceVar(&opts.Columns, "columns", nil, "`COLUMNS` to show in table, csv and tsv output, by field or header, e.g. email,role")
	fl.BoolVarP(&opts.Null, "null", "0", false, "end each name of -o name with a NUL byte rather than a line break, for xargs -0")
}

// addFileFlags gives apply and diff their -f and --format flags.
func addFileFlags(c *cobra.Command, file *string, format *output.Format) {
	c.Flags().StringVarP(file, "file", "f", "", "the users `FILE` (YAML, JSON or CSV); - reads stdin")
	formatFlag(c, format, "format", "", "the file's `FORMAT`: yaml, json or csv (default: by extension, else by content)", users.Formats()...)
	_ = c.MarkFlagFilename("file", "yaml", "yml", "json", "csv")
}

// validateFileFlags checks -f before anything is read.
func validateFileFlags(file string) error {
	if strings.TrimSpace(file) == "" {
		return usageErrorf("--file needs a file name, or - for stdin")
	}
	return nil
}

// addActionOutputFlag gives a write command its -o json|yaml, which prints
// what was done on stdout (messages stay on stderr).
func addActionOutputFlag(c *cobra.Command, format *output.Format) {
	formatFlag(c, format, "output", "o", "print what was done as `FORMAT`: json or yaml (messages stay on stderr)", actionFormats...)
}

// formatFlag adds a flag that takes one of the accepted formats, read by
// output.ParseFormat as every -o and --format is, with their completion.
// The flag's default is what format holds.
func formatFlag(c *cobra.Command, format *output.Format, name, short, usage string, accepted ...output.Format) {
	c.Flags().VarP(&formatValue{format: format, accepted: accepted}, name, short, usage)
	_ = c.RegisterFlagCompletionFunc(name, fixedCompletion(output.Names(accepted)...))
}

// formatValue is a flag's value of one of some formats.
type formatValue struct {
	format   *output.Format
	accepted []output.Format
}

func (v *formatValue) String() string { return string(*v.format) }
func (v *formatValue) Type() string   { return "format" }

func (v *formatValue) Set(s string) error {
	f, err := output.ParseFormat(s, v.accepted...)
	if err != nil {
		return err
	}
	*v.format = f
	return nil
}
