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

// DeleteOptions are the options of "delete".
type DeleteOptions struct {
	IO      *iostreams.IOStreams
	Client  func(context.Context) (*api.Client, error)
	Context context.Context

	Emails []string
	Yes    bool
	Force  bool
	// Output, json or yaml, prints what was done on stdout.
	Output output.Format
}

// NewCmdDelete builds "delete"; runF, when not nil, replaces the run function.
func NewCmdDelete(f *Factory, runF func(*DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{}
	opts.IO, opts.Client = f.IO, f.Client
	c := &cobra.Command{
		Use:   "delete EMAIL...",
		Short: "Remove users from the DQOps instance",
		Long: `Remove one or more users. On a terminal one confirmation lists every
email; without a terminal --yes is required. Deleting your own account or the
last admin needs --force. Every email is attempted; each failure is reported
and the exit code is the first failure's.`,
		Example: `  $ dqo-users delete ana@example.com
  $ dqo-users delete ana@example.com bo@example.com --yes`,
		Args: atLeastOne("EMAIL"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			if err := validateEmails(args); err != nil {
				return err
			}
			opts.Emails = uniqueEmails(args)
			if err := validateActionOutput(opts.Output); err != nil {
				return err
			}
			if !opts.Yes && !opts.IO.CanPrompt() {
				return usageErrorf("deleting users needs a confirmation, and %s: pass --yes", opts.IO.WhyNoPrompt())
			}
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(opts)
		},
		ValidArgsFunction: f.completeEmails,
	}
	c.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	c.Flags().BoolVar(&opts.Force, "force", false, "allow deleting your own account or the last admin")
	addActionOutputFlag(c, &opts.Output)
	return c
}

// errNamedBefore marks an email that finds a user named before it.
var errNamedBefore = errors.New("the user was named before")

func deleteRun(opts *DeleteOptions) error {
	ctx := opts.Context
	client, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	who, current, err := callerAndUsers(ctx, client)
	if err != nil {
		return err
	}
	index := users.NewIndex(current)
	// Two spellings of one user delete it once; two users that differ only
	// in case, each named exactly, are two deletions.
	found := make([]error, len(opts.Emails))
	named := make(map[int]bool, len(opts.Emails))
	var changes []users.Change
	for n, email := range opts.Emails {
		i, err := index.Find(email)
		if err == nil && named[i] {
			err = errNamedBefore
		}
		if found[n] = err; err == nil {
			named[i] = true
			u := index.User(i)
			changes = append(changes, users.Change{Action: users.ActionDelete, Email: u.Email, Before: &u})
		}
	}
	if !opts.Force {
		_ = users.Guard(changes, who.User, func() ([]api.User, error) { return current, nil })
	}
	// Failures are reported in the order the emails were given, the first
	// one's code being the command's.
	b := newBatch(opts.IO.ErrOut, opts.Output != "", func(err error) error { return explainStatus(ctx, client, err) })
	var targets []users.Change
	next := 0
	for n, email := range opts.Emails {
		var amb *users.AmbiguousError
		switch err := found[n]; {
		case err == errNamedBefore:
			continue
		case errors.As(err, &amb):
			b.fail(ctx, withHint(usageErrorf("%v: nothing was deleted for it", amb),
				"give the exact spelling of the user to delete (`dqo-users list` shows them)"))
			continue
		case err != nil:
			b.fail(ctx, errUserNotFound(email))
			continue
		}
		c := changes[next]
		next++
		if c.Refused != "" {
			b.fail(ctx, refused(c))
			continue
		}
		targets = append(targets, c)
	}
	if len(targets) == 0 {
		return b.err()
	}
	if !opts.Yes {
		if err := confirmDeletion(ctx, opts.IO, targets); err != nil {
			return err
		}
	}
	var done []Action
	for _, c := range targets {
		if err := client.DeleteUser(ctx, c.Email); err != nil {
			if b.fail(ctx, notFound(ctx, client, c.Email, err)) {
				break
			}
			continue
		}
		say(opts.IO.ErrOut, "Deleted user %s.\n", c.Email)
		done = append(done, Action{Action: "deleted", User: users.NewUserJSON(c.Before), Before: users.NewUserJSON(c.Before)})
	}
	if err := printActions(opts.IO.Out, opts.Output, len(opts.Emails) > 1, done); err != nil {
		return err
	}
	return b.err()
}

// confirmDeletion lists the users to delete, then asks on a line of its
// own, so that the question is not read as being about the last email.
func confirmDeletion(ctx context.Context, io *iostreams.IOStreams, targets []users.Change) error {
	say(io.ErrOut, "Users to delete:\n")
	for _, c := range targets {
		say(io.ErrOut, "  %s\n", c.Email)
	}
	question := "Delete this user?"
	if len(targets) > 1 {
		question = fmt.Sprintf("Delete these %d users?", len(targets))
	}
	ok, err := io.Confirm(ctx, question)
	switch {
	case err != nil:
		return err
	case !ok:
		return errCancelled
	}
	return nil
}
