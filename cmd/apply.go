package cmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/audit"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// ApplyOptions are the options of "apply".
type ApplyOptions struct {
	PlanOptions

	// PlanFile is --plan: a plan saved by diff --save-plan, to be made
	// exactly.
	PlanFile string
	Args     []string
	Rollout  bool
	DryRun   bool
	// GeneratePasswords is --generate-passwords FILE: a random password for
	// every user created, written to FILE before it is set.
	GeneratePasswords string
	Yes               bool
	Parallel          int
	ContinueOnError   bool

	// name is the command carrying the plan out, for messages: apply (when
	// empty) or sync.
	name string
	// planJSON writes the plan as diff -o json does (sync -o json).
	planJSON bool
}

// command is the name of the command carrying the plan out.
func (opts *ApplyOptions) command() string {
	if opts.name == "" {
		return "apply"
	}
	return opts.name
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
	opts.IO, opts.Target, opts.Targets, opts.Client, opts.ClientOf, opts.Printer, opts.Version, opts.Args = f.IO, f.Target, f.Targets, f.Client, f.ClientOf, f.Printer, f.Version, f.Args
	var maxDeletes, csvColumns string
	c := &cobra.Command{
		Use:   "apply -f FILE | --plan PLAN",
		Short: "Make the server's users match a file",
		Long: `Make the DQOps users match a file of users under version control: create
the users the server lacks, update changed roles and data-domain roles, and
with --prune delete the users the file does not mention.

The file is YAML, JSON or CSV, in the API's field names; "dqo-users export"
writes one, and "dqo-users list -o json" output is valid too:

  instance: https://dqops.example.com
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

A file whose instance: key names other servers (or --instance URL) is
refused before any request. The whole file is checked before any request,
every problem reported with its line. The plan comes from one list call and
is printed, headed by the instance, before anything changes. On a terminal
apply asks to confirm the plan unless --yes; without a terminal it changes
nothing without --yes. Your own account and the last admin are never deleted
or demoted without --force: such entries are refused, with the reason, and
the rest applied. A plan that deletes more users than --max-deletes allows
(by default a tenth of the server's users, at least 5), or makes more changes
than --max-changes, is refused whole: --force does not lift a limit. A second
apply of the same file sends no write request.

Review first, apply later: "dqo-users diff -f FILE --save-plan PLAN" (or
apply --dry-run --save-plan PLAN) writes the plan; "apply --plan PLAN" reads
the server's users again and makes exactly the plan's changes, with the
options it was made with, or refuses with exit 12 when the users changed
since, naming them.

Changes run --parallel at a time, one request each. The first failure stops
scheduling new ones (requests in flight finish) unless --continue-on-error,
which attempts them all; either way a summary says what was done. The first
Ctrl-C (or SIGTERM) stops scheduling at once and gives requests in flight at
most half a second before cutting them short; the summary then lists what
was done, what was not attempted and the changes whose outcome is unknown,
and apply exits 130 (143 after SIGTERM). A second Ctrl-C exits at once.
Exit 9 means some changes failed (with --continue-on-error); 11 that a
guard or a limit refused some and none failed. With --audit-log FILE (or
DQOPS_AUDIT_LOG, or the profile's audit_log) every change is recorded.`,
		Example: `  $ dqo-users apply -f users.yaml --dry-run
  $ dqo-users apply -f users.yaml
  $ dqo-users apply -f users.csv --prune --yes
  $ dqo-users diff -f users.yaml --prune --save-plan plan.json
  $ dqo-users apply --plan plan.json --yes
  $ dqo-users export | dqo-users apply -f -
  $ dqo-users apply -f users.json --parallel 16 --continue-on-error`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if opts.PlanFile == "" {
				if err := validateFileFlags(opts.File); err != nil {
					return err
				}
			}
			if opts.Parallel < 1 || opts.Parallel > applyMaxParallel {
				return usageErrorf("--parallel must be between 1 and %d, not %d", applyMaxParallel, opts.Parallel)
			}
			if opts.SavePlan != "" && !opts.DryRun {
				return usageErrorf("--save-plan needs --dry-run: a plan is saved to be reviewed, then applied with --plan")
			}
			if opts.GeneratePasswords != "" {
				if _, err := os.Lstat(opts.GeneratePasswords); err == nil {
					return withHint(usageErrorf("--generate-passwords %s: the file exists: nothing was sent", opts.GeneratePasswords),
						"name a file that does not exist yet: the passwords are never written over another file")
				}
			}
			if err := opts.readFlags(c, maxDeletes, csvColumns); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return applyRun(opts)
		},
	}
	fl := c.Flags()
	addPlanFlags(c, &opts.PlanOptions, &maxDeletes, &csvColumns)
	fl.StringVar(&opts.PlanFile, "plan", "", "make exactly the changes of `PLAN`, saved by diff --save-plan")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	fl.StringVar(&opts.GeneratePasswords, "generate-passwords", "", "set a random password on every user created, each written to `FILE` (email,password; mode 0600; a new file) before it is set")
	fl.BoolVar(&opts.Rollout, "rollout", false, "with several profiles: apply to one instance at a time, in the order given, and stop at the first that fails or is refused")
	fl.BoolVar(&opts.Prune, "prune", false, "delete the users the file does not mention")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "apply without asking; needed without a terminal")
	fl.IntVar(&opts.Parallel, "parallel", applyDefaultParallel, "`N` requests at a time")
	fl.BoolVar(&opts.ContinueOnError, "continue-on-error", false, "attempt every change even after a failure")
	c.MarkFlagsMutuallyExclusive("plan", "file")
	for _, other := range []string{"prune", "force", "max-deletes", "max-changes", "save-plan", "instance", "format", "allow-local-domain", "allow-lookalike", "csv-columns", "ignore-absent-domains"} {
		c.MarkFlagsMutuallyExclusive("plan", other)
	}
	c.MarkFlagsOneRequired("file", "plan")
	return c
}

