package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/audit"
	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/directory"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// SyncOptions are the options of "sync": apply's, whose plan, guards,
// limits, execution and audit log sync uses, with the users from a
// directory rather than a file.
type SyncOptions struct {
	ApplyOptions

	// Check is --check: read the directory and print what it calls for,
	// with no request to DQOps.
	Check bool
	// Output is -o: the plan (or the check) for people, or JSON.
	Output output.Format
	// Settings are those of the command line and the environment (--debug).
	Settings func() (config.Settings, error)
	// Getenv reads the environment (bindPasswordEnv).
	Getenv func(string) string
}

// NewCmdSync builds "sync"; runF, when not nil, replaces the run function.
func NewCmdSync(f *Factory, runF func(*SyncOptions) error) *cobra.Command {
	opts := &SyncOptions{}
	opts.IO, opts.Target, opts.Client, opts.Printer, opts.Version, opts.Args = f.IO, f.Target, f.Client, f.Printer, f.Version, f.Args
	opts.Targets, opts.ClientOf = f.Targets, f.ClientOf
	opts.Settings, opts.Getenv = f.Settings, f.Getenv
	opts.name = "sync"
	var maxDeletes string
	c := &cobra.Command{
		Use:   "sync -f FILE",
		Short: "Make the server's users match the groups of an LDAP or Active Directory directory",
		Long: `Make the DQOps users match the groups of a company directory (LDAP or
Active Directory): the people in the groups that the sync file maps get the
mapped account role and exactly the mapped data-domain roles, and the DQOps
users in no mapped group are left alone, demoted to role none, or deleted, as
its unmatched: says. "dqo-users help sync" documents the sync file:

  ldap:
    url: ldaps://dc1.example.com
    bindDN: cn=dqo-sync,ou=services,dc=example,dc=com
    bindPasswordFile: /run/secrets/ldap
  users:
    baseDN: ou=people,dc=example,dc=com
    filter: (objectClass=inetOrgPerson)
  groups:
    - dn: cn=dqops-admins,ou=groups,dc=example,dc=com
      accountRole: admin
    - dn: cn=analysts,ou=groups,dc=example,dc=com
      accountRole: viewer
  unmatched: none
  keep: [breakglass@example.com]

Sync reads the directory first: a failed bind or search, a mapped group that
does not exist, or an answer without a single person stops it with exit 1,
the LDAP result code and message named, before any request to DQOps. A sync
file whose instance: names another server (or --instance) is refused before
any request. Then the people go through apply's plan: one list call, the
plan printed (-o json prints it as diff -o json does), the guards on your
own account and the last admin (--force lifts them), --max-deletes (by
default a tenth of the server's users, at least 5; the demotions of
unmatched: none count as deletes) and --max-changes, a confirmation on a
terminal (without one, sync changes nothing without --yes), the changes, the
summary, the exit codes and the audit log, whose lines name the sync file as
their source. A second sync right after the first sends no write request.

unmatched: delete deletes the users in no mapped group, and sync refuses to
run with it unless --prune is given, as it refuses --prune with any other
unmatched:, so that neither the file nor the command line alone deletes
anyone. Data-domain roles are checked against the instance before any write;
an instance without data domains keeps none, so a mapping that gives some is
refused there.

--check binds, runs the searches, and prints how many people and groups it
found and who would get which roles (-o json: all of it), and sends nothing
to DQOps. --dry-run prints the plan and changes nothing; with --save-plan
PLAN it writes the plan for "dqo-users apply --plan PLAN", which later makes
exactly its changes. --debug writes every LDAP operation as the ldapsearch
command that does the same, with the time it took (never the password), and
traces the requests to DQOps.

With several profiles (--profile dev,prod, --all-profiles) the directory is
read once and kept on every instance, each planned, confirmed once for all,
and applied as apply applies several (--rollout one at a time).`,
		Example: `  $ dqo-users sync -f sync.yaml --check
  $ dqo-users sync -f sync.yaml --dry-run
  $ dqo-users sync -f sync.yaml --yes
  $ dqo-users sync -f sync.yaml --prune --max-deletes 20 --yes
  $ dqo-users sync -f sync.yaml --dry-run --save-plan plan.json
  $ dqo-users apply --plan plan.json --yes
  $ dqo-users help sync`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			switch strings.TrimSpace(opts.File) {
			case "":
				return usageErrorf("--file needs the sync file's name")
			case "-":
				return usageErrorf("the sync file cannot be read from stdin: its bindPasswordCommand is run only from a file that only you can write")
			}
			opts.planJSON = opts.Output == output.FormatJSON
			if opts.Parallel < 1 || opts.Parallel > applyMaxParallel {
				return usageErrorf("--parallel must be between 1 and %d, not %d", applyMaxParallel, opts.Parallel)
			}
			if opts.SavePlan != "" && !opts.DryRun {
				return usageErrorf("--save-plan needs --dry-run: a plan is saved to be reviewed, then applied with apply --plan")
			}
			if err := opts.readFlags(c, maxDeletes, ""); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return syncRun(opts)
		},
	}
	fl := c.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "the sync `FILE` (YAML; see dqo-users help sync)")
	_ = c.MarkFlagFilename("file", "yaml", "yml")
	_ = c.MarkFlagRequired("file")
	addGuardFlags(c, &opts.PlanOptions, &maxDeletes)
	fl.BoolVar(&opts.Check, "check", false, "read the directory and print who would get which roles; send nothing to DQOps")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	fl.BoolVar(&opts.Prune, "prune", false, "let unmatched: delete delete the users in no mapped group")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "sync without asking; needed without a terminal")
	fl.IntVar(&opts.Parallel, "parallel", applyDefaultParallel, "`N` requests at a time")
	fl.BoolVar(&opts.ContinueOnError, "continue-on-error", false, "attempt every change even after a failure")
	fl.BoolVar(&opts.Rollout, "rollout", false, "with several profiles: sync one instance at a time, in the order given, and stop at the first that fails or is refused")
	opts.Output = output.FormatText
	formatFlag(c, &opts.Output, "output", "o", "output `FORMAT`: text or json", diffFormats...)
	for _, other := range []string{"dry-run", "yes", "prune", "force", "max-deletes", "max-changes", "save-plan", "instance",
		"allow-local-domain", "parallel", "continue-on-error"} {
		c.MarkFlagsMutuallyExclusive("check", other)
	}
	return c
}

