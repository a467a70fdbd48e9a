package cmd_test

// Tests of apply, in-process against the sandbox over real HTTP; the files
// and the sandbox they start from serve diff's and export's tests too.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

const teamYAML = `users:
- email: ana@example.com
  accountRole: editor
- email: bo@example.com
  accountRole: Viewer
  dataDomainRoles: {sales: editor, hr: viewer}
- email: viewer@example.com
  accountRole: operator
`

const teamState = `admin@example.com admin
ana@example.com editor
bo@example.com viewer map[hr:viewer sales:editor]
viewer@example.com operator
`

// userState renders the sandbox's users, one "email role domains" line each.
func userState(srv *testServer) string {
	var b strings.Builder
	for _, u := range srv.Users() {
		fmt.Fprintf(&b, "%s %s", u.Email, u.AccountRole)
		if len(u.DataDomainRoles) > 0 {
			fmt.Fprintf(&b, " %v", u.DataDomainRoles)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestApplyFileFormats(t *testing.T) {
	t.Parallel()
	json := `{"users": [
  {"email": "ana@example.com", "accountRole": "editor"},
  {"email": "bo@example.com", "accountRole": "viewer", "dataDomainRoles": {"sales": "editor", "hr": "viewer"}},
  {"email": "viewer@example.com", "accountRole": "operator"}
]}`
	jsonList := `[{"email": "ana@example.com", "accountRole": "editor"},
  {"email": "bo@example.com", "accountRole": "viewer", "dataDomainRoles": {"sales": "editor", "hr": "viewer"}},
  {"email": "viewer@example.com", "accountRole": "operator", "dataDomainRoles": {}}]`
	csv := "email,accountRole,dataDomainRoles\nana@example.com,editor,\nbo@example.com,viewer,sales=editor;hr=viewer\nviewer@example.com,operator,\n"
	tests := []struct {
		name    string
		file    string // file name; "" reads stdin
		content string
		args    []string
	}{
		{"yaml", "users.yaml", teamYAML, nil},
		{"yml", "users.yml", teamYAML, nil},
		{"json", "users.json", json, nil},
		{"json list", "users.json", jsonList, nil},
		{"csv", "users.csv", csv, nil},
		{"yaml on stdin", "", teamYAML, nil},
		{"json on stdin", "", json, nil},
		{"csv on stdin", "", csv, nil},
		{"--format csv on a .txt", "users.txt", csv, []string{"--format", "csv"}},
		{"--format json on stdin", "", jsonList, []string{"--format", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setupNoColor(t, withDataDomains())
			inv := invocation{}
			args := append([]string{"apply", "--yes", "-f"}, tt.args...)
			if tt.file == "" {
				args = append(args[:3], append([]string{"-"}, tt.args...)...)
				inv.stdin = tt.content
			} else {
				args = append(args[:3], append([]string{c.file(tt.file, tt.content)}, tt.args...)...)
			}
			inv.args = args
			r := c.exec(inv)
			expectExit(t, r, 0, "Applied: 2 created, 1 updated, 0 deleted, 0 unchanged, 0 refused, 0 failed.")
			if got := userState(srv); got != teamState {
				t.Errorf("server after apply:\n%s\nwant:\n%s", got, teamState)
			}
			if !strings.Contains(r.stdout, "+ create ana@example.com (editor)") {
				t.Errorf("the plan is not on stdout\n%s", r)
			}
		})
	}
}

func TestApplyValidationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, content string
		want                []string
	}{
		{"unknown key", "u.yaml", "- email: ana@example.com\n  role: editor\n",
			[]string{`u.yaml:2: unknown key "role" (did you mean "accountRole"?)`}},
		{"invalid email", "u.yaml", "- email: ana@example.com\n  accountRole: editor\n- email: ana\n  accountRole: editor\n",
			[]string{`u.yaml:3: invalid email "ana"`}},
		{"unknown role", "u.json", "[\n{\"email\": \"ana@example.com\",\n \"accountRole\": \"owner\"}\n]",
			[]string{`u.json:3: ana@example.com: accountRole: unknown role "owner"`}},
		{"unknown domain role", "u.csv", "email,accountRole,dataDomainRoles\nana@example.com,editor,sales=owner\n",
			[]string{`u.csv:2: ana@example.com: dataDomainRoles: data domain "sales": unknown role "owner"`}},
		{"duplicate email", "u.csv", "email,accountRole\nana@example.com,editor\nAna@Example.com,viewer\n",
			[]string{`u.csv:3: duplicate email "Ana@Example.com": the same user (ignoring case) is already at line 2`}},
		{"missing accountRole", "u.json", "{\"users\": [\n  {\"email\": \"ana@example.com\"}\n]}",
			[]string{`u.json:2: ana@example.com: missing accountRole`}},
		{"syntax", "u.yaml", "users:\n- email: ana@example.com\n  accountRole: {editor\n",
			[]string{`u.yaml:3: not valid YAML`}},
		{"all together", "team.yaml", "users:\n- email: ana@example.com\n  accountRole: editor\n- email: nobody\n  accountRole: editor\n- email: bo@example.com\n  accountRole: king\n- email: cy@example.com\n  acountRole: viewer\n- email: ANA@example.com\n  accountRole: viewer\n",
			[]string{"team.yaml has 5 problems:", `team.yaml:4: invalid email "nobody"`, `team.yaml:7: bo@example.com: accountRole: unknown role "king"`,
				`team.yaml:8: cy@example.com: missing accountRole`, `team.yaml:9: unknown key "acountRole"`,
				`team.yaml:10: duplicate email "ANA@example.com"`, "hint: nothing was changed"}},
	}
	for _, tt := range tests {
		for _, command := range []string{"apply", "diff"} {
			t.Run(tt.name+"/"+command, func(t *testing.T) {
				srv, c := setupNoColor(t, sandbox.Options{})
				args := []string{command, "-f", c.file(tt.file, tt.content)}
				if command == "apply" {
					args = append(args, "--yes", "--prune")
				}
				r := c.run(args...)
				want := make([]string, len(tt.want))
				for i, w := range tt.want {
					want[i] = strings.ReplaceAll(w, tt.file, filepath.Join(c.dir, tt.file))
				}
				expectExit(t, r, 2, want...)
				if n := len(srv.Requests()); n != 0 {
					t.Errorf("%d requests sent: the file must be checked before any", n)
				}
			})
		}
	}
}

func TestApplyUsageErrors(t *testing.T) {
	t.Parallel()
	srv, c := setupNoColor(t, sandbox.Options{})
	path := c.file("u.yaml", teamYAML)
	for _, args := range [][]string{
		{"apply"},
		{"apply", "-f", path, "--parallel", "0"},
		{"apply", "-f", path, "--parallel", "65"},
		{"apply", "-f", path, "--format", "toml"},
		{"apply", "-f", filepath.Join(c.dir, "missing.yaml")},
		{"apply", "-f", path, "extra"},
		{"diff", "-f", path, "-o", "yaml"},
		{"export", "-o", "table"},
	} {
		r := c.run(args...)
		expectExit(t, r, 2)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent for usage errors", n)
	}
}

func TestApplyGrantsWithoutDataDomains(t *testing.T) {
	t.Parallel()
	for _, fl := range []struct {
		name string
		opts sandbox.Options
		why  string
	}{
		{"1.0", sandbox.Options{API: sandbox.API10}, "(DQOps 1.0: data domains came with DQOps 1.13), so it cannot keep a grant of"},
		{"1.13 without data domains", sandbox.Options{}, "(DQOps 1.13 without data domains in use), so it would not keep a grant of"},
	} {
		t.Run(fl.name, func(t *testing.T) {
			srv, c := setupNoColor(t, fl.opts)
			r := c.run("apply", "--yes", "-f", c.file("u.yaml", teamYAML))
			expectExit(t, r, 2, "u.yaml has 2 problems:",
				`u.yaml:4: bo@example.com: dataDomainRoles: this instance has no data domains `+fl.why+` viewer in "hr"`,
				`u.yaml:4: bo@example.com: dataDomainRoles: this instance has no data domains `+fl.why+` editor in "sales"`,
				"hint: nothing was changed; this instance keeps no data-domain roles: leave them out")
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("writes %v: nothing may change", w)
			}
			// {} and none entries are true of every user there: accepted, and no change.
			file := "- {email: ana@example.com, accountRole: editor, dataDomainRoles: {}}\n- {email: bo@example.com, accountRole: viewer, dataDomainRoles: {(default): none, sales: none}}\n"
			r = c.run("apply", "--yes", "-f", c.file("ok.yaml", file))
			expectExit(t, r, 0, "Created user ana@example.com with role editor.", "Created user bo@example.com with role viewer.")
			srv.ResetRequests()
			r = c.run("apply", "--yes", "-f", c.file("ok.yaml", file))
			expectExit(t, r, 0, "No changes")
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("writes %v", w)
			}
		})
	}
}

