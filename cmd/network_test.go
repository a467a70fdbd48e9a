package cmd_test

import (
	"context"
	"encoding/pem"
	"fmt"
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

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// netUsers are the users the network tests start with, besides the
// built-in admin and viewer.
var netUsers = []sandbox.User{
	{Email: "ana@corp.io", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor"}},
	{Email: "bo@corp.io", AccountRole: "viewer"},
}

var netInitialUsers = []string{"admin@example.com admin", "ana@corp.io editor", "bo@corp.io viewer", "viewer@example.com viewer"}

// setupNet serves a sandbox with the fault spec and netUsers over plain
// HTTP, its server quiet about the connections the faults drop, and a
// harness pointed at it.
func setupNet(t testing.TB, faults string) (*testServer, *cli) {
	t.Helper()
	return setupNetWith(t, faults, serving{quiet: true})
}

// setupNetWith is setupNet served as how says.
func setupNetWith(t testing.TB, faults string, how serving) (*testServer, *cli) {
	t.Helper()
	srv := serveSandbox(t, sandbox.Options{Faults: faults}, how, netUsers...)
	return srv, newCLI(t, srv)
}

// expectUsers fails when the sandbox's users, as "email role" sorted,
// differ from want.
func expectUsers(t testing.TB, srv *testServer, want []string) {
	t.Helper()
	var got []string
	for _, u := range srv.Users() {
		got = append(got, u.Email+" "+u.AccountRole)
	}
	if !slices.Equal(got, want) {
		t.Errorf("users:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// repeated lists the same request n times.
func repeated(call string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = call
	}
	return out
}

func TestNetworkRetriesRecover(t *testing.T) {
	t.Parallel()
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
		{"GET /api/users slow=10s x1", []string{"--timeout", "1s"}, []string{"GET /api/users 0", "GET /api/users 200"}},
	}
	for _, tt := range tests {
		t.Run(tt.faults, func(t *testing.T) {
			t.Parallel()
			srv, c := setupNet(t, tt.faults)
			r := c.run(append([]string{"list", "-o", "json"}, tt.args...)...)
			expectExit(t, r, 0)
			for _, email := range []string{"admin@example.com", "ana@corp.io", "bo@corp.io", "viewer@example.com"} {
				if !strings.Contains(r.stdout, `"email": "`+email+`"`) {
					t.Errorf("output lacks %s:\n%s", email, r.stdout)
				}
			}
			expectArrivals(t, srv, tt.calls...)
			if int(c.waits.Load()) != len(tt.calls)-1 {
				t.Errorf("%d backoff waits, want %d", c.waits.Load(), len(tt.calls)-1)
			}
		})
	}
}

// A list cut off after some users arrived is not sent again, retries or
// not: the users written would be written twice.
func TestNetworkTruncatedListIsNotRetried(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"list", "-o", "name"}, {"export", "-o", "csv"}} {
		t.Run(args[0], func(t *testing.T) {
			t.Parallel()
			srv, c := setupNet(t, "GET /api/users truncated x1")
			r := c.run(append(args, "--retries", "2")...)
			expectExit(t, r, 1, "unreadable response (200 OK, application/json): the body was cut off after ",
				"users were written before the failure", "hint: the connection broke while the answer arrived")
			if !strings.Contains(r.stdout, "admin@example.com") || strings.Contains(r.stdout, "viewer@example.com") {
				t.Errorf("want the first users and not the last:\n%s", r.stdout)
			}
			var lists []string
			for _, a := range srv.arrivals() {
				if strings.HasPrefix(a, "GET /api/users") {
					lists = append(lists, a)
				}
			}
			if len(lists) != 1 {
				t.Errorf("list requests %v, want one", lists)
			}
		})
	}
}

func TestNetworkRetriesStopAtTheLimit(t *testing.T) {
	t.Parallel()
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
		{"GET /api/users slow=10s", []string{"--timeout", "200ms"},
			"error: listing users: GET {URL}/api/users timed out: no answer within 200ms (3 attempts)\n",
			"hint: the server did not answer within 200ms: raise --timeout", 0},
	}
	for _, tt := range tests {
		t.Run(tt.faults, func(t *testing.T) {
			t.Parallel()
			srv, c := setupNet(t, tt.faults)
			r := c.run(append([]string{"list", "--retries", "2"}, tt.extra...)...)
			expectExit(t, r, 1, strings.ReplaceAll(tt.message, "{URL}", srv.URL), tt.hint)
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			if n := len(srv.arrivals()); n != 3 {
				t.Errorf("%d requests, want 3 (the first and 2 retries)", n)
			}
			// The same as JSON: the status is kept.
			srv.forgetArrivals()
			r = c.run(append([]string{"list", "--retries", "0", "-o", "json"}, tt.extra...)...)
			expectExit(t, r, 1, `"code":"error"`)
			if tt.status != 0 && !strings.Contains(r.stderr, fmt.Sprintf(`"status":%d`, tt.status)) {
				t.Errorf("JSON error lacks the status %d: %s", tt.status, r.stderr)
			}
			if n := len(srv.arrivals()); n != 1 {
				t.Errorf("--retries 0: %d requests, want 1", n)
			}
		})
	}
}

