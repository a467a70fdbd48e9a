package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// PasswdOptions are the options of "passwd" and "user-passwd".
type PasswdOptions struct {
	IO      *iostreams.IOStreams
	Client  func(context.Context) (*api.Client, error)
	Context context.Context
	writeOptions

	Email         string // empty: the caller's own password
	PasswordStdin bool
	// Output, json or yaml, prints what was done on stdout.
	Output output.Format
}

// NewCmdPasswd builds "passwd"; runF, when not nil, replaces the run function.
func NewCmdPasswd(f *Factory, runF func(*PasswdOptions) error) *cobra.Command {
	opts := &PasswdOptions{writeOptions: newWriteOptions(f)}
	opts.IO, opts.Client = f.IO, f.Client
	c := &cobra.Command{
		Use:   "passwd",
		Short: "Change your own password",
		Long: `Change the password of the account the API key belongs to. On a terminal
the new password is asked twice without echo; in scripts pass
--password-stdin and write it to stdin.`,
		Example: `  $ dqo-users passwd
  $ printf '%s' "$NEW_PASSWORD" | dqo-users passwd --password-stdin`,
		Args:        noArgs,
		Annotations: oneProfile,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if err := opts.canGetPassword(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return passwdRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the new password from stdin")
	addActionOutputFlag(c, &opts.Output)
	return c
}

// NewCmdUserPasswd builds "user-passwd"; runF, when not nil, replaces the run
// function.
func NewCmdUserPasswd(f *Factory, runF func(*PasswdOptions) error) *cobra.Command {
	opts := &PasswdOptions{writeOptions: newWriteOptions(f)}
	opts.IO, opts.Client = f.IO, f.Client
	c := &cobra.Command{
		Use:   "user-passwd EMAIL",
		Short: "Change another user's password",
		Long: `Set the password of another user (admins only). On a terminal the new
password is asked twice without echo; in scripts pass --password-stdin and
write it to stdin.`,
		Example: `  $ dqo-users user-passwd ana@example.com
  $ printf '%s' "$PASSWORD" | dqo-users user-passwd ana@example.com --password-stdin`,
		Args:        exactlyOne("EMAIL"),
		Annotations: oneProfile,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			opts.Email = args[0]
			if err := validateEmails(args); err != nil {
				return err
			}
			if err := opts.canGetPassword(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return passwdRun(opts)
		},
		ValidArgsFunction: f.completeFirstEmail,
	}
	c.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the new password from stdin")
	addActionOutputFlag(c, &opts.Output)
	return c
}

func passwdRun(opts *PasswdOptions) error {
	ctx := opts.Context
	var password []byte
	if opts.PasswordStdin || opts.Email == "" {
		// From stdin, or the caller's own: nothing to look up first.
		var err error
		if password, err = newPassword(ctx, opts.IO, opts.PasswordStdin, "your account on "+opts.label()); err != nil {
			return err
		}
	}
	client, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	if opts.Email == "" {
		var who *api.Profile
		log, err := opts.audit(ctx, client, nil)
		if err != nil {
			return err
		}
		defer log.close()
		if log != nil {
			who = &api.Profile{User: log.base.Operator.Email}
		}
		err = client.ChangeMyPassword(ctx, password)
		if rerr := log.recordPassword(ctx, log.operator(), err); rerr != nil && err == nil {
			return recordError(rerr, users.Change{Action: "password change", Email: log.operator()})
		}
		if err != nil {
			return err
		}
		say(opts.IO.ErrOut, "Your password was changed.\n")
		if opts.Output == "" {
			return nil
		}
		// Whose it is, for the object printed: read only when asked for.
		if who == nil || who.User == "unknown" {
			if who, err = caller(ctx, client); err != nil {
				return err
			}
		}
		return printActions(opts.IO.Out, opts.Output, false, []Action{{Action: "password-changed", User: emailOnly{who.User}}})
	}
	// The user is found before the password is asked for, so that nobody
	// types one twice to be told the user is missing.
	u, err := mustExist(ctx, client, opts.Email)
	if err != nil {
		return err
	}
	if password == nil {
		if password, err = newPassword(ctx, opts.IO, false, u.Email+" on "+opts.label()); err != nil {
			return err
		}
	}
	log, err := opts.audit(ctx, client, nil)
	if err != nil {
		return err
	}
	defer log.close()
	// The server's spelling of the user that matched.
	err = client.ChangeUserPassword(ctx, u.Email, password)
	if rerr := log.recordPassword(ctx, u.Email, err); rerr != nil && err == nil {
		return recordError(rerr, users.Change{Action: "password change", Email: u.Email})
	}
	if err != nil {
		return explainMissing(ctx, client, u.Email, err)
	}
	say(opts.IO.ErrOut, "Changed the password of %s.\n", u.Email)
	return printActions(opts.IO.Out, opts.Output, false, []Action{{Action: "password-changed", User: emailOnly{u.Email}}})
}

// canGetPassword refuses, before anything is sent, a command that would
// need a prompt it cannot show.
func (o *PasswdOptions) canGetPassword() error {
	if !o.PasswordStdin && !o.IO.CanPrompt() {
		return usageErrorf("a password is needed, and %s: pass --password-stdin and the password on stdin", o.IO.WhyNoPrompt())
	}
	return nil
}

// newPassword gets a new password: from stdin with --password-stdin, else
// from a no-echo prompt asked twice. Nothing is sent until it is known.
func newPassword(ctx context.Context, io *iostreams.IOStreams, fromStdin bool, what string) ([]byte, error) {
	if fromStdin {
		pw, err := io.ReadStdinSecret(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the password from stdin: %w", err)
		}
		if len(pw) == 0 {
			return nil, usageErrorf("the password read from stdin is empty")
		}
		return pw, nil
	}
	if !io.CanPrompt() {
		return nil, usageErrorf("a password is needed, and %s: pass --password-stdin and the password on stdin", io.WhyNoPrompt())
	}
	pw, err := io.ReadNewPassword(ctx, what)
	switch {
	case errors.Is(err, iostreams.ErrMismatch):
		return nil, withHint(usageErrorf("%v: nothing was changed", err), "run the command again and type the same password twice")
	case errors.Is(err, iostreams.ErrEmptyPassword):
		return nil, withHint(usageErrorf("%v: nothing was changed", err), "run the command again and type a password that is not empty")
	case err != nil:
		return nil, err
	}
	return pw, nil
}