// planSandbox is a 1.13 server with data domains and users in every
// situation a plan meets.
func planSandbox(t *testing.T) (*testServer, *cli) {
	return setupNoColor(t, withDataDomains(),
		sandbox.User{Email: "boss@example.com", AccountRole: "admin", DataDomainRoles: map[string]string{"(default)": "admin"}},
		sandbox.User{Email: "bo@example.com", AccountRole: "viewer"},
		sandbox.User{Email: "cy@example.com", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor"}},
		sandbox.User{Email: "dee@example.com", AccountRole: "operator", DataDomainRoles: map[string]string{"hr": "viewer"}},
		sandbox.User{Email: "Eve@Example.com", AccountRole: "viewer"},
		sandbox.User{Email: "old@example.com", AccountRole: "viewer"},
	)
}

const planYAML = `users:
- email: ana@example.com
  accountRole: editor
- email: nat@example.com
  accountRole: viewer
  dataDomainRoles: {sales: editor, hr: viewer}
- email: bo@example.com
  accountRole: editor
- email: cy@example.com
  accountRole: editor
- email: dee@example.com
  accountRole: operator
  dataDomainRoles: {}
- email: eve@example.com
  accountRole: viewer
- email: boss@example.com
  accountRole: viewer
- email: viewer@example.com
  accountRole: viewer
`

func TestApplyPrune(t *testing.T) {
	t.Parallel()
	file := "- {email: admin@example.com, accountRole: admin}\n- {email: ana@example.com, accountRole: editor}\n"
	t.Run("no terminal, no --yes", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{})
		r := c.run("apply", "-f", c.file("u.yaml", file), "--prune")
		expectExit(t, r, 2, "apply makes no change without a confirmation, and there is no terminal to ask on: nothing was changed", "pass --yes")
		if !strings.Contains(r.stdout, "- delete viewer@example.com (viewer)") {
			t.Errorf("the plan is printed first\n%s", r)
		}
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("writes %v: nothing may change, creates included", w)
		}
	})
	t.Run("no terminal, --yes", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{})
		r := c.run("apply", "-f", c.file("u.yaml", file), "--prune", "--yes")
		expectExit(t, r, 0, "Deleted user viewer@example.com.", "Applied: 1 created, 0 updated, 1 deleted, 1 unchanged, 0 refused, 0 failed.")
		if got := userState(srv); got != "admin@example.com admin\nana@example.com editor\n" {
			t.Errorf("state:\n%s", got)
		}
	})
	t.Run("terminal, answered no", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{})
		r := c.exec(invocation{args: []string{"apply", "-f", c.file("u.yaml", file), "--prune"}, tty: true, stdin: "n\n"})
		expectExit(t, r, 3, "Apply 2 changes to "+srv.URL+"? [y/N]", "cancelled")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("writes %v", w)
		}
	})
	t.Run("terminal, answered yes", func(t *testing.T) {
		_, c := setupNoColor(t, sandbox.Options{})
		r := c.exec(invocation{args: []string{"apply", "-f", c.file("u.yaml", file), "--prune"}, tty: true, stdin: "y\n"})
		expectExit(t, r, 0, "Applied: 1 created, 0 updated, 1 deleted")
	})
	t.Run("terminal, --yes asks nothing", func(t *testing.T) {
		_, c := setupNoColor(t, sandbox.Options{})
		r := c.exec(invocation{args: []string{"apply", "-f", c.file("u.yaml", file), "--prune", "--yes"}, tty: true})
		expectExit(t, r, 0, "Applied: 1 created, 0 updated, 1 deleted")
		if strings.Contains(r.stderr, "[y/N]") {
			t.Errorf("asked despite --yes\n%s", r)
		}
	})
	t.Run("no terminal, no --yes: nothing is changed", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{})
		r := c.run("apply", "-f", c.file("u.yaml", file))
		expectExit(t, r, 2, "apply makes no change without a confirmation, and there is no terminal to ask on: nothing was changed", "pass --yes")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("writes without --yes: %v", w)
		}
	})
	t.Run("--no-input on a terminal behaves as without one", func(t *testing.T) {
		_, c := setupNoColor(t, sandbox.Options{})
		r := c.exec(invocation{args: []string{"apply", "-f", c.file("u.yaml", file), "--prune", "--no-input"}, tty: true})
		expectExit(t, r, 2, "pass --yes")
	})
}

