package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// DeleteOptions are the options of "delete".
type DeleteOptions struct {
	IO       *iostreams.IOStreams
	Targets  func() ([]*target, error)
	ClientOf func(context.Context, *target) (*api.Client, error)
	Context  context.Context
	Version  string
	Args     []string

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
	opts.IO, opts.Targets, opts.ClientOf, opts.Version, opts.Args = f.IO, f.Targets, f.ClientOf, f.Version, f.Args
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
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	if several(targets) {
		return opts.deleteOnEach(targets)
	}
	t := targets[0]
	client, err := opts.ClientOf(ctx, t)
	if err != nil {
		return err
	}
	d, err := opts.prepare(ctx, t, client, opts.IO.ErrOut)
	if err != nil || len(d.plan.Changes) == 0 {
		return d.err(err)
	}
	if !opts.Yes {
		if err := confirmDeletion(ctx, opts.IO, t, d.plan.Changes); err != nil {
			return err
		}
	}
	return opts.execute(ctx, d, opts.IO.Out, opts.IO.ErrOut)
}

// deleteOnEach deletes the users on several instances: each is prepared at
// once, one confirmation lists them all, then each deletes its own.
func (opts *DeleteOptions) deleteOnEach(targets []*target) error {
	ctx := opts.Context
	fl := newFleet(opts.IO, opts.ClientOf, targets, opts.Output != "")
	err := fl.step(ctx, func(ctx context.Context, m *member) error {
		d, err := opts.prepare(ctx, m.t, m.client, m.errOut)
		if err != nil {
			return err
		}
		m.state = d
		m.summary = "nothing to delete"
		if n := len(d.plan.Changes); n > 0 && !opts.Yes {
			say(m.errOut, "users to delete:\n")
			for _, c := range d.plan.Changes {
				say(m.errOut, "  %s\n", c.Email)
			}
		}
		return nil
	}, nil)
	if err != nil {
		return err
	}
	var asked []string
	var deleting []*member
	for _, m := range fl.alive() {
		if n := len(m.state.(*deletion).plan.Changes); n > 0 {
			asked = append(asked, output.Count(n, "user")+" from "+m.t.Label())
			deleting = append(deleting, m)
		}
	}
	if len(deleting) > 0 && !opts.Yes {
		ok, err := opts.IO.Confirm(ctx, "Delete "+joinAnd(asked)+"?")
		switch {
		case err != nil:
			return err
		case !ok:
			return errCancelled
		}
	}
	err = fl.step(ctx, func(ctx context.Context, m *member) error {
		d := m.state.(*deletion)
		if len(d.plan.Changes) == 0 {
			return d.err(nil)
		}
		err := opts.execute(ctx, d, m.out, m.errOut)
		m.summary = fmt.Sprintf("%d deleted", len(d.plan.Changes))
		return err
	}, nil)
	if err != nil {
		return err
	}
	return fl.finish()
}

// joinAnd joins phrases as a sentence does: "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// deletion is what delete prepared on one instance: the users to delete,
// and the failures found on the way, reported on the instance's messages.
type deletion struct {
	t      *target
	client *api.Client
	who    *api.Profile
	plan   *users.Plan
	batch  *batch
}

// err is the outcome of a deletion whose users were all done, or err.
func (d *deletion) err(err error) error {
	if err != nil || d == nil {
		return err
	}
	return d.batch.err()
}

// prepare finds the users to delete on one instance, as an Index finds
// them, holds back those the guard refuses, and checks the delete limit;
// every email it cannot delete is reported on errOut at once.
func (opts *DeleteOptions) prepare(ctx context.Context, t *target, client *api.Client, errOut io.Writer) (*deletion, error) {
	who, current, err := callerAndUsers(ctx, client, errOut)
	if err != nil {
		return nil, err
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
	d := &deletion{t: t, client: client, who: who, plan: &users.Plan{Caller: who.User},
		batch: newBatch(errOut, opts.Output != "", func(err error) error { return explainStatus(ctx, client, err) })}
	next := 0
	for n, email := range opts.Emails {
		var amb *users.AmbiguousError
		switch err := found[n]; {
		case err == errNamedBefore:
			continue
		case errors.As(err, &amb):
			d.batch.fail(ctx, withHint(usageErrorf("%v: nothing was deleted for it", amb),
				"give the exact spelling of the user to delete (`dqo-users list` shows them)"))
			continue
		case err != nil:
			d.batch.fail(ctx, errUserNotFound(email))
			continue
		}
		c := changes[next]
		next++
		if c.Refused != "" {
			d.batch.fail(ctx, refused(c))
			continue
		}
		d.plan.Changes = append(d.plan.Changes, c)
	}
	if err := d.plan.CheckLimits(users.Limits{MaxDeletes: opts.MaxDeletes}, len(current)); err != nil {
		return nil, limitError(err)
	}
	return d, nil
}

// execute deletes the prepared users, as apply makes changes, and says
// what was done.
func (opts *DeleteOptions) execute(ctx context.Context, d *deletion, out, errOut io.Writer) error {
	log, err := openAudit(ctx, d.t, d.client, d.who, opts.Version, commandSource(opts.Args))
	if err != nil {
		return err
	}
	defer log.close()
	targets := d.plan.Changes
	report := users.Execute(ctx, d.plan, clientWriter{d.client}, users.ExecOptions{
		Parallel:        opts.Parallel,
		ContinueOnError: true,
		Progress:        deleteProgress{errOut},
		Record:          func(r users.Result) error { return log.record(ctx, r) },
	})
	failed := make(map[string]error, len(report.Failures))
	for _, f := range report.Failures {
		failed[f.Change.Email] = f.Err
	}
	var done []Action
	for _, c := range targets {
		if err, ok := failed[c.Email]; ok {
			d.batch.fail(ctx, err)
			continue
		}
		if isDone(report, c) {
			done = append(done, Action{Action: "deleted", User: users.NewUserJSON(c.Before), Before: users.NewUserJSON(c.Before)})
		}
	}
	if len(targets) > 1 || report.Interrupted || report.RecordErr != nil {
		printDeleteSummary(errOut, report)
	}
	if err := printActions(out, opts.Output, len(opts.Emails) > 1, done); err != nil {
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
	return d.batch.err()
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
