package cmd_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// A server or proxy that answers GET /api/users/EMAIL with another user's
// model must not make a command act on that other user: get, update and
// user-passwd stop with exit 1 and write nothing.
func TestAnAnswerNamingAnotherUserChangesNothing(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	srv, c := setup(t, sandbox.Options{}, sandbox.User{Email: "Ana@Corp.io", AccountRole: "editor"})
	expectExit(t, c.runStdin("n3w pass\n", "user-passwd", "ana@corp.io", "--password-stdin"), 0, "Changed the password of Ana@Corp.io.")
	expectExit(t, c.run("update", "ANA@corp.io", "--role", "viewer"), 0, "Updated user Ana@Corp.io: role editor -> viewer.")
	for _, call := range srv.calls() {
		if call == "PUT /api/users/ana@corp.io/password" || call == "PUT /api/users/ANA@corp.io" {
			t.Errorf("a write used the typed spelling: %v", srv.calls())
		}
	}
}

// On a server that holds Ana@ and ana@ as two users, delete and apply act on
// exactly the user named: the exact spelling wins, a spelling that matches
// several users only ignoring case is refused (exit 2, nothing sent for it),
// and one that matches a single user ignoring case finds it. export writes
// both, and warns.
func TestCaseTwinsAreNeverConfused(t *testing.T) {
	t.Parallel()
	twins := []sandbox.User{{Email: "Ana@example.com", AccountRole: "editor"}, {Email: "ana@example.com", AccountRole: "viewer"},
		{Email: "Bo@example.com", AccountRole: "viewer"}}
	opts := sandbox.Options{CaseSensitiveEmails: true}
	t.Run("delete the exact spelling", func(t *testing.T) {
		srv, c := setup(t, opts, twins...)
		expectExit(t, c.run("delete", "Ana@example.com", "--yes"), 0, "Deleted user Ana@example.com.")
		expectCalls(t, srv, "GET /api/environment/profile", "GET /api/users", "DELETE /api/users/Ana@example.com")
		if _, ok := exactUser(srv, "ana@example.com"); !ok {
			t.Error("ana@example.com was deleted")
		}
		if _, ok := exactUser(srv, "Ana@example.com"); ok {
			t.Error("Ana@example.com was not deleted")
		}
	})
	t.Run("delete an ambiguous spelling", func(t *testing.T) {
		srv, c := setup(t, opts, twins...)
		r := c.run("delete", "ANA@example.com", "bo@example.com", "--yes")
		expectExit(t, r, 2, `"ANA@example.com" is ambiguous: Ana@example.com, ana@example.com`, "Deleted user Bo@example.com.")
		expectCalls(t, srv, "GET /api/environment/profile", "GET /api/users", "DELETE /api/users/Bo@example.com")
	})
	t.Run("delete both spellings", func(t *testing.T) {
		srv, c := setup(t, opts, twins...)
		r := c.run("delete", "Ana@example.com", "ana@example.com", "--yes", "--parallel", "1")
		expectExit(t, r, 0, "Deleted user Ana@example.com.", "Deleted user ana@example.com.")
		expectCalls(t, srv, "GET /api/environment/profile", "GET /api/users",
			"DELETE /api/users/Ana@example.com", "DELETE /api/users/ana@example.com")
	})
	t.Run("delete one user named twice", func(t *testing.T) {
		srv, c := setup(t, opts, twins...)
		r := c.run("delete", "bo@example.com", "Bo@example.com", "BO@EXAMPLE.COM", "--yes")
		expectExit(t, r, 0, "Deleted user Bo@example.com.")
		if n := strings.Count(r.stdout+r.stderr, "Deleted user"); n != 1 {
			t.Errorf("%d deletions reported:\n%s%s", n, r.stdout, r.stderr)
		}
		expectCalls(t, srv, "GET /api/environment/profile", "GET /api/users", "DELETE /api/users/Bo@example.com")
	})
	t.Run("apply an ambiguous spelling", func(t *testing.T) {
		srv, c := setup(t, opts, twins...)
		file := c.file("users.yaml", "users:\n- {email: admin@example.com, accountRole: admin}\n- {email: ANA@example.com, accountRole: admin}\n")
		r := c.run("apply", "-f", file, "--prune", "--yes")
		expectExit(t, r, 2, `users.yaml:3: "ANA@example.com" is ambiguous: Ana@example.com, ana@example.com`, "nothing was changed")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("writes sent: %v", w)
		}
	})
	t.Run("apply the exact spelling", func(t *testing.T) {
		srv, c := setup(t, opts, twins...)
		file := c.file("users.yaml", "users:\n- {email: ana@example.com, accountRole: operator}\n")
		expectExit(t, c.run("apply", "-f", file, "--yes"), 0)
		expectCalls(t, srv, "GET /api/environment/profile", "GET /api/users", "PUT /api/users/ana@example.com")
		if u, _ := exactUser(srv, "Ana@example.com"); u.AccountRole != "editor" {
			t.Errorf("Ana@ is %s", u.AccountRole)
		}
		if u, _ := exactUser(srv, "ana@example.com"); u.AccountRole != "operator" {
			t.Errorf("ana@ is %s", u.AccountRole)
		}
	})
	t.Run("export writes both and warns", func(t *testing.T) {
		srv, c := setup(t, opts, twins...)
		r := c.run("export", "-o", "csv")
		expectExit(t, r, 0, "warning: the server holds users whose emails differ only in letter case, and the file holds them all: "+
			"ana@example.com (2 users); apply refuses the file until one spelling of each is removed or changed")
		expectContains(t, "stdout", r.stdout, "\nAna@example.com,editor,\n", "\nana@example.com,viewer,\n", "\nBo@example.com,viewer,\n")
		expectCalls(t, srv, "GET /api/users")
		// As the warning says, apply refuses that file, and sends nothing.
		srv.ResetRequests()
		expectExit(t, c.runStdin(r.stdout, "apply", "-f", "-", "--yes"), 2, `duplicate email "ana@example.com"`, "nothing was changed")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("writes sent: %v", w)
		}
	})
	t.Run("one match ignoring case", func(t *testing.T) {
		srv, c := setup(t, opts, twins...)
		expectExit(t, c.run("delete", "bo@EXAMPLE.com", "--yes"), 0, "Deleted user Bo@example.com.")
		expectCalls(t, srv, "GET /api/environment/profile", "GET /api/users", "DELETE /api/users/Bo@example.com")
	})
}

// exactUser returns the sandbox's user with exactly that email.
func exactUser(srv *testServer, email string) (sandbox.User, bool) {
	for _, u := range srv.Users() {
		if u.Email == email {
			return u, true
		}
	}
	return sandbox.User{}, false
}
