package cmd

import (
	"context"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// WhoamiOptions are the options of "whoami".
type WhoamiOptions struct {
	Target  func() (*target, error)
	Client  func(context.Context) (*api.Client, error)
	Printer func(output.Options) *output.Printer
	Context context.Context

	Output output.Options
}

// NewCmdWhoami builds "whoami"; runF, when not nil, replaces the run function.
func NewCmdWhoami(f *Factory, runF func(*WhoamiOptions) error) *cobra.Command {
	opts := &WhoamiOptions{}
	opts.Target, opts.Client, opts.Printer = f.Target, f.Client, f.Printer
	c := &cobra.Command{
		Use:   "whoami",
		Short: "Show who the API key belongs to and what it may do",
		Long: `Show the account behind the API key: email, role, DQOps Cloud tenant,
licence, the licence's users limit, and whether it can manage users; -o wide
adds data domains, the password right, the server and its API release. On a
terminal each field is a line of its own, the profile and the server first;
piped, the fields are one tab-separated line. JSON and YAML have the profile
and the server too.`,
		Example: `  $ dqo-users whoami
  $ dqo-users whoami -o json --jq .users_limit`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if err := opts.Output.Validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return whoamiRun(opts)
		},
	}
	addOutputFlags(c, &opts.Output)
	return c
}

func whoamiRun(opts *WhoamiOptions) error {
	t, err := opts.Target()
	if err != nil {
		return err
	}
	client, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	p, err := caller(opts.Context, client)
	if err != nil {
		return err
	}
	printer := opts.Printer(opts.Output)
	table := profileTable(p, client.BaseURL())
	if printer.IsTerminal {
		// Which instance comes first, so that nobody mistakes prod for dev.
		profile := t.ProfileName()
		if profile == "" {
			profile = "(none)"
		}
		table.Columns = append([]output.Column{{Name: "profile", Header: "PROFILE"}, {Name: "server", Header: "SERVER"}},
			slices.DeleteFunc(table.Columns, func(c output.Column) bool { return c.Name == "server" })...)
		row := slices.Delete(table.Rows[0], len(table.Rows[0])-2, len(table.Rows[0])-1)
		table.Rows[0] = append([]string{profile, client.BaseURL()}, row...)
	}
	return printer.Print(opts.Context, whoamiOutput{Profile: p, ProfileName: t.ProfileName(), Server: client.BaseURL(), Release: p.Release()}, table)
}

// whoamiOutput is the profile with the instance it came from.
type whoamiOutput struct {
	*api.Profile
	ProfileName string `json:"profile,omitempty"`
	Server      string `json:"server"`
	Release     string `json:"api_release"`
}

func profileTable(p *api.Profile, server string) *output.Table {
	limit := ""
	if p.UsersLimit != nil {
		limit = strconv.Itoa(*p.UsersLimit)
	}
	optionalBool := func(b *bool) string {
		if b == nil {
			return ""
		}
		return strconv.FormatBool(*b)
	}
	domainsLimit := ""
	if p.DataDomainsLimit != nil {
		domainsLimit = strconv.Itoa(*p.DataDomainsLimit)
	}
	return &output.Table{
		Columns: []output.Column{
			{Name: "user", Header: "USER"},
			{Name: "account_role", Header: "ROLE", Style: roleStyle},
			{Name: "tenant", Header: "TENANT"},
			{Name: "license_type", Header: "LICENCE"},
			{Name: "users_limit", Header: "USERS LIMIT"},
			{Name: "can_manage_account", Header: "CAN MANAGE ACCOUNT"},
			{Name: "can_manage_users", Header: "CAN MANAGE USERS"},
			{Name: "can_use_data_domains", Header: "CAN USE DATA DOMAINS", Wide: true},
			{Name: "data_domains_limit", Header: "DATA DOMAINS LIMIT", Wide: true},
			{Name: "can_change_own_password", Header: "CAN CHANGE OWN PASSWORD", Wide: true},
			{Name: "server", Header: "SERVER", Wide: true},
			{Name: "api_release", Header: "API", Wide: true},
		},
		Rows: [][]string{{p.User, string(p.AccountRole), p.Tenant, p.LicenseType, limit,
			strconv.FormatBool(p.CanManageAccount), optionalBool(p.CanManageUsers),
			optionalBool(p.CanUseDataDomains), domainsLimit, optionalBool(p.CanChangeOwnPassword),
			server, p.Release()}},
		Record: true,
	}
}
