package cmd_test

// The harnesses of the command tests: a sandbox served over real loopback
// HTTP (testServer), dqo-users run in-process against it (cli), the built
// binary run as a child process where a real process is the point: signals,
// argv, the keyring's session bus (binary, runBinary; the pseudo-terminal
// session is in helpers_pty_test.go), and the checks they share. The
// end-to-end scripts run this test binary as dqo-users (TestMain).

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/zalando/go-keyring"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// testBuild is the build information every in-process run and the built
// binary report.
var testBuild = cmd.BuildInfo{Version: "1.2.3-test", Commit: "abc1234", Date: "2025-01-02"}

// binDir holds the binary built for the tests that need a real process;
// TestMain removes it.
var binDir string

// TestMain runs the tests, or, when testscript runs this test binary as
// dqo-users (a script's exec dqo-users), the command itself: cmd.Main,
// as main.go calls it, without a build.
func TestMain(m *testing.M) {
	testscript.Main(testMain{m}, map[string]func(){
		"dqo-users": func() {
			code, _ := cmd.Main(testBuild, func(code int, _ os.Signal) { os.Exit(code) })
			os.Exit(code)
		},
	})
}

// testMain is what TestMain runs when this binary runs the tests.
type testMain struct{ m *testing.M }

func (tm testMain) Run() int {
	// In-process runs keep keys in the keyring library's in-memory store,
	// never in the keyring of the developer running the tests. Processes
	// (the built binary, and this one as the scripts' dqo-users) find no
	// keyring (childEnv, the scripts' Setup); the real one is tested on a
	// private session bus (keyring_linux_test.go). The in-memory store
	// stands for a Secret Service on a session bus, which is asked only
	// when one is named: this one leads nowhere.
	keyring.MockInit()
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", noSessionBus)
	dir, err := os.MkdirTemp("", "dqo-users-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	binDir = dir
	defer os.RemoveAll(dir)
	defer syncSlapd.Stop()
	// The whole suite needs the binary: build it while the first tests run.
	// A run of chosen tests (-run) builds it only if one of them needs it.
	flag.Parse()
	// Most tests here wait (on a process, a server, a signal) rather than
	// compute: more of them at once than the machine has cores keeps the
	// cores busy. -parallel on the command line still decides.
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		flag.Set("test.parallel", strconv.Itoa(max(8, 4*runtime.GOMAXPROCS(0))))
	}
	if flag.Lookup("test.run").Value.String() == "" {
		startBuild()
		defer func() { <-buildDone }()
	}
	return tm.m.Run()
}

// Users most tests start with, besides the sandbox's admin@example.com
// (admin) and viewer@example.com (viewer).
var (
	ana = sandbox.User{Email: "ana@corp.io", AccountRole: "editor"}
	bo  = sandbox.User{Email: "Bo@corp.io", AccountRole: "operator"}
	cy  = sandbox.User{Email: "cy@other.io", AccountRole: "none"}
	dee = sandbox.User{Email: "dee@corp.io", AccountRole: "admin"}
)

// domUser is a user with data-domain roles (which a 1.0 sandbox drops, and
// one without data domains keeps but does not show).
const domUser = "dom@example.com"

// testDomains are the data domains of the sandboxes that have them: those
// of domUser's roles, and one that nobody holds.
var testDomains = []string{"sales", "hr", "marketing"}

// withDataDomains is a 1.13 sandbox with data domains (testDomains): every
// user lists "(default)" and each of them, "none" where not granted.
func withDataDomains() sandbox.Options {
	return sandbox.Options{Domains: testDomains}
}

func domUserRecord() sandbox.User {
	return sandbox.User{Email: domUser, AccountRole: sandbox.RoleEditor,
		DataDomainRoles: map[string]string{"sales": "editor", "hr": "viewer"}}
}

const ansiEscape = "\x1b["

