package cmd_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// A URL that does not serve the DQOps API (DQOps at the root, the URL with
// a path prefix) answers 404 to everything. No command reports that as a
// missing user or an unpaired instance: each says the URL does not look
// like the DQOps API, names it, and exits 1, after one probe that is made
// only once a 404 came.
func TestAURLThatIsNotTheAPI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		stdin string
	}{
		{name: "get", args: []string{"get", "ana@corp.io"}},
		{name: "get several", args: []string{"get", "ana@corp.io", "bo@corp.io"}},
		{name: "update", args: []string{"update", "ana@corp.io", "--role", "viewer"}},
		{name: "user-passwd", args: []string{"user-passwd", "ana@corp.io", "--password-stdin"}, stdin: "pw\n"},
		{name: "whoami", args: []string{"whoami"}},
		{name: "delete", args: []string{"delete", "ana@corp.io", "--yes"}},
		{name: "create", args: []string{"create", "ana@corp.io", "--role", "viewer"}},
		{name: "export", args: []string{"export"}},
		{name: "list", args: []string{"list"}},
		{name: "domains", args: []string{"domains"}},
		{name: "passwd", args: []string{"passwd", "--password-stdin"}, stdin: "pw\n"},
		{name: "delete several", args: []string{"delete", "ana@corp.io", "bo@corp.io", "--yes"}},
		{name: "apply", args: []string{"apply", "-f", "FILE"}},
		{name: "diff", args: []string{"diff", "-f", "FILE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{}, ana)
			wrong := srv.URL + "/dqops"
			c.env["DQOPS_URL"] = wrong
			args := slices.Clone(tt.args)
			for i, a := range args {
				if a == "FILE" {
					args[i] = c.file("users.yaml", "users:\n  - email: ana@corp.io\n    accountRole: editor\n")
				}
			}
			r := c.runStdin(tt.stdin, args...)
			expectExit(t, r, 1, wrong+" does not look like the DQOps API", "path prefix")
			// Several emails stop at the first: every request would meet it.
			if n := strings.Count(r.stderr, "does not look like"); n != 1 {
				t.Errorf("said %d times, want once:\n%s", n, r.stderr)
			}
			expectNotContains(t, "stderr", r.stderr, "not found", "not paired")
			// One GET of the list: the probe, or list's own request.
			probes := 0
			for _, call := range srv.calls() {
				if call == "GET /dqops/api/users" {
					probes++
				}
			}
			if probes != 1 {
				t.Errorf("%d probes, want one: %v", probes, srv.calls())
			}
			// A create's existence check gets 404 as a missing user would,
			// so its POST goes out (and gets 404) before the probe; passwd's
			// PUT is its only request.
			if w := srv.writes(); len(w) != 0 && tt.name != "create" && tt.name != "passwd" {
				t.Errorf("writes sent: %v", w)
			}
		})
	}
	t.Run("login", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = ""
		r := c.runStdin(srv.AdminKey()+"\n", "login", "--url", srv.URL+"/dqops", "--with-token", "--insecure-storage")
		expectExit(t, r, 1, "does not look like the DQOps API", "nothing was stored")
	})
	// A web app that answers its own pages, and 404 elsewhere: the message
	// says what it answered, not a 404 it did not send.
	for _, app := range []struct{ name, ct, body, said string }{
		{"a web app's page", "text/html; charset=utf-8", "<!doctype html><title>App</title>", "it answers 200 OK with text/html where DQOps lists its users"},
		{"a JSON status", "application/json", `{"ok":true}`, "it answers 200 OK with JSON that is not a list of users where DQOps lists its users"},
	} {
		t.Run(app.name, func(t *testing.T) {
			_, c := setup(t, sandbox.Options{})
			web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/users" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", app.ct)
				io.WriteString(w, app.body)
			}))
			t.Cleanup(web.Close)
			c.env["DQOPS_URL"] = web.URL
			expectExit(t, c.run("get", "ana@corp.io"), 1, web.URL+" does not look like the DQOps API: "+app.said)
		})
	}
	t.Run("the API answers: no probe", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		expectExit(t, c.run("get", "nobody@corp.io"), 6, `user "nobody@corp.io" not found`)
		expectCalls(t, srv, "GET /api/users/nobody@corp.io", "GET /api/users")
		srv.ResetRequests()
		expectExit(t, c.run("get", "admin@example.com"), 0)
		expectCalls(t, srv, "GET /api/users/admin@example.com")
	})
}

// A 403 says which of its causes it is when the caller's profile shows it:
// the role, an instance without user management, or, unable to tell, to ask
// whoami.
func TestForbiddenSaysWhy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts sandbox.Options
		key  string
		args []string
		hint string
	}{
		{name: "a viewer's write", key: "viewer", args: []string{"delete", "ana@corp.io", "--yes"}, hint: "your account's role is viewer, and this needs admin or higher"},
		{name: "an instance without a licence", opts: sandbox.Options{Unlicensed: true}, args: []string{"list"}, hint: "licence (FREE) has no user management"},
		{name: "1.0 not paired", opts: sandbox.Options{API: sandbox.API10, Unlicensed: true}, args: []string{"list"}, hint: "not paired with DQOps Cloud"},
		{name: "role none", key: "none", args: []string{"list"}, hint: "your account's role is none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, tt.opts, ana, sandbox.User{Email: "nobody@corp.io", AccountRole: "none"})
			switch tt.key {
			case "viewer":
				c.env["DQOPS_API_KEY"] = srv.ViewerKey()
			case "none":
				key, _ := srv.KeyFor("nobody@corp.io")
				c.env["DQOPS_API_KEY"] = key
			}
			expectExit(t, c.run(tt.args...), 5, "permission denied", tt.hint)
		})
	}
}
