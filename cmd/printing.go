package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// addOutputFlags gives a command that prints data the same output flags as
// every other one.
func addOutputFlags(c *cobra.Command, opts *output.Options) {
	fl := c.Flags()
	fl.StringVarP(&opts.Format, "output", "o", "", "output format: "+strings.Join(output.Formats(), ", ")+" (default table)")
	fl.StringVar(&opts.JQ, "jq", "", "filter the JSON output with a jq `EXPRESSION`")
	fl.StringVar(&opts.Template, "template", "", "format the JSON output with a Go `TEMPLATE`")
	fl.BoolVar(&opts.NoHeaders, "no-headers", false, "omit the header row of table, csv and tsv output")
	fl.StringSliceVar(&opts.Columns, "columns", nil, "columns to show in table, csv and tsv output, by field or header, e.g. email,role")
	_ = c.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return output.Formats(), cobra.ShellCompDirectiveNoFileComp
	})
}

// printer returns the printer for a command's output options.
func (f *Factory) printer(opts output.Options) *output.Printer {
	return &output.Printer{
		Out:        f.IO.Out,
		ErrOut:     f.IO.ErrOut,
		IsTerminal: f.IO.IsStdoutTTY(),
		Color:      f.colorEnabled(),
		Options:    opts,
	}
}

// userOutput is a user as the machine formats show it: the API's field
// names, and dataDomainRoles always present so the shape never depends on
// the data.
type userOutput struct {
	Email           string              `json:"email"`
	AccountRole     api.Role            `json:"accountRole"`
	DataDomainRoles map[string]api.Role `json:"dataDomainRoles"`
}

func toOutput(u api.User) userOutput {
	roles := u.DataDomainRoles
	if roles == nil {
		roles = map[string]api.Role{}
	}
	return userOutput{Email: u.Email, AccountRole: u.AccountRole, DataDomainRoles: roles}
}

func usersOutput(users []api.User) []userOutput {
	out := make([]userOutput, len(users))
	for i, u := range users {
		out[i] = toOutput(u)
	}
	return out
}

// roleStyle makes admins stand out in a coloured table.
func roleStyle(value string) output.Style {
	switch api.Role(value) {
	case api.RoleAdmin:
		return output.Bold | output.Red
	case api.RoleEditor:
		return output.Yellow
	case api.RoleNone:
		return output.Dim
	}
	return output.None
}

// usersTable lays users out for table, wide, csv, tsv and name output. The
// DOMAIN ROLES column is shown in a table only when some user has domain
// roles; csv and tsv always carry it, so their shape never depends on the data.
func usersTable(users []api.User) *output.Table {
	t := &output.Table{Columns: userColumns(), NameColumn: 0, Empty: "no users"}
	anyDomains := false
	for _, u := range users {
		if len(u.DataDomainRoles) > 0 {
			anyDomains = true
			break
		}
	}
	rows := make([][]string, len(users))
	for i, u := range users {
		rows[i] = []string{u.Email, string(u.AccountRole), u.DomainRolesString()}
	}
	t.Columns[2].Wide = !anyDomains
	t.Rows = rows
	return t
}

// userColumns are the columns of a user, named after the JSON fields.
func userColumns() []output.Column {
	return []output.Column{
		{Name: "email", Header: "EMAIL"},
		{Name: "accountRole", Header: "ROLE", Style: roleStyle},
		{Name: "dataDomainRoles", Header: "DOMAIN ROLES"},
	}
}