func TestApplyGuards(t *testing.T) {
	t.Parallel()
	t.Run("own account", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{})
		r := c.run("apply", "-f", c.file("u.yaml", "- {email: admin@example.com, accountRole: editor}\n- {email: ana@example.com, accountRole: editor}\n"), "--prune", "--yes")
		expectExit(t, r, 11,
			"refused: update admin@example.com: it is your own account and the last admin: the instance would be left without an admin; --force allows it",
			"Created user ana@example.com", "Deleted user viewer@example.com.",
			"Applied: 1 created, 0 updated, 1 deleted, 0 unchanged, 1 refused, 0 failed.",
			"error: 1 change refused")
		if !strings.Contains(r.stdout, "! update admin@example.com: role admin -> editor refused: it is your own account") {
			t.Errorf("the plan shows the refusal\n%s", r)
		}
		if got := userState(srv); got != "admin@example.com admin\nana@example.com editor\n" {
			t.Errorf("state:\n%s", got)
		}
	})
	t.Run("refused and failed: the failures' code", func(t *testing.T) {
		file := "- {email: admin@example.com, accountRole: editor}\n- {email: ana@example.com, accountRole: editor}\n- {email: viewer@example.com, accountRole: viewer}\n"
		_, c := setupNoColor(t, sandbox.Options{Faults: "POST /api/users 500"})
		r := c.run("apply", "-f", c.file("u.yaml", file), "--yes", "--continue-on-error")
		expectExit(t, r, 9, "1 refused, 1 failed")
		_, c = setupNoColor(t, sandbox.Options{Faults: "POST /api/users 500"})
		r = c.run("apply", "-f", c.file("u.yaml", file), "--yes")
		expectExit(t, r, 1, "1 refused, 1 failed")
	})
	t.Run("own account not in the file", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{})
		r := c.run("apply", "-f", c.file("u.yaml", "- {email: viewer@example.com, accountRole: viewer}\n"), "--prune", "--yes")
		expectExit(t, r, 11, "refused: delete admin@example.com: it is your own account and the last admin")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("writes %v", w)
		}
	})
	t.Run("--force, with another admin made first", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{})
		r := c.run("apply", "--yes", "-f", c.file("u.yaml", "- {email: admin@example.com, accountRole: viewer}\n- {email: boss@example.com, accountRole: admin}\n"), "--force")
		expectExit(t, r, 0, "Applied: 1 created, 1 updated")
		if got := userState(srv); got != "admin@example.com viewer\nboss@example.com admin\nviewer@example.com viewer\n" {
			t.Errorf("state:\n%s", got)
		}
		// The caller's own demotion ran last, after the create it needed admin for.
		w := srv.writes()
		if len(w) != 2 || w[1] != "PUT /api/users/admin@example.com" {
			t.Errorf("writes %v: the caller's own change must be the last", w)
		}
	})
	t.Run("last admin", func(t *testing.T) {
		// The caller is not the admin here (a viewer may diff), so only the
		// last-admin guard stands in the way.
		srv, c := setupNoColor(t, sandbox.Options{})
		path := c.file("u.yaml", "- {email: admin@example.com, accountRole: editor}\n- {email: viewer@example.com, accountRole: viewer}\n")
		r := c.exec(invocation{args: []string{"diff", "-f", path}, env: map[string]string{"DQOPS_API_KEY": srv.ViewerKey()}})
		expectExit(t, r, 10)
		want := "Plan for " + srv.URL + ":\n" +
			"! update admin@example.com: role admin -> editor refused: it would leave the instance without an admin; --force allows it\n" +
			"Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged, 1 refused.\n"
		if r.stdout != want {
			t.Errorf("got\n%s\nwant\n%s", r.stdout, want)
		}
		r = c.exec(invocation{args: []string{"diff", "-f", path, "--force"}, env: map[string]string{"DQOPS_API_KEY": srv.ViewerKey()}})
		expectExit(t, r, 10)
		if !strings.Contains(r.stdout, "~ update admin@example.com: role admin -> editor\n") {
			t.Errorf("--force plans the demotion\n%s", r)
		}
	})
}

