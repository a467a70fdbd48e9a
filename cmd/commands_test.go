package cmd_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestList(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		tty      bool
		env      map[string]string
		code     int
		stdout   string   // exact, when not empty
		contains []string // in stdout
		absent   []string // from stdout
		stderr   string   // contained in stderr
		calls    []string // nil: exactly one GET /api/users on success, none on usage errors
	}{
		{name: "piped is tab-separated without a header", args: []string{"list"},
			stdout: "admin@example.com\tadmin\t\nana@corp.io\teditor\t\nBo@corp.io\toperator\t\ncy@other.io\tnone\t\ndee@corp.io\tadmin\t\nviewer@example.com\tviewer\t\n"},
		{name: "alias ls", args: []string{"ls"},
			contains: []string{"ana@corp.io\teditor\t\n"}},
		{name: "terminal has a header and colour", args: []string{"list"}, tty: true,
			contains: []string{"EMAIL", "ROLE", "ana@corp.io", ansiEscape}, absent: []string{"\t"}},
		{name: "terminal without colour when NO_COLOR", args: []string{"list"}, tty: true, env: map[string]string{"NO_COLOR": "1"},
			contains: []string{"EMAIL", "ROLE", "admin@example.com"}, absent: []string{ansiEscape}},
		{name: "terminal without colour when CI", args: []string{"list"}, tty: true, env: map[string]string{"CI": "true"},
			contains: []string{"EMAIL"}, absent: []string{ansiEscape}},
		{name: "--color never", args: []string{"list", "--color", "never"}, tty: true,
			contains: []string{"EMAIL"}, absent: []string{ansiEscape}},
		{name: "--role filters", args: []string{"list", "--role", "admin"},
			stdout: "admin@example.com\tadmin\t\ndee@corp.io\tadmin\t\n"},
		{name: "--role ignores case", args: []string{"list", "--role", "ADMIN"},
			stdout: "admin@example.com\tadmin\t\ndee@corp.io\tadmin\t\n"},
		{name: "--sort role", args: []string{"list", "--sort", "role"},
			stdout: "admin@example.com\tadmin\t\ndee@corp.io\tadmin\t\nana@corp.io\teditor\t\nBo@corp.io\toperator\t\nviewer@example.com\tviewer\t\ncy@other.io\tnone\t\n"},
		{name: "--match is a case-insensitive glob", args: []string{"list", "--match", "*@CORP.io"},
			stdout: "ana@corp.io\teditor\t\nBo@corp.io\toperator\t\ndee@corp.io\tadmin\t\n"},
		{name: "--match and --role", args: []string{"list", "--match", "*@corp.io", "--role", "editor"},
			stdout: "ana@corp.io\teditor\t\n"},
		{name: "nothing matches, piped", args: []string{"list", "--role", "operator", "--match", "x*"}},
		{name: "nothing matches, terminal", args: []string{"list", "--match", "x*"}, tty: true, stderr: "no users"},
		{name: "-o json", args: []string{"list", "-o", "json", "--role", "none"},
			stdout: "[\n  {\n    \"email\": \"cy@other.io\",\n    \"accountRole\": \"none\",\n    \"dataDomainRoles\": {}\n  }\n]\n"},
		{name: "-o json on a terminal is the same JSON", args: []string{"list", "-o", "json", "--role", "none"}, tty: true,
			contains: []string{`"email": "cy@other.io"`}, absent: []string{ansiEscape}},
		{name: "bad --role", args: []string{"list", "--role", "boss"}, code: 2, stderr: `unknown role "boss"`, calls: []string{}},
		{name: "bad --sort", args: []string{"list", "--sort", "age"}, code: 2, stderr: "--sort must be email or role", calls: []string{}},
		{name: "bad --match", args: []string{"list", "--match", "["}, code: 2, stderr: "is not a valid pattern", calls: []string{}},
		{name: "bad -o", args: []string{"list", "-o", "xml"}, code: 2, calls: []string{}},
		{name: "an argument", args: []string{"list", "ana@corp.io"}, code: 2, stderr: "unknown command", calls: []string{}},
		{name: "unknown flag", args: []string{"list", "--rol", "admin"}, code: 2, stderr: "unknown flag", calls: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{}, ana, bo, cy, dee)
			r := c.exec(invocation{args: tt.args, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty, env: tt.env})
			expectCode(t, r, tt.code)
			if tt.code == 0 && tt.stdout == "" && tt.contains == nil && r.stdout != "" {
				t.Errorf("stdout should be empty:\n%s", r)
			}
			if tt.stdout != "" && r.stdout != tt.stdout {
				t.Errorf("stdout:\n%q\nwant\n%q", r.stdout, tt.stdout)
			}
			expectContains(t, "stdout", r.stdout, tt.contains...)
			expectNotContains(t, "stdout", r.stdout, tt.absent...)
			expectContains(t, "stderr", r.stderr, tt.stderr)
			calls := tt.calls
			if calls == nil {
				calls = []string{"GET /api/users"}
			}
			expectCalls(t, srv, calls...)
		})
	}
}

