package cmd

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// DomainsOptions are the options of "domains".
type DomainsOptions struct {
	IO       *iostreams.IOStreams
	Targets  func() ([]*target, error)
	ClientOf func(context.Context, *target) (*api.Client, error)
	Printer  func(output.Options) *output.Printer
	Context  context.Context

	Output output.Options
}

// NewCmdDomains builds "domains" (also "domains list"); runF, when not
// nil, replaces the run function.
func NewCmdDomains(f *Factory, runF func(*DomainsOptions) error) *cobra.Command {
	opts := &DomainsOptions{}
	opts.IO, opts.Targets, opts.ClientOf, opts.Printer = f.IO, f.Targets, f.ClientOf, f.Printer
	c := &cobra.Command{
		Use:   "domains [list]",
		Short: "List the instance's data domains",
		Long: `List the data domains of the DQOps instance (DQOps 1.13 and later), the root
domain "(default)" first: the names --domain-role and dataDomainRoles take.

An instance with data domains (an ENTERPRISE licence with domains in use)
lists "(default)" and each of its domains; one without lists "(default)"
alone, and keeps no data-domain roles. DQOps 1.0 has no data domains: the
command says so and exits 2. The kind of instance comes from your profile
(can_use_data_domains), or, when DQOps refuses it, from the users' roles.`,
		Example: `  $ dqo-users domains
  $ dqo-users domains list -o json
  $ dqo-users domains -o name`,
		Args:      usageArgs(cobra.MatchAll(cobra.MaximumNArgs(1), cobra.OnlyValidArgs)),
		ValidArgs: []string{"list"},
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if err := opts.Output.Validate(domainColumns()...); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return domainsRun(opts)
		},
	}
	addOutputFlags(c, &opts.Output)
	return c
}

func domainsRun(opts *DomainsOptions) error {
	ctx := opts.Context
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	printer := opts.Printer(opts.Output)
	if several(targets) {
		fl := newFleet(opts.IO, opts.ClientOf, targets, opts.Output.JSONErrors())
		return fleetList(ctx, fl, printer, domainColumns(), 0, "no data domains", "data domain",
			func(ctx context.Context, client *api.Client, _ io.Writer, emit func(any, []string) error) error {
				domains, err := listDomains(ctx, client)
				for _, d := range domains {
					if err := emit(d, domainsTable([]api.Domain{d}).Rows[0]); err != nil {
						return err
					}
				}
				return err
			})
	}
	client, err := opts.ClientOf(ctx, targets[0])
	if err != nil {
		return err
	}
	domains, err := listDomains(ctx, client)
	if err != nil {
		return err
	}
	return printer.Print(ctx, domains, domainsTable(domains))
}

// listDomains reads an instance's data domains; an instance that has none
// (DQOps 1.0) is a usage error.
func listDomains(ctx context.Context, client *api.Client) ([]api.Domain, error) {
	// 1.0 has no GET /api/domains/: it is not asked what it does not know.
	flavour, _, err := instanceFlavour(ctx, client)
	if err != nil {
		return nil, err
	}
	if flavour == api.FlavourRelease10 {
		return nil, errNoDomainsRelease10()
	}
	domains, err := client.ListDomains(ctx)
	if api.IsStatus(err, http.StatusNotFound) {
		// Told from the users alone, 1.0 looks like 1.13 without data
		// domains; its 404 tells them apart.
		return nil, errNoDomainsRelease10()
	}
	return domains, err
}

func errNoDomainsRelease10() *ExitError {
	return withHint(usageErrorf("this instance has no data domains: it is DQOps 1.0, and data domains came with DQOps 1.13"),
		"its users have an account role only (`dqo-users list`); data domains need DQOps 1.13 or later with an ENTERPRISE licence")
}

// domainColumns are the columns of a data domain, named after the JSON fields.
func domainColumns() []output.Column {
	return []output.Column{
		{Name: "domain_name", Header: "NAME"},
		{Name: "display_name", Header: "DISPLAY NAME"},
		{Name: "created_at", Header: "CREATED"},
		{Name: "enable_scheduler", Header: "SCHEDULER"},
	}
}

func domainsTable(domains []api.Domain) *output.Table {
	t := &output.Table{Columns: domainColumns(), NameColumn: 0, Empty: "no data domains"}
	t.Rows = make([][]string, len(domains))
	for i, d := range domains {
		created := ""
		if !d.CreatedAt.IsZero() {
			created = d.CreatedAt.UTC().Format(time.RFC3339)
		}
		t.Rows[i] = []string{d.Name, d.DisplayName, created, strconv.FormatBool(d.EnableScheduler)}
	}
	return t
}

