package cmd_test

// Tests of exit codes, JSON errors, usage errors in emails, and
// interruption (Ctrl-C).

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// TestExitCodes gives every exit code of the table once.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code   int
		opts   sandbox.Options
		inv    invocation
		viewer bool
	}{
		{code: 0, inv: invocation{args: []string{"list"}}},
		{code: 1, opts: sandbox.Options{Faults: "GET /api/users 503"}, inv: invocation{args: []string{"list"}}},
		{code: 1, opts: sandbox.Options{Faults: "GET /api/users html"}, inv: invocation{args: []string{"list"}}},
		{code: 1, opts: sandbox.Options{Faults: "GET /api/users notjson"}, inv: invocation{args: []string{"list"}}},
		{code: 1, opts: sandbox.Options{Faults: "GET /api/users redirect"}, inv: invocation{args: []string{"list"}}},
		{code: 1, opts: sandbox.Options{Faults: "GET /api/users drop"}, inv: invocation{args: []string{"list"}}},
		{code: 2, inv: invocation{args: []string{"list", "--bogus"}}},
		{code: 3, inv: invocation{args: []string{"delete", "viewer@example.com"}, stdin: "n\n", stdinTTY: true}},
		{code: 4, inv: invocation{args: []string{"list"}, env: map[string]string{"DQOPS_API_KEY": "dqo-sandbox-bad"}}},
		{code: 5, inv: invocation{args: []string{"create", "x@corp.io", "--role", "none"}}, viewer: true},
		{code: 5, opts: sandbox.Options{Unlicensed: true}, inv: invocation{args: []string{"list"}}},
		{code: 6, inv: invocation{args: []string{"get", "x@corp.io"}}},
		{code: 7, inv: invocation{args: []string{"create", "viewer@example.com", "--role", "none"}}},
		{code: 8, opts: sandbox.Options{UsersLimit: 2}, inv: invocation{args: []string{"create", "x@corp.io", "--role", "none"}}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.inv.args, " ")+" "+tt.opts.Faults, func(t *testing.T) {
			srv, c := setup(t, tt.opts)
			if tt.viewer {
				tt.inv.env = map[string]string{"DQOPS_API_KEY": srv.ViewerKey()}
			}
			r := c.exec(tt.inv)
			expectCode(t, r, tt.code)
			if tt.code != 0 {
				expectContains(t, "stderr", r.stderr, "error: ")
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		c := newCLI(t, nil)
		c.env["DQOPS_URL"] = "http://" + closedPort(t)
		c.env["DQOPS_API_KEY"] = "dqo-sandbox-any"
		r := c.run("list")
		expectCode(t, r, 1)
		expectContains(t, "stderr", r.stderr, "connection refused", "hint: is DQOps running")
	})
	t.Run("130", func(t *testing.T) { testInterrupted(t) })
}

// testInterrupted cancels the context (Ctrl-C) while a request is slow.
func testInterrupted(t *testing.T) {
	srv, c := setup(t, sandbox.Options{Faults: "GET /api/users slow=30s"})
	arrived := srv.arrived(http.MethodGet, "/api/users")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	r := c.exec(invocation{args: []string{"list"}, ctx: ctx})
	expectCode(t, r, 130)
	expectContains(t, "stderr", r.stderr, "error: interrupted")
	if r.stdout != "" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestInterruptedBatchStops(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{Faults: "DELETE /api/users/ana@corp.io slow=30s"}, ana, bo)
	arrived := srv.arrived(http.MethodDelete, "/api/users/ana@corp.io")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	r := c.exec(invocation{args: []string{"delete", "ana@corp.io", "bo@corp.io", "--yes", "--parallel", "1"}, ctx: ctx})
	expectExit(t, r, 130, "Interrupted: 0 deleted, 0 failed; 1 not attempted:\n  delete Bo@corp.io\n",
		"1 change whose outcome is unknown, cut short by the interruption (check with `dqo-users list`):\n  delete ana@corp.io\n")
	if srv.countCalls(http.MethodDelete, "/api/users/Bo@corp.io") != 0 {
		t.Errorf("deleting went on after the interrupt: %v", srv.calls())
	}
	if _, ok := srv.user("Bo@corp.io"); !ok {
		t.Error("Bo was deleted after the interrupt")
	}
}

func TestInterruptedAtAPrompt(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{}, ana)
	// stdin that never answers: only the interrupt ends the prompt.
	pr, pw := io.Pipe()
	defer pw.Close()
	arrived := srv.arrived(http.MethodGet, "/api/users")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	r := c.exec(invocation{args: []string{"delete", "ana@corp.io"}, stdinReader: pr, stdinTTY: true, ctx: ctx})
	expectCode(t, r, 130)
	if srv.countCalls(http.MethodDelete, "/") != 0 {
		t.Errorf("deleted after the interrupt: %v", srv.calls())
	}
}

func TestJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   string
		exit   float64
		status any
		msg    string
	}{
		{name: "not found", args: []string{"get", "x@corp.io", "-o", "json"}, code: "not_found", exit: 6, status: 404.0, msg: `user "x@corp.io" not found`},
		{name: "rejected key", args: []string{"list", "-o", "json"}, env: map[string]string{"DQOPS_API_KEY": "dqo-sandbox-bad"},
			code: "auth", exit: 4, status: 401.0, msg: "rejected the API key"},
		{name: "usage", args: []string{"list", "-o", "json", "--role", "boss"}, code: "usage", exit: 2, status: nil, msg: "unknown role"},
		{name: "yaml too", args: []string{"whoami", "-o", "yaml"}, env: map[string]string{"DQOPS_API_KEY": "dqo-sandbox-bad"},
			code: "auth", exit: 4, status: 401.0, msg: "rejected the API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := setup(t, sandbox.Options{})
			r := c.exec(invocation{args: tt.args, env: tt.env})
			expectCode(t, r, int(tt.exit))
			var obj struct {
				Error map[string]any `json:"error"`
			}
			if err := json.Unmarshal([]byte(r.stderr), &obj); err != nil {
				t.Fatalf("stderr is not one JSON object: %v\n%s", err, r)
			}
			e := obj.Error
			if e["code"] != tt.code || e["exit"] != tt.exit || e["status"] != tt.status || !strings.Contains(e["message"].(string), tt.msg) {
				t.Errorf("error object %v", e)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q", r.stdout)
			}
		})
	}
	t.Run("table output gives plain sentences", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{})
		r := c.run("get", "x@corp.io")
		expectCode(t, r, 6)
		if !strings.HasPrefix(r.stderr, "error: ") || strings.Contains(r.stderr, "{") {
			t.Errorf("stderr %q", r.stderr)
		}
	})
}

// A user to create needs a plain address, without control or invisible
// characters and with a dot in its domain (unless --allow-local-domain): it
// is refused before anything is sent. Commands that act on existing users
// accept any email a user can have, so that such a user can still be read
// and deleted: only an empty one is refused before anything is sent.
func TestEmailsValidated(t *testing.T) {
	t.Parallel()
	bad := []string{
		"Ana <ana@corp.io>",
		"<ana@corp.io>",
		"ana/x@corp.io",
		"ana%40corp.io",
		"ana%x@corp.io",
		"ana?x@corp.io",
		"ana#x@corp.io",
		"not-an-email",
		"ana@corp.io, bo@corp.io",
		" ana@corp.io",
		"",
		"ana@corp\x1b[31m.io",
		"ana@corp.io\a",
		"ana\u202e@corp.io",
		"ana\u200b@corp.io",
		"ana@corp.io\u2028",
		"ana\u009b@corp.io",
		"ana@corpio",
	}
	for _, email := range bad {
		t.Run("create "+email, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{})
			r := c.run("create", email, "--role", "viewer")
			expectCode(t, r, 2)
			expectContains(t, "stderr", r.stderr, "error: ")
			expectNotContains(t, "stderr", r.stderr, "\x1b", "\a", "\u202e", "\u200b", "\u2028", "\u009b")
			expectCalls(t, srv)
		})
	}
	t.Run("create, a domain without a dot", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		expectExit(t, c.run("create", "ana@intranet", "--role", "viewer"), 2, "the domain has no dot", "--allow-local-domain")
		expectExit(t, c.run("create", "ana@intranet", "--role", "viewer", "--allow-local-domain"), 0, "Created user ana@intranet")
		expectExit(t, c.run("create", "bo@localhost", "--role", "viewer"), 0, "Created user bo@localhost")
		expectCalls(t, srv, "GET /api/users/ana@intranet", "GET /api/users", "POST /api/users", "GET /api/users/bo@localhost", "GET /api/users", "POST /api/users")
	})
	commands := []struct {
		args  []string
		stdin string
	}{
		{args: []string{"get"}},
		{args: []string{"update", "--role", "viewer"}},
		{args: []string{"delete", "--yes"}},
		{args: []string{"user-passwd", "--password-stdin"}, stdin: "pw"},
	}
	for _, command := range commands {
		t.Run(command.args[0]+" an empty email", func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{})
			r := c.runStdin(command.stdin, append([]string{command.args[0], ""}, command.args[1:]...)...)
			expectExit(t, r, 2, "empty email address")
			expectCalls(t, srv)
		})
		t.Run(command.args[0]+" a user with an odd email", func(t *testing.T) {
			odd := "Ana <ana\x1b[31m@corp.io>"
			srv, c := setup(t, sandbox.Options{}, sandbox.User{Email: odd, AccountRole: "editor"})
			r := c.runStdin(command.stdin, append([]string{command.args[0], odd}, command.args[1:]...)...)
			expectCode(t, r, 0)
			expectNotContains(t, "output", r.stdout+r.stderr, "\x1b")
			if len(srv.Requests()) == 0 {
				t.Error("nothing was sent")
			}
		})
	}
	t.Run("an email no user has is not found", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{})
		expectExit(t, c.run("get", "not-an-email"), 6, `user "not-an-email" not found`)
	})
}
