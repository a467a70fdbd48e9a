//go:build unix

package cmd_test

// The Prism plumbing of the contract suite: starting Stoplight Prism's
// validating proxy with npx, the transport that records its verdict on each
// request, the upstream it proxies to, and the reading of its verdicts.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// prismPackage is the validating proxy; .ci/run installs the same version.
const prismPackage = "@stoplight/prism-cli@5.16.0"

// prismStartTimeout bounds npx's install (first run only) and Prism's start.
const prismStartTimeout = 4 * time.Minute

// undocumentedStatus starts the message of the violation Prism reports for a
// response whose status the document does not list for the operation.
const undocumentedStatus = "Unable to match the returned status code with those defined in the document"

// outsideAPI stands for any path outside /api, which the documents do not
// describe at all.
const outsideAPI = "(outside /api)"

// opStatus is a status of an operation: method, the document's path template
// and the HTTP status.
type opStatus struct {
	method string
	path   string
	status int
}

func (o opStatus) String() string { return fmt.Sprintf("%s %s %d", o.method, o.path, o.status) }

// acceptedUndocumented are the statuses that ../shared/dqops-api/README.md
// lists as given by the real server though the documents do not list them.
// A response with one of these may carry Prism's "status code not in the
// document" violation and nothing else; any other response violation fails.
var acceptedUndocumented = []opStatus{
	// 204 No Content on success of update, delete and both password operations.
	{"PUT", "/api/users/{email}", 204},
	{"DELETE", "/api/users/{email}", 204},
	{"PUT", "/api/users/{email}/password", 204},
	{"PUT", "/api/mypassword", 204},
	// 401 on any operation: the authentication filter answers first.
	{"GET", "/api/users", 401},
	{"POST", "/api/users", 401},
	{"GET", "/api/users/{email}", 401},
	{"PUT", "/api/users/{email}", 401},
	{"DELETE", "/api/users/{email}", 401},
	{"PUT", "/api/users/{email}/password", 401},
	{"PUT", "/api/mypassword", 401},
	{"GET", "/api/environment/profile", 401},
	// 403 on the profile: it needs VIEW, so role none gets 403.
	{"GET", "/api/environment/profile", 403},
	// 415 on a request body of the wrong content type.
	{"POST", "/api/users", 415},
	{"PUT", "/api/users/{email}", 415},
	{"PUT", "/api/users/{email}/password", 415},
	{"PUT", "/api/mypassword", 415},
	// 400 on unreadable JSON (POST /api/users documents 400 already: the
	// users limit).
	{"PUT", "/api/users/{email}", 400},
	// 303 to DQOps Cloud's login page for a request without a key outside
	// /api. Prism follows redirects itself, so the tool never sees one
	// through it; the entry stands for completeness.
	{"*", outsideAPI, 303},
}

func isAcceptedUndocumented(o opStatus) bool {
	for _, a := range acceptedUndocumented {
		if a.status == o.status && a.path == o.path && (a.method == "*" || a.method == o.method) {
			return true
		}
	}
	return false
}

// violation is one entry of Prism's sl-violations header.
type violation struct {
	Location []string        `json:"location"`
	Severity string          `json:"severity"`
	Code     json.RawMessage `json:"code"`
	Message  string          `json:"message"`
}

func (v violation) String() string {
	s := fmt.Sprintf("[%s %s] %s", v.Severity, strings.Join(v.Location, "."), v.Message)
	if len(v.Code) > 0 {
		s += " (code " + string(v.Code) + ")"
	}
	return s
}

func (v violation) side() string {
	if len(v.Location) == 0 {
		return ""
	}
	return v.Location[0]
}

// isUndocumentedStatus tells whether v is Prism's "status code not in the
// document", and nothing more specific.
func (v violation) isUndocumentedStatus() bool {
	return len(v.Location) == 1 && v.Location[0] == "response" && strings.HasPrefix(v.Message, undocumentedStatus)
}

// exchange is one request through Prism and what came back.
type exchange struct {
	command    string // the command line that sent it
	expect     string // the code of the request violation a probe is meant to have
	method     string
	path       string // as escaped on the wire
	template   string // the document's path template
	status     int
	err        string
	problem    string // the body of an answer Prism made itself
	violations []violation
	badHeader  string // an sl-violations header that is not JSON
	// notJSON is a request body labelled JSON that is not: Prism stalls on
	// one instead of reporting it, so the suite reports it and sends nothing.
	notJSON bool
}

