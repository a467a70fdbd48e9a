package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// DeleteOptions are the options of "delete".
type DeleteOptions struct {
	Emails []string
	Yes    bool
	Force  bool
}

func newDeleteCmd(f *Factory) *cobra.Command {
	opts := &DeleteOptions{}
	c := &cobra.Command{
		Use:     "delete EMAIL...",
		Aliases: []string{"rm"},
		Short:   "Remove users from the DQOps instance",
		Long: `Remove one or more users. On a terminal one confirmation lists every
email; without a terminal --yes is required. Deleting your own account or the
last admin needs --force. Every email is attempted; each failure is reported
and the exit code is the first failure's.`,
		Example: `  $ dqo-users delete ana@example.com
  $ dqo-users delete ana@example.com bo@example.com --yes`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Emails = args
			return deleteRun(c, f, opts)
		},
		ValidArgsFunction: f.completeEmails,
	}
	c.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	c.Flags().BoolVar(&opts.Force, "force", false, "allow deleting your own account or the last admin")
	return c
}

func deleteRun(c *cobra.Command, f *Factory, opts *DeleteOptions) error {
	ctx := c.Context()
	if err := validateEmails(opts.Emails); err != nil {
		return err
	}
	emails := uniqueEmails(opts.Emails)
	if !opts.Yes && !f.IO.CanPrompt() {
		return usageErrorf("deleting users needs confirmation and there is no terminal to ask on: pass --yes")
	}
	client, caller, users, err := f.callerAndUsers(ctx)
	if err != nil {
		return err
	}
	byEmail := make(map[string]api.User, len(users))
	admins := 0
	for _, u := range users {
		byEmail[strings.ToLower(u.Email)] = u
		if u.AccountRole == api.RoleAdmin {
			admins++
		}
	}

	b := newBatch(f, c)
	var targets []string
	adminsLeft := admins
	for _, email := range emails {
		u, ok := byEmail[strings.ToLower(email)]
		switch {
		case !ok:
			b.fail(ctx, errUserNotFound(email))
			continue
		case !opts.Force && api.SameEmail(caller.User, email):
			b.fail(ctx, withHint(usageErrorf("refusing to delete your own account %s", email), "pass --force if you mean it"))
			continue
		case !opts.Force && u.AccountRole == api.RoleAdmin && adminsLeft <= 1:
			b.fail(ctx, withHint(usageErrorf("refusing to delete %s: it is the last admin", email), "pass --force if you mean it"))
			continue
		}
		if u.AccountRole == api.RoleAdmin {
			adminsLeft--
		}
		targets = append(targets, u.Email)
	}
	if len(targets) == 0 {
		return b.err()
	}
	if !opts.Yes {
		question := fmt.Sprintf("Delete %d user(s)?\n  %s\n", len(targets), strings.Join(targets, "\n  "))
		ok, err := f.IO.Confirm(ctx, strings.TrimRight(question, "\n"))
		if err != nil {
			return err
		}
		if !ok {
			return errCancelled
		}
	}
	for _, email := range targets {
		if err := client.DeleteUser(ctx, email); err != nil {
			if b.fail(ctx, notFound(email, err)) {
				break
			}
			continue
		}
		fmt.Fprintf(f.IO.ErrOut, "Deleted user %s.\n", email)
	}
	return b.err()
}
