package cmd_test

// Tests of export, diff and apply, in-process against the sandbox over
// real HTTP. Helpers here are prefixed "ap" to stay apart from the other
// command tests' helpers.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

var apUpdateGolden = flag.Bool("update-apply-golden", false, "rewrite testdata/apply/ golden files")

// apEnv is a sandbox served over loopback HTTP and an environment pointing
// at it with the admin's key.
type apEnv struct {
	t   testing.TB
	sb  *sandbox.Server
	url string
	env map[string]string
	dir string
}

func newApEnv(t testing.TB, opts sandbox.Options, users ...sandbox.User) *apEnv {
	t.Helper()
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if err := sb.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	return &apEnv{t: t, sb: sb, url: srv.URL, dir: dir, env: map[string]string{
		"DQOPS_URL":     srv.URL,
		"DQOPS_API_KEY": sb.AdminKey(),
		"DQOPS_CONFIG":  filepath.Join(dir, "config.yaml"),
	}}
}

// apInvocation is how a command line runs.
type apInvocation struct {
	ctx       context.Context
	stdin     string
	tty       bool // stdin, stdout and stderr are terminals
	stderrTTY bool
	env       map[string]string
	transport http.RoundTripper
}

type apResult struct {
	code           int
	stdout, stderr string
}

func (r apResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.stdout, r.stderr)
}

func (e *apEnv) run(args ...string) apResult { return e.exec(apInvocation{}, args...) }

func (e *apEnv) exec(inv apInvocation, args ...string) apResult {
	e.t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(inv.stdin)
	if inv.tty {
		ios.SetStdinTTY(true)
		ios.SetStdoutTTY(true)
	}
	if inv.tty || inv.stderrTTY {
		ios.SetStderrTTY(true)
	}
	env := map[string]string{"NO_COLOR": "1"}
	for k, v := range e.env {
		env[k] = v
	}
	for k, v := range inv.env {
		env[k] = v
	}
	f := &cmd.Factory{IO: ios, Getenv: func(k string) string { return env[k] }, Transport: inv.transport}
	ctx := inv.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	code := cmd.Run(ctx, f, cmd.BuildInfo{Version: "test"}, args)
	return apResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// file writes a file in the test's directory and returns its path.
func (e *apEnv) file(name, content string) string {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// writes lists the write requests (POST, PUT, DELETE) since the last reset.
func (e *apEnv) writes() []string {
	var out []string
	for _, r := range e.sb.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// state renders the sandbox's users, one "email role domains" line each.
func (e *apEnv) state() string {
	var b strings.Builder
	for _, u := range e.sb.Users() {
		fmt.Fprintf(&b, "%s %s", u.Email, u.AccountRole)
		if len(u.DataDomainRoles) > 0 {
			fmt.Fprintf(&b, " %v", u.DataDomainRoles)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func apExpect(t *testing.T, r apResult, code int, stderrHas ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\n%s", r.code, code, r)
	}
	for _, s := range stderrHas {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q\n%s", s, r)
		}
	}
}

func apGolden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "apply", name)
	if *apUpdateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd -run %s -update-apply-golden creates it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs (-update-apply-golden rewrites it)\n--- got ---\n%s--- want ---\n%s", path, got, want)
	}
}

const apTeamYAML = `users:
- email: ana@example.com
  accountRole: editor
- email: bo@example.com
  accountRole: Viewer
  dataDomainRoles: {sales: editor, hr: viewer}
- email: viewer@example.com
  accountRole: operator
`

const apTeamState = `admin@example.com admin
ana@example.com editor
bo@example.com viewer map[hr:viewer sales:editor]
viewer@example.com operator
`

func TestApplyFileFormats(t *testing.T) {
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
		{"yaml", "users.yaml", apTeamYAML, nil},
		{"yml", "users.yml", apTeamYAML, nil},
		{"json", "users.json", json, nil},
		{"json list", "users.json", jsonList, nil},
		{"csv", "users.csv", csv, nil},
		{"yaml on stdin", "", apTeamYAML, nil},
		{"json on stdin", "", json, nil},
		{"csv on stdin", "", csv, nil},
		{"--format csv on a .txt", "users.txt", csv, []string{"--format", "csv"}},
		{"--format json on stdin", "", jsonList, []string{"--format", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newApEnv(t, sandbox.Options{})
			inv := apInvocation{}
			args := append([]string{"apply", "-f"}, tt.args...)
			if tt.file == "" {
				args = append(args[:2], append([]string{"-"}, tt.args...)...)
				inv.stdin = tt.content
			} else {
				args = append(args[:2], append([]string{e.file(tt.file, tt.content)}, tt.args...)...)
			}
			r := e.exec(inv, args...)
			apExpect(t, r, 0, "Applied: 2 created, 1 updated, 0 deleted, 0 unchanged, 0 refused, 0 failed.")
			if got := e.state(); got != apTeamState {
				t.Errorf("server after apply:\n%s\nwant:\n%s", got, apTeamState)
			}
			if !strings.Contains(r.stdout, "+ create ana@example.com (editor)") {
				t.Errorf("the plan is not on stdout\n%s", r)
			}
		})
	}
}

