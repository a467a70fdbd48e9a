package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// CreateOptions are the options of "create".
type CreateOptions struct {
	IO      *iostreams.IOStreams
	Client  func(context.Context) (*api.Client, error)
	Context context.Context
	writeOptions

	Email          string
	Role           api.Role // empty: asked on a terminal
	DomainRoles    map[string]api.Role
	PasswordStdin  bool
	PasswordPrompt bool
	// GeneratePassword sets a random password, printed once on stdout.
	GeneratePassword bool
	// AllowLocalDomain accepts an email whose domain has no dot.
	AllowLocalDomain bool
	// AllowLookAlike creates a user whose email looks like an existing
	// user's (refuseLookAlike).
	AllowLookAlike bool
	// Output, json or yaml, prints what was done on stdout.
	Output output.Format
}

// NewCmdCreate builds "create"; runF, when not nil, replaces the run function.
func NewCmdCreate(f *Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{writeOptions: newWriteOptions(f)}
	opts.IO, opts.Client = f.IO, f.Client
	var role string
	var domainRoles []string
	c := &cobra.Command{
		Use:   "create EMAIL --role ROLE",
		Short: "Add a user to the DQOps instance",
		Long: `Add a user with an account role: admin, editor, operator, viewer or none.

An existing user is refused with "already exists" before anything is sent,
and so is an email that looks like an existing user's (Cyrillic or
full-width letters, the long s for s: another user, easily taken for it)
unless --allow-lookalike.
On a terminal a missing --role is asked for. No password is set unless
--password-prompt (asked twice, without echo) or --password-stdin is given,
or --generate-password, which sets a random one (20 characters from crypto/rand,
without characters that look alike) and prints it once on stdout (in the JSON
object with -o json), nowhere else; DQOps Cloud users can also sign in through
DQOps Cloud without one. A password that could not be set is reported with
the user, which stays created, and exit 1.

--domain-role grants a role in one data domain, "(default)" being the root
domain. The roles are checked before anything is sent: the domain must be
one of the instance's (dqo-users domains lists them), and an instance
without data domains (DQOps 1.0, or 1.13 without them in use) keeps none.
A role of none is no grant.`,
		Example: `  $ dqo-users create ana@example.com --role editor
  $ dqo-users create ana@example.com --role viewer --password-prompt
  $ printf '%s' "$PASSWORD" | dqo-users create ana@example.com --role viewer --password-stdin
  $ dqo-users create ana@example.com --role viewer --generate-password
  $ dqo-users create ana@example.com --role viewer --domain-role sales=editor`,
		Args: exactlyOne("EMAIL"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.Email = args[0]
			if err := validateNewEmail(opts.Email, opts.AllowLocalDomain); err != nil {
				return err
			}
			var err error
			if opts.DomainRoles, err = parseDomainRoles(domainRoles); err != nil {
				return err
			}
			if role != "" {
				if opts.Role, err = parseRoleFlag("role", role); err != nil {
					return err
				}
			}
			if opts.PasswordPrompt && !opts.IO.CanPrompt() {
				return usageErrorf("--password-prompt cannot ask: %s; use --password-stdin in scripts", opts.IO.WhyNoPrompt())
			}
			if opts.Role == "" && !opts.IO.CanPrompt() {
				return usageErrorf("--role is required (it cannot be asked: %s): one of admin, editor, operator, viewer, none", opts.IO.WhyNoPrompt())
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(opts)
		},
	}
	c.Flags().StringVar(&role, "role", "", "account `ROLE`: admin, editor, operator, viewer or none")
	c.Flags().StringArrayVar(&domainRoles, "domain-role", nil, "data-domain role as `DOMAIN=ROLE` (repeatable; DQOps 1.13 with data domains)")
	c.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "set a password read from stdin")
	c.Flags().BoolVar(&opts.PasswordPrompt, "password-prompt", false, "set a password asked on the terminal")
	c.Flags().BoolVar(&opts.GeneratePassword, "generate-password", false, "set a random password and print it once on stdout")
	c.Flags().BoolVar(&opts.AllowLocalDomain, "allow-local-domain", false, "accept an email whose domain has no dot (ana@intranet), as private deployments may use")
	c.Flags().BoolVar(&opts.AllowLookAlike, "allow-lookalike", false, "create the user even if its email looks like an existing user's")
	addActionOutputFlag(c, &opts.Output)
	c.MarkFlagsMutuallyExclusive("password-stdin", "password-prompt", "generate-password")
	registerRoleCompletion(c, "role")
	registerDomainCompletion(f, c)
	return c
}

