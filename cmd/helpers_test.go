package cmd_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// testBuild is the build information every in-process run and the built
// binary report.
var testBuild = cmd.BuildInfo{Version: "1.2.3-test", Commit: "abc1234", Date: "2025-01-02"}

// binDir holds the binary built for the end-to-end tests; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dqo-users-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// binary builds dqo-users once for the whole test binary and returns its
// path, so that tests that only run in-process never pay for the build.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		name := "dqo-users"
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		buildPath = filepath.Join(binDir, name)
		ldflags := fmt.Sprintf("-X main.version=%s -X main.commit=%s -X main.date=%s",
			testBuild.Version, testBuild.Commit, testBuild.Date)
		c := exec.Command("go", "build", "-o", buildPath, "-ldflags", ldflags, "github.com/dqops-users/dqo-users")
		out, err := c.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// testServer is a sandbox served over real loopback HTTP.
type testServer struct {
	*sandbox.Server
	// URL is the address to give dqo-users (with the mount prefix, if any).
	URL string
	// Root is the httptest server's own address, without the prefix.
	Root string

	mu    sync.Mutex
	hooks []func(*http.Request)
}

// startSandbox serves a new sandbox on a loopback port for the test's life.
func startSandbox(t testing.TB, opts sandbox.Options) *testServer {
	return startSandboxAt(t, opts, "")
}

// startSandboxAt serves the sandbox under a path prefix such as "/dqops",
// as a reverse proxy would; URL then ends with the prefix and a slash.
func startSandboxAt(t testing.TB, opts sandbox.Options, prefix string) *testServer {
	t.Helper()
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	ts := &testServer{Server: sb}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		hooks := slices.Clone(ts.hooks)
		ts.mu.Unlock()
		for _, hook := range hooks {
			hook(r)
		}
		sb.ServeHTTP(w, r)
	})
	if prefix != "" {
		h = http.StripPrefix(prefix, h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ts.Root = srv.URL
	ts.URL = srv.URL
	if prefix != "" {
		ts.URL = srv.URL + prefix + "/"
	}
	return ts
}

// onRequest runs hook on every request before the sandbox answers it.
func (ts *testServer) onRequest(hook func(*http.Request)) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.hooks = append(ts.hooks, hook)
}

// arrived returns a channel closed when the first request with that method
// and path reaches the server (before the sandbox answers it).
func (ts *testServer) arrived(method, path string) <-chan struct{} {
	ch := make(chan struct{})
	var once sync.Once
	ts.onRequest(func(r *http.Request) {
		if r.Method == method && r.URL.Path == path {
			once.Do(func() { close(ch) })
		}
	})
	return ch
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
	for _, u := range ts.Users() {
		if strings.EqualFold(u.Email, email) {
			return u, true
		}
	}
	return sandbox.User{}, false
}

// calls lists the requests the sandbox received as "METHOD PATH".
func (ts *testServer) calls() []string {
	var out []string
	for _, r := range ts.Requests() {
		out = append(out, r.Method+" "+r.Path)
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

// cli runs dqo-users in-process against a sandbox, with an environment of
// its own: never the process's.
type cli struct {
	t   testing.TB
	srv *testServer
	// env is every run's environment; runs may override entries.
	env map[string]string
	// configPath is DQOPS_CONFIG, in the test's temporary directory.
	configPath string
}

// newCLI returns a harness whose environment points at srv with its admin
// key, and at a configuration file that does not exist yet.
func newCLI(t testing.TB, srv *testServer) *cli {
	dir := t.TempDir()
	c := &cli{t: t, srv: srv, configPath: filepath.Join(dir, "config.yaml")}
	c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
	if srv != nil {
		c.env["DQOPS_URL"] = srv.URL
		c.env["DQOPS_API_KEY"] = srv.AdminKey()
	}
	return c
}

// invocation is one command line and the circumstances it runs in.
type invocation struct {
	args  []string
	stdin string
	// stdinReader, when set, replaces stdin (e.g. a pipe that never ends).
	stdinReader io.Reader
	stdinTTY    bool
	stdoutTTY   bool
	stderrTTY   bool
	// env overrides the harness's environment; an empty value unsets.
	env map[string]string
	ctx context.Context
}

// result is what a run ended with.
type result struct {
	code   int
	stdout string
	stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.stdout, r.stderr)
}

// run runs a command line without a terminal and with empty stdin.
func (c *cli) run(args ...string) result {
	return c.exec(invocation{args: args})
}

// runTTY runs a command line with stdin, stdout and stderr taken for
// terminals, and stdin's content.
func (c *cli) runTTY(stdin string, args ...string) result {
	return c.exec(invocation{args: args, stdin: stdin, stdinTTY: true, stdoutTTY: true, stderrTTY: true})
}

// runStdin runs a command line without a terminal, with stdin's content.
func (c *cli) runStdin(stdin string, args ...string) result {
	return c.exec(invocation{args: args, stdin: stdin})
}

// exec runs one invocation with a fresh Factory.
func (c *cli) exec(inv invocation) result {
	c.t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(inv.stdin)
	if inv.stdinReader != nil {
		ios.In = inv.stdinReader
	}
	ios.SetStdinTTY(inv.stdinTTY)
	ios.SetStdoutTTY(inv.stdoutTTY)
	ios.SetStderrTTY(inv.stderrTTY)
	env := make(map[string]string, len(c.env)+len(inv.env))
	for k, v := range c.env {
		env[k] = v
	}
	for k, v := range inv.env {
		env[k] = v
	}
	f := &cmd.Factory{
		IO:      ios,
		Version: testBuild.Version,
		Getenv:  func(name string) string { return env[name] },
		// Retries keep their count but not their waiting.
		Backoff: func(int) time.Duration { return time.Millisecond },
	}
	ctx := inv.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	code := cmd.Run(ctx, f, testBuild, inv.args)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// expectCode fails the test when the run did not end with want.
func expectCode(t testing.TB, r result, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\n%s", r.code, want, r)
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

// lockedBuffer is a bytes.Buffer that concurrent writers (requests in
// flight, each traced; a child process) may share while a test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
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