func TestApplyValidationErrors(t *testing.T) {
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
				e := newApEnv(t, sandbox.Options{})
				args := []string{command, "-f", e.file(tt.file, tt.content)}
				if command == "apply" {
					args = append(args, "--yes", "--prune")
				}
				r := e.run(args...)
				want := make([]string, len(tt.want))
				for i, w := range tt.want {
					want[i] = strings.ReplaceAll(w, tt.file, filepath.Join(e.dir, tt.file))
				}
				apExpect(t, r, 2, want...)
				if n := len(e.sb.Requests()); n != 0 {
					t.Errorf("%d requests sent: the file must be checked before any", n)
				}
			})
		}
	}
}

func TestApplyUsageErrors(t *testing.T) {
	e := newApEnv(t, sandbox.Options{})
	path := e.file("u.yaml", apTeamYAML)
	for _, args := range [][]string{
		{"apply"},
		{"apply", "-f", path, "--parallel", "0"},
		{"apply", "-f", path, "--parallel", "65"},
		{"apply", "-f", path, "--format", "toml"},
		{"apply", "-f", filepath.Join(e.dir, "missing.yaml")},
		{"apply", "-f", path, "extra"},
		{"diff", "-f", path, "-o", "yaml"},
		{"export", "-o", "table"},
	} {
		r := e.run(args...)
		apExpect(t, r, 2)
	}
	if n := len(e.sb.Requests()); n != 0 {
		t.Errorf("%d requests sent for usage errors", n)
	}
}

func TestApplyDataDomainsOnRelease10(t *testing.T) {
	e := newApEnv(t, sandbox.Options{API: sandbox.API10})
	r := e.run("apply", "-f", e.file("u.yaml", apTeamYAML))
	apExpect(t, r, 2, "u.yaml:4: bo@example.com: dataDomainRoles needs DQOps 1.13 or later, and this server is release 1.0",
		"hint: nothing was changed")
	if w := e.writes(); len(w) != 0 {
		t.Errorf("writes %v: nothing may change", w)
	}
	// {} is true of every user of a 1.0 server: accepted, and no change.
	r = e.run("apply", "-f", e.file("ok.yaml", "- {email: ana@example.com, accountRole: editor, dataDomainRoles: {}}\n"))
	apExpect(t, r, 0, "Created user ana@example.com with role editor.")
	e.sb.ResetRequests()
	r = e.run("apply", "-f", e.file("ok.yaml", "- {email: ana@example.com, accountRole: editor, dataDomainRoles: {}}\n"))
	apExpect(t, r, 0, "No changes")
	if w := e.writes(); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}