func (e exchange) String() string {
	if e.expect != "" {
		return fmt.Sprintf("%s %s -> %d (%s)", e.method, e.path, e.status, e.command)
	}
	return fmt.Sprintf("%s %s -> %d (dqo-users %s)", e.method, e.path, e.status, e.command)
}

// recorder is the tool's transport in the suite: it passes every request on
// and records Prism's verdict on it.
type recorder struct {
	base      http.RoundTripper
	templates []string

	mu        sync.Mutex
	command   string
	expect    string
	exchanges []exchange
}

// setCommand labels the requests that follow, and the request violation
// they are meant to have (a probe's code), if any.
func (r *recorder) setCommand(c, expect string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.command, r.expect = c, expect
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	ex := exchange{command: r.command, expect: r.expect, method: req.Method, path: req.URL.EscapedPath()}
	r.mu.Unlock()
	ex.template = pathTemplate(r.templates, ex.path)
	if req.Body != nil && strings.HasPrefix(strings.ToLower(req.Header.Get("Content-Type")), "application/json") {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if !json.Valid(body) {
			ex.notJSON = true
			// The body is not quoted: it may be a password.
			ex.err = fmt.Sprintf("the request body (%d bytes) is not JSON though its Content-Type is %s; not sent, as Prism stalls on it", len(body), req.Header.Get("Content-Type"))
			r.mu.Lock()
			r.exchanges = append(r.exchanges, ex)
			r.mu.Unlock()
			return nil, errors.New("contract suite: " + ex.err)
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		ex.err = err.Error()
	} else {
		ex.status = resp.StatusCode
		for _, h := range resp.Header.Values("sl-violations") {
			var vs []violation
			if jerr := json.Unmarshal([]byte(h), &vs); jerr != nil {
				ex.badHeader = h
				continue
			}
			ex.violations = append(ex.violations, vs...)
		}
		// Prism answers with a problem document when it cannot proxy
		// (no such path, upstream unreachable): keep it for the message.
		if strings.Contains(resp.Header.Get("Content-Type"), "problem+json") {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			ex.problem = string(body)
			resp.Body = io.NopCloser(bytes.NewReader(body))
		}
	}
	r.mu.Lock()
	r.exchanges = append(r.exchanges, ex)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) snapshot() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.exchanges)
}

// pathTemplate maps an escaped request path to the document's template it
// matches, segment by segment, or outsideAPI / the path itself.
func pathTemplate(templates []string, escaped string) string {
	if escaped != "/api" && !strings.HasPrefix(escaped, "/api/") {
		return outsideAPI
	}
	segs := strings.Split(escaped, "/")
	for _, tmpl := range templates {
		tsegs := strings.Split(tmpl, "/")
		if len(tsegs) != len(segs) {
			continue
		}
		match := true
		for i, ts := range tsegs {
			param := strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "}")
			if (param && segs[i] == "") || (!param && ts != segs[i]) {
				match = false
				break
			}
		}
		if match {
			return tmpl
		}
	}
	return escaped
}

// switchUpstream is what Prism proxies to: the sandbox of the current
// scenario, so one Prism serves several differently configured sandboxes.
type switchUpstream struct {
	current atomic.Pointer[sandbox.Server]
	mu      sync.Mutex
	// before runs once before the sandbox answers the request "METHOD path"
	// (decoded path), to stage a race.
	before map[string]func()
}

func (u *switchUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + r.URL.Path
	u.mu.Lock()
	hook := u.before[key]
	delete(u.before, key)
	u.mu.Unlock()
	if hook != nil {
		hook()
	}
	u.current.Load().ServeHTTP(w, r)
}

func (u *switchUpstream) beforeOnce(method, path string, hook func()) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.before == nil {
		u.before = map[string]func(){}
	}
	u.before[method+" "+path] = hook
}

