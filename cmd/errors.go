package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"syscall"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// Exit codes: the contract with scripts, documented in the README and in
// "dqo-users help exit-codes".
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitCancelled   = 3
	ExitAuth        = 4
	ExitForbidden   = 5
	ExitNotFound    = 6
	ExitExists      = 7
	ExitUserLimit   = 8
	ExitPartial     = 9
	ExitChanges     = 10
	ExitRefused     = 11
	ExitStale       = 12
	ExitInterrupted = 130
	ExitTerminated  = 143
)

// exitCode describes one exit code: its number, the name used in JSON error
// objects, and its meaning.
type exitCode struct {
	Code    int
	Name    string
	Meaning string
}

// exitCodes is the table printed by "help exit-codes", in order.
var exitCodes = []exitCode{
	{ExitOK, "ok", "success"},
	{ExitFailure, "error", "any other failure: 5xx, network, unreadable response, a status the tool did not foresee"},
	{ExitUsage, "usage", "bad flag, argument, email, role or file, password mismatch, a prompt needed but not interactive"},
	{ExitCancelled, "cancelled", "answered no at a confirmation"},
	{ExitAuth, "auth", "no usable API key: the server answered 401, or the stored key belongs to another server"},
	{ExitForbidden, "forbidden", "permission denied, or user management not available on this instance (403)"},
	{ExitNotFound, "not_found", "not found"},
	{ExitExists, "already_exists", "already exists"},
	{ExitUserLimit, "user_limit", "user limit of the licence reached"},
	{ExitPartial, "partial", "apply: some changes failed, the others were done"},
	{ExitChanges, "changes", "diff: the server differs from the file (changes pending)"},
	{ExitRefused, "refused", "refused by a guard or a limit: deleting or demoting your own account or the last admin (--force allows it), creating a user whose email looks like an existing user's (--allow-lookalike allows it), more deletes or changes than --max-deletes or --max-changes allow; for apply, only when nothing else failed"},
	{ExitStale, "stale", "apply --plan: the server's users changed since the plan was made; nothing was changed"},
	{ExitInterrupted, "interrupted", "interrupted (Ctrl-C)"},
	{ExitTerminated, "terminated", "terminated (SIGTERM)"},
}

// ExitCodeInfo is one exit code as "help exit-codes" lists it.
type ExitCodeInfo = exitCode

// ExitCodes returns the table "help exit-codes" prints, in order, for the
// man page's EXIT STATUS (cmd/gen-docs).
func ExitCodes() []ExitCodeInfo { return slices.Clone(exitCodes) }

func exitName(code int) string {
	for _, c := range exitCodes {
		if c.Code == code {
			return c.Name
		}
	}
	return "error"
}