// apPlanSandbox is a 1.13 server with users in every situation a plan
// meets.
func apPlanSandbox(t *testing.T) *apEnv {
	return newApEnv(t, sandbox.Options{},
		sandbox.User{Email: "boss@example.com", AccountRole: "admin"},
		sandbox.User{Email: "bo@example.com", AccountRole: "viewer"},
		sandbox.User{Email: "cy@example.com", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor"}},
		sandbox.User{Email: "dee@example.com", AccountRole: "operator", DataDomainRoles: map[string]string{"hr": "viewer"}},
		sandbox.User{Email: "Eve@Example.com", AccountRole: "viewer"},
		sandbox.User{Email: "old@example.com", AccountRole: "viewer"},
	)
}

const apPlanYAML = `users:
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

func TestDiffPlanGolden(t *testing.T) {
	e := apPlanSandbox(t)
	path := e.file("team.yaml", apPlanYAML)
	for _, tt := range []struct {
		golden string
		args   []string
	}{
		{"diff.txt", []string{"diff", "-f", path}},
		{"diff_prune.txt", []string{"diff", "-f", path, "--prune"}},
		{"diff_prune.json", []string{"diff", "-f", path, "--prune", "-o", "json"}},
		{"diff_prune_force.txt", []string{"diff", "-f", path, "--prune", "--force"}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			r := e.run(tt.args...)
			apExpect(t, r, 10)
			if r.stderr != "" {
				t.Errorf("diff wrote to stderr:\n%s", r)
			}
			apGolden(t, tt.golden, r.stdout)
		})
	}
	// apply --dry-run prints the same plan and sends no write request.
	e.sb.ResetRequests()
	r := e.run("apply", "-f", path, "--prune", "--dry-run")
	apExpect(t, r, 0, "Dry run: nothing was changed.")
	apGolden(t, "diff_prune.txt", r.stdout)
	if w := e.writes(); len(w) != 0 {
		t.Errorf("--dry-run sent writes %v", w)
	}
	// Even with --yes, which would let the deletions go ahead.
	e.sb.ResetRequests()
	r = e.run("apply", "-f", path, "--prune", "--dry-run", "--yes")
	apExpect(t, r, 0, "Dry run: nothing was changed.")
	if w := e.writes(); len(w) != 0 {
		t.Errorf("--dry-run --yes sent writes %v", w)
	}
	// One list call and the profile: no per-user reads.
	var reads []string
	for _, req := range e.sb.Requests() {
		reads = append(reads, req.Method+" "+req.Path)
	}
	if strings.Join(reads, ",") != "GET /api/environment/profile,GET /api/users" {
		t.Errorf("requests %v, want the profile and one list", reads)
	}
}

func TestDiffInSync(t *testing.T) {
	e := newApEnv(t, sandbox.Options{})
	path := e.file("u.yaml", "- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n")
	r := e.run("diff", "-f", path, "--prune")
	apExpect(t, r, 0, "No changes: the server matches")
	if r.stdout != "" {
		t.Errorf("in sync, diff prints nothing on stdout\n%s", r)
	}
	r = e.run("diff", "-f", path, "-o", "json")
	apExpect(t, r, 0)
	if !strings.Contains(r.stdout, `"inSync": true`) || !strings.Contains(r.stdout, `"changes": []`) {
		t.Errorf("json plan in sync:\n%s", r)
	}
	// Errors are not exit 10: a bad key is 4.
	r = e.exec(apInvocation{env: map[string]string{"DQOPS_API_KEY": "dqo-sandbox-wrong"}}, "diff", "-f", path, "-o", "json")
	apExpect(t, r, 4, `"code":"auth"`)
}

func TestApplyPrune(t *testing.T) {
	file := "- {email: admin@example.com, accountRole: admin}\n- {email: ana@example.com, accountRole: editor}\n"
	t.Run("no terminal, no --yes", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.run("apply", "-f", e.file("u.yaml", file), "--prune")
		apExpect(t, r, 2, "the plan deletes 1 user and there is no terminal to confirm on: nothing was changed", "pass --yes")
		if !strings.Contains(r.stdout, "- delete viewer@example.com (viewer)") {
			t.Errorf("the plan is printed first\n%s", r)
		}
		if w := e.writes(); len(w) != 0 {
			t.Errorf("writes %v: nothing may change, creates included", w)
		}
	})
	t.Run("no terminal, --yes", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.run("apply", "-f", e.file("u.yaml", file), "--prune", "--yes")
		apExpect(t, r, 0, "Deleted user viewer@example.com.", "Applied: 1 created, 0 updated, 1 deleted, 1 unchanged, 0 refused, 0 failed.")
		if got := e.state(); got != "admin@example.com admin\nana@example.com editor\n" {
			t.Errorf("state:\n%s", got)
		}
	})
	t.Run("terminal, answered no", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.exec(apInvocation{tty: true, stdin: "n\n"}, "apply", "-f", e.file("u.yaml", file), "--prune")
		apExpect(t, r, 3, "Apply 2 changes to "+e.url+"? [y/N]", "cancelled")
		if w := e.writes(); len(w) != 0 {
			t.Errorf("writes %v", w)
		}
	})
	t.Run("terminal, answered yes", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.exec(apInvocation{tty: true, stdin: "y\n"}, "apply", "-f", e.file("u.yaml", file), "--prune")
		apExpect(t, r, 0, "Applied: 1 created, 0 updated, 1 deleted")
	})
	t.Run("terminal, --yes asks nothing", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.exec(apInvocation{tty: true}, "apply", "-f", e.file("u.yaml", file), "--prune", "--yes")
		apExpect(t, r, 0, "Applied: 1 created, 0 updated, 1 deleted")
		if strings.Contains(r.stderr, "[y/N]") {
			t.Errorf("asked despite --yes\n%s", r)
		}
	})
	t.Run("no terminal, creates and updates need no --yes", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.run("apply", "-f", e.file("u.yaml", file))
		apExpect(t, r, 0, "Applied: 1 created")
	})
	t.Run("--no-input on a terminal behaves as without one", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.exec(apInvocation{tty: true}, "apply", "-f", e.file("u.yaml", file), "--prune", "--no-input")
		apExpect(t, r, 2, "pass --yes")
	})
}

func TestApplyGuards(t *testing.T) {
	t.Run("own account", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.run("apply", "-f", e.file("u.yaml", "- {email: admin@example.com, accountRole: editor}\n- {email: ana@example.com, accountRole: editor}\n"), "--prune", "--yes")
		apExpect(t, r, 9,
			"refused: update admin@example.com: it is your own account, which would lose the right to manage users; --force allows it",
			"Created user ana@example.com", "Deleted user viewer@example.com.",
			"Applied: 1 created, 0 updated, 1 deleted, 0 unchanged, 1 refused, 0 failed.",
			"error: 1 change refused")
		if !strings.Contains(r.stdout, "! update admin@example.com: role admin -> editor refused: it is your own account") {
			t.Errorf("the plan shows the refusal\n%s", r)
		}
		if got := e.state(); got != "admin@example.com admin\nana@example.com editor\n" {
			t.Errorf("state:\n%s", got)
		}
	})
	t.Run("own account not in the file", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.run("apply", "-f", e.file("u.yaml", "- {email: viewer@example.com, accountRole: viewer}\n"), "--prune", "--yes")
		apExpect(t, r, 9, "refused: delete admin@example.com: it is your own account; --force allows it")
		if w := e.writes(); len(w) != 0 {
			t.Errorf("writes %v", w)
		}
	})
	t.Run("--force, with another admin made first", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		r := e.run("apply", "-f", e.file("u.yaml", "- {email: admin@example.com, accountRole: viewer}\n- {email: boss@example.com, accountRole: admin}\n"), "--force")
		apExpect(t, r, 0, "Applied: 1 created, 1 updated")
		if got := e.state(); got != "admin@example.com viewer\nboss@example.com admin\nviewer@example.com viewer\n" {
			t.Errorf("state:\n%s", got)
		}
		// The caller's own demotion ran last, after the create it needed admin for.
		w := e.writes()
		if len(w) != 2 || w[1] != "PUT /api/users/admin@example.com" {
			t.Errorf("writes %v: the caller's own change must be the last", w)
		}
	})
	t.Run("last admin", func(t *testing.T) {
		// The caller is not the admin here (a viewer may diff), so only the
		// last-admin guard stands in the way.
		e := newApEnv(t, sandbox.Options{})
		path := e.file("u.yaml", "- {email: admin@example.com, accountRole: editor}\n- {email: viewer@example.com, accountRole: viewer}\n")
		r := e.exec(apInvocation{env: map[string]string{"DQOPS_API_KEY": e.sb.ViewerKey()}}, "diff", "-f", path)
		apExpect(t, r, 10)
		want := "! update admin@example.com: role admin -> editor refused: it would leave the instance without an admin; --force allows it\n" +
			"Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged, 1 refused.\n"
		if r.stdout != want {
			t.Errorf("got\n%s\nwant\n%s", r.stdout, want)
		}
		r = e.exec(apInvocation{env: map[string]string{"DQOPS_API_KEY": e.sb.ViewerKey()}}, "diff", "-f", path, "--force")
		apExpect(t, r, 10)
		if !strings.Contains(r.stdout, "~ update admin@example.com: role admin -> editor\n") {
			t.Errorf("--force plans the demotion\n%s", r)
		}
	})
}

func TestApplyIdempotent(t *testing.T) {
	e := apPlanSandbox(t)
	path := e.file("team.yaml", apPlanYAML+"- {email: admin@example.com, accountRole: admin}\n")
	r := e.run("apply", "-f", path, "--prune", "--yes")
	apExpect(t, r, 0, "Applied: 2 created, 3 updated, 1 deleted, 4 unchanged, 0 refused, 0 failed.")
	e.sb.ResetRequests()
	r = e.run("apply", "-f", path, "--prune", "--yes")
	apExpect(t, r, 0, "No changes: the server matches")
	if w := e.writes(); len(w) != 0 {
		t.Errorf("a second apply sent writes %v", w)
	}
	if r.stdout != "" {
		t.Errorf("nothing to print on stdout\n%s", r)
	}
}

func TestApplyUpdateKeepsDomainRolesAndSendsOneRequest(t *testing.T) {
	e := newApEnv(t, sandbox.Options{}, sandbox.User{Email: "bo@example.com", AccountRole: "viewer", DataDomainRoles: map[string]string{"sales": "editor"}})
	e.sb.ResetRequests()
	r := e.run("apply", "-f", e.file("u.yaml", "- {email: bo@example.com, accountRole: editor}\n- {email: new@example.com, accountRole: none}\n"))
	apExpect(t, r, 0, "Updated user bo@example.com: role viewer -> editor.", "Created user new@example.com with role none.")
	var calls []string
	for _, req := range e.sb.Requests() {
		calls = append(calls, req.Method+" "+req.Path)
	}
	got := strings.Join(calls, ",")
	if got != "GET /api/environment/profile,GET /api/users,POST /api/users,PUT /api/users/bo@example.com" &&
		got != "GET /api/environment/profile,GET /api/users,PUT /api/users/bo@example.com,POST /api/users" {
		t.Errorf("requests %s: one per change, no per-user reads", got)
	}
	if !strings.Contains(e.state(), "bo@example.com editor map[sales:editor]") {
		t.Errorf("bo lost its domain roles:\n%s", e.state())
	}
}

func TestApplyPartialFailure(t *testing.T) {
	var file strings.Builder
	for i := range 10 {
		fmt.Fprintf(&file, "- {email: u%02d@example.com, accountRole: viewer}\n", i)
	}
	t.Run("continue on error", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{Faults: "POST /api/users 500 x3"})
		path := e.file("u.yaml", file.String())
		r := e.run("apply", "-f", path, "--continue-on-error", "--parallel", "4")
		apExpect(t, r, 9, "Applied: 7 created, 0 updated, 0 deleted, 0 unchanged, 0 refused, 3 failed.",
			"error: 3 of 10 changes failed; the others were made", "hint: fix the causes and run apply again")
		failures := regexp.MustCompile(`(?m)^error: creating user "u\d\d@example\.com": server answered 500`).FindAllString(r.stderr, -1)
		if len(failures) != 3 {
			t.Errorf("want each of the 3 failures with its email\n%s", r)
		}
		if n := strings.Count(e.state(), "\n"); n != 2+7 {
			t.Errorf("state has %d users:\n%s", n, e.state())
		}
		// The rest on a second run.
		r = e.run("apply", "-f", path)
		apExpect(t, r, 0, "Applied: 3 created, 0 updated, 0 deleted, 7 unchanged")
	})
	t.Run("stop at the first failure", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{Faults: "POST /api/users 500 x1"})
		r := e.run("apply", "-f", e.file("u.yaml", file.String()), "--parallel", "1")
		apExpect(t, r, 1, `error: creating user "u00@example.com": server answered 500`,
			"Stopped after a failure: 0 created, 0 updated, 0 deleted, 0 unchanged, 0 refused, 1 failed; 9 not attempted:\n  create u01@example.com\n",
			"Run apply again to finish")
		if w := e.writes(); len(w) != 1 {
			t.Errorf("writes %v: nothing after the failure", w)
		}
	})
	t.Run("stop with requests in flight", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{Faults: "POST /api/users 500 x1", Latency: 20 * time.Millisecond})
		r := e.run("apply", "-f", e.file("u.yaml", file.String()), "--parallel", "3")
		apExpect(t, r, 1, "Stopped after a failure:")
		m := regexp.MustCompile(`(\d+) created, .* 1 failed; (\d+) not attempted`).FindStringSubmatch(r.stderr)
		if m == nil {
			t.Fatalf("no summary\n%s", r)
		}
		created, _ := strconv.Atoi(m[1])
		notAttempted, _ := strconv.Atoi(m[2])
		// Requests a worker sent before the failure's answer came back
		// finish; nothing is sent after it.
		if created+1+notAttempted != 10 || notAttempted < 4 || len(e.writes()) != created+1 {
			t.Errorf("created %d, not attempted %d, writes %v: only those in flight finish", created, notAttempted, e.writes())
		}
	})
}

// apHook is a transport that runs a hook before passing a request on.
type apHook func(*http.Request)

func (h apHook) RoundTrip(r *http.Request) (*http.Response, error) {
	h(r)
	return http.DefaultTransport.RoundTrip(r)
}

func TestApplyReadsDQOpsQuirks(t *testing.T) {
	t.Run("user limit", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{UsersLimit: 3})
		path := e.file("u.yaml", "- {email: a@example.com, accountRole: viewer}\n- {email: b@example.com, accountRole: viewer}\n")
		r := e.run("apply", "-f", path, "--parallel", "1")
		apExpect(t, r, 8, `creating user "b@example.com": the licence's user limit is reached`)
	})
	t.Run("created meanwhile: already exists", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{})
		hook := apHook(func(r *http.Request) {
			if r.Method == http.MethodPost {
				_ = e.sb.AddUser(sandbox.User{Email: "a@example.com", AccountRole: "editor"})
			}
		})
		r := e.exec(apInvocation{transport: hook}, "apply", "-f", e.file("u.yaml", "- {email: a@example.com, accountRole: viewer}\n"))
		apExpect(t, r, 7, `error: user "a@example.com" already exists`)
	})
	t.Run("deleted meanwhile: not found", func(t *testing.T) {
		e := newApEnv(t, sandbox.Options{}, sandbox.User{Email: "a@example.com", AccountRole: "editor"})
		key := e.sb.AdminKey()
		hook := apHook(func(r *http.Request) {
			if r.Method == http.MethodPut {
				req, _ := http.NewRequest(http.MethodDelete, e.url+"/api/users/a@example.com", nil)
				req.Header.Set("Authorization", "Bearer "+key)
				if resp, err := http.DefaultTransport.RoundTrip(req); err == nil {
					resp.Body.Close()
				}
			}
		})
		r := e.exec(apInvocation{transport: hook}, "apply", "-f", e.file("u.yaml", "- {email: a@example.com, accountRole: viewer}\n"), "--continue-on-error")
		apExpect(t, r, 9, `error: user "a@example.com" not found`, "1 failed")
	})
}