func TestApplyIdempotent(t *testing.T) {
	t.Parallel()
	srv, c := planSandbox(t)
	path := c.file("team.yaml", planYAML+"- {email: admin@example.com, accountRole: admin}\n")
	r := c.run("apply", "-f", path, "--prune", "--yes")
	expectExit(t, r, 0, "Applied: 2 created, 3 updated, 1 deleted, 4 unchanged, 0 refused, 0 failed.")
	srv.ResetRequests()
	r = c.run("apply", "-f", path, "--prune", "--yes")
	expectExit(t, r, 0, "No changes: the server matches")
	if w := srv.writes(); len(w) != 0 {
		t.Errorf("a second apply sent writes %v", w)
	}
	if r.stdout != "" {
		t.Errorf("nothing to print on stdout\n%s", r)
	}
}

func TestApplyUpdateKeepsDomainRolesAndSendsOneRequest(t *testing.T) {
	t.Parallel()
	srv, c := setupNoColor(t, withDataDomains(), sandbox.User{Email: "bo@example.com", AccountRole: "viewer", DataDomainRoles: map[string]string{"sales": "editor"}})
	srv.ResetRequests()
	r := c.run("apply", "--yes", "-f", c.file("u.yaml", "- {email: bo@example.com, accountRole: editor}\n- {email: new@example.com, accountRole: none}\n"))
	expectExit(t, r, 0, "Updated user bo@example.com: role viewer -> editor.", "Created user new@example.com with role none.")
	var calls []string
	for _, req := range srv.Requests() {
		calls = append(calls, req.Method+" "+req.Path)
	}
	got := strings.Join(calls, ",")
	if got != "GET /api/environment/profile,GET /api/users,POST /api/users,PUT /api/users/bo@example.com" &&
		got != "GET /api/environment/profile,GET /api/users,PUT /api/users/bo@example.com,POST /api/users" {
		t.Errorf("requests %s: one per change, no per-user reads", got)
	}
	if !strings.Contains(userState(srv), "bo@example.com editor map[sales:editor]") {
		t.Errorf("bo lost its domain roles:\n%s", userState(srv))
	}
}

