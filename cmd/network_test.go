package cmd_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// netEnv is a sandbox with fault injection served over loopback HTTP (or
// HTTPS), and dqo-users run in-process against it with an environment of
// its own and a backoff that does not make tests sleep.
type netEnv struct {
	t      *testing.T
	sb     *sandbox.Server
	srv    *httptest.Server
	url    string
	dir    string
	env    map[string]string
	proxy  func(*http.Request) (*url.URL, error)
	before func(*cmd.Factory)
	// waits counts the backoff's calls: the retries that waited.
	waits atomic.Int32
}

// netResult is how one run ended.
type netResult struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func (r netResult) String() string {
	return fmt.Sprintf("exit %d after %s\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// newNetEnv serves a sandbox with the fault spec over plain HTTP, with two
// more users besides the built-in admin and viewer.
func newNetEnv(t *testing.T, faults string) *netEnv {
	return newNetEnvWith(t, faults, false)
}

func newNetEnvWith(t *testing.T, faults string, useTLS bool) *netEnv {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []sandbox.User{
		{Email: "ana@corp.io", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor"}},
		{Email: "bo@corp.io", AccountRole: "viewer"},
	} {
		if err := sb.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	// Faults are set after seeding, so that they count only the command's
	// requests.
	if err := sb.SetFaults(faults); err != nil {
		t.Fatal(err)
	}
	e := &netEnv{t: t, sb: sb}
	srv := httptest.NewUnstartedServer(sb)
	// Dropped connections and refused handshakes are what these tests do.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	e.srv, e.url, e.dir = srv, srv.URL, dir
	e.env = map[string]string{
		"DQOPS_URL":     srv.URL,
		"DQOPS_API_KEY": sb.AdminKey(),
		"DQOPS_CONFIG":  filepath.Join(dir, "config.yaml"),
	}
	return e
}

// run runs a command line without a terminal and with empty stdin.
func (e *netEnv) run(args ...string) netResult {
	return e.exec(context.Background(), "", args...)
}

// exec runs a command line with a fresh Factory.
func (e *netEnv) exec(ctx context.Context, stdin string, args ...string) netResult {
	e.t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	env := netCopyEnv(e.env)
	f := &cmd.Factory{
		IO:      ios,
		Version: "net-test",
		Getenv:  func(name string) string { return env[name] },
		Proxy:   e.proxy,
		Backoff: func(int) time.Duration { e.waits.Add(1); return time.Millisecond },
	}
	if e.before != nil {
		e.before(f)
	}
	start := time.Now()
	code := cmd.Run(ctx, f, cmd.BuildInfo{}, args)
	return netResult{code: code, stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start)}
}

func netCopyEnv(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// calls lists the requests the server received as "METHOD PATH STATUS" (0
// for a dropped connection), in the order they arrived, once every one has
// been answered (or 5s passed).
func (e *netEnv) calls() []string {
	var out []string
	for _, r := range e.sb.RequestsByArrival(5 * time.Second) {
		out = append(out, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
	}
	return out
}

// resetCalls forgets the requests so far.
func (e *netEnv) resetCalls() {
	e.sb.RequestsByArrival(5 * time.Second)
	e.sb.ResetRequests()
}

// users describes the sandbox's users as "email role", sorted.
func (e *netEnv) users() []string {
	var out []string
	for _, u := range e.sb.Users() {
		out = append(out, u.Email+" "+u.AccountRole)
	}
	return out
}

var netInitialUsers = []string{"admin@example.com admin", "ana@corp.io editor", "bo@corp.io viewer", "viewer@example.com viewer"}

func netExpect(t *testing.T, r netResult, code int, stderr ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\n%s", r.code, code, r)
	}
	for _, s := range stderr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q\n%s", s, r)
		}
	}
}

func netExpectCalls(t *testing.T, e *netEnv, want ...string) {
	t.Helper()
	got := e.calls()
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if n := len(e.sb.Requests()); n != len(got) {
		t.Errorf("the sandbox logged %d requests, the server received %d", n, len(got))
	}
}

func netExpectUsers(t *testing.T, e *netEnv, want []string) {
	t.Helper()
	if got := e.users(); !slices.Equal(got, want) {
		t.Errorf("users:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// netRepeat lists the same request n times.
func netRepeat(call string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = call
	}
	return out
}

func TestNetworkRetriesRecover(t *testing.T) {
	tests := []struct {
		faults string
		args   []string
		calls  []string
	}{
		{"GET /api/users 503 x2", nil, []string{"GET /api/users 503", "GET /api/users 503", "GET /api/users 200"}},
		{"GET /api/users 502 x1", nil, []string{"GET /api/users 502", "GET /api/users 200"}},
		{"GET /api/users 504 x3", nil, []string{"GET /api/users 504", "GET /api/users 504", "GET /api/users 504", "GET /api/users 200"}},
		{"GET /api/users 429 x1", nil, []string{"GET /api/users 429", "GET /api/users 200"}},
		{"GET /api/users drop x2", nil, []string{"GET /api/users 0", "GET /api/users 0", "GET /api/users 200"}},
		{"GET /api/users drop-after x1", nil, []string{"GET /api/users 0", "GET /api/users 200"}},
		{"GET /api/users html x1", nil, []string{"GET /api/users 502", "GET /api/users 200"}},
		{"GET /api/users truncated x1", nil, []string{"GET /api/users 200", "GET /api/users 200"}},
		{"GET /api/users slow=10s x1", []string{"--timeout", "300ms"}, []string{"GET /api/users 0", "GET /api/users 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.faults, func(t *testing.T) {
			e := newNetEnv(t, tt.faults)
			r := e.run(append([]string{"list", "-o", "json"}, tt.args...)...)
			netExpect(t, r, 0)
			for _, email := range []string{"admin@example.com", "ana@corp.io", "bo@corp.io", "viewer@example.com"} {
				if !strings.Contains(r.stdout, `"email": "`+email+`"`) {
					t.Errorf("output lacks %s:\n%s", email, r.stdout)
				}
			}
			netExpectCalls(t, e, tt.calls...)
			if int(e.waits.Load()) != len(tt.calls)-1 {
				t.Errorf("%d backoff waits, want %d", e.waits.Load(), len(tt.calls)-1)
			}
		})
	}
}

func TestNetworkRetriesStopAtTheLimit(t *testing.T) {
	tests := []struct {
		faults  string
		extra   []string
		message string
		hint    string
		status  int
	}{
		{"GET /api/users 503", nil, "error: listing users: server answered 503 Service Unavailable (3 attempts)\n",
			"hint: DQOps, or a proxy or load balancer in front of it, is unavailable", 503},
		{"GET /api/users 429", nil, "error: listing users: server answered 429 Too Many Requests (3 attempts)\n",
			"hint: the server is limiting the rate of requests", 429},
		{"GET /api/users drop", nil, "error: listing users: the connection was closed before an answer came (3 attempts)\n",
			"hint: the server or a proxy closed the connection", 0},
		{"GET /api/users html", nil, `error: listing users: server answered 502 Bad Gateway with an HTML page titled "502 Bad Gateway" (text/html): a login page or a proxy's error page, not the DQOps API (3 attempts)` + "\n",
			"hint: DQOps, or a proxy or load balancer in front of it, is unavailable", 502},
		{"GET /api/users truncated", nil, "error: listing users: unreadable response (200 OK, application/json): the body was cut off after ",
			"hint: the connection broke while the answer arrived", 200},
		{"GET /api/users slow=10s", []string{"--timeout", "200ms"},
			"error: listing users: GET {URL}/api/users timed out: no answer within 200ms (3 attempts)\n",
			"hint: the server did not answer within 200ms: raise --timeout", 0},
	}
	for _, tt := range tests {
		t.Run(tt.faults, func(t *testing.T) {
			e := newNetEnv(t, tt.faults)
			r := e.run(append([]string{"list", "--retries", "2"}, tt.extra...)...)
			netExpect(t, r, 1, strings.ReplaceAll(tt.message, "{URL}", e.url), tt.hint)
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			if n := len(e.calls()); n != 3 {
				t.Errorf("%d requests, want 3 (the first and 2 retries)", n)
			}
			// The same as JSON: the status is kept.
			e.resetCalls()
			r = e.run(append([]string{"list", "--retries", "0", "-o", "json"}, tt.extra...)...)
			netExpect(t, r, 1, `"code":"error"`)
			if tt.status != 0 && !strings.Contains(r.stderr, fmt.Sprintf(`"status":%d`, tt.status)) {
				t.Errorf("JSON error lacks the status %d: %s", tt.status, r.stderr)
			}
			if n := len(e.calls()); n != 1 {
				t.Errorf("--retries 0: %d requests, want 1", n)
			}
		})
	}
}

func TestNetworkRetriesFromEnvironment(t *testing.T) {
	e := newNetEnv(t, "GET /api/users 503")
	e.env["DQOPS_RETRIES"] = "1"
	netExpect(t, e.run("list"), 1, "(2 attempts)")
	netExpectCalls(t, e, netRepeat("GET /api/users 503", 2)...)

	e.env["DQOPS_RETRIES"] = "many"
	netExpect(t, e.run("list"), 2, `DQOPS_RETRIES="many" is not a number`)
	e.env["DQOPS_RETRIES"] = ""
	netExpect(t, e.run("list", "--retries", "-1"), 2, "--retries must be between 0 and 10")

	e.env["DQOPS_TIMEOUT"] = "150ms"
	e.sb.SetFaults("GET /api/users slow=10s")
	netExpect(t, e.run("list", "--retries", "0"), 1, "timed out: no answer within 150ms\n")
}

func TestNetworkAnswersThatAreNotRetried(t *testing.T) {
	tests := []struct {
		faults  string
		message string
		hint    string
	}{
		{"GET /api/users redirect",
			"error: listing users: server answered 303 See Other (a redirect to https://cloud.dqops.com/login, likely a login page)\n",
			"hint: the URL may point at the DQOps web UI or a login proxy rather than the API; check --url"},
		{"GET /api/users notjson",
			`error: listing users: unreadable response (200 OK, application/json): the body is not valid JSON (invalid character 'o' in literal null (expecting 'u') at byte 2 of 15; it starts "not json at all")` + "\n",
			"hint: the server's answer is not what the DQOps API sends"},
		{"GET /api/users 500",
			"error: listing users: server answered 500 Internal Server Error\n", ""},
		{"GET /api/users 400",
			"error: listing users: server answered 400 Bad Request\n", ""},
		{"GET /api/users huge",
			"error: listing users: unreadable response (200 OK, application/json): the body is larger than 256 MiB: reading stopped there\n",
			"hint: the answer is larger than the tool accepts"},
	}
	for _, tt := range tests {
		t.Run(tt.faults, func(t *testing.T) {
			if strings.HasSuffix(tt.faults, "huge") && testing.Short() {
				t.Skip("reads 256 MiB")
			}
			e := newNetEnv(t, tt.faults)
			r := e.run("list")
			netExpect(t, r, 1, tt.message, tt.hint)
			if n := len(e.calls()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if e.waits.Load() != 0 {
				t.Errorf("waited %d times", e.waits.Load())
			}
		})
	}
}

// TestNetworkCreateIsNeverDuplicated checks that a create is only sent again
// once a read shows the user does not exist, and that no user is lost or
// created twice.
func TestNetworkCreateIsNeverDuplicated(t *testing.T) {
	const exists = "GET /api/users/new@corp.io 404"
	tests := []struct {
		name   string
		faults string
		extra  []string
		code   int
		calls  []string
		stderr string
	}{
		{"dropped before handling", "POST /api/users drop x1", nil, 0,
			[]string{exists, "POST /api/users 0", exists, "POST /api/users 201"}, "Created user new@corp.io with role viewer."},
		{"created, answer lost", "POST /api/users drop-after x1", nil, 0,
			[]string{exists, "POST /api/users 0", "GET /api/users/new@corp.io 200"}, "Created user new@corp.io with role viewer."},
		{"created, answer lost, no retries left", "POST /api/users drop-after x1", []string{"--retries", "0"}, 0,
			[]string{exists, "POST /api/users 0", "GET /api/users/new@corp.io 200"}, "Created user new@corp.io with role viewer."},
		{"gateway error", "POST /api/users 503 x1", nil, 0,
			[]string{exists, "POST /api/users 503", exists, "POST /api/users 201"}, "Created user"},
		{"proxy error page", "POST /api/users html x1", nil, 0,
			[]string{exists, "POST /api/users 502", exists, "POST /api/users 201"}, "Created user"},
		{"rate limited, so certainly not created", "POST /api/users 429 x1", nil, 0,
			[]string{exists, "POST /api/users 429", "POST /api/users 201"}, "Created user"},
		// The client gives up on the first create after 300ms, finds no user
		// and creates it; the server then gets to the first create at 1s and
		// refuses it as a duplicate (its 403).
		{"timeout, the server acting late", "POST /api/users slow=1s x1", []string{"--timeout", "300ms"}, 0,
			[]string{exists, "POST /api/users 403", exists, "POST /api/users 201"}, "Created user"},
		{"gateway errors to the limit", "POST /api/users 504", []string{"--retries", "1"}, 1,
			[]string{exists, "POST /api/users 504", exists, "POST /api/users 504", exists},
			`error: creating user "new@corp.io": server answered 504 Gateway Timeout (2 attempts)`},
		{"server error", "POST /api/users 500", nil, 1,
			[]string{exists, "POST /api/users 500"}, `error: creating user "new@corp.io": server answered 500 Internal Server Error`},
		{"check fails too", "POST /api/users drop x1; GET /api/users/new@corp.io 404 x1; GET /api/users/new@corp.io 500", nil, 1,
			[]string{exists, "POST /api/users 0", "GET /api/users/new@corp.io 500"},
			`error: creating user "new@corp.io": it may or may not have been done: the connection was closed before an answer came; checking afterwards failed: getting user "new@corp.io": server answered 500 Internal Server Error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newNetEnv(t, tt.faults)
			r := e.run(append([]string{"create", "new@corp.io", "--role", "viewer"}, tt.extra...)...)
			netExpect(t, r, tt.code, tt.stderr)
			netExpectCalls(t, e, tt.calls...)
			want := slices.Clone(netInitialUsers)
			if tt.code == 0 {
				want = append(want, "new@corp.io viewer")
				slices.Sort(want)
			}
			netExpectUsers(t, e, want)
		})
	}
}

func TestNetworkUpdateDeleteAndPasswordsRetried(t *testing.T) {
	e := newNetEnv(t, "PUT /api/users/ana@corp.io 503 x1; DELETE /api/users/bo@corp.io drop-after x1; "+
		"PUT /api/users/ana@corp.io/password drop x1; PUT /api/mypassword 502 x1")
	netExpect(t, e.run("update", "ana@corp.io", "--role", "operator"), 0, "Updated user ana@corp.io: role editor -> operator.")
	// The first DELETE deleted bo and lost its answer; the retry's 404 is
	// that success, not "not found".
	netExpect(t, e.run("delete", "bo@corp.io", "--yes"), 0, "Deleted user bo@corp.io.")
	netExpect(t, e.exec(context.Background(), "s3cret-1\n", "user-passwd", "ana@corp.io", "--password-stdin"), 0)
	netExpect(t, e.exec(context.Background(), "s3cret-2\n", "passwd", "--password-stdin"), 0)
	if !e.sb.PasswordMatches("ana@corp.io", "s3cret-1") || !e.sb.PasswordMatches("admin@example.com", "s3cret-2") {
		t.Error("a password was not set")
	}
	netExpectUsers(t, e, []string{"admin@example.com admin", "ana@corp.io operator", "viewer@example.com viewer"})
	if u := e.sb.Users(); u[1].DataDomainRoles["sales"] != "editor" {
		t.Errorf("the retried update lost ana's data-domain roles: %v", u[1])
	}
	var puts, deletes int
	for _, c := range e.calls() {
		switch {
		case strings.HasPrefix(c, "PUT "):
			puts++
		case strings.HasPrefix(c, "DELETE "):
			deletes++
		}
	}
	if puts != 6 || deletes != 2 {
		t.Errorf("%d PUTs and %d DELETEs, want 6 and 2:\n%s", puts, deletes, strings.Join(e.calls(), "\n"))
	}
}

func TestNetworkConnectionRefused(t *testing.T) {
	addr := closedPort(t)
	e := newNetEnv(t, "")
	e.env["DQOPS_URL"] = "http://" + addr
	r := e.run("list")
	netExpect(t, r, 1, "error: listing users: cannot connect to "+addr+": connection refused (4 attempts)\n",
		"hint: is DQOps running at that address?")
	if e.waits.Load() != 3 {
		t.Errorf("%d waits, want 3", e.waits.Load())
	}
	// A create refused before anything was sent is retried without a check.
	e.waits.Store(0)
	r = e.run("create", "new@corp.io", "--role", "viewer", "--retries", "1")
	netExpect(t, r, 1, "connection refused (2 attempts)")
}

func TestNetworkCtrlCStopsRetries(t *testing.T) {
	e := newNetEnv(t, "GET /api/users 503")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl-C while waiting to retry: the wait ends at once, nothing more is sent.
	e.before = func(f *cmd.Factory) {
		f.Backoff = func(int) time.Duration { cancel(); return time.Minute }
	}
	r := e.exec(ctx, "", "list")
	netExpect(t, r, 130, "error: interrupted")
	if r.elapsed > 10*time.Second {
		t.Errorf("took %s", r.elapsed)
	}
	netExpectCalls(t, e, "GET /api/users 503")

	// Ctrl-C while a request waits for its answer.
	e = newNetEnv(t, "GET /api/users slow=30s")
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel)
	r = e.exec(ctx, "", "list")
	netExpect(t, r, 130, "error: interrupted")
	if r.elapsed > 10*time.Second {
		t.Errorf("took %s", r.elapsed)
	}
	if n := len(e.calls()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if e.waits.Load() != 0 {
		t.Errorf("retried after Ctrl-C")
	}
}

// netWriteCertPEM writes the TLS server's certificate to a PEM file.
func netWriteCertPEM(t *testing.T, srv *httptest.Server, path string) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTLSOptions(t *testing.T) {
	e := newNetEnvWith(t, "", true)
	pemFile := filepath.Join(e.dir, "corp-ca.pem")
	netWriteCertPEM(t, e.srv, pemFile)

	r := e.run("list")
	netExpect(t, r, 1, "error: listing users: the server's TLS certificate is signed by an authority this computer does not trust",
		"hint: the server's TLS certificate is not trusted: pass its CA with --ca-cert FILE")
	if n := len(e.calls()); n != 0 || e.waits.Load() != 0 {
		t.Errorf("an untrusted certificate: %d requests, %d retries", n, e.waits.Load())
	}

	netExpect(t, e.run("list", "--ca-cert", pemFile), 0)
	e.env["DQOPS_CA_CERT"] = pemFile
	netExpect(t, e.run("list"), 0)
	delete(e.env, "DQOPS_CA_CERT")

	// A profile's ca_cert, relative to the configuration file.
	config := fmt.Sprintf("current_profile: corp\nprofiles:\n  corp:\n    url: %s\n    ca_cert: corp-ca.pem\n", e.url)
	if err := os.WriteFile(e.env["DQOPS_CONFIG"], []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(e.env, "DQOPS_URL")
	netExpect(t, e.run("list"), 0)
	os.Remove(e.env["DQOPS_CONFIG"])
	e.env["DQOPS_URL"] = e.url

	r = e.run("list", "--insecure-skip-tls-verify")
	netExpect(t, r, 0, "warning: --insecure-skip-tls-verify: the server's certificate is not checked")

	netExpect(t, e.run("list", "--ca-cert", filepath.Join(e.dir, "missing.pem")), 2, "reading CA certificates:")
	notPEM := filepath.Join(e.dir, "not.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	netExpect(t, e.run("list", "--ca-cert", notPEM), 2, "holds no PEM certificate")
}

// TestProxyForwardsRequests checks that requests go through an HTTP proxy.
// Go never proxies loopback addresses, so the proxy function is injected as
// HTTPS_PROXY / HTTP_PROXY would set it, and the URL names a host that only
// the proxy knows.
func TestProxyForwardsRequests(t *testing.T) {
	e := newNetEnv(t, "")
	target, _ := url.Parse(e.url)
	var proxied atomic.Int32
	// A forward proxy: it gets the absolute URL and passes the request on.
	forward := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) }}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != "dqops.corp.invalid" {
			http.Error(w, "unknown host", http.StatusBadGateway)
			return
		}
		proxied.Add(1)
		forward.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	e.proxy = http.ProxyURL(proxyURL)
	e.env["DQOPS_URL"] = "http://dqops.corp.invalid"

	r := e.run("get", "ana@corp.io", "-o", "json")
	netExpect(t, r, 0)
	if !strings.Contains(r.stdout, `"email": "ana@corp.io"`) {
		t.Errorf("stdout: %s", r.stdout)
	}
	if n := len(e.calls()); proxied.Load() != int32(n) || n == 0 {
		t.Errorf("%d requests through the proxy, %d at the server", proxied.Load(), n)
	}
	proxy.Close()
	r = e.run("list", "--retries", "1")
	netExpect(t, r, 1, "cannot reach the HTTP proxy", "(2 attempts)", "hint: the HTTP proxy is unreachable: check HTTPS_PROXY, HTTP_PROXY and NO_PROXY")
}

// TestNetworkBadAPIKeyIsRefusedUpFront checks that a key that cannot travel
// in a header is refused before any request, by a message that names where
// it came from and never shows it.
func TestNetworkBadAPIKeyIsRefusedUpFront(t *testing.T) {
	const part = "SECRETPART"
	e := newNetEnv(t, "")
	keyFile := filepath.Join(e.dir, "key.txt")
	os.WriteFile(keyFile, []byte("line-one\n"+part+"\n"), 0o600)
	config := filepath.Join(e.dir, "config.yaml")
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		stdin  string
		config string
		want   string
	}{
		{"environment", map[string]string{"DQOPS_API_KEY": "abc\n" + part}, []string{"list"}, "", "",
			"error: DQOPS_API_KEY: the API key contains a line break (character 4 of 14)"},
		{"environment, non-ASCII", map[string]string{"DQOPS_API_KEY": "ключ-" + part}, []string{"list"}, "", "",
			"error: DQOPS_API_KEY: the API key contains a non-ASCII character (character 1 of 15)"},
		{"key file", nil, []string{"list", "--api-key-file", keyFile}, "", "",
			"error: --api-key-file " + keyFile + ": the API key contains a line break (character 9 of 19)"},
		{"profile", map[string]string{"DQOPS_API_KEY": ""}, []string{"list"}, "",
			"profiles:\n  default:\n    api_key: \"a b " + part + "\"\n",
			`error: the api_key of profile "default": the API key contains a space (character 2 of 14)`},
		{"login", nil, []string{"login", "--with-token"}, "abc\t" + part + "\n", "",
			"error: the API key contains a space (character 4 of 14)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.resetCalls()
			os.Remove(config)
			if tt.config != "" {
				os.WriteFile(config, []byte(tt.config), 0o600)
			}
			saved := netCopyEnv(e.env)
			defer func() { e.env = saved }()
			for k, v := range tt.env {
				e.env[k] = v
			}
			r := e.exec(context.Background(), tt.stdin, tt.args...)
			netExpect(t, r, 2, tt.want)
			if strings.Contains(r.stderr+r.stdout, part) {
				t.Errorf("the output shows the key:\n%s", r)
			}
			if n := len(e.calls()); n != 0 {
				t.Errorf("%d requests sent with a bad key", n)
			}
			if _, err := os.Stat(config); tt.args[0] == "login" && err == nil {
				t.Error("login stored a bad key")
			}
		})
	}
}