func applyRun(opts *ApplyOptions) error {
	if opts.PlanFile != "" {
		return applySavedPlan(opts)
	}
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	if several(targets) {
		f, err := opts.readFile()
		if err != nil {
			return err
		}
		if err := f.checkInstances(targets); err != nil {
			return err
		}
		return opts.applyOnEach(targets, func(ctx context.Context, m *member) (*planned, error) {
			return opts.planFor(ctx, f, m.t, m.client, m.errOut)
		}, audit.Source{File: f.file.Name, SHA256: f.sha256})
	}
	p, err := opts.plan()
	if err != nil {
		return err
	}
	return opts.applyPlan(p, audit.Source{File: p.file.Name, SHA256: p.sha256})
}

// applyPlan shows a plan, checks its limits, and makes it (or, on a dry
// run, saves it with --save-plan): apply's, and sync's, whose changes the
// audit log records with source.
func (opts *ApplyOptions) applyPlan(p *planned, source audit.Source) error {
	errOut := opts.IO.ErrOut
	printer := opts.Printer(output.Options{})
	if opts.planJSON {
		if err := p.plan.WriteJSON(printer.Out); err != nil {
			return err
		}
	}
	if p.plan.InSync() {
		say(errOut, "No changes: the server matches %s (%s).\n", p.file.Name, output.Count(p.plan.Unchanged, "user"))
		if opts.DryRun {
			return opts.savePlan(p)
		}
		return nil
	}
	if !opts.planJSON {
		if err := writePlanText(printer.Out, p, printer.Color); err != nil {
			return err
		}
	}
	if err := p.plan.CheckLimits(p.limits, len(p.current)); err != nil {
		return limitError(err)
	}
	if opts.DryRun {
		if err := opts.savePlan(p); err != nil {
			return err
		}
		fmt.Fprintln(errOut, "Dry run: nothing was changed.")
		return nil
	}
	return opts.execute(p, source)
}

// applySavedPlan makes exactly the changes of a saved plan, when the
// server's users are still those it was made from.
func applySavedPlan(opts *ApplyOptions) error {
	ctx := opts.Context
	sp, err := readSavedPlan(ctx, opts.IO, opts.PlanFile)
	if err != nil {
		return err
	}
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	sections := make(map[*target]*users.SavedInstance, len(targets))
	for _, t := range targets {
		if sections[t], err = sp.sectionFor(t); err != nil {
			return err
		}
	}
	if several(targets) {
		return opts.applyOnEach(targets, func(ctx context.Context, m *member) (*planned, error) {
			return sp.planFor(ctx, sections[m.t], m.t, m.client, m.errOut)
		}, sp.source())
	}
	t := targets[0]
	client, err := opts.ClientOf(ctx, t)
	if err != nil {
		return err
	}
	p, err := sp.planFor(ctx, sections[t], t, client, opts.IO.ErrOut)
	if err != nil {
		return err
	}
	if p.plan.InSync() {
		say(opts.IO.ErrOut, "No changes: the plan %s has none for %s.\n", users.DisplayName(opts.PlanFile), t.Label())
		return nil
	}
	printer := opts.Printer(output.Options{})
	if err := writePlanText(printer.Out, p, printer.Color); err != nil {
		return err
	}
	if err := p.plan.CheckLimits(p.limits, len(p.current)); err != nil {
		return limitError(err)
	}
	if opts.DryRun {
		fmt.Fprintln(opts.IO.ErrOut, "Dry run: nothing was changed.")
		return nil
	}
	return opts.execute(p, sp.source())
}

// savedPlanFile is a plan saved by diff --save-plan, read and checked.
type savedPlanFile struct {
	saved  *users.SavedPlan
	name   string
	sha256 string
}

