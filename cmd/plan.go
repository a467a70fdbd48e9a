package cmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// PlanOptions are what diff and apply share: the file, how the plan is made,
// and what it is made with.
type PlanOptions struct {
	IO       *iostreams.IOStreams
	Target   func() (*target, error)
	Targets  func() ([]*target, error)
	Client   func(context.Context) (*api.Client, error)
	ClientOf func(context.Context, *target) (*api.Client, error)
	Printer  func(output.Options) *output.Printer
	Context  context.Context
	Version  string

	File   string
	Format output.Format
	Prune  bool
	Force  bool
	// AllowLocalDomain accepts new users whose email domain has no dot.
	AllowLocalDomain bool
	// AllowLookAlike creates users whose email looks like an existing
	// user's, which the plan otherwise refuses.
	AllowLookAlike bool
	// CSVColumns, Instance and IgnoreAbsentDomains say how the file is
	// read (users.ParseOptions): --csv-columns, --instance (the file must
	// be applied to this server) and --ignore-absent-domains.
	CSVColumns          users.CSVColumns
	Instance            string
	IgnoreAbsentDomains bool
	// Limits are --max-deletes and --max-changes.
	Limits users.Limits
	// SavePlan is --save-plan: where the plan is written for apply --plan.
	SavePlan string

	// unmatched and keep are a sync file's unmatched: and keep:
	// (users.Options), which sync sets.
	unmatched users.Unmatched
	keep      func(email string) bool
	// grants, when set, are the data-domain grants to check against the
	// instance in place of the file's: a sync file's mappings, each
	// checked once with its line.
	grants grantChecker
}

// grantChecker holds data-domain grants to check against an instance: a
// users file (users.File), or a sync file's mappings (directory.Config).
type grantChecker interface {
	HasGrants() bool
	CheckGrants(api.GrantRule) error
}

// addPlanFlags adds the flags that shape a plan, which diff and apply share.
func addPlanFlags(c *cobra.Command, o *PlanOptions, maxDeletes, csvColumns *string) {
	fl := c.Flags()
	fl.StringVar(csvColumns, "csv-columns", "", "read a CSV file's fields from other columns, e.g. `email=\"Work Email\",accountRole=Role`; other columns are then ignored")
	fl.BoolVar(&o.IgnoreAbsentDomains, "ignore-absent-domains", false, "leave out data-domain roles on an instance without data domains (as domains: ignore-where-absent)")
	addFileFlags(c, &o.File, &o.Format)
	addGuardFlags(c, o, maxDeletes)
}

// addGuardFlags adds the flags that guard and limit a plan, and save it:
// apply's and diff's, and sync's.
func addGuardFlags(c *cobra.Command, o *PlanOptions, maxDeletes *string) {
	fl := c.Flags()
	fl.BoolVar(&o.Force, "force", false, "allow deleting or demoting your own account and the last admin")
	fl.BoolVar(&o.AllowLocalDomain, "allow-local-domain", false, "accept new users whose email domain has no dot (ana@intranet)")
	fl.BoolVar(&o.AllowLookAlike, "allow-lookalike", false, "create users whose email looks like an existing user's (another script's letters, full-width letters, long s for s)")
	fl.StringVar(&o.Instance, "instance", "", "refuse to act unless the target is the DQOps at `URL` (as a file's instance: key)")
	fl.StringVar(maxDeletes, "max-deletes", "", "delete at most `N` users, or all (default: a tenth of the server's users, at least 5)")
	fl.IntVar(&o.Limits.MaxChanges, "max-changes", 0, "make at most `N` changes: creates, updates and deletes together")
	fl.StringVar(&o.SavePlan, "save-plan", "", "write the plan to `FILE` for a later apply --plan FILE")
}

// readFlags reads --max-deletes, --max-changes and --csv-columns.
func (o *PlanOptions) readFlags(c *cobra.Command, maxDeletes, csvColumns string) error {
	if csvColumns != "" {
		cols, err := users.ParseCSVColumns(csvColumns)
		if err != nil {
			return usageErrorf("--csv-columns: %v", err)
		}
		o.CSVColumns = cols
	}
	if maxDeletes != "" {
		l, err := users.ParseDeleteLimit(maxDeletes)
		if err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		o.Limits.MaxDeletes = l
	}
	o.Limits.MaxChangesSet = c.Flags().Changed("max-changes")
	if o.Limits.MaxChanges < 0 {
		return usageErrorf("--max-changes must not be negative, not %d", o.Limits.MaxChanges)
	}
	return nil
}