func TestListShowsDataDomainRoles(t *testing.T) {
	_, c := setup(t, sandbox.Options{}, sandbox.User{Email: "ana@corp.io", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor"}})
	r := c.run("list")
	expectCode(t, r, 0)
	// Piped rows keep one shape: the domain roles column is present for all.
	want := "admin@example.com\tadmin\t\nana@corp.io\teditor\tsales=editor\nviewer@example.com\tviewer\t\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	r = c.run("list", "-o", "json", "--match", "ana*")
	expectCode(t, r, 0)
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(got) != 1 || got[0]["email"] != "ana@corp.io" || got[0]["dataDomainRoles"].(map[string]any)["sales"] != "editor" {
		t.Errorf("json: %v", got)
	}
}

func TestGet(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		tty     bool
		faults  string
		code    int
		stdout  string // exact, when not empty
		json    any    // stdout decoded, when not nil
		outHas  []string
		errHas  []string
		errNot  []string
		calls   []string
		rawPath string // of the first request, when not empty
	}{
		{name: "one, piped", args: []string{"get", "ana@corp.io"}, stdout: "ana@corp.io\teditor\t\n",
			calls: []string{"GET /api/users/ana@corp.io"}},
		{name: "one, terminal", args: []string{"get", "ana@corp.io"}, tty: true, outHas: []string{"EMAIL", "ROLE", "ana@corp.io", "editor"},
			calls: []string{"GET /api/users/ana@corp.io"}},
		{name: "one as JSON is an object", args: []string{"get", "ana@corp.io", "-o", "json"},
			json:  map[string]any{"email": "ana@corp.io", "accountRole": "editor", "dataDomainRoles": map[string]any{}},
			calls: []string{"GET /api/users/ana@corp.io"}},
		{name: "several as JSON is an array in the order given", args: []string{"get", "cy@other.io", "ana@corp.io", "-o", "json"},
			json: []any{
				map[string]any{"email": "cy@other.io", "accountRole": "none", "dataDomainRoles": map[string]any{}},
				map[string]any{"email": "ana@corp.io", "accountRole": "editor", "dataDomainRoles": map[string]any{}},
			},
			calls: []string{"GET /api/users/cy@other.io", "GET /api/users/ana@corp.io"}},
		{name: "several, piped", args: []string{"get", "ana@corp.io", "cy@other.io"}, stdout: "ana@corp.io\teditor\t\ncy@other.io\tnone\t\n",
			calls: []string{"GET /api/users/ana@corp.io", "GET /api/users/cy@other.io"}},
		{name: "sent as typed, found ignoring case", args: []string{"get", "ANA@Corp.io"}, stdout: "ana@corp.io\teditor\t\n",
			calls: []string{"GET /api/users/ANA@Corp.io"}},
		{name: "a plus sign travels in the path", args: []string{"get", "a+b@corp.io"}, code: 6,
			calls: []string{"GET /api/users/a+b@corp.io"}, rawPath: "/api/users/a+b@corp.io"},
		{name: "missing", args: []string{"get", "nobody@corp.io"}, code: 6,
			errHas: []string{`error: user "nobody@corp.io" not found`, "hint: `dqo-users list`"},
			calls:  []string{"GET /api/users/nobody@corp.io"}},
		{name: "one of several missing: the others are shown", args: []string{"get", "ana@corp.io", "nobody@corp.io", "cy@other.io"}, code: 6,
			stdout: "ana@corp.io\teditor\t\ncy@other.io\tnone\t\n", errHas: []string{`user "nobody@corp.io" not found`},
			calls: []string{"GET /api/users/ana@corp.io", "GET /api/users/nobody@corp.io", "GET /api/users/cy@other.io"}},
		{name: "every failure reported, the first's code", args: []string{"get", "ana@corp.io", "nobody@corp.io"}, faults: "GET /api/users/ana@corp.io 500",
			code: 1, errHas: []string{`getting user "ana@corp.io": server answered 500`, `user "nobody@corp.io" not found`},
			calls: []string{"GET /api/users/ana@corp.io", "GET /api/users/nobody@corp.io"}},
		{name: "all missing, JSON: an empty array and one error object each", args: []string{"get", "x@corp.io", "y@corp.io", "-o", "json"}, code: 6,
			json: []any{}, errHas: []string{`"message":"user \"x@corp.io\" not found"`, `"message":"user \"y@corp.io\" not found"`},
			calls: []string{"GET /api/users/x@corp.io", "GET /api/users/y@corp.io"}},
		{name: "no email", args: []string{"get"}, code: 2, errHas: []string{"requires at least 1 arg"}, calls: []string{}},
		{name: "bad email among good ones: nothing sent", args: []string{"get", "ana@corp.io", "Ana <ana@corp.io>"}, code: 2,
			errHas: []string{`invalid email "Ana <ana@corp.io>"`}, calls: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{Faults: tt.faults}, ana, cy)
			r := c.exec(invocation{args: tt.args, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty})
			expectCode(t, r, tt.code)
			if tt.stdout != "" && r.stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tt.stdout)
			}
			if tt.json != nil {
				var got any
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
					t.Fatalf("stdout is not JSON: %v\n%s", err, r)
				}
				if !jsonEqual(got, tt.json) {
					t.Errorf("stdout %s, want %v", r.stdout, tt.json)
				}
			}
			if tt.code != 0 && tt.stdout == "" && tt.json == nil && r.stdout != "" {
				t.Errorf("stdout should be empty:\n%s", r)
			}
			expectContains(t, "stdout", r.stdout, tt.outHas...)
			expectContains(t, "stderr", r.stderr, tt.errHas...)
			expectCalls(t, srv, tt.calls...)
			if tt.rawPath != "" {
				if got := srv.Requests()[0].RawPath; got != tt.rawPath {
					t.Errorf("raw path %q, want %q", got, tt.rawPath)
				}
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// createCase is one run of "create" and what it should leave behind.
type createCase struct {
	name   string
	opts   sandbox.Options
	users  []sandbox.User
	inv    invocation
	code   int
	errHas []string
	errNot []string
	calls  []string
	check  func(t *testing.T, srv *testServer)
}

func TestCreate(t *testing.T) {
	const email = "new@corp.io"
	hasUser := func(role string, domains map[string]string) func(*testing.T, *testServer) {
		return func(t *testing.T, srv *testServer) {
			u, ok := srv.user(email)
			if !ok {
				t.Fatalf("%s was not created", email)
			}
			if u.AccountRole != role || !maps.Equal(u.DataDomainRoles, domains) {
				t.Errorf("created %+v, want role %s and domain roles %v", u, role, domains)
			}
		}
	}
	noUser := func(t *testing.T, srv *testServer) {
		if _, ok := srv.user(email); ok {
			t.Errorf("%s exists", email)
		}
	}
	withPassword := func(pw string) func(*testing.T, *testServer) {
		return func(t *testing.T, srv *testServer) {
			if !srv.PasswordMatches(email, pw) {
				t.Errorf("the password of %s is not %q", email, pw)
			}
		}
	}
	all := func(checks ...func(*testing.T, *testServer)) func(*testing.T, *testServer) {
		return func(t *testing.T, srv *testServer) {
			for _, c := range checks {
				c(t, srv)
			}
		}
	}
	created := []string{"GET /api/users/" + email, "POST /api/users"}
	withPW := append(slices.Clone(created), "PUT /api/users/"+email+"/password")
	args := func(a ...string) []string { return append([]string{"create", email}, a...) }

	tests := []createCase{
		{name: "with a role, piped", inv: invocation{args: args("--role", "editor")},
			errHas: []string{"Created user new@corp.io with role editor."}, calls: created, check: hasUser("editor", nil)},
		{name: "with a role, terminal", inv: invocation{args: args("--role", "viewer"), stdinTTY: true, stdoutTTY: true, stderrTTY: true},
			errHas: []string{"Created user new@corp.io with role viewer."}, errNot: []string{"Account role for"}, calls: created, check: hasUser("viewer", nil)},
		{name: "role sent lower-case", inv: invocation{args: args("--role", "OPERATOR")}, calls: created, check: hasUser("operator", nil)},
		{name: "role none", inv: invocation{args: args("--role", "none")}, calls: created, check: hasUser("none", nil)},
		{name: "bad role", inv: invocation{args: args("--role", "root")}, code: 2, errHas: []string{`--role: unknown role "root"`}, calls: []string{}, check: noUser},
		{name: "no role and no terminal", inv: invocation{args: args()}, code: 2, errHas: []string{"--role is required"}, calls: []string{}, check: noUser},
		{name: "no role on a terminal: asked, by number", inv: invocation{args: args(), stdin: "3\n", stdinTTY: true, stdoutTTY: true, stderrTTY: true},
			errHas: []string{"Account role for new@corp.io:", "1) admin", "5) none", "Choose 1-5:", "with role operator."}, calls: created, check: hasUser("operator", nil)},
		{name: "no role on a terminal: asked, by name, after a wrong answer", inv: invocation{args: args(), stdin: "9\nViewer\n", stdinTTY: true},
			errHas: []string{`"9" is not one of the choices.`, "with role viewer."}, calls: created, check: hasUser("viewer", nil)},
		{name: "no role on a terminal, stdin ends: nothing sent", inv: invocation{args: args(), stdin: "", stdinTTY: true},
			code: 3, errHas: []string{"input ended before an answer"}, calls: []string{}, check: noUser},
		{name: "prompt with stdout piped", inv: invocation{args: args(), stdin: "2\n", stdinTTY: true, stdoutTTY: false},
			errHas: []string{"Choose 1-5:"}, calls: created, check: hasUser("editor", nil)},
		{name: "--no-input: no prompt", inv: invocation{args: args("--no-input"), stdin: "2\n", stdinTTY: true},
			code: 2, errHas: []string{"--role is required"}, errNot: []string{"Choose"}, calls: []string{}, check: noUser},
		{name: "DQOPS_NO_INPUT=1: no prompt", inv: invocation{args: args(), stdin: "2\n", stdinTTY: true, env: map[string]string{"DQOPS_NO_INPUT": "1"}},
			code: 2, errNot: []string{"Choose"}, calls: []string{}, check: noUser},
		{name: "CI=true: no prompt", inv: invocation{args: args(), stdin: "2\n", stdinTTY: true, env: map[string]string{"CI": "true"}},
			code: 2, errNot: []string{"Choose"}, calls: []string{}, check: noUser},
		{name: "DQOPS_NO_INPUT=0 still prompts", inv: invocation{args: args(), stdin: "2\n", stdinTTY: true, env: map[string]string{"DQOPS_NO_INPUT": "0"}},
			errHas: []string{"Choose 1-5:"}, calls: created, check: hasUser("editor", nil)},
		{name: "--password-stdin", inv: invocation{args: args("--role", "viewer", "--password-stdin"), stdin: "s3cret pass\n"},
			errHas: []string{"Created user new@corp.io with role viewer and a password."}, errNot: []string{"s3cret"}, calls: withPW,
			check: all(hasUser("viewer", nil), withPassword("s3cret pass"))},
		{name: "--password-stdin keeps every byte but one trailing newline", inv: invocation{args: args("--role", "viewer", "--password-stdin"), stdin: " pä\tss \n\n"},
			calls: withPW, check: withPassword(" pä\tss \n")},
		{name: "--password-stdin removes a trailing CRLF", inv: invocation{args: args("--role", "viewer", "--password-stdin"), stdin: "pw\r\n"},
			calls: withPW, check: withPassword("pw")},
		{name: "--password-stdin empty: nothing sent", inv: invocation{args: args("--role", "viewer", "--password-stdin"), stdin: "\n"},
			code: 2, errHas: []string{"the password read from stdin is empty"}, calls: []string{}, check: noUser},
		{name: "--password-prompt without a terminal: nothing sent", inv: invocation{args: args("--role", "viewer", "--password-prompt")},
			code: 2, errHas: []string{"--password-prompt needs a terminal"}, calls: []string{}, check: noUser},
		{name: "--password-stdin and --password-prompt", inv: invocation{args: args("--role", "viewer", "--password-stdin", "--password-prompt"), stdin: "pw"},
			code: 2, errHas: []string{"none of the others can be"}, calls: []string{}, check: noUser},
		{name: "existing user: 7, no POST", users: []sandbox.User{{Email: email, AccountRole: "viewer"}}, inv: invocation{args: args("--role", "admin")},
			code: 7, errHas: []string{`user "new@corp.io" already exists`, "dqo-users update new@corp.io --role ROLE"}, calls: []string{"GET /api/users/" + email},
			check: hasUser("viewer", nil)},
		{name: "existing user in another case: 7, no POST", users: []sandbox.User{{Email: "NEW@corp.io", AccountRole: "viewer"}}, inv: invocation{args: args("--role", "admin")},
			code: 7, calls: []string{"GET /api/users/" + email}},
		{name: "user limit: 8", opts: sandbox.Options{UsersLimit: 2}, inv: invocation{args: args("--role", "viewer", "--password-stdin"), stdin: "pw"},
			code: 8, errHas: []string{`creating user "new@corp.io": the licence's user limit is reached`, "dqo-users whoami"}, calls: created, check: noUser},
		{name: "password step fails after the create", opts: sandbox.Options{Faults: "PUT /api/users/new@corp.io/password 500"},
			inv: invocation{args: args("--role", "viewer", "--password-stdin"), stdin: "pw"}, code: 1,
			errHas: []string{`error: user "new@corp.io" was created with role viewer, but setting its password failed`, "dqo-users user-passwd new@corp.io"},
			calls:  withPW, check: hasUser("viewer", nil)},
		{name: "viewer may not create: 5", inv: invocation{args: args("--role", "viewer"), env: map[string]string{"DQOPS_API_KEY": "viewer"}},
			code: 5, errHas: []string{"permission denied (403)", "admin role"},
			calls: []string{"GET /api/users/" + email, "POST /api/users", "GET /api/users/" + email}, check: noUser},
		{name: "unlicensed: 5, no POST", opts: sandbox.Options{Unlicensed: true}, inv: invocation{args: args("--role", "viewer")},
			code: 5, errHas: []string{"multi-user licence"}, calls: []string{"GET /api/users/" + email}, check: noUser},
		{name: "data-domain roles on 1.13", inv: invocation{args: args("--role", "viewer", "--domain-role", "sales=editor", "--domain-role", "hr=NONE")},
			calls: append([]string{"GET /api/environment/profile"}, created...), check: hasUser("viewer", map[string]string{"sales": "editor", "hr": "none"})},
		{name: "data-domain roles on 1.0: refused before the POST", opts: sandbox.Options{API: "1.0"},
			inv:  invocation{args: args("--role", "viewer", "--domain-role", "sales=editor")},
			code: 2, errHas: []string{"needs DQOps 1.13 or later"}, calls: []string{"GET /api/environment/profile"}, check: noUser},
		{name: "bad --domain-role", inv: invocation{args: args("--role", "viewer", "--domain-role", "sales")}, code: 2, calls: []string{}},
		{name: "1.0", opts: sandbox.Options{API: "1.0"}, inv: invocation{args: args("--role", "editor")}, calls: created, check: hasUser("editor", nil)},
		{name: "two emails", inv: invocation{args: args("other@corp.io", "--role", "editor")}, code: 2, calls: []string{}, check: noUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, tt.opts, tt.users...)
			if tt.inv.env["DQOPS_API_KEY"] == "viewer" {
				tt.inv.env["DQOPS_API_KEY"] = srv.ViewerKey()
			}
			r := c.exec(tt.inv)
			expectCode(t, r, tt.code)
			if r.stdout != "" {
				t.Errorf("create printed on stdout:\n%s", r)
			}
			expectContains(t, "stderr", r.stderr, tt.errHas...)
			expectNotContains(t, "stderr", r.stderr, tt.errNot...)
			if tt.calls != nil {
				expectCalls(t, srv, tt.calls...)
			}
			if tt.check != nil {
				tt.check(t, srv)
			}
		})
	}
}

