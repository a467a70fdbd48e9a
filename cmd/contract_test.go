//go:build unix

package cmd_test

// The contract suite checks the tool and the sandbox against documents we did
// not write: DQOps's own OpenAPI documents in ../shared/dqops-api/. Stoplight
// Prism's validating proxy sits between the tool and the sandbox and reports,
// in an sl-violations header on every response, where a request or a
// response departs from the document. Every command is driven through it.

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
	"net/http/httptest"
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

	"github.com/dqops-users/dqo-users/cmd"
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

// apiDocsDir finds ../shared/dqops-api beside the repository: walking up
// from the test's directory, the first directory holding shared/dqops-api.
func apiDocsDir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; {
		candidate := filepath.Join(dir, "shared", "dqops-api")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("DQOps's API documents not found: no shared/dqops-api in %s or any directory above it; "+
				"the contract suite needs the shared/ directory checked out beside the repository (../shared/dqops-api)", wd)
		}
		dir = parent
	}
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

func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("the contract suite runs Stoplight Prism through npx; -short leaves it out")
	}
	docs := apiDocsDir(t)
	npx := lookNpx(t)
	installPrism(t, npx)
	releases := []struct {
		name string
		api  string
		spec string
	}{
		{"1.0", sandbox.API10, "dqops-users-api-v1.0.0.swagger.json"},
		{"1.13", sandbox.API113, "dqops-users-api-v1.13.2.swagger.json"},
	}
	for _, rel := range releases {
		t.Run(rel.name, func(t *testing.T) {
			t.Parallel()
			spec := filepath.Join(docs, rel.spec)
			if _, err := os.Stat(spec); err != nil {
				t.Fatalf("DQOps %s's API document: %v", rel.name, err)
			}
			runContract(t, npx, rel.name, rel.api, spec)
		})
	}
}

// contractRun drives the tool through Prism against one release.
type contractRun struct {
	t        *testing.T
	api      string
	prismURL string
	// cli runs the tool with Prism's URL and rec as its transport.
	cli       *cli
	upstream  *switchUpstream
	rec       *recorder
	sandboxes []*sandbox.Server
	// staged counts requests the suite itself sent to a sandbox (races).
	staged atomic.Int32
}

// use makes a fresh sandbox the one Prism proxies to.
func (r *contractRun) use(opts sandbox.Options, users ...sandbox.User) *sandbox.Server {
	r.t.Helper()
	opts.API = r.api
	sb, err := sandbox.New(opts)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, u := range users {
		if err := sb.AddUser(u); err != nil {
			r.t.Fatal(err)
		}
	}
	r.sandboxes = append(r.sandboxes, sb)
	r.upstream.current.Store(sb)
	return sb
}

// caller is who runs a command: the API key it has, or the configuration
// file it reads one from, and its stdin.
type caller struct {
	key, stdin string
	// config is the configuration file (empty: a fresh one).
	config string
}

// do runs one command line through Prism and checks its exit code.
func (r *contractRun) do(c caller, want int, args ...string) result {
	r.t.Helper()
	config := c.config
	if config == "" {
		config = filepath.Join(r.t.TempDir(), "config.yaml")
	}
	r.rec.setCommand(strings.Join(args, " "), "")
	o := r.cli.exec(invocation{args: args, stdin: c.stdin, env: map[string]string{"DQOPS_API_KEY": c.key, "DQOPS_CONFIG": config}})
	if o.code != want {
		r.t.Errorf("through Prism, dqo-users %s: exit %d, want %d\nstderr:\n%s", strings.Join(args, " "), o.code, want, o.stderr)
	}
	return o
}

// deleteBehind removes a user from the sandbox straight away, as another
// admin would between the tool's read and its write.
func (r *contractRun) deleteBehind(sb *sandbox.Server, email string) func() {
	return func() {
		req := httptest.NewRequest(http.MethodDelete, "/api/users/"+email, nil)
		req.Header.Set("Authorization", "Bearer "+sb.AdminKey())
		w := httptest.NewRecorder()
		sb.ServeHTTP(w, req)
		r.staged.Add(1)
		if w.Code != http.StatusNoContent {
			r.t.Errorf("staging the deletion of %s: %d", email, w.Code)
		}
	}
}