// ExitError is an error with the exit code it ends the process with, a
// message, and an optional hint on what to do.
type ExitError struct {
	Code   int
	Status int // HTTP status behind the error, 0 when none
	Err    error
	Hint   string
	// Reported means the error was already printed (each failure of a batch
	// is reported as it happens), so Run prints nothing more.
	Reported bool
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// refused is the error of a change a safety guard refused (your own
// account, the last admin), made alone.
func refused(c users.Change) *ExitError {
	return &ExitError{Code: ExitRefused, Err: errors.New(c.Sentence()), Hint: "pass --force if you mean it"}
}

func usageErrorf(format string, args ...any) *ExitError {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

func withHint(err *ExitError, hint string) *ExitError {
	err.Hint = hint
	return err
}

// errCancelled is answering no at a confirmation.
var errCancelled = &ExitError{Code: ExitCancelled, Err: errors.New("cancelled: nothing was changed")}

// classify decides the exit code, message and hint of any error. ctx is the
// command's context: its cancellation means Ctrl-C, whatever the error says.
func classify(ctx context.Context, err error) *ExitError {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee
	}
	if ctx != nil && ctx.Err() != nil || errors.Is(err, files.ErrInterrupted) {
		return interrupted(ctx)
	}
	if errors.Is(err, iostreams.ErrNoAnswer) {
		return &ExitError{Code: ExitCancelled, Err: errors.New("cancelled: the input ended before an answer; nothing was changed")}
	}
	var ue *output.UsageError
	if errors.As(err, &ue) {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if errors.Is(err, iostreams.ErrNotInteractive) {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	var tooLarge *files.TooLargeError
	if errors.As(err, &tooLarge) {
		return &ExitError{Code: ExitUsage, Err: err,
			Hint: "nothing was read past the limit and nothing was changed; check the file or what is piped to stdin"}
	}
	status := api.Status(err)
	var uncertain *api.UncertainError
	if errors.As(err, &uncertain) {
		return &ExitError{Code: ExitFailure, Status: status, Err: err,
			Hint: "check with `dqo-users get` or `dqo-users list` whether it was done before trying again"}
	}
	var se *api.StatusError
	isStatus := errors.As(err, &se)
	switch {
	case isStatus && status == http.StatusUnauthorized:
		if se.KeySource == "" {
			return &ExitError{Code: ExitAuth, Status: status, Err: fmt.Errorf("%s: the server requires an API key and none is configured", se.Op),
				Hint: "run `dqo-users login`, or set DQOPS_API_KEY or --api-key-file"}
		}
		return &ExitError{Code: ExitAuth, Status: status, Err: fmt.Errorf("%s: the server rejected the API key (401)", se.Op),
			Hint: rejectedKeyHint(se.KeySource)}
	case isStatus && status == http.StatusForbidden:
		return &ExitError{Code: ExitForbidden, Status: status, Err: fmt.Errorf("%s: permission denied (403)", se.Op),
			Hint: "your account lacks the permission (managing users needs the admin role), or this DQOps instance has no multi-user licence (TEAM or ENTERPRISE, paired with DQOps Cloud)"}
	case isStatus && status == http.StatusNotFound:
		return &ExitError{Code: ExitNotFound, Status: status, Err: fmt.Errorf("%s: the server answered 404 Not Found", se.Op),
			Hint: "the URL may not point at the DQOps API: check --url and its path prefix"}
	case isStatus && status >= 300 && status < 400:
		return &ExitError{Code: ExitFailure, Status: status, Err: err,
			Hint: "the URL may point at the DQOps web UI or a login proxy rather than the API; check --url"}
	case isStatus && status == http.StatusNotAcceptable, isStatus && status == http.StatusUnsupportedMediaType:
		return &ExitError{Code: ExitFailure, Status: status, Err: err,
			Hint: "the server refused the request's format; this DQOps release may not be supported, please report it"}
	case isStatus && status == http.StatusTooManyRequests:
		return &ExitError{Code: ExitFailure, Status: status, Err: err,
			Hint: "the server is limiting the rate of requests: try again later (--retries sets how often the tool retries)"}
	case isStatus && (status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout):
		return &ExitError{Code: ExitFailure, Status: status, Err: err,
			Hint: "DQOps, or a proxy or load balancer in front of it, is unavailable: try again later"}
	case status != 0 && !isStatus:
		return &ExitError{Code: ExitFailure, Status: status, Err: err, Hint: bodyHint(err)}
	case status != 0:
		return &ExitError{Code: ExitFailure, Status: status, Err: err}
	}
	var te *api.TransportError
	if errors.As(err, &te) {
		return &ExitError{Code: ExitFailure, Err: err, Hint: transportHint(te)}
	}
	return &ExitError{Code: ExitFailure, Err: err}
}

// Signal is the cause of a command's context cancelled by a signal: Main
// cancels it so on the first Ctrl-C or SIGTERM.
type Signal struct{ os.Signal }

func (s Signal) Error() string { return "interrupted by " + s.String() }

// interrupted is the error of a command stopped by Ctrl-C (exit 130) or
// SIGTERM (143), as the cause of ctx tells.
func interrupted(ctx context.Context) *ExitError {
	var sig Signal
	if ctx != nil && errors.As(context.Cause(ctx), &sig) && signalCode(sig.Signal) == ExitTerminated {
		return &ExitError{Code: ExitTerminated, Err: errors.New("terminated")}
	}
	return &ExitError{Code: ExitInterrupted, Err: errors.New("interrupted")}
}

// signalCode is the exit code after a signal: 143 for SIGTERM, else 130.
func signalCode(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return ExitTerminated
	}
	return ExitInterrupted
}

// bodyHint explains an answer whose body could not be read.
func bodyHint(err error) string {
	var be *api.BodyError
	if !errors.As(err, &be) {
		return ""
	}
	var cut *api.CutOffError
	switch {
	case errors.Is(err, api.ErrBodyTooLarge):
		return "the answer is larger than the tool accepts; check --url points at the DQOps API"
	case errors.As(err, &cut):
		return "the connection broke while the answer arrived: try again; a proxy may cut long answers"
	case be.ContentType != "" && !strings.Contains(strings.ToLower(be.ContentType), "json"):
		return "the URL may point at the DQOps web UI, a login page or a proxy rather than the API; check --url"
	}
	return "the server's answer is not what the DQOps API sends; check --url, or report it if it is DQOps"
}

// transportHint says what to do about a request that got no answer.
func transportHint(te *api.TransportError) string {
	if te.TimedOut {
		return fmt.Sprintf("the server did not answer within %s: raise --timeout (or DQOPS_TIMEOUT), or check the server's health", te.Timeout)
	}
	switch te.Cause() {
	case api.CauseTLSHostname:
		return "the certificate does not name the host in --url: use the host name the certificate was issued for"
	case api.CauseTLSExpired:
		return "the server's TLS certificate has expired (or this computer's clock is wrong)"
	case api.CauseTLSUntrusted:
		return "the server's TLS certificate is not trusted: pass its CA with --ca-cert FILE (or ca_cert in the profile)"
	case api.CausePlainHTTP:
		return "the server speaks plain HTTP there: use http:// in --url"
	case api.CauseProxy:
		return "the HTTP proxy is unreachable: check HTTPS_PROXY, HTTP_PROXY and NO_PROXY"
	case api.CauseRefused:
		return "is DQOps running at that address? check --url, DQOPS_URL or the profile (`dqo-users config view`)"
	case api.CauseNoHost:
		return "check the host name in --url"
	case api.CauseClosed:
		return "the server or a proxy closed the connection: try again; if it persists, check the server's logs"
	}
	return ""
}

// jsonError is the JSON object of an error, its fields in the order
// scripts have always seen them.
type jsonError struct {
	Error struct {
		Code    string `json:"code"`
		Exit    int    `json:"exit"`
		Hint    string `json:"hint,omitempty"`
		Message string `json:"message"`
		Status  any    `json:"status"`
	} `json:"error"`
}

// reportError writes err to stderr: one sentence and a hint, or, with
// -o json|yaml, one JSON object on one line.
func reportError(w io.Writer, e *ExitError, asJSON bool) {
	if asJSON {
		var obj jsonError
		obj.Error.Code, obj.Error.Exit, obj.Error.Hint, obj.Error.Message = exitName(e.Code), e.Code, e.Hint, e.Err.Error()
		if e.Status != 0 {
			obj.Error.Status = e.Status
		}
		_ = output.WriteJSONLine(w, obj)
		return
	}
	say(w, "error: %s\n", e.Err)
	if e.Hint != "" {
		say(w, "hint: %s\n", e.Hint)
	}
}

// say writes a message for people. Each argument that is a string (an
// email, a name, a role: text from the server or a file) is made safe on
// its own (output.Safe), line breaks and tabs included, so that it cannot
// end the message and forge the next one ("Deleted user x\nDeleted user
// admin@..."); the message as a whole is made safe too (output.SafeText),
// which keeps the line breaks of the format and of errors that list
// problems one a line.
func say(w io.Writer, format string, args ...any) {
	for i, a := range args {
		if v := reflect.ValueOf(a); v.Kind() == reflect.String {
			args[i] = text.Safe(v.String())
		}
	}
	_, _ = io.WriteString(w, text.SafeText(fmt.Sprintf(format, args...)))
}

// batch reports each failure of a command that acts on several emails as it
// happens and remembers the first, whose code the command exits with.
type batch struct {
	errOut  io.Writer
	json    bool
	explain func(error) error
	first   *ExitError
	count   int
}

// newBatch reports to errOut, as JSON objects when json; explain, when not
// nil, reads more into an error first (explainStatus).
func newBatch(errOut io.Writer, json bool, explain func(error) error) *batch {
	return &batch{errOut: errOut, json: json, explain: explain}
}

// fail reports err and says whether to stop: after Ctrl-C, or at a URL that
// is not the DQOps API, nothing more is tried.
func (b *batch) fail(ctx context.Context, err error) (stop bool) {
	if b.explain != nil {
		err = b.explain(err)
	}
	e := classify(ctx, err)
	b.count++
	if b.first == nil {
		b.first = e
	}
	if e.Code == ExitInterrupted || e.Code == ExitTerminated {
		return true
	}
	reportError(b.errOut, e, b.json)
	return errors.Is(e, errNotDQOpsAPI)
}

// err is the first failure, already reported, or nil.
func (b *batch) err() error {
	if b.first == nil {
		return nil
	}
	if b.first.Code == ExitInterrupted || b.first.Code == ExitTerminated {
		return b.first
	}
	return &ExitError{Code: b.first.Code, Status: b.first.Status, Err: b.first.Err, Reported: true}
}