// serving is how a sandbox is served; the zero value is plain HTTP at the
// server's root.
type serving struct {
	// prefix mounts the sandbox under a path such as "/dqops", as a reverse
	// proxy would; URL then ends with the prefix and a slash.
	prefix string
	// tls serves HTTPS with httptest's certificate (HTTP.Certificate()).
	tls bool
	// quiet discards the server's error log: dropped connections and
	// refused handshakes are what the network tests make.
	quiet bool
	// wrap, when set, stands in front of the sandbox, e.g. to change what
	// it answers.
	wrap func(sandbox http.Handler) http.Handler
}

// testServer is a sandbox served over real loopback HTTP.
type testServer struct {
	*sandbox.Server
	// URL is the address to give dqo-users (with the mount prefix, if any).
	URL string
	// HTTP is the loopback server; its URL has no prefix.
	HTTP *httptest.Server

	mu sync.Mutex
	// hooks run before the sandbox answers a request, after hooks once it
	// has answered.
	hooks, after []func(*http.Request)
}

// startSandbox serves a new sandbox with extra users over plain HTTP for the
// test's life.
func startSandbox(t testing.TB, opts sandbox.Options, users ...sandbox.User) *testServer {
	t.Helper()
	return serveSandbox(t, opts, serving{}, users...)
}

// serveSandbox serves a new sandbox with extra users as how says.
func serveSandbox(t testing.TB, opts sandbox.Options, how serving, users ...sandbox.User) *testServer {
	t.Helper()
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	ts := &testServer{Server: sb}
	ts.addUsers(t, users...)
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		hooks := slices.Clone(ts.hooks)
		ts.mu.Unlock()
		for _, hook := range hooks {
			hook(r)
		}
		sb.ServeHTTP(w, r)
		ts.mu.Lock()
		after := slices.Clone(ts.after)
		ts.mu.Unlock()
		for _, hook := range after {
			hook(r)
		}
	})
	if how.wrap != nil {
		h = how.wrap(h)
	}
	if how.prefix != "" {
		h = http.StripPrefix(how.prefix, h)
	}
	srv := httptest.NewUnstartedServer(h)
	if how.quiet {
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	}
	if how.tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	ts.HTTP = srv
	ts.URL = srv.URL
	if how.prefix != "" {
		ts.URL = srv.URL + how.prefix + "/"
	}
	return ts
}

// onRequest runs hook on every request before the sandbox answers it.
func (ts *testServer) onRequest(hook func(*http.Request)) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.hooks = append(ts.hooks, hook)
}

// onAnswered runs hook on every request once the sandbox has answered it.
func (ts *testServer) onAnswered(hook func(*http.Request)) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.after = append(ts.after, hook)
}

// arrived returns a channel closed when the first request with that method
// and path reaches the server (before the sandbox answers it).
func (ts *testServer) arrived(method, path string) <-chan struct{} {
	return firstOf(ts.onRequest, method, path)
}

// answered returns a channel closed when the sandbox has answered the first
// request with that method and path.
func (ts *testServer) answered(method, path string) <-chan struct{} {
	return firstOf(ts.onAnswered, method, path)
}

// firstOf returns a channel closed when hook hears of the first request
// with that method and path.
func firstOf(hook func(func(*http.Request)), method, path string) <-chan struct{} {
	ch := make(chan struct{})
	var once sync.Once
	hook(func(r *http.Request) {
		if r.Method == method && r.URL.Path == path {
			once.Do(func() { close(ch) })
		}
	})
	return ch
}

// within waits for ch to close, failing the test with what after bound: a
// bound on a wait for an event, never a delay.
func within(t testing.TB, ch <-chan struct{}, bound time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(bound):
		t.Fatalf("%s did not happen within %s", what, bound)
	}
}

// hookTransport is a client transport that runs a hook on each request
// before passing it on, as onRequest does at the server.
type hookTransport func(*http.Request)

func (h hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h(r)
	return http.DefaultTransport.RoundTrip(r)
}

