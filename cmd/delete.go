package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// DeleteOptions are the options of "delete".
type DeleteOptions struct {
	IO      *iostreams.IOStreams
	Target  func() (*target, error)
	Client  func(context.Context) (*api.Client, error)
	Context context.Context
	Version string
	Args    []string

	Emails     []string
	Yes        bool
	Force      bool
	Parallel   int
	MaxDeletes users.DeleteLimit
	// Output, json or yaml, prints what was done on stdout.
	Output output.Format
}

// NewCmdDelete builds "delete"; runF, when not nil, replaces the run function.
func NewCmdDelete(f *Factory, runF func(*DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{}
	opts.IO, opts.Target, opts.Client, opts.Version, opts.Args = f.IO, f.Target, f.Client, f.Version, f.Args
	var maxDeletes string
	c := &cobra.Command{
		Use:   "delete EMAIL...",
		Short: "Remove users from the DQOps instance",
		Long: `Remove one or more users. On a terminal one confirmation lists every
email and names the instance; without a terminal --yes is required.
Deleting your own account or the last admin needs --force. More users than
--max-deletes allows (by default a tenth of the instance's users, at least
5) are refused before any is deleted.

The deletions run --parallel at a time. Every email is attempted; each
failure is reported, a summary ends a deletion of several users, and the
exit code is the first failure's (in the order the emails were given). The
first Ctrl-C stops starting deletions and says which were made, which were
not attempted and which are unknown. With --audit-log FILE (or
DQOPS_AUDIT_LOG, or the profile's audit_log) every deletion is recorded.`,
		Example: `  $ dqo-users delete ana@example.com
  $ dqo-users delete ana@example.com bo@example.com --yes
  $ dqo-users list --match '*@contractor.example' -o name -0 | xargs -0 -r dqo-users delete --yes`,
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
			if opts.Parallel < 1 || opts.Parallel > applyMaxParallel {
				return usageErrorf("--parallel must be between 1 and %d, not %d", applyMaxParallel, opts.Parallel)
			}
			if maxDeletes != "" {
				l, err := users.ParseDeleteLimit(maxDeletes)
				if err != nil {
					return &ExitError{Code: ExitUsage, Err: err}
				}
				opts.MaxDeletes = l
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
	c.Flags().IntVar(&opts.Parallel, "parallel", applyDefaultParallel, "`N` requests at a time")
	c.Flags().StringVar(&maxDeletes, "max-deletes", "", "delete at most `N` users, or all (default: a tenth of the instance's users, at least 5)")
	addActionOutputFlag(c, &opts.Output)
	return c
}

// errNamedBefore marks an email that finds a user named before it.
var errNamedBefore = errors.New("the user was named before")

func deleteRun(opts *DeleteOptions) error {
	ctx := opts.Context
	t, err := opts.Target()
	if err != nil {
		return err
	}
	client, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	who, current, err := callerAndUsers(ctx, client, opts.IO.ErrOut)
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
	// one's code being the command's: those found now at once, those of
	// the deletions once every deletion has ended.
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
	plan := &users.Plan{Changes: targets, Caller: who.User}
	if err := plan.CheckLimits(users.Limits{MaxDeletes: opts.MaxDeletes}, len(current)); err != nil {
		return limitError(err)
	}
	if !opts.Yes {
		if err := confirmDeletion(ctx, opts.IO, t, targets); err != nil {
			return err
		}
	}
	log, err := openAudit(ctx, t, client, who, opts.Version, commandSource(opts.Args))
	if err != nil {
		return err
	}
	defer log.close()
	report := users.Execute(ctx, plan, clientWriter{client}, users.ExecOptions{
		Parallel:        opts.Parallel,
		ContinueOnError: true,
		Progress:        deleteProgress{opts.IO.ErrOut},
		Record:          func(r users.Result) error { return log.record(ctx, r) },
	})
	failed := make(map[string]error, len(report.Failures))
	for _, f := range report.Failures {
		failed[f.Change.Email] = f.Err
	}
	var done []Action
	for _, c := range targets {
		if err, ok := failed[c.Email]; ok {
			b.fail(ctx, err)
			continue
		}
		if isDone(report, c) {
			done = append(done, Action{Action: "deleted", User: users.NewUserJSON(c.Before), Before: users.NewUserJSON(c.Before)})
		}
	}
	if len(targets) > 1 || report.Interrupted || report.RecordErr != nil {
		printDeleteSummary(opts.IO.ErrOut, report)
	}
	if err := printActions(opts.IO.Out, opts.Output, len(opts.Emails) > 1, done); err != nil {
		return err
	}
	switch {
	case report.RecordErr != nil && !report.Interrupted:
		return recordError(report.RecordErr, report.Unrecorded)
	case report.Interrupted:
		e := interrupted(ctx)
		e.Reported = true
		return e
	}
	return b.err()
}

// isDone reports whether the report counts c as made: neither failed, nor
// unknown, nor left unattempted.
func isDone(r *users.Report, c users.Change) bool {
	for _, list := range [][]users.Change{r.NotAttempted, r.Unknown} {
		for _, o := range list {
			if o.Email == c.Email {
				return false
			}
		}
	}
	return true
}

// deleteProgress says each deletion made; failures are reported together
// once every deletion has ended, in the order the emails were given.
type deleteProgress struct{ errOut io.Writer }

func (p deleteProgress) Finished(r users.Result) {
	if r.Err == nil {
		say(p.errOut, "Deleted user %s.\n", r.Change.Email)
	}
}

// confirmDeletion lists the users to delete, then asks on a line of its
// own, naming the instance, so that the question is not read as being about
// the last email.
func confirmDeletion(ctx context.Context, io *iostreams.IOStreams, t *target, targets []users.Change) error {
	say(io.ErrOut, "Users to delete from %s:\n", t.Label())
	for _, c := range targets {
		say(io.ErrOut, "  %s\n", c.Email)
	}
	question := fmt.Sprintf("Delete this user from %s?", t.Label())
	if len(targets) > 1 {
		question = fmt.Sprintf("Delete these %d users from %s?", len(targets), t.Label())
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
