package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// ApplyOptions are the options of "apply".
type ApplyOptions struct {
	PlanOptions

	DryRun          bool
	Yes             bool
	Parallel        int
	ContinueOnError bool
}

// Bounds of --parallel, and the plan size from which a terminal gets a
// progress bar rather than a line per change.
const (
	applyDefaultParallel = 8
	applyMaxParallel     = 64
	applyProgressMin     = 6
)

// NewCmdApply builds "apply"; runF, when not nil, replaces the run function.
func NewCmdApply(f *Factory, runF func(*ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{}
	opts.IO, opts.Client, opts.Printer = f.IO, f.Client, f.Printer
	c := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Make the server's users match a file",
		Long: `Make the DQOps users match a file of users under version control: create
the users the server lacks, update changed roles and data-domain roles, and
with --prune delete the users the file does not mention.

The file is YAML, JSON or CSV, in the API's field names; "dqo-users export"
writes one, and "dqo-users list -o json" output is valid too:

  users:
  - email: ana@example.com
    accountRole: editor
  - email: bo@example.com
    accountRole: viewer
    dataDomainRoles: {sales: editor}

CSV has the header email,accountRole[,dataDomainRoles], with domain roles
written sales=editor;hr=viewer. The format comes from --format, else the
file's extension, else (stdin) its content. A user without dataDomainRoles
keeps its data-domain roles; dataDomainRoles: {} (or an empty CSV cell)
removes them. An entry whose role is none is no grant, so the "none" that
DQOps lists for every domain may be left in or out. Grants are checked
before any request: with data domains each must name one of them (dqo-users
domains lists them); an instance without data domains (DQOps 1.0, or 1.13
without them in use) keeps none, so a file that gives some is refused there.

The whole file is checked before any request, every problem reported with
its line. The plan comes from one list call and is printed before anything
changes. On a terminal it asks to confirm the plan unless --yes; without one,
creates and updates go ahead but deletions need --yes. Your own account and
the last admin are never deleted or demoted without --force: such entries are
refused, with the reason, and the rest applied. A second apply of the same
file sends no write request.

Changes run --parallel at a time, one request each. The first failure stops
scheduling new ones (requests in flight finish) unless --continue-on-error,
which attempts them all; either way a summary says what was done. The first
Ctrl-C (or SIGTERM) stops scheduling at once and gives requests in flight at
most half a second before cutting them short; the summary then lists what
was done, what was not attempted and the changes whose outcome is unknown,
and apply exits 130 (143 after SIGTERM). A second Ctrl-C exits at once.
Exit 9 means some changes failed (with --continue-on-error); 11 that a
guard refused some and none failed.`,
		Example: `  $ dqo-users apply -f users.yaml --dry-run
  $ dqo-users apply -f users.yaml
  $ dqo-users apply -f users.csv --prune --yes
  $ dqo-users export | dqo-users apply -f -
  $ dqo-users apply -f users.json --parallel 16 --continue-on-error`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if err := validateFileFlags(opts.File, opts.Format); err != nil {
				return err
			}
			if opts.Parallel < 1 || opts.Parallel > applyMaxParallel {
				return usageErrorf("--parallel must be between 1 and %d, not %d", applyMaxParallel, opts.Parallel)
			}
			if runF != nil {
				return runF(opts)
			}
			return applyRun(opts)
		},
	}
	fl := c.Flags()
	addFileFlags(c, &opts.File, &opts.Format)
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	fl.BoolVar(&opts.Prune, "prune", false, "delete the users the file does not mention")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "apply without asking; needed for deletions without a terminal")
	fl.BoolVar(&opts.Force, "force", false, "allow deleting or demoting your own account and the last admin")
	fl.IntVar(&opts.Parallel, "parallel", applyDefaultParallel, "`N` requests at a time")
	fl.BoolVar(&opts.ContinueOnError, "continue-on-error", false, "attempt every change even after a failure")
	fl.BoolVar(&opts.AllowLocalDomain, "allow-local-domain", false, "accept new users whose email domain has no dot (ana@intranet)")
	return c
}