func TestCreatePasswordIsPlainText(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	r := c.runStdin("päss wörd\n", "create", "new@corp.io", "--role", "viewer", "--password-stdin")
	expectCode(t, r, 0)
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	if last.Method != http.MethodPut || last.ContentType != "text/plain" || last.BodyLength != int64(len("päss wörd")) {
		t.Errorf("password request %+v: want PUT, text/plain, %d bytes", last, len("päss wörd"))
	}
}

// A user created by someone else between the check and the POST is
// answered 403 by DQOps; the command says "already exists".
func TestCreateRaceWithAnotherCreate(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	var once sync.Once
	srv.onRequest(func(r *http.Request) {
		if r.Method == http.MethodPost {
			once.Do(func() {
				if err := srv.AddUser(sandbox.User{Email: "new@corp.io", AccountRole: "none"}); err != nil {
					t.Error(err)
				}
			})
		}
	})
	r := c.run("create", "new@corp.io", "--role", "admin")
	expectCode(t, r, 7)
	expectContains(t, "stderr", r.stderr, `user "new@corp.io" already exists`)
	if u, _ := srv.user("new@corp.io"); u.AccountRole != "none" {
		t.Errorf("user changed: %+v", u)
	}
}

func TestUpdate(t *testing.T) {
	withDomains := sandbox.User{Email: "ana@corp.io", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor", "hr": "viewer"}}
	tests := []struct {
		name   string
		opts   sandbox.Options
		users  []sandbox.User
		args   []string
		tty    bool
		key    string // "viewer" for the viewer's key
		code   int
		errHas []string
		calls  []string
		email  string // whose state to check
		role   string
		roles  map[string]string
	}{
		{name: "keeps 1.13 data-domain roles", users: []sandbox.User{withDomains}, args: []string{"update", "ana@corp.io", "--role", "viewer"},
			errHas: []string{"Updated user ana@corp.io: role editor -> viewer."},
			calls:  []string{"GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io"},
			email:  "ana@corp.io", role: "viewer", roles: map[string]string{"sales": "editor", "hr": "viewer"}},
		{name: "terminal says the same", users: []sandbox.User{withDomains}, args: []string{"update", "ana@corp.io", "--role", "OPERATOR"}, tty: true,
			errHas: []string{"Updated user ana@corp.io: role editor -> operator."},
			email:  "ana@corp.io", role: "operator", roles: map[string]string{"sales": "editor", "hr": "viewer"}},
		{name: "set and remove data-domain roles", users: []sandbox.User{withDomains},
			args:   []string{"update", "ana@corp.io", "--domain-role", "sales=admin", "--domain-role", "ops=viewer", "--remove-domain-role", "hr"},
			errHas: []string{"domain roles"},
			calls:  []string{"GET /api/environment/profile", "GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io"},
			email:  "ana@corp.io", role: "editor", roles: map[string]string{"sales": "admin", "ops": "viewer"}},
		{name: "1.0", opts: sandbox.Options{API: "1.0"}, users: []sandbox.User{ana}, args: []string{"update", "ana@corp.io", "--role", "viewer"},
			email: "ana@corp.io", role: "viewer"},
		{name: "1.0 refuses data-domain flags", opts: sandbox.Options{API: "1.0"}, users: []sandbox.User{ana},
			args: []string{"update", "ana@corp.io", "--domain-role", "sales=editor"}, code: 2, errHas: []string{"needs DQOps 1.13 or later"},
			calls: []string{"GET /api/environment/profile"}, email: "ana@corp.io", role: "editor"},
		{name: "unknown user: 6, not the server's 500, no PUT", args: []string{"update", "nobody@corp.io", "--role", "viewer"}, code: 6,
			errHas: []string{`error: user "nobody@corp.io" not found`}, calls: []string{"GET /api/users/nobody@corp.io"}},
		{name: "the same role: nothing sent", users: []sandbox.User{ana}, args: []string{"update", "ana@corp.io", "--role", "editor"},
			errHas: []string{"User ana@corp.io already has these roles; nothing to change."},
			calls:  []string{"GET /api/users/ana@corp.io"}, email: "ana@corp.io", role: "editor"},
		{name: "demoting self needs --force", users: []sandbox.User{dee}, args: []string{"update", "ADMIN@example.com", "--role", "editor"}, code: 2,
			errHas: []string{"refusing to demote your own account", "hint: pass --force"},
			calls:  []string{"GET /api/users/ADMIN@example.com", "GET /api/environment/profile"}, email: "admin@example.com", role: "admin"},
		{name: "demoting self with --force", args: []string{"update", "admin@example.com", "--role", "editor", "--force"},
			calls: []string{"GET /api/users/admin@example.com", "PUT /api/users/admin@example.com"}, email: "admin@example.com", role: "editor"},
		{name: "demoting another admin", users: []sandbox.User{dee}, args: []string{"update", "dee@corp.io", "--role", "viewer"},
			calls: []string{"GET /api/users/dee@corp.io", "GET /api/environment/profile", "GET /api/users", "PUT /api/users/dee@corp.io"},
			email: "dee@corp.io", role: "viewer"},
		{name: "viewer may not update: 5", users: []sandbox.User{ana}, key: "viewer", args: []string{"update", "ana@corp.io", "--role", "viewer"}, code: 5,
			email: "ana@corp.io", role: "editor"},
		{name: "nothing to change", users: []sandbox.User{ana}, args: []string{"update", "ana@corp.io"}, code: 2, errHas: []string{"nothing to change"}, calls: []string{}},
		{name: "bad role", users: []sandbox.User{ana}, args: []string{"update", "ana@corp.io", "--role", "boss"}, code: 2, calls: []string{}},
		{name: "set and remove the same domain", users: []sandbox.User{ana}, args: []string{"update", "ana@corp.io", "--domain-role", "x=none", "--remove-domain-role", "x"},
			code: 2, calls: []string{}},
		{name: "500 from the server with the user present: 1", opts: sandbox.Options{Faults: "PUT /api/users/ana@corp.io 500"}, users: []sandbox.User{ana},
			args: []string{"update", "ana@corp.io", "--role", "viewer"}, code: 1, errHas: []string{"server answered 500"},
			calls: []string{"GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io", "GET /api/users/ana@corp.io"}, email: "ana@corp.io", role: "editor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, tt.opts, tt.users...)
			inv := invocation{args: tt.args, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty}
			if tt.key == "viewer" {
				inv.env = map[string]string{"DQOPS_API_KEY": srv.ViewerKey()}
			}
			r := c.exec(inv)
			expectCode(t, r, tt.code)
			if r.stdout != "" {
				t.Errorf("update printed on stdout:\n%s", r)
			}
			expectContains(t, "stderr", r.stderr, tt.errHas...)
			if tt.calls != nil {
				expectCalls(t, srv, tt.calls...)
			}
			if tt.email != "" {
				u, ok := srv.user(tt.email)
				if !ok {
					t.Fatalf("%s is gone", tt.email)
				}
				if u.AccountRole != tt.role || !maps.Equal(u.DataDomainRoles, tt.roles) {
					t.Errorf("%+v, want role %s, domain roles %v", u, tt.role, tt.roles)
				}
			}
		})
	}
}