func TestNetworkRetriesFromEnvironment(t *testing.T) {
	t.Parallel()
	srv, c := setupNet(t, "GET /api/users 503")
	c.env["DQOPS_RETRIES"] = "1"
	expectExit(t, c.run("list"), 1, "(2 attempts)")
	expectArrivals(t, srv, repeated("GET /api/users 503", 2)...)

	c.env["DQOPS_RETRIES"] = "many"
	expectExit(t, c.run("list"), 2, `DQOPS_RETRIES="many" is not a number`)
	c.env["DQOPS_RETRIES"] = ""
	expectExit(t, c.run("list", "--retries", "-1"), 2, "--retries must be between 0 and 10")

	c.env["DQOPS_TIMEOUT"] = "150ms"
	srv.SetFaults("GET /api/users slow=10s")
	expectExit(t, c.run("list", "--retries", "0"), 1, "timed out: no answer within 150ms\n")
}

func TestNetworkAnswersThatAreNotRetried(t *testing.T) {
	t.Parallel()
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
			// The users that came before the limit were written as they
			// came. The cap is 1 MiB here, not 256 MiB: the answer's size
			// does not change how it is refused, and pkg/api reads 256 MiB.
			"error: listing users: unreadable response (200 OK, application/json): the body is larger than 1 MiB: reading stopped there; ",
			"hint: the answer is larger than the tool accepts"},
	}
	for _, tt := range tests {
		t.Run(tt.faults, func(t *testing.T) {
			t.Parallel()
			srv, c := setupNet(t, tt.faults)
			if strings.HasSuffix(tt.faults, "huge") {
				c.maxBody = 1 << 20
			}
			r := c.run("list")
			expectExit(t, r, 1, tt.message, tt.hint)
			if n := len(srv.arrivals()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			if c.waits.Load() != 0 {
				t.Errorf("waited %d times", c.waits.Load())
			}
		})
	}
}

// TestNetworkCreateIsNeverDuplicated checks that a create is only sent again
// once a read shows the user does not exist, and that no user is lost or
// created twice.
func TestNetworkCreateIsNeverDuplicated(t *testing.T) {
	t.Parallel()
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
		// and creates it; the server then gets to the first create, once the
		// second is answered, and refuses it as a duplicate (its 403). The
		// sandbox sees the held create last.
		{"timeout, the server acting late", firstCreateHeld, []string{"--timeout", "300ms"}, 0,
			[]string{exists, exists, "POST /api/users 201", "POST /api/users 403"}, "Created user"},
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
			t.Parallel()
			faults := tt.faults
			if faults == firstCreateHeld {
				faults = ""
			}
			srv, c := setupNet(t, faults)
			var heldAnswered <-chan struct{}
			if tt.faults == firstCreateHeld {
				heldAnswered = holdFirstCreate(t, srv)
			}
			r := c.run(append([]string{"create", "new@corp.io", "--role", "viewer"}, tt.extra...)...)
			expectExit(t, r, tt.code, tt.stderr)
			if heldAnswered != nil {
				within(t, heldAnswered, time.Minute, "the answer to the held create")
			}
			// Before the create, the list is read for look-alikes.
			expectArrivals(t, srv, slices.Insert(slices.Clone(tt.calls), 1, "GET /api/users 200")...)
			want := slices.Clone(netInitialUsers)
			if tt.code == 0 {
				want = append(want, "new@corp.io viewer")
				slices.Sort(want)
			}
			expectUsers(t, srv, want)
		})
	}
}

// firstCreateHeld, in place of a fault spec, holds the first create from
// the sandbox until the second has been answered (holdFirstCreate): a
// server that gets to it late, whatever the machine's load.
const firstCreateHeld = "(the first create held)"

// holdFirstCreate keeps the first POST /api/users from the sandbox until a
// second has been answered (or a minute has passed, when none comes); the
// channel it returns is closed once the sandbox has answered the held one.
func holdFirstCreate(t testing.TB, srv *testServer) <-chan struct{} {
	var posts, answered atomic.Int32
	second, held := make(chan struct{}), make(chan struct{})
	srv.onRequest(func(r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/users" && posts.Add(1) == 1 {
			select {
			case <-second:
			case <-time.After(time.Minute):
				t.Error("no second create came while the first was held")
			}
		}
	})
	srv.onAnswered(func(r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/users" {
			return
		}
		// The second create is answered first, then the held one.
		switch answered.Add(1) {
		case 1:
			close(second)
		case 2:
			close(held)
		}
	})
	return held
}

