package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// UpdateOptions are the options of "update".
type UpdateOptions struct {
	IO      *iostreams.IOStreams
	Client  func(context.Context) (*api.Client, error)
	Context context.Context
	writeOptions

	Email             string
	Role              api.Role // empty: unchanged
	DomainRoles       map[string]api.Role
	RemoveDomainRoles []string
	Force             bool
	// Output, json or yaml, prints what was done on stdout.
	Output output.Format
}

// NewCmdUpdate builds "update"; runF, when not nil, replaces the run function.
func NewCmdUpdate(f *Factory, runF func(*UpdateOptions) error) *cobra.Command {
	opts := &UpdateOptions{writeOptions: newWriteOptions(f)}
	opts.IO, opts.Client = f.IO, f.Client
	var role string
	var domainRoles []string
	c := &cobra.Command{
		Use:   "update EMAIL [--role ROLE] [--domain-role DOMAIN=ROLE]... [--remove-domain-role DOMAIN]...",
		Short: "Change a user's roles",
		Long: `Change a user's account role, or (DQOps 1.13+) data-domain roles.

The user is read first and written back whole with only the requested change,
because DQOps replaces the whole user on update: every other field, such as
data-domain roles, is kept. Demoting your own account or the last admin needs
--force.

--domain-role grants a role in one data domain ("(default)" is the root
domain), checked before anything is sent as create checks it; a role of
none removes the grant, as --remove-domain-role does. A domain to remove
is checked the same way: a name that is none of the instance's data
domains is refused with the closest one, unless the user holds a grant
there. DQOps keeps data-domain roles when the account role changes: a
change that leaves one stronger than the new account role is done, with a
warning naming it and how to remove it.`,
		Example: `  $ dqo-users update ana@example.com --role viewer
  $ dqo-users update ana@example.com --domain-role sales=editor --remove-domain-role hr
  $ dqo-users update me@example.com --role editor --force`,
		Args: exactlyOne("EMAIL"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.Email = args[0]
			if err := validateEmails(args); err != nil {
				return err
			}
			var err error
			if role != "" {
				if opts.Role, err = parseRoleFlag("role", role); err != nil {
					return err
				}
			}
			if opts.DomainRoles, err = parseDomainRoles(domainRoles); err != nil {
				return err
			}
			for _, d := range opts.RemoveDomainRoles {
				if strings.TrimSpace(d) == "" {
					return usageErrorf("--remove-domain-role needs a data domain name")
				}
				if _, both := opts.DomainRoles[d]; both {
					return usageErrorf("data domain %q is both set and removed", d)
				}
			}
			if opts.Role == "" && !opts.changesDomains() {
				return usageErrorf("nothing to change: pass --role ROLE (or --domain-role / --remove-domain-role)")
			}
			if runF != nil {
				return runF(opts)
			}
			return updateRun(opts)
		},
		ValidArgsFunction: f.completeFirstEmail,
	}
	c.Flags().StringVar(&role, "role", "", "new account `ROLE`: admin, editor, operator, viewer or none")
	c.Flags().StringArrayVar(&domainRoles, "domain-role", nil, "set a data-domain role as `DOMAIN=ROLE` (repeatable; DQOps 1.13 with data domains)")
	c.Flags().StringArrayVar(&opts.RemoveDomainRoles, "remove-domain-role", nil, "remove the role in data `DOMAIN` (repeatable)")
	c.Flags().BoolVar(&opts.Force, "force", false, "allow demoting your own account or the last admin")
	addActionOutputFlag(c, &opts.Output)
	registerRoleCompletion(c, "role")
	registerDomainCompletion(f, c)
	return c
}

// changesDomains reports whether data-domain roles are set or removed.
func (o *UpdateOptions) changesDomains() bool {
	return o.DomainRoles != nil || len(o.RemoveDomainRoles) > 0
}

func updateRun(opts *UpdateOptions) error {
	several, err := opts.onEach(opts.Context, opts.IO, opts.Output != "",
		func(w writeOptions, io *iostreams.IOStreams, client func(context.Context) (*api.Client, error)) error {
			one := *opts
			one.writeOptions, one.IO, one.Client = w, io, client
			return updateOne(&one)
		})
	if several {
		return err
	}
	return updateOne(opts)
}

