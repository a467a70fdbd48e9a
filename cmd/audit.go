package cmd

import (
	"context"
	"errors"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/audit"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// auditor writes the audit log of one command's changes on one instance;
// nil when no log is kept (no --audit-log, DQOPS_AUDIT_LOG or audit_log).
type auditor struct {
	log  *audit.Log
	base audit.Entry
}

// openAudit opens the target's audit log, if it has one, before any change
// is made: a log that cannot be written means nothing is sent. who is the
// caller's profile; when nil it is read, and a caller the server will not
// describe is "unknown".
func openAudit(ctx context.Context, t *target, client *api.Client, who *api.Profile, version string, source audit.Source) (*auditor, error) {
	path := t.Settings.AuditLog
	if path == "" {
		return nil, nil
	}
	if who == nil {
		who, _ = client.Profile(ctx)
	}
	l, err := audit.Open(path, files.OpenAppend)
	if err != nil {
		return nil, withHint(&ExitError{Code: ExitFailure, Err: err}, "nothing was changed; fix the audit log's path or permissions, or give another with --audit-log")
	}
	operator := "unknown"
	if who != nil && who.User != "" {
		operator = who.User
	}
	return &auditor{log: l, base: audit.Entry{
		Tool:     "dqo-users " + version,
		Operator: audit.Operator{Email: operator, LocalUser: audit.LocalUser(), KeySource: keySourceKind(client.KeySource())},
		Instance: t.Canonical(),
		Profile:  t.ProfileName(),
		Source:   source,
	}}, nil
}

// keySourceKind is where a key came from, as the audit log says it: the
// profile, the environment, a file, or none.
func keySourceKind(source string) string {
	switch {
	case source == "":
		return "none"
	case source == sourceEnv:
		return "environment"
	case strings.HasPrefix(source, sourceFilePrefix):
		return "file"
	}
	return "profile"
}

// commandSource is the command line, as the audit log records it: no flag
// of dqo-users takes a secret.
func commandSource(args []string) audit.Source {
	quoted := make([]string, 0, len(args)+1)
	quoted = append(quoted, "dqo-users")
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	return audit.Source{Command: strings.Join(quoted, " ")}
}

// shellQuote quotes an argument as a POSIX shell reads it back.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// record writes the outcome of one executed change.
func (a *auditor) record(ctx context.Context, r users.Result) error {
	if a == nil {
		return nil
	}
	e := a.base
	e.Action, e.Email = string(r.Change.Action), r.Change.Email
	e.Before, e.After = audit.RolesOf(r.Change.Before), audit.RolesOf(r.Change.After)
	a.outcome(ctx, &e, r.Err, r.Unknown)
	return a.log.Write(e)
}

// recordPassword writes the outcome of a password change: the action,
// never the password.
func (a *auditor) recordPassword(ctx context.Context, email string, err error) error {
	if a == nil {
		return nil
	}
	e := a.base
	e.Action, e.Email = "password-changed", email
	a.outcome(ctx, &e, err, err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled))
	return a.log.Write(e)
}

func (a *auditor) outcome(ctx context.Context, e *audit.Entry, err error, unknown bool) {
	switch {
	case unknown:
		e.Outcome = audit.OutcomeUnknown
	case err != nil:
		c := classify(ctx, err)
		e.Outcome, e.Status, e.Error = audit.OutcomeFailed, c.Status, text.Safe(c.Err.Error())
	default:
		e.Outcome = audit.OutcomeDone
	}
}

// operator is the caller's email as the log records it.
func (a *auditor) operator() string {
	if a == nil {
		return ""
	}
	return a.base.Operator.Email
}

// close closes the log.
func (a *auditor) close() {
	if a != nil {
		a.log.Close()
	}
}

// recordError is a change made whose record could not be written: no
// further change is started.
func recordError(err error, c users.Change) error {
	return withHint(&ExitError{Code: ExitFailure, Err: err},
		"the "+string(c.Action)+" of "+text.Safe(c.Email)+" was made but is not recorded in it; no further change was started")
}

// writeOptions are what a write command needs besides its client: the
// instance it acts on, for its prompts and its audit log, and the version
// and command line the log records.
type writeOptions struct {
	Target   func() (*target, error)
	Targets  func() ([]*target, error)
	ClientOf func(context.Context, *target) (*api.Client, error)
	Version  string
	Args     []string
}

// newWriteOptions copies them from the Factory.
func newWriteOptions(f *Factory) writeOptions {
	return writeOptions{Target: f.Target, Targets: f.Targets, ClientOf: f.ClientOf, Version: f.Version, Args: f.Args}
}

// onEach makes the same change on several instances (--profile dev,prod):
// run, the command's run on one instance, runs on each at once with that
// instance's client, target and held streams, and no prompt (fleet). It
// returns false when the command line names one instance, which the command
// then runs as usual.
func (w writeOptions) onEach(ctx context.Context, io *iostreams.IOStreams, jsonErrors bool,
	run func(w writeOptions, io *iostreams.IOStreams, client func(context.Context) (*api.Client, error)) error) (bool, error) {
	targets, err := w.Targets()
	if err != nil {
		return true, err
	}
	if !several(targets) {
		return false, nil
	}
	fl := newFleet(io, w.ClientOf, targets, jsonErrors)
	err = fl.step(ctx, func(ctx context.Context, m *member) error {
		one := w
		one.Target = func() (*target, error) { return m.t, nil }
		one.Targets = func() ([]*target, error) { return []*target{m.t}, nil }
		mio := &iostreams.IOStreams{In: strings.NewReader(""), Out: m.out, ErrOut: m.errOut, NoInputReason: "several profiles"}
		return run(one, mio, func(context.Context) (*api.Client, error) { return m.client, nil })
	}, nil)
	if err != nil {
		return true, err
	}
	return true, fl.finish()
}

// audit opens the audit log of the command's instance, if it has one.
func (w writeOptions) audit(ctx context.Context, client *api.Client, who *api.Profile) (*auditor, error) {
	t, err := w.Target()
	if err != nil {
		return nil, err
	}
	return openAudit(ctx, t, client, who, w.Version, commandSource(w.Args))
}

// label names the instance for a prompt: the profile and the URL.
func (w writeOptions) label() string {
	t, err := w.Target()
	if err != nil {
		return "the instance"
	}
	return t.Label()
}