// A user deleted between the read and the PUT gets DQOps's 500; the command
// finds out and says "not found".
func TestUpdateAndUserPasswdOfAUserDeletedMeanwhile(t *testing.T) {
	for _, tc := range []struct {
		name, method, path string
		args               []string
		stdin              string
	}{
		{"update", http.MethodPut, "/api/users/ana@corp.io", []string{"update", "ana@corp.io", "--role", "viewer"}, ""},
		{"user-passwd", http.MethodPut, "/api/users/ana@corp.io/password", []string{"user-passwd", "ana@corp.io", "--password-stdin"}, "pw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{}, ana)
			var once sync.Once
			srv.onRequest(func(r *http.Request) {
				if r.Method == tc.method && r.URL.Path == tc.path {
					once.Do(func() { srv.deleteDirectly(t, "ana@corp.io", srv.AdminKey()) })
				}
			})
			r := c.runStdin(tc.stdin, tc.args...)
			expectCode(t, r, 6)
			expectContains(t, "stderr", r.stderr, `user "ana@corp.io" not found`)
			expectNotContains(t, "stderr", r.stderr, "500")
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
	t.Run("update", func(t *testing.T) {
		srv, c := ghostAdmin(t)
		r := c.run("update", "boss@corp.io", "--role", "editor")
		expectCode(t, r, 2)
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
		expectCode(t, r, 2)
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
		expectCode(t, r, 2)
		expectContains(t, "stderr", r.stderr, "Deleted user boss@corp.io.", "refusing to delete chief@corp.io: it is the last admin")
		if n := srv.countCalls(http.MethodDelete, "/"); n != 1 {
			t.Errorf("%d DELETEs sent, want 1: %v", n, srv.calls())
		}
		if _, ok := srv.user("chief@corp.io"); !ok {
			t.Error("the last admin was deleted")
		}
	})
}

func TestDelete(t *testing.T) {
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
		{name: "terminal, answered y", args: []string{"delete", "ana@corp.io", "bo@corp.io"}, stdin: "y\n", tty: true,
			errHas: []string{"Delete 2 user(s)?\n  ana@corp.io\n  Bo@corp.io [y/N]: ", "Deleted user ana@corp.io.", "Deleted user Bo@corp.io."},
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
			errNot: []string{"[y/N]"}, calls: []string{}, present: []string{"ana@corp.io"}},
		{name: "DQOPS_NO_INPUT=1 on a terminal: 2", args: []string{"delete", "ana@corp.io"}, stdin: "y\n", tty: true,
			env: map[string]string{"DQOPS_NO_INPUT": "1"}, code: 2, calls: []string{}, present: []string{"ana@corp.io"}},
		{name: "CI=true on a terminal: 2", args: []string{"delete", "ana@corp.io"}, stdin: "y\n", tty: true,
			env: map[string]string{"CI": "true"}, code: 2, calls: []string{}, present: []string{"ana@corp.io"}},
		{name: "not found: 6", args: []string{"delete", "nobody@corp.io", "--yes"}, code: 6,
			errHas: []string{`user "nobody@corp.io" not found`}, calls: readsFirst},
		{name: "several: each failure reported, the first's code, the rest deleted",
			args: []string{"delete", "admin@example.com", "nobody@corp.io", "ana@corp.io", "--yes"}, code: 2,
			errHas: []string{"refusing to delete your own account admin@example.com", `user "nobody@corp.io" not found`, "Deleted user ana@corp.io."},
			calls:  del("ana@corp.io"), gone: []string{"ana@corp.io"}, present: []string{"admin@example.com"}},
		{name: "several: not found first", args: []string{"delete", "nobody@corp.io", "admin@example.com", "--yes"}, code: 6,
			errHas: []string{"refusing to delete your own account"}, calls: readsFirst},
		{name: "several: a server failure does not stop the others", opts: sandbox.Options{Faults: "DELETE /api/users/ana@corp.io 500"},
			args: []string{"delete", "ana@corp.io", "bo@corp.io", "--yes"}, code: 1,
			errHas: []string{`deleting user "ana@corp.io": server answered 500`, "Deleted user Bo@corp.io."},
			calls:  del("ana@corp.io", "Bo@corp.io"), gone: []string{"Bo@corp.io"}, present: []string{"ana@corp.io"}},
		{name: "the confirmation lists only what can be deleted", args: []string{"delete", "nobody@corp.io", "ana@corp.io"}, stdin: "y\n", tty: true, code: 6,
			errHas: []string{"Delete 1 user(s)?\n  ana@corp.io [y/N]: "}, calls: del("ana@corp.io"), gone: []string{"ana@corp.io"}},
		{name: "repeated emails, any case, deleted once", args: []string{"delete", "ana@corp.io", "ANA@corp.io", "--yes"},
			calls: del("ana@corp.io"), gone: []string{"ana@corp.io"}},
		{name: "self with --force", args: []string{"delete", "admin@example.com", "--yes", "--force"},
			calls: del("admin@example.com"), gone: []string{"admin@example.com"}},
		{name: "another admin", args: []string{"delete", "dee@corp.io", "--yes"}, calls: del("dee@corp.io"), gone: []string{"dee@corp.io"}},
		{name: "viewer may not delete: 5", args: []string{"delete", "ana@corp.io", "--yes"}, env: map[string]string{"DQOPS_API_KEY": "viewer"}, code: 5,
			errHas: []string{"permission denied"}, calls: del("ana@corp.io"), present: []string{"ana@corp.io"}},
		{name: "1.0 without a licence: not paired, 5", opts: sandbox.Options{API: "1.0", Unlicensed: true}, args: []string{"delete", "ana@corp.io", "--yes"}, code: 5,
			errHas: []string{"not paired with DQOps Cloud"}, calls: []string{"GET /api/environment/profile"}, present: []string{"ana@corp.io"}},
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
			expectContains(t, "stderr", r.stderr, tt.errHas...)
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

func TestPasswd(t *testing.T) {
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
			errHas: []string{`user "nobody@corp.io" not found`}, calls: []string{"GET /api/users/nobody@corp.io"}},
		{name: "another user's, as a viewer: 5", args: []string{"user-passwd", "ana@corp.io", "--password-stdin"}, stdin: "pw", key: "viewer", code: 5,
			calls: []string{"GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io/password"}},
		{name: "another user's, no terminal and no --password-stdin: 2", args: []string{"user-passwd", "ana@corp.io"}, code: 2, calls: []string{}},
		{name: "another user's, bad email: 2", args: []string{"user-passwd", "ana/x@corp.io", "--password-stdin"}, stdin: "pw", code: 2, calls: []string{}},
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

func TestWhoami(t *testing.T) {
	tests := []struct {
		name   string
		opts   sandbox.Options
		args   []string
		tty    bool
		key    string
		code   int
		stdout string
		outHas []string
		json   map[string]any // fields of the JSON output
		errHas []string
	}{
		{name: "piped", args: []string{"whoami"},
			outHas: []string{"admin@example.com\tadmin\tsandbox\tENTERPRISE\t1000\ttrue\ttrue\ttrue\t10\ttrue\thttp://127.0.0.1:", "\t1.13\n"}},
		{name: "terminal", args: []string{"whoami"}, tty: true,
			outHas: []string{"USER", "ROLE", "TENANT", "LICENCE", "USERS LIMIT", "CAN MANAGE ACCOUNT", "admin@example.com", "ENTERPRISE"}},
		{name: "json", args: []string{"whoami", "-o", "json"},
			json: map[string]any{"user": "admin@example.com", "account_role": "admin", "users_limit": 1000.0, "can_manage_account": true,
				"can_manage_users": true, "license_type": "ENTERPRISE", "api_release": "1.13"}},
		{name: "viewer", args: []string{"whoami", "-o", "json"}, key: "viewer",
			json: map[string]any{"user": "viewer@example.com", "account_role": "viewer", "can_manage_account": false}},
		{name: "1.0 licensed", opts: sandbox.Options{API: "1.0", UsersLimit: 7}, args: []string{"whoami", "-o", "json"},
			json: map[string]any{"license_type": "TEAM", "users_limit": 7.0, "api_release": "1.0"}},
		{name: "1.0 unlicensed: the 404 means not paired, 5", opts: sandbox.Options{API: "1.0", Unlicensed: true}, args: []string{"whoami"}, code: 5,
			errHas: []string{"not paired with DQOps Cloud", "TEAM or ENTERPRISE"}},
		{name: "1.13 unlicensed: a FREE profile", opts: sandbox.Options{Unlicensed: true}, args: []string{"whoami", "-o", "json"},
			json: map[string]any{"license_type": "FREE", "can_manage_account": false}},
		{name: "rejected key: 4", args: []string{"whoami"}, key: "dqo-sandbox-wrong", code: 4, errHas: []string{"rejected the API key"}},
		{name: "an argument: 2", args: []string{"whoami", "me"}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, tt.opts)
			inv := invocation{args: tt.args, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty}
			switch tt.key {
			case "":
			case "viewer":
				inv.env = map[string]string{"DQOPS_API_KEY": srv.ViewerKey()}
			default:
				inv.env = map[string]string{"DQOPS_API_KEY": tt.key}
			}
			r := c.exec(inv)
			expectCode(t, r, tt.code)
			if tt.stdout != "" && r.stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tt.stdout)
			}
			expectContains(t, "stdout", r.stdout, tt.outHas...)
			expectContains(t, "stderr", r.stderr, tt.errHas...)
			if tt.json != nil {
				var got map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
					t.Fatalf("%v\n%s", err, r)
				}
				for k, v := range tt.json {
					if got[k] != v {
						t.Errorf("%s = %v, want %v", k, got[k], v)
					}
				}
			}
			if tt.code == 0 {
				expectCalls(t, srv, "GET /api/environment/profile")
			}
		})
	}
}

