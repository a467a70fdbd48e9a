package cmd_test

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestDelete(t *testing.T) {
	t.Parallel()
	readsFirst := []string{"GET /api/environment/profile", "GET /api/users"}
	del := func(emails ...string) []string {
		calls := slices.Clone(readsFirst)
		for _, e := range emails {
			calls = append(calls, "DELETE /api/users/"+e)
		}
		return calls
	}
	tests := []struct {
		name    string
		opts    sandbox.Options
		args    []string
		stdin   string
		tty     bool
		env     map[string]string
		code    int
		errHas  []string
		errNot  []string
		calls   []string
		gone    []string
		present []string
	}{
		{name: "terminal, answered y", args: []string{"delete", "ana@corp.io", "bo@corp.io", "--parallel", "1"}, stdin: "y\n", tty: true,
			errHas: []string{"Users to delete from {URL}:\n  ana@corp.io\n  Bo@corp.io\nDelete these 2 users from {URL}? [y/N]: ", "Deleted user ana@corp.io.", "Deleted user Bo@corp.io."},
			calls:  del("ana@corp.io", "Bo@corp.io"), gone: []string{"ana@corp.io", "Bo@corp.io"}},
		{name: "terminal, answered YES", args: []string{"delete", "ana@corp.io"}, stdin: "YES\n", tty: true,
			calls: del("ana@corp.io"), gone: []string{"ana@corp.io"}},
		{name: "terminal, answered n: 3", args: []string{"delete", "ana@corp.io"}, stdin: "n\n", tty: true, code: 3,
			errHas: []string{"[y/N]: ", "cancelled"}, calls: readsFirst, present: []string{"ana@corp.io"}},
		{name: "terminal, answered nothing: 3", args: []string{"delete", "ana@corp.io"}, stdin: "\n", tty: true, code: 3,
			calls: readsFirst, present: []string{"ana@corp.io"}},
		{name: "terminal, --yes asks nothing", args: []string{"delete", "ana@corp.io", "--yes"}, tty: true,
			errNot: []string{"[y/N]"}, calls: del("ana@corp.io"), gone: []string{"ana@corp.io"}},
		{name: "piped with --yes", args: []string{"delete", "ana@corp.io", "--yes"},
			errHas: []string{"Deleted user ana@corp.io."}, calls: del("ana@corp.io"), gone: []string{"ana@corp.io"}},
		{name: "piped with -y, alias rm", args: []string{"rm", "-y", "ana@corp.io"}, calls: del("ana@corp.io"), gone: []string{"ana@corp.io"}},
		{name: "no terminal and no --yes: 2, nothing sent", args: []string{"delete", "ana@corp.io"}, stdin: "y\n", code: 2,
			errHas: []string{"pass --yes"}, calls: []string{}, present: []string{"ana@corp.io"}},
		{name: "--no-input on a terminal: 2", args: []string{"delete", "ana@corp.io", "--no-input"}, stdin: "y\n", tty: true, code: 2,
			errHas: []string{"input is disabled by --no-input"}, errNot: []string{"[y/N]"}, calls: []string{}, present: []string{"ana@corp.io"}},
		{name: "DQOPS_NO_INPUT=1 on a terminal: 2", args: []string{"delete", "ana@corp.io"}, stdin: "y\n", tty: true,
			env: map[string]string{"DQOPS_NO_INPUT": "1"}, code: 2, calls: []string{}, present: []string{"ana@corp.io"}},
		{name: "CI=true on a terminal: 2", args: []string{"delete", "ana@corp.io"}, stdin: "y\n", tty: true,
			env: map[string]string{"CI": "true"}, code: 2, errHas: []string{"input is disabled by CI: pass --yes"}, errNot: []string{"no terminal"}, calls: []string{}, present: []string{"ana@corp.io"}},
		{name: "not found: 6", args: []string{"delete", "nobody@corp.io", "--yes"}, code: 6,
			errHas: []string{`user "nobody@corp.io" not found`}, calls: readsFirst},
		{name: "several: each failure reported, the first's code, the rest deleted",
			args: []string{"delete", "admin@example.com", "nobody@corp.io", "ana@corp.io", "--yes"}, code: 11,
			errHas: []string{"refusing to delete your own account admin@example.com", `user "nobody@corp.io" not found`, "Deleted user ana@corp.io."},
			calls:  del("ana@corp.io"), gone: []string{"ana@corp.io"}, present: []string{"admin@example.com"}},
		{name: "several: not found first", args: []string{"delete", "nobody@corp.io", "admin@example.com", "--yes"}, code: 6,
			errHas: []string{"refusing to delete your own account"}, calls: readsFirst},
		{name: "several: a server failure does not stop the others", opts: sandbox.Options{Faults: "DELETE /api/users/ana@corp.io 500"},
			args: []string{"delete", "ana@corp.io", "bo@corp.io", "--yes", "--parallel", "1"}, code: 1,
			errHas: []string{`deleting user "ana@corp.io": server answered 500`, "Deleted user Bo@corp.io."},
			calls:  del("ana@corp.io", "Bo@corp.io"), gone: []string{"Bo@corp.io"}, present: []string{"ana@corp.io"}},
		{name: "the confirmation lists only what can be deleted", args: []string{"delete", "nobody@corp.io", "ana@corp.io"}, stdin: "y\n", tty: true, code: 6,
			errHas: []string{"Users to delete from {URL}:\n  ana@corp.io\nDelete this user from {URL}? [y/N]: "}, calls: del("ana@corp.io"), gone: []string{"ana@corp.io"}},
		{name: "repeated emails, any case, deleted once", args: []string{"delete", "ana@corp.io", "ANA@corp.io", "--yes"},
			calls: del("ana@corp.io"), gone: []string{"ana@corp.io"}},
		{name: "self with --force", args: []string{"delete", "admin@example.com", "--yes", "--force"},
			calls: del("admin@example.com"), gone: []string{"admin@example.com"}},
		{name: "another admin", args: []string{"delete", "dee@corp.io", "--yes"}, calls: del("dee@corp.io"), gone: []string{"dee@corp.io"}},
		{name: "viewer may not delete: 5", args: []string{"delete", "ana@corp.io", "--yes"}, env: map[string]string{"DQOPS_API_KEY": "viewer"}, code: 5,
			errHas: []string{"permission denied", "your account's role is viewer, and this needs admin or higher"},
			calls:  append(del("ana@corp.io"), "GET /api/environment/profile"), present: []string{"ana@corp.io"}},
		{name: "1.0 without a licence: not paired, 5", opts: sandbox.Options{API: "1.0", Unlicensed: true}, args: []string{"delete", "ana@corp.io", "--yes"}, code: 5,
			errHas: []string{"not paired with DQOps Cloud"}, calls: []string{"GET /api/environment/profile", "GET /api/users"}, present: []string{"ana@corp.io"}},
		{name: "no email", args: []string{"delete", "--yes"}, code: 2, calls: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, tt.opts, ana, bo, dee)
			env := maps.Clone(tt.env)
			if env["DQOPS_API_KEY"] == "viewer" {
				env["DQOPS_API_KEY"] = srv.ViewerKey()
			}
			r := c.exec(invocation{args: tt.args, stdin: tt.stdin, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty, env: env})
			expectCode(t, r, tt.code)
			if r.stdout != "" {
				t.Errorf("delete printed on stdout:\n%s", r)
			}
			errHas := make([]string, len(tt.errHas))
			for i, s := range tt.errHas {
				errHas[i] = strings.ReplaceAll(s, "{URL}", srv.URL)
			}
			expectContains(t, "stderr", r.stderr, errHas...)
			expectNotContains(t, "stderr", r.stderr, tt.errNot...)
			expectCalls(t, srv, tt.calls...)
			for _, e := range tt.gone {
				if _, ok := srv.user(e); ok {
					t.Errorf("%s was not deleted", e)
				}
			}
			for _, e := range tt.present {
				if _, ok := srv.user(e); !ok {
					t.Errorf("%s was deleted", e)
				}
			}
		})
	}
}

