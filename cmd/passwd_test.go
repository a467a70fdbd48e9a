package cmd_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestPasswd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		stdin    string
		tty      bool
		key      string // "viewer" for the viewer's key
		faults   string
		code     int
		errHas   []string
		calls    []string
		email    string // whose password to check
		password string
	}{
		{name: "own, piped", args: []string{"passwd", "--password-stdin"}, stdin: "n3w pass\n",
			errHas: []string{"Your password was changed."}, calls: []string{"PUT /api/mypassword"},
			email: sandbox.AdminEmail, password: "n3w pass"},
		{name: "own, terminal stderr says the same", args: []string{"passwd", "--password-stdin"}, stdin: "n3w pass", tty: true,
			errHas: []string{"Your password was changed."}, calls: []string{"PUT /api/mypassword"},
			email: sandbox.AdminEmail, password: "n3w pass"},
		{name: "own, as a viewer", args: []string{"passwd", "--password-stdin"}, stdin: "v13wer\n", key: "viewer",
			calls: []string{"PUT /api/mypassword"}, email: sandbox.ViewerEmail, password: "v13wer"},
		{name: "own, no terminal and no --password-stdin: 2, nothing sent", args: []string{"passwd"}, code: 2,
			errHas: []string{"pass --password-stdin"}, calls: []string{}},
		{name: "own, --no-input on a terminal: 2", args: []string{"passwd", "--no-input"}, tty: true, code: 2, calls: []string{}},
		{name: "own, empty: 2", args: []string{"passwd", "--password-stdin"}, stdin: "\n", code: 2, errHas: []string{"empty"}, calls: []string{}},
		{name: "own, server fails: 1", args: []string{"passwd", "--password-stdin"}, stdin: "pw", faults: "PUT /api/mypassword 500", code: 1,
			errHas: []string{"changing your password: server answered 500"}},
		{name: "another user's", args: []string{"user-passwd", "ana@corp.io", "--password-stdin"}, stdin: "an4 pass\n",
			errHas: []string{"Changed the password of ana@corp.io."},
			calls:  []string{"GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io/password"}, email: "ana@corp.io", password: "an4 pass"},
		{name: "another user's, terminal", args: []string{"user-passwd", "ana@corp.io", "--password-stdin"}, stdin: "an4 pass\n", tty: true,
			errHas: []string{"Changed the password of ana@corp.io."}, email: "ana@corp.io", password: "an4 pass"},
		{name: "another user's, missing: 6, no PUT", args: []string{"user-passwd", "nobody@corp.io", "--password-stdin"}, stdin: "pw", code: 6,
			errHas: []string{`user "nobody@corp.io" not found`}, calls: []string{"GET /api/users/nobody@corp.io", "GET /api/users"}},
		{name: "another user's, as a viewer: 5", args: []string{"user-passwd", "ana@corp.io", "--password-stdin"}, stdin: "pw", key: "viewer", code: 5,
			calls: []string{"GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io/password", "GET /api/environment/profile"}},
		{name: "another user's, no terminal and no --password-stdin: 2", args: []string{"user-passwd", "ana@corp.io"}, code: 2, calls: []string{}},
		{name: "another user's, bad email: 2", args: []string{"user-passwd", "..", "--password-stdin"}, stdin: "pw", code: 2, calls: []string{}},
		{name: "another user's, no email: 2", args: []string{"user-passwd", "--password-stdin"}, stdin: "pw", code: 2, calls: []string{}},
		{name: "passwd takes no email", args: []string{"passwd", "ana@corp.io", "--password-stdin"}, stdin: "pw", code: 2, calls: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{Faults: tt.faults}, ana)
			inv := invocation{args: tt.args, stdin: tt.stdin, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty}
			if tt.key == "viewer" {
				inv.env = map[string]string{"DQOPS_API_KEY": srv.ViewerKey()}
			}
			r := c.exec(inv)
			expectCode(t, r, tt.code)
			if r.stdout != "" {
				t.Errorf("printed on stdout:\n%s", r)
			}
			if tt.stdin != "" {
				expectNotContains(t, "stderr", r.stderr, strings.TrimSpace(tt.stdin))
			}
			expectContains(t, "stderr", r.stderr, tt.errHas...)
			if tt.calls != nil {
				expectCalls(t, srv, tt.calls...)
			}
			for _, req := range srv.Requests() {
				if req.Method == http.MethodPut && req.ContentType != "text/plain" {
					t.Errorf("%s %s sent as %q, want text/plain", req.Method, req.Path, req.ContentType)
				}
			}
			if tt.email != "" && !srv.PasswordMatches(tt.email, tt.password) {
				t.Errorf("the password of %s is not %q", tt.email, tt.password)
			}
		})
	}
}
