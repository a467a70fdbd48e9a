//go:build linux

package cmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// startProdPTY runs the binary on a pseudo-terminal against srv through the
// profile prod, with {URL} standing for srv's address.
func startProdPTY(t *testing.T, srv *testServer, args ...string) *ptySession {
	t.Helper()
	s := startPTY(t, nil, ptyOptions{env: prodConfig(t, srv)}, args...)
	s.url = srv.URL
	return s
}

// Every confirmation and password prompt names the profile and the URL of
// the instance it acts on, and so does the plan's header; whoami on a
// terminal shows them first.
func TestPTYPromptsNameTheInstance(t *testing.T) {
	t.Parallel()
	t.Run("delete one user", func(t *testing.T) {
		t.Parallel()
		srv := startSandbox(t, sandbox.Options{}, ana)
		s := startProdPTY(t, srv, "delete", "ana@corp.io")
		s.expect("Users to delete from prod ({URL}):")
		s.expect("Delete this user from prod ({URL})? [y/N]: ")
		s.send("y\r")
		s.expectExit(0)
		if _, ok := srv.user("ana@corp.io"); ok {
			t.Error("ana@corp.io was not deleted")
		}
	})
	t.Run("delete two users", func(t *testing.T) {
		t.Parallel()
		srv := startSandbox(t, sandbox.Options{}, ana, bo)
		s := startProdPTY(t, srv, "delete", "ana@corp.io", "bo@corp.io")
		s.expect("Delete these 2 users from prod ({URL})? [y/N]: ")
		s.send("n\r")
		s.expectExit(3)
	})
	t.Run("passwd", func(t *testing.T) {
		t.Parallel()
		srv := startSandbox(t, sandbox.Options{})
		s := startProdPTY(t, srv, "passwd")
		s.expect("New password for your account on prod ({URL}): ")
		s.typeSecret("Pa55-UNIQUE-4711")
		s.expect("Repeat the password: ")
		s.typeSecret("Pa55-UNIQUE-4711")
		s.expectExit(0)
		if !srv.PasswordMatches("admin@example.com", "Pa55-UNIQUE-4711") {
			t.Error("the password was not set")
		}
	})
	t.Run("user-passwd", func(t *testing.T) {
		t.Parallel()
		srv := startSandbox(t, sandbox.Options{}, ana)
		s := startProdPTY(t, srv, "user-passwd", "ana@corp.io")
		s.expect("New password for ana@corp.io on prod ({URL}): ")
		s.typeSecret("Pa55-UNIQUE-4711")
		s.expect("Repeat the password: ")
		s.typeSecret("Pa55-UNIQUE-4711")
		s.expectExit(0)
		if !srv.PasswordMatches("ana@corp.io", "Pa55-UNIQUE-4711") {
			t.Error("the password was not set")
		}
	})
	t.Run("apply", func(t *testing.T) {
		t.Parallel()
		srv := startSandbox(t, sandbox.Options{}, ana)
		file := filepath.Join(t.TempDir(), "users.yaml")
		if err := os.WriteFile(file, []byte("- {email: ana@corp.io, accountRole: viewer}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		s := startProdPTY(t, srv, "apply", "-f", file)
		s.expect("Plan for prod ({URL}):")
		s.expect("~ update ana@corp.io: role editor -> viewer")
		s.expect("Apply 1 change to prod ({URL})? [y/N]: ")
		s.send("y\r")
		s.expectExit(0)
		if u := findUser(t, srv.Server, "ana@corp.io"); u.AccountRole != "viewer" {
			t.Errorf("ana@corp.io is %s", u.AccountRole)
		}
	})
	t.Run("whoami", func(t *testing.T) {
		t.Parallel()
		srv := startSandbox(t, sandbox.Options{})
		s := startProdPTY(t, srv, "whoami", "--color", "never")
		s.expect("PROFILE              prod\r\n")
		s.expect("SERVER               {URL}\r\n")
		s.expect("USER                 admin@example.com\r\n")
		s.expectExit(0)
	})
}

// whoami -o json names the profile beside the server.
func TestWhoamiJSONNamesTheProfile(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	c := newCLI(t, nil)
	c.env = prodConfig(t, srv)
	r := c.run("whoami", "-o", "json")
	expectCode(t, r, 0)
	var got struct {
		Profile string `json:"profile"`
		Server  string `json:"server"`
		User    string `json:"user"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Profile != "prod" || got.Server != srv.URL || got.User != "admin@example.com" {
		t.Errorf("whoami -o json: %+v", got)
	}
}