func TestLogin(t *testing.T) {
	t.Run("with a token: stored 0600, current, used afterwards", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		key := srv.AdminKey()
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath} // no URL or key in the environment
		r := c.runStdin("  "+key+"\n", "login", "--url", srv.URL+"/", "--with-token")
		expectCode(t, r, 0)
		if r.stdout != "" {
			t.Errorf("login printed on stdout:\n%s", r)
		}
		expectContains(t, "stderr", r.stderr, "Logged in to "+srv.URL+" as admin@example.com (admin)", `profile "default"`)
		expectNotContains(t, "stderr", r.stderr, key)
		cfg := readConfig(t, c.configPath)
		expectContains(t, "config", cfg, "current_profile: default", "url: "+srv.URL+"\n", "api_key: "+key+"\n")
		expectCalls(t, srv, "GET /api/environment/profile")

		r = c.run("whoami")
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "admin@example.com")
	})
	t.Run("a second profile becomes current and keeps the first", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		other := startSandbox(t, sandbox.Options{API: "1.0"})
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--url", srv.URL, "--with-token"), 0)
		r := c.runStdin(other.ViewerKey(), "login", "--url", other.URL, "--profile", "staging", "--with-token")
		expectCode(t, r, 0)
		expectContains(t, "stderr", r.stderr, "as viewer@example.com (viewer)", `profile "staging"`)
		cfg := readConfig(t, c.configPath)
		expectContains(t, "config", cfg, "current_profile: staging", srv.AdminKey(), other.ViewerKey())
		r = c.run("whoami", "-o", "json")
		expectContains(t, "stdout", r.stdout, `"user": "viewer@example.com"`, `"api_release": "1.0"`)
		r = c.run("whoami", "-o", "json", "--profile", "default")
		expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)
		r = c.exec(invocation{args: []string{"whoami", "-o", "json"}, env: map[string]string{"DQOPS_PROFILE": "default"}})
		expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)
	})
	t.Run("verifies the given key, not the environment's", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = "dqo-sandbox-not-a-key"
		r := c.runStdin(srv.ViewerKey(), "login", "--with-token")
		expectCode(t, r, 0)
		expectContains(t, "config", readConfig(t, c.configPath), srv.ViewerKey())
	})

	failures := []struct {
		name   string
		opts   sandbox.Options
		key    func(*testServer) string
		args   []string
		tty    bool
		code   int
		errHas []string
		calls  []string
	}{
		{name: "401: 4, nothing stored", key: func(*testServer) string { return "dqo-sandbox-wrong" }, code: 4,
			errHas: []string{"the server rejected the API key (401): nothing was stored"}, calls: []string{"GET /api/environment/profile"}},
		{name: "403: 5, nothing stored", key: func(s *testServer) string { k, _ := s.KeyFor("nobody-role@corp.io"); return k }, code: 5,
			errHas: []string{"(403): nothing was stored"}, calls: []string{"GET /api/environment/profile"}},
		{name: "404 (1.0 unlicensed): 5, nothing stored", opts: sandbox.Options{API: "1.0", Unlicensed: true},
			key: func(s *testServer) string { return s.AdminKey() }, code: 5,
			errHas: []string{"not paired with DQOps Cloud", "nothing was stored"}, calls: []string{"GET /api/environment/profile"}},
		{name: "500: 1, nothing stored", opts: sandbox.Options{Faults: "GET /api/environment/profile 500"},
			key: func(s *testServer) string { return s.AdminKey() }, code: 1, errHas: []string{"nothing was stored"}},
		{name: "empty token: 2", key: func(*testServer) string { return " \n" }, code: 2, errHas: []string{"the API key is empty"}, calls: []string{}},
		{name: "no terminal and no --with-token: 2", key: func(s *testServer) string { return s.AdminKey() }, args: []string{"login"}, code: 2,
			errHas: []string{"pass --with-token"}, calls: []string{}},
		{name: "--no-input on a terminal and no --with-token: 2", key: func(s *testServer) string { return s.AdminKey() },
			args: []string{"login", "--no-input"}, tty: true, code: 2, calls: []string{}},
		{name: "bad profile name: 2", key: func(s *testServer) string { return s.AdminKey() },
			args: []string{"login", "--with-token", "--profile", "Not Valid"}, code: 2, errHas: []string{"invalid profile name"}, calls: []string{}},
		{name: "bad URL: 2", key: func(s *testServer) string { return s.AdminKey() },
			args: []string{"login", "--with-token", "--url", "ftp://x"}, code: 2, errHas: []string{"invalid DQOps URL"}, calls: []string{}},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, tt.opts, sandbox.User{Email: "nobody-role@corp.io", AccountRole: "none"})
			args := tt.args
			if args == nil {
				args = []string{"login", "--with-token"}
			}
			key := tt.key(srv)
			r := c.exec(invocation{args: args, stdin: key, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty})
			expectCode(t, r, tt.code)
			expectContains(t, "stderr", r.stderr, tt.errHas...)
			if strings.TrimSpace(key) != "" {
				expectNotContains(t, "stderr", r.stderr, key)
			}
			expectNoConfig(t, c.configPath)
			if tt.calls != nil {
				expectCalls(t, srv, tt.calls...)
			}
		})
	}

	t.Run("a rejected key leaves an existing file as it was", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
		before := readConfig(t, c.configPath)
		r := c.runStdin("dqo-sandbox-wrong", "login", "--with-token", "--profile", "other")
		expectCode(t, r, 4)
		if after := readConfig(t, c.configPath); after != before {
			t.Errorf("configuration changed:\n%s\nwas\n%s", after, before)
		}
	})
}

