package cmd_test

import (
	"net/http"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// A server or proxy that answers GET /api/users/EMAIL with another user's
// model must not make a command act on that other user: get, update and
// user-passwd stop with exit 1 and write nothing.
func TestAnAnswerNamingAnotherUserChangesNothing(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		stdin string
	}{
		{name: "get", args: []string{"get", "ana@corp.io"}},
		{name: "update", args: []string{"update", "ana@corp.io", "--role", "viewer"}},
		{name: "user-passwd", args: []string{"user-passwd", "ana@corp.io", "--password-stdin"}, stdin: "n3w pass\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{Faults: "GET /api/users/ana@corp.io other-user"}, ana)
			r := c.runStdin(tt.stdin, tt.args...)
			expectExit(t, r, 1, "the server answered with another user")
			if n := srv.countCalls(http.MethodPut, "/"); n != 0 {
				t.Errorf("%d PUTs sent: %v", n, srv.calls())
			}
			if r.stdout != "" {
				t.Errorf("stdout %q", r.stdout)
			}
			if u, _ := srv.user("ana@corp.io"); u.AccountRole != "editor" {
				t.Errorf("ana is %s", u.AccountRole)
			}
			for _, u := range srv.Users() {
				if srv.PasswordMatches(u.Email, "n3w pass") {
					t.Errorf("the password of %s was set", u.Email)
				}
			}
		})
	}
}

// Writes use the server's spelling of the user that matched the typed email.
func TestWritesUseTheServersSpelling(t *testing.T) {
	srv, c := setup(t, sandbox.Options{}, sandbox.User{Email: "Ana@Corp.io", AccountRole: "editor"})
	expectExit(t, c.runStdin("n3w pass\n", "user-passwd", "ana@corp.io", "--password-stdin"), 0, "Changed the password of Ana@Corp.io.")
	expectExit(t, c.run("update", "ANA@corp.io", "--role", "viewer"), 0, "Updated user Ana@Corp.io: role editor -> viewer.")
	for _, call := range srv.calls() {
		if call == "PUT /api/users/ana@corp.io/password" || call == "PUT /api/users/ANA@corp.io" {
			t.Errorf("a write used the typed spelling: %v", srv.calls())
		}
	}
}