// readSavedPlan reads a saved plan, refusing one of another version or
// edited since (exit 2), before any request.
func readSavedPlan(ctx context.Context, io *iostreams.IOStreams, name string) (*savedPlanFile, error) {
	data, err := readUsersData(ctx, io, name)
	if err != nil {
		return nil, err
	}
	saved, err := users.ReadSavedPlan(name, data)
	if err != nil {
		return nil, withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was sent; make the plan again with `dqo-users diff --save-plan`")
	}
	sum := sha256.Sum256(data)
	return &savedPlanFile{saved: saved, name: name, sha256: hex.EncodeToString(sum[:])}, nil
}

// source is the plan as the audit log records it.
func (sp *savedPlanFile) source() audit.Source {
	return audit.Source{Plan: sp.name, SHA256: sp.sha256}
}

// sectionFor is the plan's section for a target, or a usage error naming
// the instances it is for, before any request.
func (sp *savedPlanFile) sectionFor(t *target) (*users.SavedInstance, error) {
	section, err := sp.saved.For(t.URL)
	if err == nil {
		return section, nil
	}
	var planned []string
	for _, in := range sp.saved.Instances {
		planned = append(planned, safeURL(in.Instance))
	}
	return nil, withHint(usageErrorf("%s is a plan for %s, not for %s: nothing was sent", users.DisplayName(sp.name), strings.Join(planned, ", "), t.Label()),
		"check --profile, --url or DQOPS_URL")
}

// planFor reads the instance's users again and rebuilds the section's plan
// against them: a stale plan is exit 12 and nothing is sent.
func (sp *savedPlanFile) planFor(ctx context.Context, section *users.SavedInstance, t *target, client *api.Client, errOut io.Writer) (*planned, error) {
	who, current, err := callerAndUsers(ctx, client, errOut)
	if err != nil {
		return nil, err
	}
	plan, err := section.Plan(current, sp.saved.Options.Prune)
	var stale *users.StaleError
	if errors.As(err, &stale) {
		return nil, withHint(&ExitError{Code: ExitStale, Err: err}, "review what changed, then make the plan again: `dqo-users diff --save-plan`")
	}
	if err != nil {
		return nil, err
	}
	plan.Unmatched = sp.saved.Options.Unmatched
	if !sp.saved.Options.Force {
		// The guard decides again on the users of now; other refusals (a
		// look-alike) stay as the plan was reviewed.
		for i := range plan.Changes {
			if plan.Changes[i].Refused.Guarded() {
				plan.Changes[i].Refused = ""
			}
		}
		_ = users.Guard(plan.Changes, who.User, func() ([]api.User, error) { return current, nil })
	}
	limits, err := savedLimits(sp.saved.Options)
	if err != nil {
		return nil, withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was sent; make the plan again with `dqo-users diff --save-plan`")
	}
	return &planned{target: t, client: client, plan: plan, current: current, limits: limits}, nil
}

// savedLimits are the limits a saved plan was made with.
func savedLimits(o users.SavedOptions) (users.Limits, error) {
	var l users.Limits
	if o.MaxDeletes != "" && o.MaxDeletes != "default" {
		d, err := users.ParseDeleteLimit(o.MaxDeletes)
		if err != nil {
			return l, err
		}
		l.MaxDeletes = d
	}
	if o.MaxChanges != nil {
		l.MaxChanges, l.MaxChangesSet = *o.MaxChanges, true
	}
	return l, nil
}

// execute asks for the go-ahead, then makes the plan's changes, recording
// each in the audit log, and says what was done.
func (opts *ApplyOptions) execute(p *planned, source audit.Source) error {
	pending := p.plan.Pending()
	if len(pending) == 0 {
		printRefused(opts.IO.ErrOut, p.plan)
		return refusedError(p.plan)
	}
	if !opts.Yes {
		if err := opts.confirm(fmt.Sprintf("Apply %s to %s?", output.Count(len(pending), "change"), p.target.Label())); err != nil {
			return err
		}
	}
	return opts.makeChanges(opts.Context, p, source, opts.IO.ErrOut, opts.IO.IsStderrTTY())
}

// confirm asks the question of apply, which makes no change without a
// yes: without a terminal it needs --yes.
func (opts *ApplyOptions) confirm(question string) error {
	if !opts.IO.CanPrompt() {
		review := "`dqo-users diff`"
		if opts.name != "" {
			review = "`dqo-users " + opts.name + " --dry-run`"
		}
		return withHint(usageErrorf("%s makes no change without a confirmation, and %s: nothing was changed", opts.command(), opts.IO.WhyNoPrompt()),
			"review the plan ("+review+"), then pass --yes")
	}
	ok, err := opts.IO.Confirm(opts.Context, question)
	if err != nil {
		return err
	}
	if !ok {
		return errCancelled
	}
	return nil
}