// updateOne updates the user on one instance.
func updateOne(opts *UpdateOptions) error {
	ctx := opts.Context
	client, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	var (
		rule api.GrantRule
		who  *api.Profile
	)
	if len(api.GrantsOf(opts.DomainRoles)) > 0 || len(opts.RemoveDomainRoles) > 0 {
		if rule, who, err = instanceGrantRule(ctx, client); err != nil {
			return err
		}
		if err := refuseGrants(rule, opts.DomainRoles); err != nil {
			return err
		}
	}
	current, err := mustExist(ctx, client, opts.Email)
	if err != nil {
		return err
	}
	if err := refuseRemovals(rule, opts.RemoveDomainRoles, current); err != nil {
		return err
	}
	updated := *current
	if opts.Role != "" {
		updated.AccountRole = opts.Role
	}
	updated.DataDomainRoles = updatedGrants(opts, current)
	change := users.Change{Action: users.ActionUpdate, Email: current.Email, Before: current, After: &updated}
	if updated.AccountRole == current.AccountRole && api.SameGrants(updated.DataDomainRoles, current.DataDomainRoles) {
		say(opts.IO.ErrOut, "User %s already has these roles; nothing to change.\n", current.Email)
		return printActions(opts.IO.Out, opts.Output, false, []Action{{Action: "unchanged", User: users.NewUserJSON(current), Before: users.NewUserJSON(current)}})
	}
	if !opts.Force && change.RemovesAdmin() {
		if err := guardUpdate(ctx, client, who, change); err != nil {
			return err
		}
	}
	log, err := opts.audit(ctx, client, who)
	if err != nil {
		return err
	}
	defer log.close()
	err = client.UpdateUser(ctx, updated)
	if rerr := log.record(ctx, users.Result{Change: change, Err: err}); rerr != nil && err == nil {
		return recordError(rerr, change)
	}
	if err != nil {
		return explainMissing(ctx, client, opts.Email, err)
	}
	say(opts.IO.ErrOut, "Updated user %s: %s.\n", current.Email, change.Describe())
	if w := change.Warning(); w != "" {
		say(opts.IO.ErrOut, "warning: %s\n", w)
	}
	written := writtenUser(ctx, client, opts.IO.ErrOut, opts.Output, &updated)
	return printActions(opts.IO.Out, opts.Output, false, []Action{{Action: "updated", User: written, Before: users.NewUserJSON(current)}})
}

// updatedGrants returns the user's grants after the requested change: the
// grants read (a role of none is no grant), with --domain-role set (none
// removes) and --remove-domain-role removed. Only grants are sent back,
// which is all DQOps keeps; nil when none are left.
func updatedGrants(opts *UpdateOptions, current *api.User) map[string]api.Role {
	grants := current.Grants()
	if !opts.changesDomains() {
		return grants
	}
	if grants == nil {
		grants = map[string]api.Role{}
	}
	for domain, role := range opts.DomainRoles {
		grants[domain] = role
	}
	for _, d := range opts.RemoveDomainRoles {
		if _, ok := grants[d]; !ok {
			say(opts.IO.ErrOut, "User %s has no role in data domain %q to remove.\n", current.Email, d)
		}
		delete(grants, d)
	}
	return api.GrantsOf(grants)
}

// refuseRemovals refuses --remove-domain-role as --domain-role is refused:
// a name that is none of the instance's data domains is a typo (exit 2,
// with the closest name), unless the user holds a grant there, which can
// always be removed. A data domain the user holds no grant in is a notice
// (updatedGrants); an instance without data domains has no names to check.
func refuseRemovals(rule api.GrantRule, domains []string, user *api.User) error {
	held := user.Grants()
	var refused []string
	for _, d := range domains {
		if _, ok := held[d]; ok {
			continue
		}
		if err := rule.CheckDomain(d); err != nil {
			refused = append(refused, fmt.Sprintf("--remove-domain-role %s: %v", shownArg(d), err))
		}
	}
	if len(refused) > 0 {
		return withHint(usageErrorf("%s", strings.Join(refused, "\n")), "nothing was changed; "+grantHint(rule.Flavour))
	}
	return nil
}

// guardUpdate refuses, as users.Guard decides, to demote the caller's own
// account or the last admin.
func guardUpdate(ctx context.Context, client *api.Client, who *api.Profile, change users.Change) error {
	if who == nil {
		var err error
		if who, err = caller(ctx, client); err != nil {
			return err
		}
	}
	changes := []users.Change{change}
	if err := users.Guard(changes, who.User, func() ([]api.User, error) { return client.ListUsers(ctx) }); err != nil {
		return err
	}
	if changes[0].Refused != "" {
		return refused(changes[0])
	}
	return nil
}