// planned is a plan and what it was made from.
type planned struct {
	file   *users.File
	target *target
	client *api.Client
	plan   *users.Plan
	// current are the server's users as the plan read them.
	current []api.User
	flavour api.Flavour
	// sha256 is the file's digest, for saved plans and the audit log.
	sha256 string
	// limits are the limits the plan is held to: the command line's, or
	// those a saved plan was made with.
	limits users.Limits
	// source is what a saved plan says it was made from: the users file,
	// or the sync file.
	source users.PlanSource
}

// usersFile is a users file read and checked, before any request.
type usersFile struct {
	file *users.File
	// sha256 is the file's digest, for saved plans and the audit log.
	sha256 string
}

// readFile reads and checks the whole users file, before any request.
func (o *PlanOptions) readFile() (*usersFile, error) {
	data, err := readUsersData(o.Context, o.IO, o.File)
	if err != nil {
		return nil, err
	}
	file, err := parseUsersFile(o.IO, o.File, o.Format, data, users.ParseOptions{
		CSVColumns: o.CSVColumns, Instance: o.Instance, IgnoreAbsentDomains: o.IgnoreAbsentDomains, AllowLocalDomain: o.AllowLocalDomain})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	return &usersFile{file: file, sha256: hex.EncodeToString(sum[:])}, nil
}

// checkInstances refuses, before any request, a file bound to instances
// other than the targets.
func (f *usersFile) checkInstances(targets []*target) error {
	for _, t := range targets {
		if err := f.file.CheckInstance(t.URL); err != nil {
			return instanceError(err)
		}
	}
	return nil
}

// instanceError is a file (or --instance) for another instance than the
// target: nothing may be sent.
func instanceError(err error) error {
	return withHint(&ExitError{Code: ExitUsage, Err: fmt.Errorf("%w: nothing was sent", err)},
		"check --profile, --url or DQOPS_URL: the file's instance: key (or --instance) says where it belongs")
}

// plan reads the file, then the server, and compares them: what diff shows
// and apply carries out. A file bound to another instance is refused before
// any request.
func (o *PlanOptions) plan() (*planned, error) {
	f, err := o.readFile()
	if err != nil {
		return nil, err
	}
	t, err := o.Target()
	if err != nil {
		return nil, err
	}
	if err := f.checkInstances([]*target{t}); err != nil {
		return nil, err
	}
	client, err := o.Client(o.Context)
	if err != nil {
		return nil, err
	}
	return o.planFor(o.Context, f, t, client, o.IO.ErrOut)
}

// planFor makes the plan of one instance from a file read and checked: the
// file's entries for that instance (a file for several is scoped by URL).
func (o *PlanOptions) planFor(ctx context.Context, f *usersFile, t *target, client *api.Client, errOut io.Writer) (*planned, error) {
	p, err := makePlan(ctx, client, f.file.For(t.URL), o, errOut)
	if err != nil {
		return nil, err
	}
	p.target, p.sha256, p.limits = t, f.sha256, o.Limits
	p.source = users.PlanSource{File: p.file.Name, SHA256: p.sha256}
	return p, nil
}

// readUsersData reads a users file, or stdin for "-", bounded.
func readUsersData(ctx context.Context, io *iostreams.IOStreams, name string) ([]byte, error) {
	var data []byte
	var err error
	if name == "-" {
		// Through the streams' one reader of stdin, which later prompts share.
		data, err = io.ReadStdin(ctx)
	} else {
		data, err = files.ReadFile(ctx, name, files.MaxFileSize)
	}
	if errors.Is(err, files.ErrInterrupted) {
		return nil, err
	}
	if err != nil {
		return nil, usageErrorf("reading %s: %v", users.DisplayName(name), err)
	}
	return data, nil
}

// parseUsersFile validates the whole file before any request; a problem is
// a usage error listing every problem with its line.
func parseUsersFile(io *iostreams.IOStreams, name string, format output.Format, data []byte, opts users.ParseOptions) (*users.File, error) {
	fm := format
	if fm == "" {
		fm = users.DetectFormat(name, data)
	}
	file, err := opts.Parse(name, data, fm)
	var ve *users.ValidationError
	if errors.As(err, &ve) {
		return nil, withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was changed; fix the file and run again")
	}
	if err != nil {
		return nil, err
	}
	for _, n := range file.Notices {
		say(io.ErrOut, "note: %s\n", n)
	}
	return file, nil
}