func TestLogout(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	delete(c.env, "DQOPS_API_KEY")
	expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
	expectCode(t, c.runStdin(srv.ViewerKey(), "login", "--with-token", "--profile", "ro"), 0)

	r := c.run("logout", "--profile", "default")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, `Removed the API key of profile "default"`)
	cfg := readConfig(t, c.configPath)
	expectNotContains(t, "config", cfg, srv.AdminKey())
	expectContains(t, "config", cfg, "url: "+srv.URL, srv.ViewerKey())

	r = c.run("logout", "--profile", "default")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, `No API key is stored for profile "default"`)

	// The current profile is "ro"; logout without --profile removes its key.
	expectCode(t, c.run("logout"), 0)
	expectNotContains(t, "config", readConfig(t, c.configPath), srv.ViewerKey())

	// Without a key, the server's 401 is explained as a missing key.
	srv.ResetRequests()
	r = c.run("list")
	expectCode(t, r, 4)
	expectContains(t, "stderr", r.stderr, "the server requires an API key and none is configured", "dqo-users login")
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].HasAuthorization {
		t.Errorf("requests %+v: want one without Authorization", reqs)
	}
}

func TestConfigCommands(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	delete(c.env, "DQOPS_API_KEY")

	r := c.run("config", "list")
	expectCode(t, r, 0)
	if r.stdout != "" {
		t.Errorf("no profiles, piped: stdout %q", r.stdout)
	}
	r = c.runTTY("", "config", "list")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, "no profiles")
	r = c.run("config", "list", "-o", "json")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("no profiles as JSON: %q", r.stdout)
	}

	expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
	expectCode(t, c.runStdin(srv.ViewerKey(), "login", "--with-token", "--profile", "ro"), 0)
	secrets := []string{srv.AdminKey(), srv.ViewerKey()}

	r = c.run("config", "list")
	expectCode(t, r, 0)
	want := "\tdefault\t" + srv.URL + "\tstored\n*\tro\t" + srv.URL + "\tstored\n"
	if r.stdout != want {
		t.Errorf("config list piped: %q, want %q", r.stdout, want)
	}
	r = c.runTTY("", "config", "list")
	expectContains(t, "stdout", r.stdout, "CURRENT", "NAME", "URL", "KEY", "default", "ro")
	expectNotContains(t, "stdout", r.stdout, secrets...)
	r = c.run("config", "list", "-o", "json")
	var profiles []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &profiles); err != nil || len(profiles) != 2 || profiles[1]["current"] != true || profiles[1]["key"] != "stored" {
		t.Errorf("config list -o json: %v %s", err, r.stdout)
	}
	expectNotContains(t, "stdout", r.stdout, secrets...)

	r = c.run("config", "use", "default")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, `Now using profile "default"`)
	expectContains(t, "config", readConfig(t, c.configPath), "current_profile: default")
	r = c.run("whoami", "-o", "json")
	expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)

	r = c.run("config", "use", "nosuch")
	expectCode(t, r, 6)
	expectContains(t, "stderr", r.stderr, `no profile named "nosuch"`)
	expectCode(t, c.run("config", "use"), 2)

	for _, tty := range []bool{false, true} {
		r = c.exec(invocation{args: []string{"config", "view"}, stdoutTTY: tty, stdinTTY: tty})
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "# "+c.configPath, "current_profile: default", "api_key: '[redacted]'", "url: "+srv.URL)
		expectNotContains(t, "stdout", r.stdout, secrets...)
		expectNotContains(t, "stderr", r.stderr, secrets...)
	}
	if len(srv.Requests()) != 3 { // the two logins and the whoami
		t.Errorf("config commands sent requests: %v", srv.calls())
	}
}

