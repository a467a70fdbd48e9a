package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// PasswdOptions are the options of "passwd" and "user-passwd".
type PasswdOptions struct {
	Email         string // empty: the caller's own password
	PasswordStdin bool
}

func newPasswdCmd(f *Factory) *cobra.Command {
	opts := &PasswdOptions{}
	c := &cobra.Command{
		Use:   "passwd",
		Short: "Change your own password",
		Long: `Change the password of the account the API key belongs to. On a terminal
the new password is asked twice without echo; in scripts pass
--password-stdin and write it to stdin.`,
		Example: `  $ dqo-users passwd
  $ printf '%s' "$NEW_PASSWORD" | dqo-users passwd --password-stdin`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return passwdRun(c.Context(), f, opts)
		},
	}
	c.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the new password from stdin")
	return c
}

func newUserPasswdCmd(f *Factory) *cobra.Command {
	opts := &PasswdOptions{}
	c := &cobra.Command{
		Use:   "user-passwd EMAIL",
		Short: "Change another user's password",
		Long: `Set the password of another user (admins only). On a terminal the new
password is asked twice without echo; in scripts pass --password-stdin and
write it to stdin.`,
		Example: `  $ dqo-users user-passwd ana@example.com
  $ printf '%s' "$PASSWORD" | dqo-users user-passwd ana@example.com --password-stdin`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Email = args[0]
			if err := validateEmails(args); err != nil {
				return err
			}
			return passwdRun(c.Context(), f, opts)
		},
		ValidArgsFunction: f.completeFirstEmail,
	}
	c.Flags().BoolVar(&opts.PasswordStdin, "password-stdin", false, "read the new password from stdin")
	return c
}

func passwdRun(ctx context.Context, f *Factory, opts *PasswdOptions) error {
	what := "your account"
	if opts.Email != "" {
		what = opts.Email
	}
	password, err := newPassword(ctx, f, opts.PasswordStdin, what)
	if err != nil {
		return err
	}
	client, err := f.Client()
	if err != nil {
		return err
	}
	if opts.Email == "" {
		if err := client.ChangeMyPassword(ctx, password); err != nil {
			return err
		}
		fmt.Fprintln(f.IO.ErrOut, "Your password was changed.")
		return nil
	}
	if _, err := mustExist(ctx, client, opts.Email); err != nil {
		return err
	}
	if err := client.ChangeUserPassword(ctx, opts.Email, password); err != nil {
		return explainMissing(ctx, client, opts.Email, err)
	}
	fmt.Fprintf(f.IO.ErrOut, "Changed the password of %s.\n", opts.Email)
	return nil
}
