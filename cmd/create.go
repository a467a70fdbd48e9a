package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// CreateOptions are the options of "create".
type CreateOptions struct {
	Email          string
	Role           string
	DomainRoles    []string
	PasswordStdin  bool
	PasswordPrompt bool
}

func newCreateCmd(f *Factory) *cobra.Command {
	opts := &CreateOptions{}
	c := &cobra.Command{
		Use:   "create EMAIL --role ROLE",
		Short: "Add a user to the DQOps instance",
		Long: `Add a user with an account role: admin, editor, operator, viewer or none.

An existing user is refused with "already exists" before anything is sent.
On a terminal a missing --role is asked for. No password is set unless
--password-prompt (asked twice, without echo) or --password-stdin is given;
DQOps Cloud users can also sign in through DQOps Cloud without one.`,
		Example: `  $ dqo-users create ana@example.com --role editor
  $ dqo-users create ana@example.com --role viewer --password-prompt
  $ printf '%s' "$PASSWORD" | dqo-users create ana@example.com --role viewer --password-stdin
  $ dqo-users create ana@example.com --role viewer --domain-role sales=editor`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Email = args[0]
			return createRun(c.Context(), f, opts)
		},
	}
	c.Flags().StringVar(&opts.Role, "role", "", "account `ROLE`: admin, editor, operator, viewer or none")
	c.Flags().StringArrayVar(&opts.DomainRoles, "domain-role", nil, "data-domain role as `DOMAIN=ROLE` (repeatable; DQOps 1.13+)")
	c.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "set a password read from stdin")
	c.Flags().BoolVar(&opts.PasswordPrompt, "password-prompt", false, "set a password asked on the terminal")
	c.MarkFlagsMutuallyExclusive("password-stdin", "password-prompt")
	registerRoleCompletion(c, "role")
	return c
}

func createRun(ctx context.Context, f *Factory, opts *CreateOptions) error {
	if err := validateEmails([]string{opts.Email}); err != nil {
		return err
	}
	domainRoles, err := parseDomainRoles(opts.DomainRoles)
	if err != nil {
		return err
	}
	var role api.Role
	if opts.Role != "" {
		if role, err = parseRoleFlag("role", opts.Role); err != nil {
			return err
		}
	}
	if opts.PasswordPrompt && !f.IO.CanPrompt() {
		return usageErrorf("--password-prompt needs a terminal: use --password-stdin in scripts")
	}
	if role == "" {
		if !f.IO.CanPrompt() {
			return usageErrorf("--role is required: one of admin, editor, operator, viewer, none")
		}
		chosen, err := f.IO.Select(ctx, fmt.Sprintf("Account role for %s:", opts.Email), api.RoleNames())
		if err != nil {
			return err
		}
		role = api.Role(chosen)
	}
	var password []byte
	if opts.PasswordStdin || opts.PasswordPrompt {
		if password, err = newPassword(ctx, f, opts.PasswordStdin, opts.Email); err != nil {
			return err
		}
	}

	client, err := f.Client()
	if err != nil {
		return err
	}
	if domainRoles != nil {
		if _, err := requireDataDomains(ctx, f, client, "--domain-role"); err != nil {
			return err
		}
	}
	if _, err := client.GetUser(ctx, opts.Email); err == nil {
		return errAlreadyExists(opts.Email)
	} else if !api.IsStatus(err, 404) {
		return err
	}
	user := api.User{Email: opts.Email, AccountRole: role, DataDomainRoles: domainRoles}
	if err := client.CreateUser(ctx, user); err != nil {
		return explainCreateFailure(ctx, client, opts.Email, err)
	}
	if password != nil {
		if err := client.ChangeUserPassword(ctx, opts.Email, password); err != nil {
			e := classify(ctx, err, f)
			e.Err = fmt.Errorf("user %q was created with role %s, but setting its password failed: %w", opts.Email, role, err)
			e.Hint = "set it with `dqo-users user-passwd " + opts.Email + "`"
			return e
		}
	}
	msg := fmt.Sprintf("Created user %s with role %s", opts.Email, role)
	if domainRoles != nil {
		msg += ", data-domain roles " + user.DomainRolesString() + ","
	}
	if password != nil {
		msg += " and a password"
	}
	fmt.Fprintln(f.IO.ErrOut, msg+".")
	return nil
}

func errAlreadyExists(email string) error {
	return &ExitError{Code: ExitExists, Err: fmt.Errorf("user %q already exists", email),
		Hint: "change its role with `dqo-users update " + email + " --role ROLE`"}
}

// explainCreateFailure reads DQOps's answers to a failed create: 400 is the
// licence's user limit, and 403 is an existing user when the user exists now
// (the quirk), else a missing permission.
func explainCreateFailure(ctx context.Context, client *api.Client, email string, err error) error {
	switch api.Status(err) {
	case 400:
		return &ExitError{Code: ExitUserLimit, Status: 400, Err: fmt.Errorf("creating user %q: the licence's user limit is reached", email),
			Hint: "`dqo-users whoami` shows the users limit; delete a user or upgrade the licence"}
	case 403:
		if _, getErr := client.GetUser(ctx, email); getErr == nil {
			return errAlreadyExists(email)
		}
	}
	return err
}