// tail returns the last n lines of text, for failure messages.
func tail(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// apiDocsDir is the directory holding DQOps's OpenAPI documents, named by
// DQOPS_OPENAPI_DIR (the repository keeps no copies of them; CI points it at
// the real ones). The suite is skipped, with one line saying how to run it,
// when the variable is unset, and fails when it is set and a document is
// not there.
func apiDocsDir(t testing.TB, specs ...string) string {
	t.Helper()
	dir := os.Getenv("DQOPS_OPENAPI_DIR")
	if dir == "" {
		t.Skipf("contract suite skipped: set DQOPS_OPENAPI_DIR to the absolute path of a directory holding %s "+
			"(DQOps's own OpenAPI documents; any DQOps instance serves its own at /swagger-api/dqops-api-swagger-2.json)",
			strings.Join(specs, " and "))
	}
	if !filepath.IsAbs(dir) {
		t.Fatalf("DQOPS_OPENAPI_DIR=%s: want an absolute path (go test runs in the package's directory)", dir)
	}
	for _, spec := range specs {
		if _, err := os.Stat(filepath.Join(dir, spec)); err != nil {
			t.Fatalf("DQOPS_OPENAPI_DIR is set, but: %v", err)
		}
	}
	return dir
}

// npxEnv is the environment of npx and Prism: no colours in the log, no
// registry round trip when the package is cached, no notices.
func npxEnv() []string {
	return append(os.Environ(),
		"NO_COLOR=1", "FORCE_COLOR=0",
		"npm_config_prefer_offline=true",
		"npm_config_update_notifier=false",
		"npm_config_fund=false",
		"npm_config_audit=false",
		"npm_config_loglevel=error",
	)
}

// lookNpx finds npx, or fails: the suite never skips silently.
func lookNpx(t testing.TB) string {
	t.Helper()
	npx, err := exec.LookPath("npx")
	if err != nil {
		t.Fatalf("npx not found on PATH (%v): the contract suite runs Stoplight Prism (%s) with npx; "+
			"install Node.js 20+ with npm, or run `go test -short` to leave the contract suite out", err, prismPackage)
	}
	return npx
}

// installPrism runs `npx --yes PACKAGE --version` once, so that the proxies
// start from npm's cache, and a registry that cannot be reached is one clear
// failure.
func installPrism(t *testing.T, npx string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), prismStartTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, npx, "--yes", prismPackage, "--version")
	c.Env = npxEnv()
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("cannot install or run Stoplight Prism with `npx --yes %s --version` (%v after %s); "+
			"is the npm registry reachable? CI installs it in .ci/run. Output:\n%s",
			prismPackage, err, time.Since(start).Round(time.Second), out)
	}
	t.Logf("Stoplight Prism %s ready (%s)", strings.TrimSpace(lastLine(string(out))), time.Since(start).Round(time.Millisecond))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// prismWatchdog runs its arguments (npx and Prism) in the background and,
// when its stdin closes, ends its whole process group. Its stdin is a pipe
// from the test process, so Prism goes away even when the test binary dies
// without running its cleanups (a panic, a -timeout).
const prismWatchdog = `exec 3<&0
{ read -r _ <&3; kill -TERM 0; } >/dev/null 2>&1 &
"$@" </dev/null 3<&- &
wait $!`

// startPrism starts Prism's validating proxy for spec in front of upstream
// and returns its URL once it accepts connections. It is stopped, with its
// whole process group, when the test ends.
func startPrism(t *testing.T, npx, spec, upstream string) (string, *lockedBuffer) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(prismStartTimeout)
	// Leave the test's own -timeout some time for the commands.
	if d, ok := t.Deadline(); ok && d.Add(-10*time.Second).Before(deadline) {
		deadline = d.Add(-10 * time.Second)
	}
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		out := &lockedBuffer{}
		c := exec.Command("/bin/sh", "-c", prismWatchdog, "prism-watchdog",
			npx, "--yes", prismPackage, "proxy", spec, upstream,
			"--port", strconv.Itoa(port), "--host", "127.0.0.1")
		c.Env = npxEnv()
		c.Stdout, c.Stderr = out, out
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		lifeline, err := c.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(); err != nil {
			t.Fatalf("starting Stoplight Prism with npx: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- c.Wait() }()
		stop := func() {
			lifeline.Close()
			_ = syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
				<-exited
			}
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		ready, exitErr := false, error(nil)
		for !ready && exitErr == nil && time.Now().Before(deadline) {
			select {
			case err := <-exited:
				exitErr = fmt.Errorf("Prism exited: %v", err)
				exited <- err // for stop
			case <-time.After(200 * time.Millisecond):
				if conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
					conn.Close()
					ready = true
				}
			}
		}
		if ready {
			t.Cleanup(stop)
			return "http://" + addr, out
		}
		stop()
		if exitErr != nil && strings.Contains(out.String(), "EADDRINUSE") && attempt < 3 {
			continue // another process took the port meanwhile
		}
		if exitErr == nil {
			exitErr = fmt.Errorf("not listening on %s after %s", addr, time.Since(start).Round(time.Second))
		}
		t.Fatalf("Stoplight Prism (%s proxy %s %s) did not start: %v\nits output:\n%s",
			prismPackage, filepath.Base(spec), upstream, exitErr, tail(out.String(), 60))
	}
}