// probe sends one request the tool never sends, to see through Prism the
// statuses it cannot provoke: key is the API key, expect the code of the
// request violation the probe is built to have ("" for none).
func (r *contractRun) probe(key, method, path, contentType, body string, want int, expect string) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.prismURL+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	if body == "" {
		req.Body = nil
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	label := fmt.Sprintf("probe: %s %s as %s", method, path, contentType)
	r.rec.setCommand(label, expect)
	defer r.rec.setCommand("", "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := (&http.Client{Transport: r.rec}).Do(req.WithContext(ctx))
	if err != nil {
		r.t.Errorf("%s: %v", label, err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		r.t.Errorf("%s: status %d, want %d", label, resp.StatusCode, want)
	}
}

func runContract(t *testing.T, npx, release, api, spec string) {
	up := &switchUpstream{}
	upstream := httptest.NewServer(up)
	t.Cleanup(upstream.Close)
	prismURL, prismLog := startPrism(t, npx, spec, upstream.URL)
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	r := &contractRun{
		t: t, api: api, prismURL: prismURL, upstream: up,
		rec: &recorder{base: base, templates: specTemplates(t, spec)},
	}
	r.cli = newCLI(t, nil).likeCI()
	r.cli.transport = r.rec
	r.cli.env["DQOPS_URL"] = prismURL
	// Each request is validated once and never waited on for long: a retry
	// would hide a failed attempt from the count.
	r.cli.env["DQOPS_TIMEOUT"] = "20s"
	r.cli.env["DQOPS_RETRIES"] = "0"
	driveCommands(t, r)

	exchanges := r.rec.snapshot()
	report := checkExchanges(t, release, exchanges)

	// Every request reached the sandbox: Prism answered none itself.
	received, sent := -int(r.staged.Load()), 0
	for _, sb := range r.sandboxes {
		received += len(sb.Requests())
	}
	for _, ex := range exchanges {
		if !ex.notJSON {
			sent++
		}
	}
	if received != sent {
		t.Errorf("the sandboxes received %d requests, the tool sent %d through Prism", received, sent)
	}
	// Prism logs each violation it puts in a header; one logged but not
	// seen in a header would be a violation the suite missed.
	total := report.requestViolations + report.probeViolations + report.accepted + report.responseViolations
	logged := 0
	for wait := time.Now().Add(3 * time.Second); ; {
		logged = strings.Count(prismLog.String(), "Violation: ")
		if logged >= total || time.Now().After(wait) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if logged > total {
		t.Errorf("Prism logged %d violations, its sl-violations headers carried %d", logged, total)
	}
	if t.Failed() {
		t.Logf("Prism's output:\n%s", tail(prismLog.String(), 120))
	}

	summary := fmt.Sprintf("contract %s: %d requests validated (%d from the tool, %d probes), %d request violations (+%d built into probes), %d accepted undocumented statuses, %d response violations",
		release, sent, sent-report.probes, report.probes, report.requestViolations, report.probeViolations, report.accepted, report.responseViolations)
	t.Log(summary)
	t.Logf("accepted undocumented statuses seen: %s", strings.Join(report.acceptedSeen, "; "))
	fmt.Println(summary)
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
// that succeed, then each error path, on sandboxes set up for them.
func driveCommands(t *testing.T, r *contractRun) {
	const (
		ok        = cmd.ExitOK
		usage     = cmd.ExitUsage
		auth      = cmd.ExitAuth
		forbidden = cmd.ExitForbidden
		notFound  = cmd.ExitNotFound
		exists    = cmd.ExitExists
		limit     = cmd.ExitUserLimit
	)
	is113 := r.api == sandbox.API113
	noneUser := sandbox.User{Email: "nobody-role@example.com", AccountRole: sandbox.RoleNone}

	// A licensed instance.
	sb := r.use(sandbox.Options{}, noneUser)
	admin := caller{key: sb.AdminKey()}
	viewer := caller{key: sb.ViewerKey()}
	noneKey, _ := sb.KeyFor(noneUser.Email)
	withStdin := func(c caller, stdin string) caller { c.stdin = stdin; return c }

	r.do(admin, ok, "whoami")
	r.do(admin, ok, "whoami", "-o", "json")
	r.do(admin, ok, "list")
	r.do(admin, ok, "list", "-o", "json")
	r.do(admin, ok, "create", "ana@example.com", "--role", "editor")
	r.do(withStdin(admin, "Bo-pass-1\n"), ok, "create", "bo@example.com", "--role", "viewer", "--password-stdin")
	r.do(admin, exists, "create", "ana@example.com", "--role", "editor")
	r.do(admin, ok, "get", "ana@example.com")
	r.do(admin, ok, "get", "ana@example.com", "bo@example.com", "-o", "json")
	r.do(admin, ok, "update", "ana@example.com", "--role", "operator")
	r.do(admin, ok, "update", "ana@example.com", "--role", "operator") // nothing to change: no PUT
	r.do(withStdin(admin, "Ana-pass-2\n"), ok, "user-passwd", "ana@example.com", "--password-stdin")
	r.do(withStdin(admin, "Admin-pass-3\n"), ok, "passwd", "--password-stdin")
	if is113 {
		r.do(admin, ok, "create", "dom@example.com", "--role", "viewer", "--domain-role", "sales=editor", "--domain-role", "hr=viewer")
		r.do(admin, ok, "update", "dom@example.com", "--domain-role", "sales=admin", "--remove-domain-role", "hr")
		r.do(admin, ok, "update", "dom@example.com", "--role", "editor")
		r.do(admin, ok, "get", "dom@example.com", "-o", "json")
		r.do(admin, ok, "list")
		if u := findUser(t, sb, "dom@example.com"); u.AccountRole != "editor" || len(u.DataDomainRoles) != 1 || u.DataDomainRoles["sales"] != "admin" {
			t.Errorf("through Prism, dom@example.com ended as %+v, want editor with sales=admin", u)
		}
	} else {
		r.do(admin, usage, "create", "dom@example.com", "--role", "viewer", "--domain-role", "sales=editor")
		r.do(admin, usage, "update", "ana@example.com", "--domain-role", "sales=editor")
		r.do(admin, usage, "update", "ana@example.com", "--remove-domain-role", "sales")
	}
	r.do(admin, ok, "delete", "ana@example.com", "--yes")

	// login stores the key; later commands read it from the configuration.
	config := filepath.Join(t.TempDir(), "config.yaml")
	r.do(caller{stdin: sb.AdminKey() + "\n", config: config}, ok, "login", "--with-token")
	r.do(caller{config: config}, ok, "whoami")
	r.do(caller{config: config}, ok, "list")

	// apply, diff and export.
	file := filepath.Join(t.TempDir(), "users.yaml")
	content := "users:\n" +
		"- email: admin@example.com\n  accountRole: admin\n" +
		"- email: viewer@example.com\n  accountRole: viewer\n" +
		"- email: nobody-role@example.com\n  accountRole: none\n" +
		"- email: bo@example.com\n  accountRole: operator\n" +
		"- email: carol@example.com\n  accountRole: editor\n"
	if is113 {
		content += "  dataDomainRoles: {sales: viewer}\n"
	}
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r.do(admin, ok, "export")
	r.do(admin, ok, "export", "-o", "json")
	r.do(admin, cmd.ExitChanges, "diff", "-f", file, "--prune")
	r.do(admin, ok, "apply", "-f", file, "--prune", "--yes")
	r.do(admin, ok, "diff", "-f", file, "--prune")
	r.do(admin, ok, "apply", "-f", file, "--prune", "--yes") // nothing to do
	// The viewer's changes are refused, each with 403.
	more := filepath.Join(t.TempDir(), "more.yaml")
	content = strings.Replace(content, "accountRole: operator", "accountRole: editor", 1) +
		"- email: dave@example.com\n  accountRole: viewer\n"
	if err := os.WriteFile(more, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r.do(viewer, cmd.ExitPartial, "apply", "-f", more, "--yes", "--continue-on-error")

	// Unknown users.
	r.do(admin, notFound, "get", "nobody@example.com")
	r.do(admin, notFound, "update", "nobody@example.com", "--role", "viewer")
	r.do(admin, notFound, "delete", "nobody@example.com", "--yes")
	r.do(withStdin(admin, "pw\n"), notFound, "user-passwd", "nobody@example.com", "--password-stdin")
	// A user deleted between the tool's read and its write: DQOps answers
	// the write 500 with Spring's error body, which the document describes.
	for _, email := range []string{"ghost1@example.com", "ghost2@example.com"} {
		if err := sb.AddUser(sandbox.User{Email: email, AccountRole: sandbox.RoleViewer}); err != nil {
			t.Fatal(err)
		}
	}
	r.upstream.beforeOnce(http.MethodPut, "/api/users/ghost1@example.com", r.deleteBehind(sb, "ghost1@example.com"))
	r.do(admin, notFound, "update", "ghost1@example.com", "--role", "editor")
	r.upstream.beforeOnce(http.MethodPut, "/api/users/ghost2@example.com/password", r.deleteBehind(sb, "ghost2@example.com"))
	r.do(withStdin(admin, "pw\n"), notFound, "user-passwd", "ghost2@example.com", "--password-stdin")

	// The viewer may look but not change.
	r.do(viewer, ok, "list")
	r.do(viewer, ok, "whoami")
	r.do(withStdin(viewer, "Viewer-pass-4\n"), ok, "passwd", "--password-stdin")
	r.do(viewer, forbidden, "create", "x@example.com", "--role", "viewer")
	r.do(viewer, forbidden, "update", "bo@example.com", "--role", "editor")
	r.do(viewer, forbidden, "delete", "bo@example.com", "--yes")
	r.do(withStdin(viewer, "pw\n"), forbidden, "user-passwd", "bo@example.com", "--password-stdin")
	// Role none may not even read its profile.
	none := caller{key: noneKey}
	r.do(none, forbidden, "whoami")
	r.do(none, forbidden, "list")
	r.do(withStdin(none, "pw\n"), forbidden, "passwd", "--password-stdin")

	// A key the server does not know.
	bad := caller{key: sandbox.KeyPrefix + "00000000000000000000000000000000"}
	r.do(bad, auth, "list")
	r.do(bad, auth, "whoami")
	r.do(bad, auth, "get", "bo@example.com")
	r.do(bad, auth, "create", "x@example.com", "--role", "viewer")
	r.do(bad, auth, "update", "bo@example.com", "--role", "editor")
	r.do(bad, auth, "delete", "bo@example.com", "--yes")
	r.do(withStdin(bad, "pw\n"), auth, "passwd", "--password-stdin")
	r.do(withStdin(bad, "pw\n"), auth, "user-passwd", "bo@example.com", "--password-stdin")
	r.do(caller{stdin: bad.key + "\n", config: filepath.Join(t.TempDir(), "config.yaml")}, auth, "login", "--with-token")

	// Probes for what the tool cannot provoke. With a bad key, its writes
	// stop at the read before them; sent alone they get 401 too.
	model := `{"email":"bo@example.com","accountRole":"viewer"}`
	r.probe(bad.key, http.MethodPost, "/api/users", "application/json", model, http.StatusUnauthorized, "")
	r.probe(bad.key, http.MethodPut, "/api/users/bo@example.com", "application/json", model, http.StatusUnauthorized, "")
	r.probe(bad.key, http.MethodDelete, "/api/users/bo@example.com", "", "", http.StatusUnauthorized, "")
	r.probe(bad.key, http.MethodPut, "/api/users/bo@example.com/password", "text/plain", "pw", http.StatusUnauthorized, "")
	// A body of the wrong content type gets 415; the password as a quoted
	// JSON string is the users API documentation's curl sample. Prism
	// reports these requests with code 415, as it should. (Unreadable JSON,
	// 400, is not probed: Prism stalls on it instead of passing it on. A
	// 303 never reaches the tool through Prism: Prism follows it itself.)
	adminKey := sb.AdminKey()
	r.probe(adminKey, http.MethodPost, "/api/users", "text/plain", model, http.StatusUnsupportedMediaType, "415")
	r.probe(adminKey, http.MethodPut, "/api/users/bo@example.com", "text/plain", model, http.StatusUnsupportedMediaType, "415")
	r.probe(adminKey, http.MethodPut, "/api/users/bo@example.com/password", "application/json", `"pw"`, http.StatusUnsupportedMediaType, "415")
	r.probe(adminKey, http.MethodPut, "/api/mypassword", "application/json", `"pw"`, http.StatusUnsupportedMediaType, "415")

	// The licence's users limit: the built-in admin and viewer fill it.
	full := r.use(sandbox.Options{UsersLimit: 2})
	r.do(caller{key: full.AdminKey()}, ok, "whoami")
	r.do(caller{key: full.AdminKey()}, limit, "create", "x@example.com", "--role", "viewer")

	// An instance without a multi-user licence: 403 everywhere, and in 1.0
	// no profile (404).
	un := r.use(sandbox.Options{Unlicensed: true})
	unAdmin := caller{key: un.AdminKey()}
	profile := ok
	if !is113 {
		profile = forbidden // 404: not paired with DQOps Cloud
	}
	r.do(unAdmin, profile, "whoami")
	r.do(caller{stdin: un.AdminKey() + "\n", config: filepath.Join(t.TempDir(), "config.yaml")}, profile, "login", "--with-token")
	r.do(unAdmin, forbidden, "list")
	r.do(unAdmin, forbidden, "get", sandbox.ViewerEmail)
	r.do(unAdmin, forbidden, "create", "x@example.com", "--role", "viewer")
	r.do(unAdmin, forbidden, "update", sandbox.ViewerEmail, "--role", "editor")
	r.do(unAdmin, forbidden, "delete", sandbox.ViewerEmail, "--yes")
	r.do(withStdin(unAdmin, "pw\n"), forbidden, "passwd", "--password-stdin")
	r.do(withStdin(unAdmin, "pw\n"), forbidden, "user-passwd", sandbox.ViewerEmail, "--password-stdin")
	r.do(unAdmin, forbidden, "export")
	if len(un.Users()) != 2 {
		t.Errorf("the unlicensed sandbox changed: %+v", un.Users())
	}
}