func TestNetworkUpdateDeleteAndPasswordsRetried(t *testing.T) {
	t.Parallel()
	// With data domains, so that ana's grant shows and must survive.
	srv := serveSandbox(t, sandbox.Options{Domains: []string{"sales"}, Faults: "PUT /api/users/ana@corp.io 503 x1; DELETE /api/users/bo@corp.io drop-after x1; " +
		"PUT /api/users/ana@corp.io/password drop x1; PUT /api/mypassword 502 x1"}, serving{quiet: true}, netUsers...)
	c := newCLI(t, srv)
	expectExit(t, c.run("update", "ana@corp.io", "--role", "operator"), 0, "Updated user ana@corp.io: role editor -> operator.")
	// The first DELETE deleted bo and lost its answer; the retry's 404 is
	// that success, not "not found".
	expectExit(t, c.run("delete", "bo@corp.io", "--yes"), 0, "Deleted user bo@corp.io.")
	expectExit(t, c.runStdin("s3cret-1\n", "user-passwd", "ana@corp.io", "--password-stdin"), 0)
	expectExit(t, c.runStdin("s3cret-2\n", "passwd", "--password-stdin"), 0)
	if !srv.PasswordMatches("ana@corp.io", "s3cret-1") || !srv.PasswordMatches("admin@example.com", "s3cret-2") {
		t.Error("a password was not set")
	}
	expectUsers(t, srv, []string{"admin@example.com admin", "ana@corp.io operator", "viewer@example.com viewer"})
	if u := srv.Users(); u[1].DataDomainRoles["sales"] != "editor" {
		t.Errorf("the retried update lost ana's data-domain roles: %v", u[1])
	}
	var puts, deletes int
	for _, call := range srv.arrivals() {
		switch {
		case strings.HasPrefix(call, "PUT "):
			puts++
		case strings.HasPrefix(call, "DELETE "):
			deletes++
		}
	}
	if puts != 6 || deletes != 2 {
		t.Errorf("%d PUTs and %d DELETEs, want 6 and 2:\n%s", puts, deletes, strings.Join(srv.arrivals(), "\n"))
	}
}

func TestNetworkConnectionRefused(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	_, c := setupNet(t, "")
	c.env["DQOPS_URL"] = "http://" + addr
	r := c.run("list")
	expectExit(t, r, 1, "error: listing users: cannot connect to "+addr+": connection refused (4 attempts)\n",
		"hint: is DQOps running at that address?")
	if c.waits.Load() != 3 {
		t.Errorf("%d waits, want 3", c.waits.Load())
	}
	// A create refused before anything was sent is retried without a check.
	c.waits.Store(0)
	r = c.run("create", "new@corp.io", "--role", "viewer", "--retries", "1")
	expectExit(t, r, 1, "connection refused (2 attempts)")
}

