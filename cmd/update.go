package cmd

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// UpdateOptions are the options of "update".
type UpdateOptions struct {
	Email             string
	Role              string
	DomainRoles       []string
	RemoveDomainRoles []string
	Force             bool
}

func newUpdateCmd(f *Factory) *cobra.Command {
	opts := &UpdateOptions{}
	c := &cobra.Command{
		Use:   "update EMAIL --role ROLE",
		Short: "Change a user's roles",
		Long: `Change a user's account role, or (DQOps 1.13+) data-domain roles.

The user is read first and written back whole with only the requested change,
because DQOps replaces the whole user on update: every other field, such as
data-domain roles, is kept. Demoting your own account or the last admin needs
--force.`,
		Example: `  $ dqo-users update ana@example.com --role viewer
  $ dqo-users update ana@example.com --domain-role sales=editor --remove-domain-role hr
  $ dqo-users update me@example.com --role editor --force`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Email = args[0]
			return updateRun(c.Context(), f, opts)
		},
		ValidArgsFunction: f.completeFirstEmail,
	}
	c.Flags().StringVar(&opts.Role, "role", "", "new account `ROLE`: admin, editor, operator, viewer or none")
	c.Flags().StringArrayVar(&opts.DomainRoles, "domain-role", nil, "set a data-domain role as `DOMAIN=ROLE` (repeatable; DQOps 1.13+)")
	c.Flags().StringArrayVar(&opts.RemoveDomainRoles, "remove-domain-role", nil, "remove the role in data `DOMAIN` (repeatable; DQOps 1.13+)")
	c.Flags().BoolVar(&opts.Force, "force", false, "allow demoting your own account or the last admin")
	registerRoleCompletion(c, "role")
	return c
}

func updateRun(ctx context.Context, f *Factory, opts *UpdateOptions) error {
	if err := validateEmails([]string{opts.Email}); err != nil {
		return err
	}
	var role api.Role
	var err error
	if opts.Role != "" {
		if role, err = parseRoleFlag("role", opts.Role); err != nil {
			return err
		}
	}
	setDomains, err := parseDomainRoles(opts.DomainRoles)
	if err != nil {
		return err
	}
	for _, d := range opts.RemoveDomainRoles {
		if strings.TrimSpace(d) == "" {
			return usageErrorf("--remove-domain-role needs a data domain name")
		}
		if _, both := setDomains[d]; both {
			return usageErrorf("data domain %q is both set and removed", d)
		}
	}
	domainFlags := setDomains != nil || len(opts.RemoveDomainRoles) > 0
	if role == "" && !domainFlags {
		return usageErrorf("nothing to change: pass --role ROLE (or --domain-role / --remove-domain-role)")
	}

	client, err := f.Client()
	if err != nil {
		return err
	}
	var caller *api.Profile
	if domainFlags {
		flag := "--domain-role"
		if setDomains == nil {
			flag = "--remove-domain-role"
		}
		if caller, err = requireDataDomains(ctx, f, client, flag); err != nil {
			return err
		}
	}
	current, err := mustExist(ctx, client, opts.Email)
	if err != nil {
		return err
	}
	updated := *current
	if role != "" {
		updated.AccountRole = role
	}
	if domainFlags {
		updated.DataDomainRoles = maps.Clone(current.DataDomainRoles)
		if updated.DataDomainRoles == nil {
			updated.DataDomainRoles = map[string]api.Role{}
		}
		maps.Copy(updated.DataDomainRoles, setDomains)
		for _, d := range opts.RemoveDomainRoles {
			if _, ok := updated.DataDomainRoles[d]; !ok {
				fmt.Fprintf(f.IO.ErrOut, "User %s has no role in data domain %q to remove.\n", current.Email, d)
			}
			delete(updated.DataDomainRoles, d)
		}
	}
	if updated.AccountRole == current.AccountRole && maps.Equal(updated.DataDomainRoles, current.DataDomainRoles) {
		fmt.Fprintf(f.IO.ErrOut, "User %s already has these roles; nothing to change.\n", current.Email)
		return nil
	}
	if current.AccountRole == api.RoleAdmin && updated.AccountRole != api.RoleAdmin && !opts.Force {
		if err := guardDemotion(ctx, f, client, caller, current.Email); err != nil {
			return err
		}
	}
	if err := client.UpdateUser(ctx, updated); err != nil {
		return explainMissing(ctx, client, opts.Email, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "Updated user %s: %s.\n", current.Email, describeChange(*current, updated))
	return nil
}

// guardDemotion refuses to demote the caller's own account or the last admin.
func guardDemotion(ctx context.Context, f *Factory, client *api.Client, caller *api.Profile, email string) error {
	if caller == nil {
		var err error
		if caller, err = f.caller(ctx, client); err != nil {
			return err
		}
	}
	if api.SameEmail(caller.User, email) {
		return withHint(usageErrorf("refusing to demote your own account %s: you would lose the right to manage users", email),
			"pass --force if you mean it")
	}
	users, err := client.ListUsers(ctx)
	if err != nil {
		return err
	}
	admins := 0
	for _, u := range users {
		if u.AccountRole == api.RoleAdmin {
			admins++
		}
	}
	if admins <= 1 {
		return withHint(usageErrorf("refusing to demote %s: it is the last admin", email), "pass --force if you mean it")
	}
	return nil
}

func describeChange(before, after api.User) string {
	var parts []string
	if before.AccountRole != after.AccountRole {
		parts = append(parts, fmt.Sprintf("role %s -> %s", before.AccountRole, after.AccountRole))
	}
	if !maps.Equal(before.DataDomainRoles, after.DataDomainRoles) {
		b, a := before.DomainRolesString(), after.DomainRolesString()
		if b == "" {
			b = "(none)"
		}
		if a == "" {
			a = "(none)"
		}
		parts = append(parts, fmt.Sprintf("domain roles %s -> %s", b, a))
	}
	return strings.Join(parts, ", ")
}