func TestApplyPartialFailure(t *testing.T) {
	t.Parallel()
	var file strings.Builder
	for i := range 10 {
		fmt.Fprintf(&file, "- {email: u%02d@example.com, accountRole: viewer}\n", i)
	}
	t.Run("continue on error", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{Faults: "POST /api/users 500 x3"})
		path := c.file("u.yaml", file.String())
		r := c.run("apply", "--yes", "-f", path, "--continue-on-error", "--parallel", "4")
		expectExit(t, r, 9, "Applied: 7 created, 0 updated, 0 deleted, 0 unchanged, 0 refused, 3 failed.",
			"error: 3 of 10 changes failed; the others were made", "hint: fix the causes and run apply again")
		failures := regexp.MustCompile(`(?m)^error: creating user "u\d\d@example\.com": server answered 500`).FindAllString(r.stderr, -1)
		if len(failures) != 3 {
			t.Errorf("want each of the 3 failures with its email\n%s", r)
		}
		if n := strings.Count(userState(srv), "\n"); n != 2+7 {
			t.Errorf("state has %d users:\n%s", n, userState(srv))
		}
		// The rest on a second run.
		r = c.run("apply", "--yes", "-f", path)
		expectExit(t, r, 0, "Applied: 3 created, 0 updated, 0 deleted, 7 unchanged")
	})
	t.Run("stop at the first failure", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{Faults: "POST /api/users 500 x1"})
		r := c.run("apply", "--yes", "-f", c.file("u.yaml", file.String()), "--parallel", "1")
		expectExit(t, r, 1, `error: creating user "u00@example.com": server answered 500`,
			"Stopped after a failure: 0 created, 0 updated, 0 deleted, 0 unchanged, 0 refused, 1 failed; 9 not attempted:\n  create u01@example.com\n",
			"Run apply again to finish")
		if w := srv.writes(); len(w) != 1 {
			t.Errorf("writes %v: nothing after the failure", w)
		}
	})
	t.Run("stop with requests in flight", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{Faults: "POST /api/users 500 x1", Latency: 20 * time.Millisecond})
		r := c.run("apply", "--yes", "-f", c.file("u.yaml", file.String()), "--parallel", "3")
		expectExit(t, r, 1, "Stopped after a failure:")
		m := regexp.MustCompile(`(\d+) created, .* 1 failed; (\d+) not attempted`).FindStringSubmatch(r.stderr)
		if m == nil {
			t.Fatalf("no summary\n%s", r)
		}
		created, _ := strconv.Atoi(m[1])
		notAttempted, _ := strconv.Atoi(m[2])
		// Requests a worker sent before the failure's answer came back
		// finish; nothing is sent after it.
		if created+1+notAttempted != 10 || notAttempted < 4 || len(srv.writes()) != created+1 {
			t.Errorf("created %d, not attempted %d, writes %v: only those in flight finish", created, notAttempted, srv.writes())
		}
	})
}