func TestConfigFileModeWarning(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
	if err := os.Chmod(c.configPath, 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run("config", "list")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, "is readable by other users", "chmod 600")
}

func TestVersionAndHelp(t *testing.T) {
	// A configuration path that cannot be read proves these commands never
	// load the configuration.
	c := newCLI(t, nil)
	c.env["DQOPS_CONFIG"] = t.TempDir()
	for _, tty := range []bool{false, true} {
		r := c.exec(invocation{args: []string{"version"}, stdoutTTY: tty, stdinTTY: tty})
		expectCode(t, r, 0)
		if want := "dqo-users 1.2.3-test (commit abc1234, built 2025-01-02)\n"; r.stdout != want {
			t.Errorf("version %q, want %q", r.stdout, want)
		}

		r = c.exec(invocation{args: []string{"help", "exit-codes"}, stdoutTTY: tty})
		expectCode(t, r, 0)
		for _, line := range []string{
			"  0  ok ", "  1  error ", "  2  usage ", "  3  cancelled ", "  4  auth ", "  5  forbidden ",
			"  6  not_found ", "  7  already_exists ", "  8  user_limit ", "130  interrupted ",
		} {
			expectContains(t, "help exit-codes", r.stdout, line)
		}
	}
	r := c.run("--help")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout, "Usage:", "dqo-users [command]", "create", "delete", "whoami")
	r = c.run("help", "create")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout, "--password-stdin", "$ dqo-users create")
	r = c.run("help", "nosuch")
	expectCode(t, r, 2)
	r = c.run("nosuch")
	expectCode(t, r, 2)
	expectContains(t, "stderr", r.stderr, `unknown command "nosuch"`)
	r = c.run("completion", "bash")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout, "bash completion")
}

// TestExitCodes gives every exit code of the table once.
func TestExitCodes(t *testing.T) {
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
	srv, c := setup(t, sandbox.Options{Faults: "DELETE /api/users/ana@corp.io slow=30s"}, ana, bo)
	arrived := srv.arrived(http.MethodDelete, "/api/users/ana@corp.io")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	r := c.exec(invocation{args: []string{"delete", "ana@corp.io", "bo@corp.io", "--yes"}, ctx: ctx})
	expectCode(t, r, 130)
	if srv.countCalls(http.MethodDelete, "/api/users/Bo@corp.io") != 0 {
		t.Errorf("deleting went on after the interrupt: %v", srv.calls())
	}
	if _, ok := srv.user("Bo@corp.io"); !ok {
		t.Error("Bo was deleted after the interrupt")
	}
}

func TestInterruptedAtAPrompt(t *testing.T) {
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

func TestNoKey(t *testing.T) {
	t.Run("401 says no key is configured", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = ""
		r := c.run("list")
		expectCode(t, r, 4)
		expectContains(t, "stderr", r.stderr, "listing users: the server requires an API key and none is configured",
			"hint: run `dqo-users login`, or set DQOPS_API_KEY or --api-key-file")
		if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].HasAuthorization {
			t.Errorf("requests %+v", reqs)
		}
	})
	t.Run("a rejected key says so", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = "dqo-sandbox-bad"
		r := c.run("list")
		expectCode(t, r, 4)
		expectContains(t, "stderr", r.stderr, "the server rejected the API key (401)")
		expectNotContains(t, "stderr", r.stderr, "dqo-sandbox-bad")
	})
	t.Run("a single-user instance needs none", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{NoAuth: true})
		c.env["DQOPS_API_KEY"] = ""
		r := c.run("whoami", "-o", "json")
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)
		if srv.Requests()[0].HasAuthorization {
			t.Error("an Authorization header was sent without a key")
		}
	})
	t.Run("--api-key-file", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = ""
		file := filepath.Join(t.TempDir(), "key")
		if err := os.WriteFile(file, []byte(srv.ViewerKey()+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := c.run("whoami", "-o", "json", "--api-key-file", file)
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, `"user": "viewer@example.com"`)
		empty := filepath.Join(t.TempDir(), "empty")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		expectCode(t, c.run("whoami", "--api-key-file", empty), 2)
		expectCode(t, c.run("whoami", "--api-key-file", filepath.Join(t.TempDir(), "missing")), 2)
	})
}