func syncRun(opts *SyncOptions) error {
	ctx := opts.Context
	errOut := opts.IO.ErrOut
	cfg, err := directory.Load(ctx, opts.File)
	if err != nil {
		return syncFileError(err)
	}
	st, err := opts.Settings()
	if err != nil {
		return err
	}
	read := directory.Options{Stderr: errOut, CheckTrusted: config.CheckFileTrusted, Getenv: opts.Getenv}
	if st.Debug {
		read.Debug = errOut
	}
	if opts.Check {
		res, err := directory.Read(ctx, cfg, read)
		if err != nil {
			return directoryError(ctx, err)
		}
		printer := opts.Printer(output.Options{})
		if opts.planJSON {
			return output.WriteJSON(printer.Out, res)
		}
		return res.WriteCheck(printer.Out, cfg)
	}
	if err := checkPrune(cfg, opts.Prune); err != nil {
		return err
	}
	// Everything that can be refused without a request is, before the
	// directory is asked: the targets, and the instance the file is for.
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	file, err := users.ParseOptions{Instance: opts.Instance}.FileOf(cfg.Path, nil, cfg.Instances, cfg.InstanceLine)
	if err != nil {
		return withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was sent")
	}
	for _, t := range targets {
		if err := file.CheckInstance(t.URL); err != nil {
			return instanceError(err)
		}
	}
	res, err := directory.Read(ctx, cfg, read)
	if err != nil {
		return directoryError(ctx, err)
	}
	writeDirectorySummary(errOut, cfg, res)
	file.Entries = res.Entries()
	opts.unmatched, opts.keep, opts.grants = cfg.Unmatched, cfg.Keeps, cfg
	source := audit.Source{Sync: cfg.Path, SHA256: cfg.SHA256}
	plan := func(ctx context.Context, t *target, client *api.Client, errOut io.Writer) (*planned, error) {
		p, err := makePlan(ctx, client, file.For(t.URL), &opts.PlanOptions, errOut)
		if err != nil {
			return nil, err
		}
		p.target, p.sha256, p.limits = t, cfg.SHA256, opts.Limits
		p.source = users.PlanSource{Sync: cfg.Path, SHA256: cfg.SHA256}
		return p, nil
	}
	if several(targets) {
		// One directory, read once, kept on every instance.
		return opts.applyOnEach(targets, func(ctx context.Context, m *member) (*planned, error) {
			return plan(ctx, m.t, m.client, m.errOut)
		}, source)
	}
	client, err := opts.ClientOf(ctx, targets[0])
	if err != nil {
		return err
	}
	p, err := plan(ctx, targets[0], client, errOut)
	if err != nil {
		return err
	}
	return opts.applyPlan(p, source)
}