// ghostAdmin makes a single-user sandbox whose caller (no key) is an admin
// that is no longer in the user list, so that boss@corp.io is the last
// admin without being the caller.
func ghostAdmin(t *testing.T) (*testServer, *cli) {
	srv, c := setup(t, sandbox.Options{NoAuth: true}, sandbox.User{Email: "boss@corp.io", AccountRole: "admin"})
	srv.deleteDirectly(t, sandbox.AdminEmail, srv.AdminKey())
	c.env["DQOPS_API_KEY"] = ""
	srv.ResetRequests()
	return srv, c
}

func TestLastAdminGuards(t *testing.T) {
	t.Parallel()
	t.Run("update", func(t *testing.T) {
		srv, c := ghostAdmin(t)
		r := c.run("update", "boss@corp.io", "--role", "editor")
		expectCode(t, r, 11)
		expectContains(t, "stderr", r.stderr, "refusing to demote boss@corp.io: it is the last admin", "--force")
		if srv.countCalls(http.MethodPut, "/api/users") != 0 {
			t.Errorf("a PUT was sent: %v", srv.calls())
		}
		r = c.run("update", "boss@corp.io", "--role", "editor", "--force")
		expectCode(t, r, 0)
		if u, _ := srv.user("boss@corp.io"); u.AccountRole != "editor" {
			t.Errorf("boss is %s", u.AccountRole)
		}
	})
	t.Run("delete", func(t *testing.T) {
		srv, c := ghostAdmin(t)
		r := c.run("delete", "boss@corp.io", "--yes")
		expectCode(t, r, 11)
		expectContains(t, "stderr", r.stderr, "refusing to delete boss@corp.io: it is the last admin")
		if srv.countCalls(http.MethodDelete, "/") != 0 {
			t.Errorf("a DELETE was sent: %v", srv.calls())
		}
		r = c.run("delete", "boss@corp.io", "--yes", "--force")
		expectCode(t, r, 0)
		if _, ok := srv.user("boss@corp.io"); ok {
			t.Error("boss was not deleted")
		}
	})
	t.Run("delete two admins of two", func(t *testing.T) {
		srv, c := ghostAdmin(t)
		srv.addUsers(t, sandbox.User{Email: "chief@corp.io", AccountRole: "admin"})
		srv.ResetRequests()
		r := c.run("delete", "boss@corp.io", "chief@corp.io", "--yes")
		expectCode(t, r, 11)
		expectContains(t, "stderr", r.stderr, "Deleted user boss@corp.io.", "refusing to delete chief@corp.io: it is the last admin")
		if n := srv.countCalls(http.MethodDelete, "/"); n != 1 {
			t.Errorf("%d DELETEs sent, want 1: %v", n, srv.calls())
		}
		if _, ok := srv.user("chief@corp.io"); !ok {
			t.Error("the last admin was deleted")
		}
	})
}