func TestRequestHeaders(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	var mu sync.Mutex
	var seen []http.Header
	srv.onRequest(func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Header.Clone())
	})
	expectCode(t, c.runStdin("pw", "create", "h@corp.io", "--role", "viewer", "--password-stdin"), 0)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 {
		t.Fatalf("%d requests", len(seen))
	}
	for _, h := range seen {
		if got := h.Values("Authorization"); len(got) != 1 || got[0] != "Bearer "+srv.AdminKey() {
			t.Errorf("Authorization %q", got)
		}
		if got := h.Get("Accept"); got != "application/json" {
			t.Errorf("Accept %q", got)
		}
		if got := h.Get("User-Agent"); got != "dqo-users/1.2.3-test" {
			t.Errorf("User-Agent %q", got)
		}
	}
}

func TestPathPrefixURL(t *testing.T) {
	for _, suffix := range []string{"", "/", "//"} {
		t.Run("suffix "+suffix, func(t *testing.T) {
			srv := serveSandbox(t, sandbox.Options{}, serving{prefix: "/dqops"})
			c := newCLI(t, srv)
			c.env["DQOPS_URL"] = strings.TrimSuffix(srv.URL, "/") + suffix
			expectCode(t, c.run("create", "p@corp.io", "--role", "editor"), 0)
			r := c.run("get", "p@corp.io")
			expectCode(t, r, 0)
			if r.stdout != "p@corp.io\teditor\t\n" {
				t.Errorf("stdout %q", r.stdout)
			}
			expectCode(t, c.run("delete", "p@corp.io", "--yes"), 0)
			expectCalls(t, srv, "GET /api/users/p@corp.io", "POST /api/users", "GET /api/users/p@corp.io",
				"GET /api/environment/profile", "GET /api/users", "DELETE /api/users/p@corp.io")
		})
	}
	t.Run("login stores the normalised URL", func(t *testing.T) {
		srv := serveSandbox(t, sandbox.Options{}, serving{prefix: "/dqops"})
		c := newCLI(t, srv)
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--url", srv.URL, "--with-token"), 0)
		expectContains(t, "config", readConfig(t, c.configPath), "url: "+strings.TrimSuffix(srv.URL, "/")+"\n")
		expectCode(t, c.run("list"), 0)
	})
}

func TestEmailsValidated(t *testing.T) {
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
	}
	commands := []struct {
		args  []string
		stdin string
	}{
		{args: []string{"get"}},
		{args: []string{"create", "--role", "viewer"}},
		{args: []string{"update", "--role", "viewer"}},
		{args: []string{"delete", "--yes"}},
		{args: []string{"user-passwd", "--password-stdin"}, stdin: "pw"},
	}
	for _, command := range commands {
		for _, email := range bad {
			t.Run(command.args[0]+" "+email, func(t *testing.T) {
				srv, c := setup(t, sandbox.Options{})
				args := append([]string{command.args[0], email}, command.args[1:]...)
				r := c.runStdin(command.stdin, args...)
				expectCode(t, r, 2)
				expectContains(t, "stderr", r.stderr, "error: ")
				expectCalls(t, srv)
			})
		}
	}
}

// TestMessagesGoToStderr: commands that change things print nothing on
// stdout, on a terminal or not, so their stdout can be piped.
func TestMessagesGoToStderr(t *testing.T) {
	for _, tty := range []bool{false, true} {
		name := "piped"
		if tty {
			name = "terminal"
		}
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{})
			steps := []struct {
				args  []string
				stdin string
				msg   string
			}{
				{[]string{"create", "m@corp.io", "--role", "viewer", "--password-stdin"}, "pw1", "Created user m@corp.io"},
				{[]string{"update", "m@corp.io", "--role", "editor"}, "", "Updated user m@corp.io"},
				{[]string{"user-passwd", "m@corp.io", "--password-stdin"}, "pw2", "Changed the password of m@corp.io"},
				{[]string{"passwd", "--password-stdin"}, "pw3", "Your password was changed."},
				{[]string{"login", "--with-token"}, srv.AdminKey(), "Logged in to"},
				{[]string{"config", "use", "default"}, "", "Now using profile"},
				{[]string{"delete", "m@corp.io", "--yes"}, "", "Deleted user m@corp.io."},
				{[]string{"logout"}, "", "Removed the API key"},
			}
			for _, s := range steps {
				r := c.exec(invocation{args: s.args, stdin: s.stdin, stdinTTY: tty, stdoutTTY: tty, stderrTTY: tty})
				expectCode(t, r, 0)
				if r.stdout != "" {
					t.Errorf("%v printed on stdout: %q", s.args, r.stdout)
				}
				expectContains(t, "stderr", r.stderr, s.msg)
			}
		})
	}
}

// TestEnvironmentIsolated: the harness never reads the process's
// environment, so a DQOPS_* variable of the developer's shell cannot leak in.
func TestEnvironmentIsolated(t *testing.T) {
	t.Setenv("DQOPS_URL", "http://127.0.0.1:1")
	t.Setenv("DQOPS_API_KEY", "from-the-shell")
	_, c := setup(t, sandbox.Options{})
	expectCode(t, c.run("list"), 0)
}

// A profile named on the command line or in DQOPS_PROFILE must exist (only
// login creates one): a typo never silently falls back to another server.
func TestNamedProfileMustExist(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		errHas string
	}{
		{"missing --profile", []string{"whoami", "--profile", "nope"}, nil, `no profile named "nope"`},
		{"missing DQOPS_PROFILE", []string{"list"}, map[string]string{"DQOPS_PROFILE": "nope"}, `no profile named "nope"`},
		{"invalid name", []string{"whoami", "--profile", "Bad"}, nil, `--profile: invalid profile name "Bad"`},
		{"invalid DQOPS_PROFILE", []string{"whoami"}, map[string]string{"DQOPS_PROFILE": "a.b"}, `DQOPS_PROFILE: invalid profile name "a.b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{})
			r := c.exec(invocation{args: tt.args, env: tt.env})
			expectCode(t, r, 2)
			expectContains(t, "stderr", r.stderr, tt.errHas)
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
	t.Run("login creates it", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		r := c.exec(invocation{args: []string{"login", "--profile", "work", "--with-token"}, stdin: srv.AdminKey() + "\n"})
		expectCode(t, r, 0)
		r = c.exec(invocation{args: []string{"whoami", "--profile", "work", "-o", "json", "--jq", ".user"}})
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "admin@example.com")
	})
}