// checkDomainRoles refuses, before anything is sent, the --domain-role
// grants the instance would not keep (api.GrantRule): an unknown data
// domain, or any grant on an instance without data domains. A role of none
// is no grant and needs no check, so without grants it reads nothing. It
// returns the caller's profile when it read it.
func checkDomainRoles(ctx context.Context, client *api.Client, roles map[string]api.Role) (*api.Profile, error) {
	if len(api.GrantsOf(roles)) == 0 {
		return nil, nil
	}
	rule, who, err := instanceGrantRule(ctx, client)
	if err != nil {
		return nil, err
	}
	return who, refuseGrants(rule, roles)
}

// instanceGrantRule reads what the instance keeps of grants (grantRule),
// and the caller's profile when that told the flavour.
func instanceGrantRule(ctx context.Context, client *api.Client) (api.GrantRule, *api.Profile, error) {
	flavour, who, err := instanceFlavour(ctx, client)
	if err != nil {
		return api.GrantRule{}, nil, err
	}
	rule, err := grantRule(ctx, client, flavour)
	return rule, who, err
}

// refuseGrants is the usage error naming every --domain-role grant that
// rule refuses, nil when it refuses none.
func refuseGrants(rule api.GrantRule, roles map[string]api.Role) error {
	var refused []string
	for _, domain := range slices.Sorted(maps.Keys(roles)) {
		if err := rule.Check(domain, roles[domain]); err != nil {
			refused = append(refused, fmt.Sprintf("--domain-role %s: %v", shownDomainRole(domain, roles[domain]), err))
		}
	}
	if len(refused) > 0 {
		return withHint(usageErrorf("%s", strings.Join(refused, "\n")), "nothing was sent; "+grantHint(rule.Flavour))
	}
	return nil
}

// shownDomainRole is a --domain-role value for a message: typed by the
// user, but a shell lets any character through, so it is quoted when it
// holds one that is not printable.
func shownDomainRole(domain string, role api.Role) string {
	return shownArg(domain + "=" + string(role))
}

// shownArg is a value typed on the command line, for a message: quoted
// when it holds a character that is not printable.
func shownArg(v string) string {
	if q := strconv.Quote(v); q[1:len(q)-1] != v {
		return q
	}
	return v
}

// grantRule is what the instance keeps of data-domain grants: its flavour
// and, with data domains, their names, read from GET /api/domains/ only
// then. When they cannot be read, nothing can be checked, so nothing is
// sent: the error says so.
func grantRule(ctx context.Context, client *api.Client, flavour api.Flavour) (api.GrantRule, error) {
	rule := api.GrantRule{Flavour: flavour}
	if !flavour.HasDomains() {
		return rule, nil
	}
	domains, err := client.ListDomains(ctx)
	if err != nil {
		e := classify(ctx, err)
		return rule, &ExitError{Code: e.Code, Status: e.Status, Err: fmt.Errorf("checking the data-domain roles: %w", err),
			Hint: "the roles are checked against the instance's data domains before anything is sent, and nothing was sent"}
	}
	rule.Domains = api.DomainNames(domains)
	return rule, nil
}

// grantHint says what to do about grants the instance refuses.
func grantHint(flavour api.Flavour) string {
	if flavour.HasDomains() {
		return "`dqo-users domains` lists the instance's data domains"
	}
	return "this instance keeps no data-domain roles: leave them out"
}

// registerDomainCompletion offers the instance's data domains after
// --domain-role (as DOMAIN=, then the roles after the '=') and
// --remove-domain-role.
func registerDomainCompletion(f *Factory, c *cobra.Command) {
	_ = c.RegisterFlagCompletionFunc("domain-role", f.completeDomainRole)
	if c.Flags().Lookup("remove-domain-role") != nil {
		_ = c.RegisterFlagCompletionFunc("remove-domain-role", func(c *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return f.completeDomains(c, toComplete, ""), cobra.ShellCompDirectiveNoFileComp
		})
	}
}

// completeDomainRole completes DOMAIN=ROLE: the domains, each followed by
// '=', then the roles.
func (f *Factory) completeDomainRole(c *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if domain, _, typed := strings.Cut(toComplete, "="); typed {
		var values []string
		for _, r := range api.RoleNames() {
			values = append(values, domain+"="+r)
		}
		return values, cobra.ShellCompDirectiveNoFileComp
	}
	return f.completeDomains(c, toComplete, "="), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeDomains offers the instance's data domains that start with
// prefix (ignoring case), each followed by suffix; silently nothing when
// not configured, unreachable, or DQOps 1.0. Names a shell would garble
// (controls, spaces) are left out.
func (f *Factory) completeDomains(c *cobra.Command, prefix, suffix string) []string {
	client, err := f.completionClient(c)
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.Context(), f.completionTimeout)
	defer cancel()
	domains, err := client.ListDomains(ctx)
	if err != nil {
		return nil
	}
	var names []string
	for _, d := range domains {
		if strings.HasPrefix(strings.ToLower(d.Name), strings.ToLower(prefix)) && text.Safe(d.Name) == d.Name && !strings.ContainsAny(d.Name, " \t") {
			names = append(names, d.Name+suffix)
		}
	}
	return names
}