func TestApplyReadsDQOpsQuirks(t *testing.T) {
	t.Parallel()
	t.Run("user limit", func(t *testing.T) {
		_, c := setupNoColor(t, sandbox.Options{UsersLimit: 3})
		path := c.file("u.yaml", "- {email: a@example.com, accountRole: viewer}\n- {email: b@example.com, accountRole: viewer}\n")
		r := c.run("apply", "--yes", "-f", path, "--parallel", "1")
		expectExit(t, r, 8, `creating user "b@example.com": the licence's user limit is reached`)
	})
	t.Run("created meanwhile: already exists", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{})
		c.transport = hookTransport(func(r *http.Request) {
			if r.Method == http.MethodPost {
				_ = srv.AddUser(sandbox.User{Email: "a@example.com", AccountRole: "editor"})
			}
		})
		r := c.exec(invocation{args: []string{"apply", "--yes", "-f", c.file("u.yaml", "- {email: a@example.com, accountRole: viewer}\n")}})
		expectExit(t, r, 7, `error: user "a@example.com" already exists`)
	})
	t.Run("deleted meanwhile: not found", func(t *testing.T) {
		srv, c := setupNoColor(t, sandbox.Options{}, sandbox.User{Email: "a@example.com", AccountRole: "editor"})
		key := srv.AdminKey()
		c.transport = hookTransport(func(r *http.Request) {
			if r.Method == http.MethodPut {
				req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/api/users/a@example.com", nil)
				req.Header.Set("Authorization", "Bearer "+key)
				if resp, err := http.DefaultTransport.RoundTrip(req); err == nil {
					resp.Body.Close()
				}
			}
		})
		r := c.exec(invocation{args: []string{"apply", "--yes", "-f", c.file("u.yaml", "- {email: a@example.com, accountRole: viewer}\n"), "--continue-on-error"}})
		expectExit(t, r, 9, `error: user "a@example.com" not found`, "1 failed")
	})
}