func TestNetworkCtrlCStopsRetries(t *testing.T) {
	t.Parallel()
	srv, c := setupNet(t, "GET /api/users 503")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl-C while waiting to retry: the wait ends at once, nothing more is sent.
	c.backoff = func(int) time.Duration { cancel(); return time.Minute }
	r := c.exec(invocation{args: []string{"list"}, ctx: ctx})
	expectExit(t, r, 130, "error: interrupted")
	if r.elapsed > 10*time.Second {
		t.Errorf("took %s", r.elapsed)
	}
	expectArrivals(t, srv, "GET /api/users 503")

	// Ctrl-C while a request waits for its answer.
	srv, c = setupNet(t, "GET /api/users slow=30s")
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	arrived := srv.arrived(http.MethodGet, "/api/users")
	go func() {
		select {
		case <-arrived:
			cancel()
		case <-ctx.Done():
		}
	}()
	r = c.exec(invocation{args: []string{"list"}, ctx: ctx})
	expectExit(t, r, 130, "error: interrupted")
	if r.elapsed > 10*time.Second {
		t.Errorf("took %s", r.elapsed)
	}
	if n := len(srv.arrivals()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if c.waits.Load() != 0 {
		t.Errorf("retried after Ctrl-C")
	}
}

// writeCertPEM writes the TLS server's certificate to a PEM file.
func writeCertPEM(t *testing.T, srv *httptest.Server, path string) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTLSOptions(t *testing.T) {
	t.Parallel()
	srv, c := setupNetWith(t, "", serving{quiet: true, tls: true})
	pemFile := filepath.Join(c.dir, "corp-ca.pem")
	writeCertPEM(t, srv.HTTP, pemFile)

	r := c.run("list")
	expectExit(t, r, 1, "error: listing users: the server's TLS certificate is signed by an authority this computer does not trust",
		"hint: the server's TLS certificate is not trusted: pass its CA with --ca-cert FILE")
	if n := len(srv.arrivals()); n != 0 || c.waits.Load() != 0 {
		t.Errorf("an untrusted certificate: %d requests, %d retries", n, c.waits.Load())
	}

	expectExit(t, c.run("list", "--ca-cert", pemFile), 0)
	c.env["DQOPS_CA_CERT"] = pemFile
	expectExit(t, c.run("list"), 0)
	delete(c.env, "DQOPS_CA_CERT")

	// A profile's ca_cert, relative to the configuration file.
	config := fmt.Sprintf("current_profile: corp\nprofiles:\n  corp:\n    url: %s\n    ca_cert: corp-ca.pem\n", srv.URL)
	if err := os.WriteFile(c.env["DQOPS_CONFIG"], []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(c.env, "DQOPS_URL")
	expectExit(t, c.run("list"), 0)
	os.Remove(c.env["DQOPS_CONFIG"])
	c.env["DQOPS_URL"] = srv.URL

	r = c.run("list", "--insecure-skip-tls-verify")
	expectExit(t, r, 0, "warning: --insecure-skip-tls-verify: the server's certificate is not checked")

	expectExit(t, c.run("list", "--ca-cert", filepath.Join(c.dir, "missing.pem")), 2, "reading CA certificates:")
	notPEM := filepath.Join(c.dir, "not.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	expectExit(t, c.run("list", "--ca-cert", notPEM), 2, "holds no PEM certificate")
}

// TestProxyForwardsRequests checks that requests go through an HTTP proxy.
// Go never proxies loopback addresses, so the proxy function is injected as
// HTTPS_PROXY / HTTP_PROXY would set it, and the URL names a host that only
// the proxy knows.
func TestProxyForwardsRequests(t *testing.T) {
	t.Parallel()
	srv, c := setupNet(t, "")
	target, _ := url.Parse(srv.URL)
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
	c.proxy = http.ProxyURL(proxyURL)
	c.env["DQOPS_URL"] = "http://dqops.corp.invalid"

	r := c.run("get", "ana@corp.io", "-o", "json")
	expectExit(t, r, 0)
	if !strings.Contains(r.stdout, `"email": "ana@corp.io"`) {
		t.Errorf("stdout: %s", r.stdout)
	}
	if n := len(srv.arrivals()); proxied.Load() != int32(n) || n == 0 {
		t.Errorf("%d requests through the proxy, %d at the server", proxied.Load(), n)
	}
	proxy.Close()
	r = c.run("list", "--retries", "1")
	expectExit(t, r, 1, "cannot reach the HTTP proxy", "(2 attempts)", "hint: the HTTP proxy is unreachable: check HTTPS_PROXY, HTTP_PROXY and NO_PROXY")
}

// TestNetworkBadAPIKeyIsRefusedUpFront checks that a key that cannot travel
// in a header is refused before any request, by a message that names where
// it came from and never shows it.
func TestNetworkBadAPIKeyIsRefusedUpFront(t *testing.T) {
	t.Parallel()
	const part = "SECRETPART"
	srv, c := setupNet(t, "")
	keyFile := filepath.Join(c.dir, "key.txt")
	os.WriteFile(keyFile, []byte("line-one\n"+part+"\n"), 0o600)
	config := c.configPath
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
			"profiles:\n  default:\n    url: " + srv.URL + "\n    api_key: \"a b " + part + "\"\n",
			`error: the api_key of profile "default": the API key contains a space (character 2 of 14)`},
		{"login", nil, []string{"login", "--with-token"}, "abc\t" + part + "\n", "",
			"error: the API key contains a space (character 4 of 14)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.forgetArrivals()
			os.Remove(config)
			if tt.config != "" {
				os.WriteFile(config, []byte(tt.config), 0o600)
			}
			r := c.exec(invocation{args: tt.args, stdin: tt.stdin, env: tt.env})
			expectExit(t, r, 2, tt.want)
			if strings.Contains(r.stderr+r.stdout, part) {
				t.Errorf("the output shows the key:\n%s", r)
			}
			if n := len(srv.arrivals()); n != 0 {
				t.Errorf("%d requests sent with a bad key", n)
			}
			if _, err := os.Stat(config); tt.args[0] == "login" && err == nil {
				t.Error("login stored a bad key")
			}
		})
	}
}