func applyRun(opts *ApplyOptions) error {
	ctx := opts.Context
	file, client, plan, err := opts.plan()
	if err != nil {
		return err
	}
	errOut := opts.IO.ErrOut
	if plan.InSync() {
		say(errOut, "No changes: the server matches %s (%s).\n", file.Name, output.Count(plan.Unchanged, "user"))
		return nil
	}
	printer := opts.Printer(output.Options{})
	if err := plan.WriteText(printer.Out, printer.Color); err != nil {
		return err
	}
	if opts.DryRun {
		fmt.Fprintln(errOut, "Dry run: nothing was changed.")
		return nil
	}
	pending := plan.Pending()
	if len(pending) == 0 {
		printRefused(errOut, plan)
		return refusedError(plan.Refused())
	}
	if !opts.Yes {
		deletes := plan.Count(users.ActionDelete)
		if opts.IO.CanPrompt() {
			ok, err := opts.IO.Confirm(ctx, fmt.Sprintf("Apply %s to %s?", output.Count(len(pending), "change"), client.BaseURL()))
			if err != nil {
				return err
			}
			if !ok {
				return errCancelled
			}
		} else if deletes > 0 {
			return withHint(usageErrorf("the plan deletes %s, which needs a confirmation, and %s: nothing was changed", output.Count(deletes, "user"), opts.IO.WhyNoPrompt()),
				"pass --yes to allow deletions, or leave out --prune")
		}
	}

	progress := &applyProgress{errOut: errOut}
	if opts.IO.IsStderrTTY() && len(pending) >= applyProgressMin {
		progress.bar = iostreams.NewProgressBar(errOut, len(pending))
	}
	// The first Ctrl-C is answered at once, though the requests in flight
	// still have their grace: the user knows it was heard, and that a second
	// one ends apply without waiting.
	noticed := make(chan struct{})
	stopNotice := context.AfterFunc(ctx, func() {
		defer close(noticed)
		progress.stopping()
	})
	report := users.Execute(ctx, plan, clientWriter{client}, users.ExecOptions{
		Parallel:        opts.Parallel,
		ContinueOnError: opts.ContinueOnError,
		Progress:        progress,
	})
	if !stopNotice() {
		<-noticed // before the summary
	}
	if progress.bar != nil {
		progress.bar.Finish()
	}
	printRefused(errOut, plan)
	printApplySummary(errOut, report)
	return applyExit(ctx, report, opts.ContinueOnError)
}

// clientWriter makes each change with one request, and reads DQOps's
// answers to a failure as the single-user commands do.
type clientWriter struct{ client *api.Client }

func (w clientWriter) CreateUser(ctx context.Context, u api.User) error {
	if err := w.client.CreateUser(ctx, u); err != nil {
		return explainCreateFailure(ctx, w.client, u.Email, err)
	}
	return nil
}

func (w clientWriter) UpdateUser(ctx context.Context, u api.User) error {
	if err := w.client.UpdateUser(ctx, u); err != nil {
		return explainMissing(ctx, w.client, u.Email, err)
	}
	return nil
}

func (w clientWriter) DeleteUser(ctx context.Context, email string) error {
	if err := w.client.DeleteUser(ctx, email); err != nil {
		return notFound(ctx, w.client, email, err)
	}
	return nil
}

// applyProgress reports each finished change on stderr: a line per change,
// or, on a terminal with a bar, the failures above the bar.
type applyProgress struct {
	// mu serialises the lines of Finished and stopping, which Ctrl-C calls
	// from a goroutine of its own.
	mu     sync.Mutex
	errOut io.Writer
	bar    *iostreams.ProgressBar
}

// stopping says that the first Ctrl-C stopped the scheduling.
func (p *applyProgress) stopping() {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf("Stopping: no more changes are started, and the requests in flight get %s to finish; a second Ctrl-C exits at once.", requestGrace)
	if p.bar != nil {
		p.bar.Println(line)
		return
	}
	say(p.errOut, "%s\n", line)
}

func (p *applyProgress) Finished(r users.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if errors.Is(r.Err, context.Canceled) {
		return // cut short after Ctrl-C: the summary lists it as unknown
	}
	var line string
	if r.Err != nil {
		line = "error: " + failureMessage(r.Err)
	} else {
		line = doneMessage(r.Change)
	}
	switch {
	case p.bar == nil:
		say(p.errOut, "%s\n", line)
	case r.Err != nil:
		p.bar.Println(line)
	}
	if p.bar != nil {
		p.bar.Add(r.Err != nil)
	}
}