// makePlan reads the caller's profile (who is applying, and the kind of
// instance) and the users, in one list call, checks the file's data-domain
// grants (reading the data domains when it has grants and the instance has
// domains), and compares the file with the users. Sync's grants are its
// mappings' (o.grants).
func makePlan(ctx context.Context, client *api.Client, file *users.File, o *PlanOptions, errOut io.Writer) (*planned, error) {
	who, current, err := callerAndUsers(ctx, client, errOut)
	if err != nil {
		return nil, err
	}
	flavour := client.DecideFlavour(who, current)
	if o.grantsOf(file).HasGrants() {
		rule, err := grantRule(ctx, client, flavour)
		if err != nil {
			return nil, err
		}
		if dropped, n := file.DropGrantsWhereAbsent(rule); n > 0 {
			say(errOut, "note: %s has no data domains: the data-domain roles that %s gives are left out there (%d entries; domains: ignore-where-absent)\n",
				client.BaseURL(), file.Name, n)
			file = dropped
		}
		if err := o.grantsOf(file).CheckGrants(rule); err != nil {
			return nil, withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was changed; "+grantHint(flavour))
		}
	}
	plan := users.NewPlan(file, current, users.Options{Prune: o.Prune, Force: o.Force, Caller: who.User, Unmatched: o.unmatched, Keep: o.keep,
		AllowLookAlike: o.AllowLookAlike})
	if len(plan.Ambiguous) > 0 {
		return nil, withHint(&ExitError{Code: ExitUsage, Err: &users.ValidationError{File: file.Name, Problems: plan.Ambiguous}},
			"nothing was changed; write each email with the exact spelling the server has (`dqo-users list`)")
	}
	// A user to create is held to create's rules for a new email.
	var bad []users.Problem
	local := false
	for _, c := range plan.Changes {
		if c.Action == users.ActionCreate {
			if err := api.ValidateNewEmail(c.Email, o.AllowLocalDomain); err != nil {
				bad = append(bad, users.Problem{Line: c.Line, Message: err.Error()})
				local = local || errors.Is(err, api.ErrLocalDomain)
			}
		}
	}
	if len(bad) > 0 {
		hint := "nothing was changed; fix the emails of the users to create"
		if local {
			hint += ", or pass --allow-local-domain if this DQOps deployment uses domains without a dot"
		}
		return nil, withHint(&ExitError{Code: ExitUsage, Err: &users.ValidationError{File: file.Name, Problems: bad}}, hint)
	}
	return &planned{file: file, client: client, plan: plan, current: current, flavour: flavour}, nil
}

// grantsOf is what holds the grants to check against the instance: the
// file, unless sync's mappings give them (o.grants).
func (o *PlanOptions) grantsOf(file *users.File) grantChecker {
	if o.grants != nil {
		return o.grants
	}
	return file
}

// flavourName is a flavour as a saved plan records it.
func flavourName(f api.Flavour) string {
	switch f {
	case api.FlavourRelease10:
		return "1.0"
	case api.FlavourDomains:
		return "1.13-data-domains"
	}
	return "1.13"
}

// savePlan writes the plans to o.SavePlan, a section per instance, whole
// or not at all.
func (o *PlanOptions) savePlan(ps ...*planned) error {
	if o.SavePlan == "" || len(ps) == 0 {
		return nil
	}
	saved := &users.SavedPlan{
		PlanVersion: users.PlanVersion,
		Tool:        "dqo-users " + o.Version,
		CreatedAt:   time.Now().UTC().Truncate(time.Second),
		Source:      ps[0].source,
		Options:     users.SavedOptions{Prune: o.Prune, Force: o.Force, MaxDeletes: o.Limits.MaxDeletes.String(), Unmatched: o.unmatched},
	}
	for _, p := range ps {
		saved.Instances = append(saved.Instances, users.NewSavedInstance(p.plan, p.current, p.target.Canonical(), p.target.ProfileName(), flavourName(p.flavour)))
	}
	if o.Limits.MaxChangesSet {
		saved.Options.MaxChanges = &o.Limits.MaxChanges
	}
	var buf bytes.Buffer
	if err := saved.Write(&buf); err != nil {
		return err
	}
	if err := files.WriteAtomic(o.SavePlan, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("writing the plan to %s: %w", o.SavePlan, err)
	}
	say(o.IO.ErrOut, "Saved the plan to %s: `dqo-users apply --plan %s` makes exactly these changes.\n", o.SavePlan, o.SavePlan)
	return nil
}

// writePlanText prints the plan for people, headed by the instance it is
// for.
func writePlanText(w io.Writer, p *planned, color bool) error {
	say(w, "Plan for %s:\n", p.target.Label())
	return p.plan.WriteText(w, color)
}

// limitError gives a plan over a limit its exit code and the way out.
func limitError(err error) error {
	var le *users.LimitError
	if !errors.As(err, &le) {
		return err
	}
	hint := fmt.Sprintf("if you mean it, pass %s %d (--force does not lift a limit)", le.Flag, le.Count)
	if le.Flag == "--max-deletes" {
		hint = fmt.Sprintf("check the file first; if you mean it, pass --max-deletes %d or --max-deletes all (--force does not lift a limit)", le.Count)
	}
	return withHint(&ExitError{Code: ExitRefused, Err: err}, hint)
}