// checkPrune holds --prune and unmatched: delete to each other: deleting
// the users in no mapped group takes both, and either alone is a mistake
// to point out before anything is read.
func checkPrune(cfg *directory.Config, prune bool) error {
	switch {
	case cfg.Unmatched == directory.UnmatchedDelete && !prune:
		return withHint(usageErrorf("%s says unmatched: delete, which deletes the DQOps users in no mapped group, and that needs --prune: nothing was sent", cfg.Path),
			"pass --prune (with --dry-run first, to see who would go), or write unmatched: keep or none")
	case prune && cfg.Unmatched != directory.UnmatchedDelete:
		return withHint(usageErrorf("--prune deletes the users in no mapped group with unmatched: delete, and %s says unmatched: %s: nothing was sent", cfg.Path, cfg.Unmatched),
			"leave out --prune, or write unmatched: delete")
	}
	return nil
}

// syncFileError gives the errors of reading the sync file their exit code:
// the file is the user's to fix, like a bad flag.
func syncFileError(err error) error {
	var ve *users.ValidationError
	switch {
	case errors.Is(err, files.ErrInterrupted):
		return err
	case errors.As(err, &ve):
		return withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was sent; fix the file and run again (dqo-users help sync describes it)")
	}
	return withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was sent")
}

// directoryError is a failed read of the directory: nothing was sent to
// DQOps. A bindPasswordCommand refused by the trust rule is the file's to
// fix (exit 2); a failed bind or search, or an empty answer, is exit 1.
func directoryError(ctx context.Context, err error) error {
	var untrusted *config.UntrustedError
	switch {
	case ctx.Err() != nil, errors.Is(err, files.ErrInterrupted):
		return err // Ctrl-C
	case errors.As(err, &untrusted), errors.Is(err, directory.ErrUntrustedCommand):
		return withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was sent to the directory or to DQOps")
	}
	return withHint(&ExitError{Code: ExitFailure, Err: err},
		"nothing was sent to DQOps; `dqo-users sync --check --debug -f FILE` shows each LDAP operation as the ldapsearch command that does the same")
}

// writeDirectorySummary says what the directory called for, before the
// plan: how many people, the members skipped (who have no usable email),
// those under keep:, and the mapped groups that are empty or loop.
func writeDirectorySummary(w io.Writer, cfg *directory.Config, res *directory.Result) {
	people := "1 person"
	if n := len(res.People) + len(res.Kept); n != 1 {
		people = fmt.Sprintf("%d people", n)
	}
	say(w, "The directory at %s gives access to %s in %s", cfg.LDAP.URL, people, output.Count(len(res.Groups), "mapped group"))
	var extra []string
	if n := len(res.Kept); n > 0 {
		extra = append(extra, fmt.Sprintf("%d under keep:, left as they are", n))
	}
	if n := len(res.Skipped); n > 0 {
		extra = append(extra, output.Count(n, "member")+" skipped, without a usable email (sync --check names them)")
	}
	if len(extra) > 0 {
		say(w, " (%s)", strings.Join(extra, "; "))
	}
	say(w, ".\n")
	for _, g := range res.Groups {
		if g.Members == 0 {
			say(w, "note: the mapped group %s is empty: its mapping (line %d) gives access to no one\n", g.DN, cfg.Groups[g.Mapping].Line)
		}
	}
	for _, loop := range res.Loops {
		say(w, "note: a loop of nested groups, each followed once: %s\n", strings.Join(loop, " -> "))
	}
}