// deleteDirectly deletes a user over HTTP with the admin key, behind the
// back of the command under test.
func (ts *testServer) deleteDirectly(t testing.TB, email string, key string) {
	req, err := http.NewRequest(http.MethodDelete, strings.TrimSuffix(ts.URL, "/")+"/api/users/"+email, nil)
	if err != nil {
		t.Errorf("deleting %s: %v", email, err)
		return
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("deleting %s: %v", email, err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("deleting %s: status %d", email, resp.StatusCode)
	}
}

// addUsers adds users to the sandbox without HTTP.
func (ts *testServer) addUsers(t testing.TB, users ...sandbox.User) {
	t.Helper()
	for _, u := range users {
		if err := ts.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
}

// user returns the sandbox's user with that email (ignoring case).
func (ts *testServer) user(email string) (sandbox.User, bool) {
	return lookUp(ts.Server, email)
}

// lookUp returns a sandbox's user with that email (ignoring case).
func lookUp(sb *sandbox.Server, email string) (sandbox.User, bool) {
	for _, u := range sb.Users() {
		if strings.EqualFold(u.Email, email) {
			return u, true
		}
	}
	return sandbox.User{}, false
}

// findUser returns a sandbox's user with that email (ignoring case), and
// fails the test when there is none.
func findUser(t testing.TB, sb *sandbox.Server, email string) sandbox.User {
	t.Helper()
	u, ok := lookUp(sb, email)
	if !ok {
		t.Fatalf("user %s is not in the sandbox", email)
	}
	return u
}

// calls lists the requests the sandbox received as "METHOD PATH".
func (ts *testServer) calls() []string {
	var out []string
	for _, r := range ts.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// writes lists the write requests (POST, PUT, DELETE) since the last reset.
func (ts *testServer) writes() []string {
	var out []string
	for _, r := range ts.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// countCalls counts the requests with that method whose path starts with prefix.
func (ts *testServer) countCalls(method, prefix string) int {
	n := 0
	for _, r := range ts.Requests() {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// arrivals lists the requests the server received as "METHOD PATH STATUS"
// (0 for a dropped connection), in the order they arrived, once every one
// has been answered (or 5s passed).
func (ts *testServer) arrivals() []string {
	var out []string
	for _, r := range ts.RequestsByArrival(5 * time.Second) {
		out = append(out, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
	}
	return out
}

// forgetArrivals forgets the requests so far, once they are answered.
func (ts *testServer) forgetArrivals() {
	ts.RequestsByArrival(5 * time.Second)
	ts.ResetRequests()
}

// cli runs dqo-users in-process, against a sandbox or not, with an
// environment of its own: never the process's. Its fields other than t may
// be changed between runs.
type cli struct {
	t testing.TB
	// env is every run's environment; runs may override entries, and an
	// empty value is unset.
	env map[string]string
	// dir is a directory of the test's own, where configPath and file's
	// files are.
	dir string
	// configPath is DQOPS_CONFIG, in dir; it does not exist at first.
	configPath string

	// build is every run's build information; its version is the
	// Factory's (the User-Agent's) too.
	build cmd.BuildInfo
	// transport, proxy and keyCommandTimeout are the Factory's fields of
	// those names.
	transport         http.RoundTripper
	proxy             func(*http.Request) (*url.URL, error)
	keyCommandTimeout time.Duration
	// completionTimeout, when not zero, replaces completion's 2s.
	completionTimeout time.Duration
	// backoff is the wait before a retry; nil waits a millisecond, so that
	// retries keep their count but not their waiting.
	backoff func(retry int) time.Duration
	// waits counts the retries that waited.
	waits atomic.Int32
	// timeout, when not zero, bounds every run.
	timeout time.Duration
	// maxBody, when not zero, caps the server's answers (Env.MaxBodySize).
	maxBody int64
}

// newCLI returns a harness whose environment points at srv with its admin
// key (when srv is not nil), and at a configuration file that does not
// exist yet.
func newCLI(t testing.TB, srv *testServer) *cli {
	dir := t.TempDir()
	c := &cli{t: t, dir: dir, configPath: filepath.Join(dir, "config.yaml"), build: testBuild}
	c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
	if srv != nil {
		c.env["DQOPS_URL"] = srv.URL
		c.env["DQOPS_API_KEY"] = srv.AdminKey()
	}
	return c
}

// setup starts a sandbox with extra users and a harness pointed at it with
// the admin key.
func setup(t testing.TB, opts sandbox.Options, users ...sandbox.User) (*testServer, *cli) {
	t.Helper()
	srv := startSandbox(t, opts, users...)
	return srv, newCLI(t, srv)
}

// setupNoColor is setup with NO_COLOR set, for tests that compare plans and
// files as text.
func setupNoColor(t testing.TB, opts sandbox.Options, users ...sandbox.User) (*testServer, *cli) {
	t.Helper()
	srv, c := setup(t, opts, users...)
	c.env["NO_COLOR"] = "1"
	return srv, c
}

// setupCI is setup with runs like a CI job's (likeCI).
func setupCI(t testing.TB, opts sandbox.Options, users ...sandbox.User) (*testServer, *cli) {
	t.Helper()
	srv, c := setup(t, opts, users...)
	return srv, c.likeCI()
}

// likeCI makes every run look like a CI job's: CI set (nothing prompts),
// NO_COLOR set, and bounded by two minutes.
func (c *cli) likeCI() *cli {
	c.env["CI"] = "true"
	c.env["NO_COLOR"] = "1"
	c.timeout = 2 * time.Minute
	return c
}

// file writes a file in the harness's directory and returns its path.
func (c *cli) file(name, content string) string {
	c.t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}

// invocation is one command line and the circumstances it runs in.
type invocation struct {
	args  []string
	stdin string
	// stdinReader, when set, replaces stdin (e.g. a pipe that never ends,
	// or a pseudo-terminal).
	stdinReader io.Reader
	// tty takes all three streams for terminals; the others one each.
	tty       bool
	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool
	// stdout and stderr, when set, replace the buffers the result reads
	// (e.g. a pseudo-terminal, or io.Discard).
	stdout, stderr io.Writer
	// env overrides the harness's environment; an empty value unsets.
	env map[string]string
	// ctx is the run's context (nil: context.Background()); cancelling it
	// is Ctrl-C.
	ctx context.Context
}

// result is what a run ended with.
type result struct {
	// code is the exit code; for a process that died by a signal, 128 and
	// the signal's number, as a shell's $? says (signal then names it).
	code    int
	signal  os.Signal
	stdout  string
	stderr  string
	elapsed time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\n--- stdout ---\n%s--- stderr ---\n%s",
		r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// run runs a command line without a terminal and with empty stdin.
func (c *cli) run(args ...string) result {
	return c.exec(invocation{args: args})
}

// runTTY runs a command line with stdin, stdout and stderr taken for
// terminals, and stdin's content.
func (c *cli) runTTY(stdin string, args ...string) result {
	return c.exec(invocation{args: args, stdin: stdin, tty: true})
}

// runStdin runs a command line without a terminal, with stdin's content.
func (c *cli) runStdin(stdin string, args ...string) result {
	return c.exec(invocation{args: args, stdin: stdin})
}

// exec runs one invocation with a fresh Factory. It is safe to call from
// several goroutines.
func (c *cli) exec(inv invocation) result {
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	ios := &iostreams.IOStreams{In: bytes.NewBufferString(inv.stdin), Out: out, ErrOut: errOut}
	if inv.stdinReader != nil {
		ios.In = inv.stdinReader
	}
	if inv.stdout != nil {
		ios.Out = inv.stdout
	}
	if inv.stderr != nil {
		ios.ErrOut = inv.stderr
	}
	ios.SetStdinTTY(inv.tty || inv.stdinTTY)
	ios.SetStdoutTTY(inv.tty || inv.stdoutTTY)
	ios.SetStderrTTY(inv.tty || inv.stderrTTY)
	env := maps.Clone(c.env)
	maps.Copy(env, inv.env)
	f := cmd.Env{
		IO:                ios,
		Version:           c.build.Version,
		Getenv:            func(name string) string { return env[name] },
		Transport:         c.transport,
		Proxy:             c.proxy,
		KeyCommandTimeout: c.keyCommandTimeout,
		CompletionTimeout: c.completionTimeout,
		MaxBodySize:       c.maxBody,
		Backoff: func(retry int) time.Duration {
			c.waits.Add(1)
			if c.backoff != nil {
				return c.backoff(retry)
			}
			return time.Millisecond
		},
	}
	ctx := inv.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	start := time.Now()
	code := cmd.Run(ctx, f, c.build, inv.args)
	return result{code: code, stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start)}
}

// running is an invocation run in the background (cli.start).
type running struct {
	// ended is closed once the run has ended and r is its result.
	ended chan struct{}
	r     result
}

// start runs one invocation in the background.
func (c *cli) start(inv invocation) *running {
	run := &running{ended: make(chan struct{})}
	go func() {
		defer close(run.ended)
		run.r = c.exec(inv)
	}()
	return run
}

// result waits for the run to end and returns its result.
func (run *running) result() result {
	<-run.ended
	return run.r
}

// waitForOutput waits until out, where the run writes, holds want, and
// fails the test when the run ends first or after bound.
func (run *running) waitForOutput(t testing.TB, out *lockedBuffer, want string, bound time.Duration) {
	t.Helper()
	if got, ok := out.waitFor(bound, run.ended, func(s string) bool { return strings.Contains(s, want) }); !ok {
		select {
		case <-run.ended:
			t.Fatalf("the run ended before writing %q:\n%s", want, run.r)
		default:
			t.Fatalf("the run did not write %q within %s:\n%s", want, bound, got)
		}
	}
}

// expectCode fails the test when the run did not end with want.
func expectCode(t testing.TB, r result, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\n%s", r.code, want, r)
	}
}

// expectExit fails the test when the run did not end with code, and
// reports each substring its stderr lacks.
func expectExit(t testing.TB, r result, code int, stderrHas ...string) {
	t.Helper()
	expectCode(t, r, code)
	for _, s := range stderrHas {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q\n%s", s, r)
		}
	}
}

// expectContains fails when s lacks any of the substrings.
func expectContains(t testing.TB, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

// expectNotContains fails when s has any of the substrings.
func expectNotContains(t testing.TB, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			t.Errorf("%s contains %q:\n%s", what, sub, s)
		}
	}
}

// expectCalls fails when the sandbox's requests differ from want.
func expectCalls(t testing.TB, srv *testServer, want ...string) {
	t.Helper()
	got := srv.calls()
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// expectArrivals fails when the requests the server received, as arrivals
// lists them, differ from want, or when the sandbox logged another number.
func expectArrivals(t testing.TB, srv *testServer, want ...string) {
	t.Helper()
	got := srv.arrivals()
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if n := len(srv.Requests()); n != len(got) {
		t.Errorf("the sandbox logged %d requests, the server received %d", n, len(got))
	}
}

// readConfig returns the configuration file's text, and fails the test when
// its mode lets others read it.
func readConfig(t testing.TB, path string) string {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("configuration file: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("configuration file mode %04o, want 0600", mode)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// expectNoConfig fails when the configuration file exists.
func expectNoConfig(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("configuration file %s exists (%v): something was stored", path, err)
	}
}

var updateGolden = flag.Bool("update-apply-golden", false, "rewrite testdata/apply/ golden files")

// golden compares got with the golden file ../testdata/apply/name, or
// rewrites the file with -update-apply-golden.
// sandboxURL is the address of a test's sandbox, which golden files write
// as http://SANDBOX.
var sandboxURL = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "apply", name)
	got = sandboxURL.ReplaceAllString(got, "http://SANDBOX")
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd -run %s -update-apply-golden creates it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs (-update-apply-golden rewrites it)\n--- got ---\n%s--- want ---\n%s", path, got, want)
	}
}

// waitForFIFOOpen waits until a thread of process pid waits in the open of
// a FIFO for a writer, as Linux shows it in /proc/PID/task/TID/wchan. No
// notice comes of that wait, so the threads are looked at again every
// millisecond; bound fails the test. Elsewhere the test is skipped.
func waitForFIFOOpen(t testing.TB, pid int, bound time.Duration) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("only Linux shows that an open waits for a FIFO's writer (/proc/PID/task/TID/wchan)")
	}
	tasks := fmt.Sprintf("/proc/%d/task", pid)
	for deadline := time.Now().Add(bound); ; {
		entries, err := os.ReadDir(tasks)
		if err != nil {
			t.Fatalf("process %d: %v", pid, err)
		}
		for _, e := range entries {
			if wchan, err := os.ReadFile(filepath.Join(tasks, e.Name(), "wchan")); err == nil && string(wchan) == "wait_for_partner" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d did not wait in the open of a FIFO within %s", pid, bound)
		}
		time.Sleep(time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer that concurrent writers (requests in
// flight, each traced; a child process) may share while a test reads it,
// and waits for what they write (waitFor). The zero value is ready.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// grew, when a waiter made it, is closed by the next write.
	grew chan struct{}
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.grew != nil {
		close(b.grew)
		b.grew = nil
	}
	return b.buf.Write(p)
}

// waitFor waits until the content satisfies ok, looking again after each
// write, and returns the content and whether it does. It stops waiting
// when bound has passed, or once stop (which may be nil) is closed and the
// content still does not satisfy ok.
func (b *lockedBuffer) waitFor(bound time.Duration, stop <-chan struct{}, ok func(string) bool) (string, bool) {
	timer := time.NewTimer(bound)
	defer timer.Stop()
	for {
		b.mu.Lock()
		content := b.buf.String()
		if ok(content) {
			b.mu.Unlock()
			return content, true
		}
		if b.grew == nil {
			b.grew = make(chan struct{})
		}
		grew := b.grew
		b.mu.Unlock()
		select {
		case <-grew:
		case <-stop:
			content = b.String()
			return content, ok(content)
		case <-timer.C:
			content = b.String()
			return content, ok(content)
		}
	}
}

// waitForText waits until the content holds want, failing the test after
// bound or once stop is closed without it.
func (b *lockedBuffer) waitForText(t testing.TB, want string, bound time.Duration, stop <-chan struct{}) {
	t.Helper()
	if content, ok := b.waitFor(bound, stop, func(s string) bool { return strings.Contains(s, want) }); !ok {
		t.Fatalf("%q did not come within %s; what came:\n%s", want, bound, content)
	}
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

var (
	buildOnce sync.Once
	// buildDone is closed once the build ended, with buildPath or buildErr.
	buildDone = make(chan struct{})
	buildPath string
	buildErr  error
)

// startBuild builds dqo-users in the background, once for the whole test
// binary.
func startBuild() {
	buildOnce.Do(func() {
		go func() {
			defer close(buildDone)
			name := "dqo-users"
			if runtime.GOOS == "windows" {
				name += ".exe"
			}
			path := filepath.Join(binDir, name)
			ldflags := fmt.Sprintf("-X main.version=%s -X main.commit=%s -X main.date=%s",
				testBuild.Version, testBuild.Commit, testBuild.Date)
			c := exec.Command("go", "build", "-o", path, "-ldflags", ldflags, "github.com/dqops-users/dqo-users")
			if out, err := c.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build: %v\n%s", err, out)
				return
			}
			buildPath = path
		}()
	})
}

// binary returns the path of dqo-users built by main.go, for the tests
// where a real process is the point (signals, pseudo-terminals, argv,
// the keyring's session bus). It is built once (startBuild), so that tests
// that only run in-process never wait for a build.
func binary(t testing.TB) string {
	t.Helper()
	startBuild()
	<-buildDone
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// noSessionBus is a D-Bus session bus address where no bus is: a child
// that looks for the keyring finds none, and never the developer's own
// (which the bus library would otherwise find at /run/user/UID/bus).
const noSessionBus = "unix:path=/nonexistent/dqo-users-test-bus"

// childEnv is the process's environment without what would change the
// binary's behaviour (CI, NO_COLOR, TERM, HOME, DQOPS_*) and with no
// session bus (so no keyring), plus vars.
func childEnv(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "CI", name == "NO_COLOR", name == "TERM", name == "HOME", strings.HasPrefix(name, "DQOPS_"),
			name == "DBUS_SESSION_BUS_ADDRESS":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "DBUS_SESSION_BUS_ADDRESS="+noSessionBus)
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// binaryCommand returns a command running the built binary with args, in
// the environment childEnv makes of env.
func binaryCommand(t testing.TB, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	c := exec.Command(binary(t), args...)
	c.Env = childEnv(env)
	return c
}

// runBinary runs c to its end with stdin's content and returns how it ended.
func runBinary(t testing.TB, c *exec.Cmd, stdin string) result {
	t.Helper()
	c.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	start := time.Now()
	err := c.Run()
	r := result{stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code, r.signal = exitStatus(ee.ProcessState)
	case err != nil:
		t.Fatalf("running %v: %v", c.Args, err)
	}
	return r
}

// runningBinary is the built binary started in the background, for tests
// that signal it.
type runningBinary struct {
	t       testing.TB
	cmd     *exec.Cmd
	out     *lockedBuffer
	errOut  *lockedBuffer
	started time.Time
	done    chan result
	// exited is closed once the process has ended and its output is read.
	exited chan struct{}
}

// startBinary starts c with empty stdin and collects its output.
func startBinary(t testing.TB, c *exec.Cmd) *runningBinary {
	t.Helper()
	b := &runningBinary{t: t, cmd: c, out: &lockedBuffer{}, errOut: &lockedBuffer{}, done: make(chan result, 1), exited: make(chan struct{})}
	c.Stdout, c.Stderr = b.out, b.errOut
	if err := c.Start(); err != nil {
		t.Fatalf("starting %v: %v", c.Args, err)
	}
	b.started = time.Now()
	t.Cleanup(func() { _ = c.Process.Kill() })
	go func() {
		err := c.Wait()
		close(b.exited)
		r := result{stdout: b.out.String(), stderr: b.errOut.String(), elapsed: time.Since(b.started)}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.code, r.signal = exitStatus(ee.ProcessState)
		}
		b.done <- r
	}()
	return b
}

// signal sends sig to the process.
func (b *runningBinary) signal(sig os.Signal) {
	b.t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		b.t.Fatalf("signalling %v: %v", b.cmd.Args, err)
	}
}

// waitStderr waits until the process has written want on stderr, failing
// the test when it ends first or after bound.
func (b *runningBinary) waitStderr(want string, bound time.Duration) {
	b.t.Helper()
	b.errOut.waitForText(b.t, want, bound, b.exited)
}

// wait waits for the process to end, failing the test after bound; the
// result's elapsed time runs from since.
func (b *runningBinary) wait(since time.Time, bound time.Duration) result {
	b.t.Helper()
	select {
	case r := <-b.done:
		r.elapsed = time.Since(since)
		return r
	case <-time.After(bound):
		b.t.Fatalf("%v did not end within %s of the signal\nstdout:\n%s\nstderr:\n%s", b.cmd.Args, bound, b.out, b.errOut)
		return result{}
	}
}
