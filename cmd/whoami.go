package cmd

import (
	"context"
	"io"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// WhoamiOptions are the options of "whoami".
type WhoamiOptions struct {
	IO       *iostreams.IOStreams
	Targets  func() ([]*target, error)
	ClientOf func(context.Context, *target) (*api.Client, error)
	Printer  func(output.Options) *output.Printer
	Context  context.Context

	Output output.Options
}

// NewCmdWhoami builds "whoami"; runF, when not nil, replaces the run function.
func NewCmdWhoami(f *Factory, runF func(*WhoamiOptions) error) *cobra.Command {
	opts := &WhoamiOptions{}
	opts.IO, opts.Targets, opts.ClientOf, opts.Printer = f.IO, f.Targets, f.ClientOf, f.Printer
	c := &cobra.Command{
		Use:   "whoami",
		Short: "Show who the API key belongs to and what it may do",
		Long: `Show the account behind the API key: email, role, DQOps Cloud tenant,
licence, the licence's users limit, and whether it can manage users; -o wide
adds data domains, the password right, the server and its API release. On a
terminal each field is a line of its own, the profile and the server first;
piped, the fields are one tab-separated line. JSON and YAML have the profile
and the server too. With several profiles (--profile dev,prod), each
instance is a row of one table, the profile first.`,
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
	ctx := opts.Context
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	printer := opts.Printer(opts.Output)
	if several(targets) {
		fl := newFleet(opts.IO, opts.ClientOf, targets, opts.Output.JSONErrors())
		return fleetList(ctx, fl, printer, profileTable(&api.Profile{}, "").Columns, 0, "", "account",
			func(ctx context.Context, client *api.Client, _ io.Writer, emit func(any, []string) error) error {
				p, err := caller(ctx, client)
				if err != nil {
					return err
				}
				// The list adds the profile to each item.
				return emit(whoamiOutput{Profile: p, Server: client.BaseURL(), Release: p.Release()},
					profileTable(p, client.BaseURL()).Rows[0])
			})
	}
	t := targets[0]
	client, err := opts.ClientOf(ctx, t)
	if err != nil {
		return err
	}
	p, err := caller(ctx, client)
	if err != nil {
		return err
	}
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
	return printer.Print(ctx, whoamiOutput{Profile: p, ProfileName: t.ProfileName(), Server: client.BaseURL(), Release: p.Release()}, table)
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