func TestApplyInterrupted(t *testing.T) {
	t.Parallel()
	srv, c := setupNoColor(t, sandbox.Options{Latency: 25 * time.Millisecond})
	var file strings.Builder
	for i := range 60 {
		fmt.Fprintf(&file, "- {email: u%02d@example.com, accountRole: viewer}\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	answered := srv.answered(http.MethodPost, "/api/users")
	go func() {
		// Into the creates, once one is made.
		select {
		case <-answered:
			cancel()
		case <-ctx.Done():
		}
	}()
	r := c.exec(invocation{args: []string{"apply", "--yes", "-f", c.file("u.yaml", file.String()), "--parallel", "2"}, ctx: ctx})
	expectExit(t, r, 130, "Stopping: no more changes are started", "Interrupted: ", "not attempted:", "Run apply again to finish")
	m := regexp.MustCompile(`Interrupted: (\d+) created, .*; (\d+) not attempted`).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no summary\n%s", r)
	}
	created, _ := strconv.Atoi(m[1])
	notAttempted, _ := strconv.Atoi(m[2])
	if created == 0 || created+notAttempted != 60 {
		t.Errorf("created %d + not attempted %d should be 60, some created", created, notAttempted)
	}
	// Requests in flight finished: the server has exactly what was reported.
	if n := strings.Count(userState(srv), "\n") - 2; n != created {
		t.Errorf("server has %d new users, the summary says %d", n, created)
	}
}

func TestApplyProgressBar(t *testing.T) {
	t.Parallel()
	var file strings.Builder
	for i := range 10 {
		fmt.Fprintf(&file, "- {email: u%02d@example.com, accountRole: viewer}\n", i)
	}
	small := "- {email: a@example.com, accountRole: viewer}\n"
	tests := []struct {
		name      string
		content   string
		stderrTTY bool
		bar       bool
	}{
		{"terminal, many", file.String(), true, true},
		{"terminal, few", small + "- {email: b@example.com, accountRole: viewer}\n", true, false},
		{"no terminal", file.String(), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := setupNoColor(t, sandbox.Options{Faults: "POST /api/users 500 x1"})
			r := c.exec(invocation{args: []string{"apply", "--yes", "-f", c.file("u.yaml", tt.content), "--continue-on-error"}, stderrTTY: tt.stderrTTY})
			if hasBar := strings.Contains(r.stderr, "\r\x1b[K["); hasBar != tt.bar {
				t.Errorf("progress bar shown: %v, want %v\n%q", hasBar, tt.bar, r.stderr)
			}
			if tt.bar {
				if !strings.Contains(r.stderr, "] 10/10  1 failed\r\x1b[K") || strings.Contains(r.stderr, "Created user") {
					t.Errorf("the bar ends full and replaces the per-user lines\n%q", r.stderr)
				}
				if !strings.Contains(r.stderr, "\r\x1b[Kerror: creating user") {
					t.Errorf("failures are printed above the bar\n%q", r.stderr)
				}
			}
			if !tt.bar && (!strings.Contains(r.stderr, "error: creating user") || !strings.Contains(r.stderr, "Created user") || strings.Contains(r.stderr, "\r")) {
				t.Errorf("without a bar each change has its line\n%s", r)
			}
		})
	}
}

