package cmd_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// create --generate-password sets a random password right after the create
// and shows it once, on stdout only: never on stderr or in a --debug trace.
func TestCreateGeneratePassword(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{})
	r := c.run("create", "new@corp.io", "--role", "viewer", "--generate-password", "--debug")
	expectExit(t, r, 0, "Created user new@corp.io with role viewer and a password.")
	pw := strings.TrimSuffix(r.stdout, "\n")
	if len(pw) != 20 || strings.ContainsAny(pw, "0O1lIiJj5Ss2Zz8Bo") || strings.Contains(pw, "\n") {
		t.Errorf("password %q: want 20 characters without look-alikes", pw)
	}
	if strings.Contains(r.stderr, pw) {
		t.Errorf("the password reached stderr:\n%s", r.stderr)
	}
	if !srv.PasswordMatches("new@corp.io", pw) {
		t.Error("the password shown is not the one set")
	}
	if got := srv.writes(); strings.Join(got, ",") != "POST /api/users,PUT /api/users/new@corp.io/password" {
		t.Errorf("writes %v", got)
	}
	// -o json: the password in the object, once.
	r = c.run("create", "json@corp.io", "--role", "viewer", "--generate-password", "-o", "json")
	expectExit(t, r, 0)
	var action struct{ Action, Password string }
	if err := json.Unmarshal([]byte(r.stdout), &action); err != nil || action.Action != "created" || len(action.Password) != 20 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if !srv.PasswordMatches("json@corp.io", action.Password) || strings.Count(r.stdout, action.Password) != 1 || strings.Contains(r.stderr, action.Password) {
		t.Errorf("the password: %s", r)
	}
	// Two passwords are not the same.
	if action.Password == pw {
		t.Error("the same password twice")
	}
	r = c.run("create", "x@corp.io", "--role", "viewer", "--generate-password", "--password-stdin")
	expectExit(t, r, 2, "cannot be used together")
}

// A password that could not be set is reported with the user, which stays
// created, and exit 1.
func TestCreateGeneratePasswordFails(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{Faults: "PUT /api/users/*/password 500"})
	r := c.run("create", "new@corp.io", "--role", "viewer", "--generate-password")
	expectExit(t, r, 1, `user "new@corp.io" was created with role viewer, but setting its password failed`, "user-passwd new@corp.io")
	if r.stdout != "" {
		t.Errorf("a password that was not set was shown: %q", r.stdout)
	}
	if _, ok := srv.user("new@corp.io"); !ok {
		t.Error("the user is gone")
	}
}

// apply --generate-passwords FILE writes email,password for every user it
// creates, to a new file of mode 0600, each line before that password is
// set; an existing FILE is refused before anything is sent; a dry run
// generates nothing.
func TestApplyGeneratePasswords(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{})
	file := c.file("u.yaml", "- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: editor}\n"+
		"- {email: a@corp.io, accountRole: viewer}\n- {email: b@corp.io, accountRole: operator}\n")
	pwFile := filepath.Join(c.dir, "passwords.csv")
	r := c.run("apply", "-f", file, "--dry-run", "--generate-passwords", pwFile)
	expectExit(t, r, 0)
	if _, err := os.Stat(pwFile); err == nil {
		t.Error("a dry run created the passwords file")
	}
	r = c.run("apply", "-f", file, "--yes", "--generate-passwords", pwFile, "--debug")
	expectExit(t, r, 0, "Passwords of the users created are in "+pwFile)
	info, err := os.Stat(pwFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("passwords file: %v %v", info, err)
	}
	data, _ := os.ReadFile(pwFile)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("passwords file:\n%s", data)
	}
	for _, line := range lines {
		email, pw, _ := strings.Cut(line, ",")
		if !srv.PasswordMatches(email, pw) {
			t.Errorf("%s: the password in the file is not the one set", email)
		}
		if strings.Contains(r.stderr, pw) || strings.Contains(r.stdout, pw) {
			t.Errorf("%s's password reached the output", email)
		}
	}
	// An existing file: nothing is sent.
	srv.ResetRequests()
	r = c.run("apply", "-f", c.file("v.yaml", "- {email: c@corp.io, accountRole: viewer}\n"), "--yes", "--generate-passwords", pwFile)
	expectExit(t, r, 2, "the file exists")
	if len(srv.Requests()) != 0 {
		t.Errorf("requests: %v", srv.calls())
	}
}

// Each password's line is in the file, synced, before the request that
// sets that password reaches the server; the audit log and a saved plan's
// apply take no password, and apply --plan takes the flag at apply time.
func TestApplyGeneratePasswordsFileFirst(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{})
	pwFile := filepath.Join(c.dir, "passwords.csv")
	var mu sync.Mutex
	inFile := map[string]bool{}
	srv.onRequest(func(r *http.Request) {
		email, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/api/users/"), "/password")
		if r.Method != http.MethodPut || !ok {
			return
		}
		data, _ := os.ReadFile(pwFile)
		mu.Lock()
		inFile[email] = strings.Contains(string(data), email+",")
		mu.Unlock()
	})
	file := c.file("u.yaml", "- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n"+
		"- {email: a@corp.io, accountRole: viewer}\n- {email: b@corp.io, accountRole: operator}\n- {email: c@corp.io, accountRole: editor}\n")
	plan := filepath.Join(c.dir, "plan.json")
	r := c.run("diff", "-f", file, "--save-plan", plan)
	expectExit(t, r, 10)
	audit := filepath.Join(c.dir, "audit.log")
	r = c.run("apply", "--plan", plan, "--yes", "--parallel", "3", "--generate-passwords", pwFile, "--audit-log", audit)
	expectExit(t, r, 0, "Passwords of the users created are in "+pwFile)
	mu.Lock()
	if len(inFile) != 3 || !inFile["a@corp.io"] || !inFile["b@corp.io"] || !inFile["c@corp.io"] {
		t.Errorf("when each password was set, its line in the file: %v", inFile)
	}
	mu.Unlock()
	data, _ := os.ReadFile(pwFile)
	log, _ := os.ReadFile(audit)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		email, pw, _ := strings.Cut(line, ",")
		if !srv.PasswordMatches(email, pw) {
			t.Errorf("%s: the password in the file is not the one set", email)
		}
		expectNotContains(t, "audit log", string(log), pw)
		expectContains(t, "audit log", string(log), email)
	}
}

// With several profiles generated passwords are refused: one password on
// many instances.
func TestApplyGeneratePasswordsSeveralProfiles(t *testing.T) {
	t.Parallel()
	dev := startSandbox(t, sandbox.Options{})
	prod := startSandbox(t, sandbox.Options{})
	c := fleetOf(t, []string{"dev", "prod"}, dev, prod)
	file := c.file("u.yaml", "- {email: a@corp.io, accountRole: viewer}\n")
	r := c.run("apply", "-f", file, "--profile", "dev,prod", "--yes", "--generate-passwords", filepath.Join(c.dir, "pw.csv"))
	expectExit(t, r, 2, "one password on many instances")
	if len(dev.Requests())+len(prod.Requests()) != 0 {
		t.Errorf("requests sent")
	}
}