func createRun(opts *CreateOptions) error {
	if opts.PasswordPrompt || opts.PasswordStdin || opts.GeneratePassword {
		if targets, err := opts.Targets(); err == nil && several(targets) {
			return withHint(usageErrorf("a password is not set on several instances at once: one password on many instances: nothing was sent"),
				"create the user with --profile NAME on each, or without a password")
		}
	}
	several, err := opts.onEach(opts.Context, opts.IO, opts.Output != "",
		func(w writeOptions, io *iostreams.IOStreams, client func(context.Context) (*api.Client, error)) error {
			one := *opts
			one.writeOptions, one.IO, one.Client = w, io, client
			return createOne(&one)
		})
	if several {
		return err
	}
	return createOne(opts)
}

// createOne creates the user on one instance.
func createOne(opts *CreateOptions) error {
	ctx := opts.Context
	var password []byte
	if opts.PasswordStdin {
		// Nobody types it: read before anything is sent, so a bad one sends nothing.
		var err error
		if password, err = newPassword(ctx, opts.IO, true, opts.Email); err != nil {
			return err
		}
	}
	client, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	if _, err := checkDomainRoles(ctx, client, opts.DomainRoles); err != nil {
		return err
	}
	// Whether the user exists is known before anything is asked, so that
	// nobody types a password to be told the user exists.
	if _, err := client.GetUser(ctx, opts.Email); err == nil {
		return errAlreadyExists(opts.Email)
	} else if !api.IsStatus(err, 404) {
		return err
	}
	if !opts.AllowLookAlike {
		if err := refuseLookAlike(ctx, client, opts.Email); err != nil {
			return err
		}
	}
	role := opts.Role
	if role == "" {
		chosen, err := opts.IO.Select(ctx, fmt.Sprintf("Account role for %s:", opts.Email), api.RoleNames())
		if err != nil {
			return err
		}
		role = api.Role(chosen)
	}
	if opts.PasswordPrompt {
		if password, err = newPassword(ctx, opts.IO, false, opts.Email+" on "+opts.label()); err != nil {
			return err
		}
	}
	if opts.GeneratePassword {
		password = generatePassword()
		defer clear(password)
	}
	log, err := opts.audit(ctx, client, nil)
	if err != nil {
		return err
	}
	defer log.close()
	// A role of none is no grant: only the grants are sent.
	user := api.User{Email: opts.Email, AccountRole: role, DataDomainRoles: api.GrantsOf(opts.DomainRoles)}
	change := users.Change{Action: users.ActionCreate, Email: opts.Email, After: &user}
	err = client.CreateUser(ctx, user)
	if rerr := log.record(ctx, users.Result{Change: change, Err: err}); rerr != nil && err == nil {
		return recordError(rerr, change)
	}
	if err != nil {
		return explainCreateFailure(ctx, client, opts.Email, err)
	}
	if password != nil {
		err := client.ChangeUserPassword(ctx, opts.Email, password)
		if rerr := log.recordPassword(ctx, opts.Email, err); rerr != nil && err == nil {
			return recordError(rerr, users.Change{Action: "password change", Email: opts.Email})
		}
		if err != nil {
			e := classify(ctx, err)
			if opts.GeneratePassword {
				e.Code = ExitFailure
			}
			e.Err = fmt.Errorf("user %q was created with role %s, but setting its password failed: %w", opts.Email, role, err)
			e.Hint = "set it with `dqo-users user-passwd " + opts.Email + "`"
			return e
		}
	}
	msg := fmt.Sprintf("Created user %s with role %s", opts.Email, role)
	if user.HasGrants() {
		msg += ", data-domain roles " + user.GrantsString()
		if password != nil {
			msg += ","
		}
	}
	if password != nil {
		msg += " and a password"
	}
	say(opts.IO.ErrOut, "%s.\n", msg)
	written := writtenUser(ctx, client, opts.IO.ErrOut, opts.Output, &user)
	action := Action{Action: "created", User: written}
	if opts.GeneratePassword {
		// Shown once, on stdout only: it is nowhere else.
		if opts.Output == "" {
			_, err := fmt.Fprintf(opts.IO.Out, "%s\n", password)
			return err
		}
		action.Password = string(password)
	}
	return printActions(opts.IO.Out, opts.Output, false, []Action{action})
}