// makeChanges makes the plan's pending changes, recording each in the audit
// log, and says what was done on errOut, with a progress bar when it is a
// terminal.
func (opts *ApplyOptions) makeChanges(ctx context.Context, p *planned, source audit.Source, errOut io.Writer, terminal bool) error {
	pending := p.plan.Pending()
	if len(pending) == 0 {
		printRefused(errOut, p.plan)
		return refusedError(p.plan)
	}
	who := &api.Profile{User: p.plan.Caller}
	log, err := openAudit(ctx, p.target, p.client, who, opts.Version, source)
	if err != nil {
		return err
	}
	defer log.close()
	var writer users.Writer = clientWriter{p.client}
	var passwords *passwordWriter
	if opts.GeneratePasswords != "" && p.plan.Count(users.ActionCreate) > 0 {
		f, err := createPasswordFile(opts.GeneratePasswords)
		if err != nil {
			return err
		}
		defer f.close()
		passwords = &passwordWriter{Writer: writer, client: p.client, file: f, log: log, errOut: errOut}
		writer = passwords
	}
	progress := &applyProgress{errOut: errOut}
	if terminal && len(pending) >= applyProgressMin {
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
	report := users.Execute(ctx, p.plan, writer, users.ExecOptions{
		Parallel:        opts.Parallel,
		ContinueOnError: opts.ContinueOnError,
		Progress:        progress,
		Record:          func(r users.Result) error { return log.record(ctx, r) },
	})
	if !stopNotice() {
		<-noticed // before the summary
	}
	if progress.bar != nil {
		progress.bar.Finish()
	}
	printRefused(errOut, p.plan)
	printApplySummary(errOut, report, opts.command())
	if report.RecordErr != nil && !report.Interrupted {
		return recordError(report.RecordErr, report.Unrecorded)
	}
	if passwords != nil {
		if err := passwords.report(); err != nil && !report.Interrupted && report.Failed() == 0 {
			return err
		}
		say(errOut, "Passwords of the users created are in %s (mode 0600).\n", opts.GeneratePasswords)
	}
	return applyExit(ctx, report, p.plan, opts.ContinueOnError)
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

// printApplySummary says what apply (or sync, the command named) did: the
// counts, then the changes not attempted and those whose outcome is
// unknown (a request cut short after Ctrl-C), which a list call tells.
func printApplySummary(w io.Writer, r *users.Report, command string) {
	printSummary(w, r, fmt.Sprintf("%d created, %d updated, %d deleted, %d unchanged, %d refused, %d failed",
		r.Created, r.Updated, r.Deleted, r.Unchanged, r.Refused, r.Failed()), "Applied",
		"Run "+command+" again to finish: changes already made are not repeated.")
}

// printDeleteSummary says what a delete of several users did, as apply's
// summary does.
func printDeleteSummary(w io.Writer, r *users.Report) {
	printSummary(w, r, fmt.Sprintf("%d deleted, %d failed", r.Deleted, r.Failed()), "Deleted",
		"Run delete again with the users not deleted.")
}

// printSummary writes a run's counts under its head, then the changes not
// attempted and those whose outcome is unknown.
func printSummary(w io.Writer, r *users.Report, counts, done, again string) {
	head := done
	switch {
	case r.Interrupted:
		head = "Interrupted"
	case r.Stopped || r.RecordErr != nil:
		head = "Stopped after a failure"
	}
	fmt.Fprintf(w, "%s: %s", head, counts)
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
	fmt.Fprintln(w, again)
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
func applyExit(ctx context.Context, r *users.Report, plan *users.Plan, continueOnError bool) error {
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
		return refusedError(plan)
	}
	return nil
}

func othersMade(r *users.Report) string {
	if r.Done() > 0 {
		return "; the others were made"
	}
	return ""
}

// refusedError is a plan some of whose changes were refused; its hint
// names the flag that lifts each kind of refusal it holds.
func refusedError(plan *users.Plan) error {
	guarded, lookAlike := false, false
	for _, c := range plan.Changes {
		guarded = guarded || c.Refused.Guarded()
		lookAlike = lookAlike || c.Refused != "" && !c.Refused.Guarded()
	}
	var hints []string
	if guarded || !lookAlike {
		hints = append(hints, "the guards keep your own account and the last admin; change the file, or pass --force if you mean it")
	}
	if lookAlike {
		hints = append(hints, "an email that looks like an existing user's is another user, easily taken for it; check the file, or pass --allow-lookalike if you mean it")
	}
	return withHint(&ExitError{Code: ExitRefused, Err: fmt.Errorf("%s refused, so the server does not match the file", output.Count(plan.Refused(), "change"))},
		strings.Join(hints, "; "))
}