func TestApplyInterrupted(t *testing.T) {
	e := newApEnv(t, sandbox.Options{Latency: 25 * time.Millisecond})
	var file strings.Builder
	for i := range 60 {
		fmt.Fprintf(&file, "- {email: u%02d@example.com, accountRole: viewer}\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Past the profile and list calls, into the creates.
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	r := e.exec(apInvocation{ctx: ctx}, "apply", "-f", e.file("u.yaml", file.String()), "--parallel", "2")
	apExpect(t, r, 130, "Interrupted: ", "not attempted:", "Run apply again to finish")
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
	if n := strings.Count(e.state(), "\n") - 2; n != created {
		t.Errorf("server has %d new users, the summary says %d", n, created)
	}
}

func TestExportRoundTrip(t *testing.T) {
	for _, api := range []string{sandbox.API10, sandbox.API113} {
		for _, format := range []string{"yaml", "json", "csv"} {
			t.Run(api+"/"+format, func(t *testing.T) {
				e := newApEnv(t, sandbox.Options{API: api},
					sandbox.User{Email: "bo@example.com", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor", "hr": "viewer"}},
					sandbox.User{Email: "Cy@Example.com", AccountRole: "none"})
				r := e.run("export", "-o", format)
				apExpect(t, r, 0)
				apGolden(t, "export_"+api+"."+format, r.stdout)
				exported := r.stdout
				e.sb.ResetRequests()
				for _, args := range [][]string{{"apply", "-f", "-", "--prune"}, {"diff", "-f", "-", "--prune"}} {
					r = e.exec(apInvocation{stdin: exported}, args...)
					apExpect(t, r, 0, "No changes: the server matches stdin (4 users).")
				}
				if w := e.writes(); len(w) != 0 {
					t.Errorf("export | apply sent writes %v", w)
				}
			})
		}
		t.Run(api+"/list -o json", func(t *testing.T) {
			e := newApEnv(t, sandbox.Options{API: api}, sandbox.User{Email: "bo@example.com", AccountRole: "editor"})
			r := e.run("list", "-o", "json")
			apExpect(t, r, 0)
			r = e.exec(apInvocation{stdin: r.stdout}, "apply", "-f", "-", "--prune")
			apExpect(t, r, 0, "No changes")
			if w := e.writes(); len(w) != 0 {
				t.Errorf("list -o json | apply sent writes %v", w)
			}
		})
	}
}

func TestExportPinsDomainRoles(t *testing.T) {
	// On 1.13 the export pins "no domain roles": roles granted later are
	// removed by applying it again.
	e := newApEnv(t, sandbox.Options{}, sandbox.User{Email: "bo@example.com", AccountRole: "editor"})
	exported := e.run("export").stdout
	r := e.run("update", "bo@example.com", "--domain-role", "sales=editor")
	apExpect(t, r, 0)
	r = e.exec(apInvocation{stdin: exported}, "apply", "-f", "-")
	apExpect(t, r, 0, "Updated user bo@example.com: domain roles sales=editor -> (none).")
}

func TestApplyProgressBar(t *testing.T) {
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
			e := newApEnv(t, sandbox.Options{Faults: "POST /api/users 500 x1"})
			r := e.exec(apInvocation{stderrTTY: tt.stderrTTY}, "apply", "-f", e.file("u.yaml", tt.content), "--continue-on-error")
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
				e := newApEnv(b, sandbox.Options{Latency: latency, UsersLimit: 2 * n})
				path := e.file("u.yaml", file.String())
				b.StartTimer()
				start := time.Now()
				r := e.exec(apInvocation{transport: bc.transport}, "apply", "-f", path, "--parallel", strconv.Itoa(bc.parallel))
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

func TestDiffAndExportOnATerminal(t *testing.T) {
	e := newApEnv(t, sandbox.Options{})
	path := e.file("u.yaml", "- {email: ana@example.com, accountRole: editor}\n- {email: viewer@example.com, accountRole: none}\n")
	color := apInvocation{tty: true, env: map[string]string{"NO_COLOR": ""}}
	r := e.exec(color, "diff", "-f", path)
	apExpect(t, r, 10)
	if !strings.Contains(r.stdout, "\x1b[32m+ create ana@example.com (editor)\x1b[0m") || !strings.Contains(r.stdout, "\x1b[33m~ update viewer@example.com") {
		t.Errorf("on a terminal the plan is coloured\n%q", r.stdout)
	}
	piped := e.exec(apInvocation{env: map[string]string{"NO_COLOR": ""}}, "diff", "-f", path)
	if strings.Contains(piped.stdout, "\x1b[") {
		t.Errorf("piped, the plan has no colour\n%q", piped.stdout)
	}
	// export writes the same file on a terminal and piped.
	if a, b := e.exec(color, "export").stdout, e.run("export").stdout; a != b || a == "" {
		t.Errorf("export differs on a terminal:\n%s\npiped:\n%s", a, b)
	}
}

func TestApplyConfirmOnAPseudoTerminal(t *testing.T) {
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
			e := newApEnv(t, sandbox.Options{})
			ptm, tty, err := pty.Open()
			if err != nil {
				t.Skipf("opening a pseudo-terminal: %v", err)
			}
			defer ptm.Close()
			defer tty.Close()
			var screen lockedBuffer
			go func() { _, _ = io.Copy(&screen, ptm) }()

			var out bytes.Buffer
			ios := &iostreams.IOStreams{In: tty, Out: &out, ErrOut: tty}
			env := map[string]string{"NO_COLOR": "1"}
			for k, v := range e.env {
				env[k] = v
			}
			f := &cmd.Factory{IO: ios, Getenv: func(k string) string { return env[k] }}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan int, 1)
			go func() { done <- cmd.Run(ctx, f, cmd.BuildInfo{}, []string{"apply", "-f", e.file("u.yaml", file)}) }()

			deadline := time.Now().Add(30 * time.Second)
			for !strings.Contains(screen.String(), "[y/N]: ") {
				if time.Now().After(deadline) {
					t.Fatalf("no prompt on the terminal:\n%q", screen.String())
				}
				time.Sleep(5 * time.Millisecond)
			}
			if tt.answer == "" {
				cancel()
			} else if _, err := ptm.WriteString(tt.answer); err != nil {
				t.Fatal(err)
			}
			var code int
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("apply did not finish after the answer")
			}
			if code != tt.code {
				t.Errorf("exit %d, want %d\nterminal:\n%s", code, tt.code, screen.String())
			}
			if !strings.Contains(out.String(), "+ create ana@example.com (editor)") {
				t.Errorf("the plan goes to stdout before the question:\n%s", out.String())
			}
			created := strings.Contains(e.state(), "ana@example.com")
			if created != (tt.code == 0) {
				t.Errorf("created: %v after %q\n%s", created, tt.answer, e.state())
			}
		})
	}
}