// BenchmarkApply1000 applies 1,000 new users to a sandbox that takes 20 ms
// over every request, and reports how far from the ideal 1000 x 20 ms /
// parallel it is (x-ideal; the profile and list calls are part of the cost).
func BenchmarkApply1000(b *testing.B) {
	const n, latency = 1000, 20 * time.Millisecond
	var file bytes.Buffer
	for i := range n {
		fmt.Fprintf(&file, "- {email: user%04d@example.com, accountRole: viewer}\n", i)
	}
	pooled := http.DefaultTransport.(*http.Transport).Clone()
	pooled.MaxIdleConnsPerHost = 64
	for _, bc := range []struct {
		name      string
		parallel  int
		transport http.RoundTripper
	}{
		{"parallel=8", 8, nil},
		{"parallel=8/idle-pool=64", 8, pooled},
		{"parallel=1", 1, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				_, c := setupNoColor(b, sandbox.Options{Latency: latency, UsersLimit: 2 * n})
				path := c.file("u.yaml", file.String())
				b.StartTimer()
				start := time.Now()
				c.transport = bc.transport
				r := c.run("apply", "--yes", "-f", path, "--parallel", strconv.Itoa(bc.parallel))
				total += time.Since(start)
				if r.code != 0 {
					b.Fatalf("apply failed\n%s", r)
				}
			}
			ideal := time.Duration(n) * latency / time.Duration(bc.parallel)
			b.ReportMetric(float64(total)/float64(b.N)/float64(ideal), "x-ideal")
		})
	}
}

func TestApplyConfirmOnAPseudoTerminal(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/ptmx"); err != nil {
		t.Skip("no pseudo-terminals here")
	}
	file := "- {email: ana@example.com, accountRole: editor}\n"
	for _, tt := range []struct {
		name   string
		answer string // typed at the prompt; "" is Ctrl-C
		code   int
	}{
		{"yes", "y\r", 0},
		{"no", "n\r", 3},
		{"ctrl-c", "", 130},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setupNoColor(t, sandbox.Options{})
			ptm, tty, err := pty.Open()
			if err != nil {
				t.Skipf("opening a pseudo-terminal: %v", err)
			}
			defer ptm.Close()
			defer tty.Close()
			var screen lockedBuffer
			go func() { _, _ = io.Copy(&screen, ptm) }()

			path := c.file("u.yaml", file)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan result, 1)
			go func() {
				done <- c.exec(invocation{args: []string{"apply", "-f", path}, ctx: ctx,
					stdinReader: tty, stdinTTY: true, stderr: tty, stderrTTY: true})
			}()

			if shown, ok := screen.waitFor(30*time.Second, nil, func(s string) bool { return strings.Contains(s, "[y/N]: ") }); !ok {
				t.Fatalf("no prompt on the terminal:\n%q", shown)
			}
			if tt.answer == "" {
				cancel()
			} else if _, err := ptm.WriteString(tt.answer); err != nil {
				t.Fatal(err)
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("apply did not finish after the answer")
			}
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nterminal:\n%s", r.code, tt.code, screen.String())
			}
			if !strings.Contains(r.stdout, "+ create ana@example.com (editor)") {
				t.Errorf("the plan goes to stdout before the question:\n%s", r.stdout)
			}
			created := strings.Contains(userState(srv), "ana@example.com")
			if created != (tt.code == 0) {
				t.Errorf("created: %v after %q\n%s", created, tt.answer, userState(srv))
			}
		})
	}
}

// An HR export: mapped columns are read and the others ignored with a
// notice; a ';'-separated file is refused with the separator named, and
// nothing is sent.
func TestApplyHRExport(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{})
	hr := c.file("hr.csv", "Employee ID,Work Email,Department,Role\n"+
		"17,a@corp.io,Finance,viewer\n18,b@corp.io,Sales,editor\n")
	r := c.run("apply", "-f", hr, "--csv-columns", `email="Work Email",accountRole=Role`, "--yes")
	expectExit(t, r, 0, "Employee ID", "Department")
	for email, role := range map[string]string{"a@corp.io": "viewer", "b@corp.io": "editor"} {
		if u, ok := srv.user(email); !ok || u.AccountRole != role {
			t.Errorf("%s: %+v, want role %s\n%s", email, u, role, r)
		}
	}
	srv.ResetRequests()
	semi := c.file("semi.csv", "email;accountRole\nc@corp.io;viewer\n")
	r = c.run("apply", "-f", semi, "--yes")
	expectExit(t, r, 2, "separated by ';'")
	expectNoRequest(t, srv)
}
