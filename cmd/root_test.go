package cmd_test

// Tests of what every command shares: the API key and where it comes from,
// request headers, a URL with a path prefix, profiles, where messages go,
// and an environment of the test's own.

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestNoKey(t *testing.T) {
	t.Run("401 says no key is configured", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = ""
		r := c.run("list")
		expectCode(t, r, 4)
		expectContains(t, "stderr", r.stderr, "listing users: the server requires an API key and none is configured",
			"hint: run `dqo-users login`, or set DQOPS_API_KEY or --api-key-file")
		if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].HasAuthorization {
			t.Errorf("requests %+v", reqs)
		}
	})
	t.Run("a rejected key says so", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = "dqo-sandbox-bad"
		r := c.run("list")
		expectCode(t, r, 4)
		expectContains(t, "stderr", r.stderr, "the server rejected the API key (401)")
		expectNotContains(t, "stderr", r.stderr, "dqo-sandbox-bad")
	})
	t.Run("a single-user instance needs none", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{NoAuth: true})
		c.env["DQOPS_API_KEY"] = ""
		r := c.run("whoami", "-o", "json")
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)
		if srv.Requests()[0].HasAuthorization {
			t.Error("an Authorization header was sent without a key")
		}
	})
	t.Run("--api-key-file", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = ""
		file := filepath.Join(t.TempDir(), "key")
		if err := os.WriteFile(file, []byte(srv.ViewerKey()+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := c.run("whoami", "-o", "json", "--api-key-file", file)
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, `"user": "viewer@example.com"`)
		empty := filepath.Join(t.TempDir(), "empty")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		expectCode(t, c.run("whoami", "--api-key-file", empty), 2)
		expectCode(t, c.run("whoami", "--api-key-file", filepath.Join(t.TempDir(), "missing")), 2)
	})
}

func TestRequestHeaders(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	var mu sync.Mutex
	var seen []http.Header
	srv.onRequest(func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Header.Clone())
	})
	expectCode(t, c.runStdin("pw", "create", "h@corp.io", "--role", "viewer", "--password-stdin"), 0)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 {
		t.Fatalf("%d requests", len(seen))
	}
	for _, h := range seen {
		if got := h.Values("Authorization"); len(got) != 1 || got[0] != "Bearer "+srv.AdminKey() {
			t.Errorf("Authorization %q", got)
		}
		if got := h.Get("Accept"); got != "application/json" {
			t.Errorf("Accept %q", got)
		}
		if got := h.Get("User-Agent"); got != "dqo-users/1.2.3-test" {
			t.Errorf("User-Agent %q", got)
		}
	}
}

func TestPathPrefixURL(t *testing.T) {
	for _, suffix := range []string{"", "/", "//"} {
		t.Run("suffix "+suffix, func(t *testing.T) {
			srv := serveSandbox(t, sandbox.Options{}, serving{prefix: "/dqops"})
			c := newCLI(t, srv)
			c.env["DQOPS_URL"] = strings.TrimSuffix(srv.URL, "/") + suffix
			expectCode(t, c.run("create", "p@corp.io", "--role", "editor"), 0)
			r := c.run("get", "p@corp.io")
			expectCode(t, r, 0)
			if r.stdout != "p@corp.io\teditor\t\n" {
				t.Errorf("stdout %q", r.stdout)
			}
			expectCode(t, c.run("delete", "p@corp.io", "--yes"), 0)
			expectCalls(t, srv, "GET /api/users/p@corp.io", "POST /api/users", "GET /api/users/p@corp.io",
				"GET /api/environment/profile", "GET /api/users", "DELETE /api/users/p@corp.io")
		})
	}
	t.Run("login stores the normalised URL", func(t *testing.T) {
		srv := serveSandbox(t, sandbox.Options{}, serving{prefix: "/dqops"})
		c := newCLI(t, srv)
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--url", srv.URL, "--with-token"), 0)
		expectContains(t, "config", readConfig(t, c.configPath), "url: "+strings.TrimSuffix(srv.URL, "/")+"\n")
		expectCode(t, c.run("list"), 0)
	})
}

// A profile named on the command line or in DQOPS_PROFILE must exist (only
// login creates one): a typo never silently falls back to another server.
func TestNamedProfileMustExist(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		errHas string
	}{
		{"missing --profile", []string{"whoami", "--profile", "nope"}, nil, `no profile named "nope"`},
		{"missing DQOPS_PROFILE", []string{"list"}, map[string]string{"DQOPS_PROFILE": "nope"}, `no profile named "nope"`},
		{"invalid name", []string{"whoami", "--profile", "Bad"}, nil, `--profile: invalid profile name "Bad"`},
		{"invalid DQOPS_PROFILE", []string{"whoami"}, map[string]string{"DQOPS_PROFILE": "a.b"}, `DQOPS_PROFILE: invalid profile name "a.b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{})
			r := c.exec(invocation{args: tt.args, env: tt.env})
			expectCode(t, r, 2)
			expectContains(t, "stderr", r.stderr, tt.errHas)
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
	t.Run("login creates it", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		r := c.exec(invocation{args: []string{"login", "--profile", "work", "--with-token"}, stdin: srv.AdminKey() + "\n"})
		expectCode(t, r, 0)
		r = c.exec(invocation{args: []string{"whoami", "--profile", "work", "-o", "json", "--jq", ".user"}})
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "admin@example.com")
	})
}

// TestEnvironmentIsolated: the harness never reads the process's
// environment, so a DQOPS_* variable of the developer's shell cannot leak in.
func TestEnvironmentIsolated(t *testing.T) {
	t.Setenv("DQOPS_URL", "http://127.0.0.1:1")
	t.Setenv("DQOPS_API_KEY", "from-the-shell")
	_, c := setup(t, sandbox.Options{})
	expectCode(t, c.run("list"), 0)
}

// TestMessagesGoToStderr: commands that change things print nothing on
// stdout, on a terminal or not, so their stdout can be piped.
func TestMessagesGoToStderr(t *testing.T) {
	for _, tty := range []bool{false, true} {
		name := "piped"
		if tty {
			name = "terminal"
		}
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{})
			steps := []struct {
				args  []string
				stdin string
				msg   string
			}{
				{[]string{"create", "m@corp.io", "--role", "viewer", "--password-stdin"}, "pw1", "Created user m@corp.io"},
				{[]string{"update", "m@corp.io", "--role", "editor"}, "", "Updated user m@corp.io"},
				{[]string{"user-passwd", "m@corp.io", "--password-stdin"}, "pw2", "Changed the password of m@corp.io"},
				{[]string{"passwd", "--password-stdin"}, "pw3", "Your password was changed."},
				{[]string{"login", "--with-token"}, srv.AdminKey(), "Logged in to"},
				{[]string{"config", "use", "default"}, "", "Now using profile"},
				{[]string{"delete", "m@corp.io", "--yes"}, "", "Deleted user m@corp.io."},
				{[]string{"logout"}, "", "Removed the API key"},
			}
			for _, s := range steps {
				r := c.exec(invocation{args: s.args, stdin: s.stdin, stdinTTY: tty, stdoutTTY: tty, stderrTTY: tty})
				expectCode(t, r, 0)
				if r.stdout != "" {
					t.Errorf("%v printed on stdout: %q", s.args, r.stdout)
				}
				expectContains(t, "stderr", r.stderr, s.msg)
			}
		})
	}
}