func doneMessage(c users.Change) string {
	switch c.Action {
	case users.ActionCreate:
		return fmt.Sprintf("Created user %s with role %s.", c.Email, c.After.AccountRole)
	case users.ActionUpdate:
		return fmt.Sprintf("Updated user %s: %s.", c.Email, c.Describe())
	}
	return fmt.Sprintf("Deleted user %s.", c.Email)
}

// failureMessage is the sentence an error gets in a batch: never
// "interrupted", since requests cut short after Ctrl-C are not failures but
// changes whose outcome is unknown.
func failureMessage(err error) string {
	return classify(context.Background(), err).Err.Error()
}

func printRefused(w io.Writer, plan *users.Plan) {
	for _, c := range plan.Changes {
		if c.Refused != "" {
			say(w, "refused: %s %s: %s\n", c.Action, c.Email, c.Refused)
		}
	}
}

// applyListShown bounds each list of changes in a summary.
const applyListShown = 10

// printApplySummary says what apply did: the counts, then the changes not
// attempted and those whose outcome is unknown (a request cut short after
// Ctrl-C), which a list call tells.
func printApplySummary(w io.Writer, r *users.Report) {
	head := "Applied"
	switch {
	case r.Interrupted:
		head = "Interrupted"
	case r.Stopped:
		head = "Stopped after a failure"
	}
	fmt.Fprintf(w, "%s: %d created, %d updated, %d deleted, %d unchanged, %d refused, %d failed",
		head, r.Created, r.Updated, r.Deleted, r.Unchanged, r.Refused, r.Failed())
	if len(r.NotAttempted) == 0 && len(r.Unknown) == 0 {
		fmt.Fprintln(w, ".")
		return
	}
	sep := "; "
	if n := len(r.NotAttempted); n > 0 {
		fmt.Fprintf(w, "; %d not attempted:\n", n)
		listChanges(w, r.NotAttempted)
		sep = ""
	}
	if n := len(r.Unknown); n > 0 {
		fmt.Fprintf(w, "%s%s whose outcome is unknown, cut short by the interruption (check with `dqo-users list`):\n", sep, output.Count(n, "change"))
		listChanges(w, r.Unknown)
	}
	fmt.Fprintln(w, "Run apply again to finish: changes already made are not repeated.")
}

func listChanges(w io.Writer, changes []users.Change) {
	for i, c := range changes {
		if i == applyListShown {
			fmt.Fprintf(w, "  ... and %d more\n", len(changes)-applyListShown)
			return
		}
		say(w, "  %s %s\n", c.Action, c.Email)
	}
}

// applyExit is 130 after Ctrl-C (143 after SIGTERM); the first failure's
// code when it stopped the run; 9 when, attempting everything, some changes
// failed; 11 when changes were refused by a guard and none failed.
func applyExit(ctx context.Context, r *users.Report, continueOnError bool) error {
	switch {
	case r.Interrupted:
		e := interrupted(ctx)
		e.Reported = true
		return e
	case r.Failed() > 0 && !continueOnError:
		first := classify(context.Background(), r.Failures[0].Err)
		return &ExitError{Code: first.Code, Status: first.Status, Err: first.Err, Reported: true}
	case r.Failed() > 0:
		return &ExitError{Code: ExitPartial,
			Err:  fmt.Errorf("%d of %d changes failed%s", r.Failed(), r.Failed()+r.Done(), othersMade(r)),
			Hint: "fix the causes and run apply again: changes already made are not repeated"}
	case r.Refused > 0:
		return refusedError(r.Refused)
	}
	return nil
}

func othersMade(r *users.Report) string {
	if r.Done() > 0 {
		return "; the others were made"
	}
	return ""
}

func refusedError(n int) error {
	return withHint(&ExitError{Code: ExitRefused, Err: fmt.Errorf("%s refused, so the server does not match the file", output.Count(n, "change"))},
		"the guards keep your own account and the last admin; change the file, or pass --force if you mean it")
}