// specTemplates returns the path templates of a Swagger document.
func specTemplates(t testing.TB, spec string) []string {
	t.Helper()
	data, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	var templates []string
	for p := range doc.Paths {
		templates = append(templates, p)
	}
	sort.Strings(templates)
	return templates
}

// contractReport counts what Prism said about a run.
type contractReport struct {
	probes             int // requests the suite sent itself
	probeViolations    int // the request violations the probes were built to have
	requestViolations  int
	responseViolations int
	accepted           int
	acceptedSeen       []string
}

// checkExchanges fails on every violation the suite does not accept and
// counts them all.
func checkExchanges(t *testing.T, release string, exchanges []exchange) contractReport {
	t.Helper()
	var rep contractReport
	seen := map[string]int{}
	for _, ex := range exchanges {
		if ex.notJSON {
			rep.requestViolations++
			t.Errorf("%s: request violation: %s", ex, ex.err)
			continue
		}
		if ex.err != "" {
			t.Errorf("%s: no answer through Prism: %s", ex, ex.err)
			continue
		}
		if ex.problem != "" {
			t.Errorf("%s: Prism answered itself instead of the sandbox: %s", ex, ex.problem)
		}
		if ex.badHeader != "" {
			t.Errorf("%s: unreadable sl-violations header %q", ex, ex.badHeader)
		}
		op := opStatus{ex.method, ex.template, ex.status}
		statusFlagged, expectedSeen := false, false
		if ex.expect != "" || strings.HasPrefix(ex.command, "probe:") {
			rep.probes++
		}
		for _, v := range ex.violations {
			switch {
			case v.side() == "request" && ex.expect != "" && string(v.Code) == ex.expect && !expectedSeen:
				expectedSeen = true
				rep.probeViolations++
			case v.side() == "request":
				rep.requestViolations++
				t.Errorf("%s: request violation %s", ex, v)
			case v.isUndocumentedStatus() && isAcceptedUndocumented(op):
				if statusFlagged {
					rep.responseViolations++
					t.Errorf("%s: status flagged twice: %s", ex, v)
					continue
				}
				statusFlagged = true
				rep.accepted++
				seen[op.String()]++
				// The message lists the documented statuses; ours must not be one.
				if _, listed, _ := strings.Cut(v.Message, ":"); slices.Contains(strings.Split(strings.ReplaceAll(listed, " ", ""), ","), strconv.Itoa(ex.status)) {
					t.Errorf("%s: Prism flags status %d though its message lists it: %s", ex, ex.status, v)
				}
			default:
				rep.responseViolations++
				if v.isUndocumentedStatus() {
					t.Errorf("%s: status %d is not in DQOps %s's document for %s %s, and the README does not list it as real but undocumented: %s",
						ex, ex.status, release, ex.method, ex.template, v)
				} else {
					t.Errorf("%s: response violation %s", ex, v)
				}
			}
		}
		if ex.expect != "" && !expectedSeen {
			t.Errorf("%s: the probe's request violation (code %s) was not reported", ex, ex.expect)
		}
		// The accepted list must stay honest: a status on it that the
		// document does list is a wrong entry.
		if isAcceptedUndocumented(op) && !statusFlagged {
			t.Errorf("%s: %s is on the accepted-undocumented list, yet Prism found it in the document", ex, op)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(seen)) {
		rep.acceptedSeen = append(rep.acceptedSeen, fmt.Sprintf("%s x%d", k, seen[k]))
	}
	return rep
}

// driveCommands runs every command of the tool through Prism: the paths
