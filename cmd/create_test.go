package cmd_test

import (
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

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
	t.Parallel()
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
	// The list is read for look-alikes of the new email.
	created := []string{"GET /api/users/" + email, "GET /api/users", "POST /api/users"}
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
			code: 3, errHas: []string{"input ended before an answer"}, calls: []string{"GET /api/users/new@corp.io", "GET /api/users"}, check: noUser},
		{name: "prompt with stdout piped", inv: invocation{args: args(), stdin: "2\n", stdinTTY: true, stdoutTTY: false},
			errHas: []string{"Choose 1-5:"}, calls: created, check: hasUser("editor", nil)},
		{name: "--no-input: no prompt", inv: invocation{args: args("--no-input"), stdin: "2\n", stdinTTY: true},
			code: 2, errHas: []string{"--role is required (it cannot be asked: input is disabled by --no-input)"}, errNot: []string{"Choose"}, calls: []string{}, check: noUser},
		{name: "DQOPS_NO_INPUT=1: no prompt", inv: invocation{args: args(), stdin: "2\n", stdinTTY: true, env: map[string]string{"DQOPS_NO_INPUT": "1"}},
			code: 2, errNot: []string{"Choose"}, calls: []string{}, check: noUser},
		{name: "CI=true: no prompt", inv: invocation{args: args(), stdin: "2\n", stdinTTY: true, env: map[string]string{"CI": "true"}},
			code: 2, errHas: []string{"input is disabled by CI"}, errNot: []string{"Choose"}, calls: []string{}, check: noUser},
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
			code: 2, errHas: []string{"--password-prompt cannot ask: there is no terminal to ask on"}, calls: []string{}, check: noUser},
		{name: "--password-stdin and --password-prompt", inv: invocation{args: args("--role", "viewer", "--password-stdin", "--password-prompt"), stdin: "pw"},
			code: 2, errHas: []string{"--password-stdin and --password-prompt cannot be used together"}, calls: []string{}, check: noUser},
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
			code: 5, errHas: []string{"permission denied (403)", "your account's role is viewer, and this needs admin or higher"},
			calls: []string{"GET /api/users/" + email, "GET /api/users", "POST /api/users", "GET /api/users/" + email, "GET /api/environment/profile"}, check: noUser},
		{name: "unlicensed: 5, no POST", opts: sandbox.Options{Unlicensed: true}, inv: invocation{args: args("--role", "viewer")},
			code: 5, errHas: []string{"licence (FREE) has no user management"}, calls: []string{"GET /api/users/" + email, "GET /api/environment/profile"}, check: noUser},
		// A role of none is no grant: sent as nothing.
		{name: "data-domain roles on 1.13 with data domains", opts: withDataDomains(),
			inv:    invocation{args: args("--role", "viewer", "--domain-role", "sales=editor", "--domain-role", "hr=NONE")},
			errHas: []string{"Created user new@corp.io with role viewer, data-domain roles sales=editor."},
			calls:  append([]string{"GET /api/environment/profile", "GET /api/domains/"}, created...), check: hasUser("viewer", map[string]string{"sales": "editor"})},
		{name: "the root domain is always known", opts: withDataDomains(), inv: invocation{args: args("--role", "viewer", "--domain-role", "(default)=operator")},
			check: hasUser("viewer", map[string]string{"(default)": "operator"})},
		{name: "a typo in a domain: refused with the known ones, nothing sent", opts: withDataDomains(),
			inv:  invocation{args: args("--role", "viewer", "--domain-role", "salse=editor")},
			code: 2, errHas: []string{`error: --domain-role salse=editor: unknown data domain "salse" (did you mean "sales"?); the instance's data domains are "(default)", "hr", "marketing", "sales"`,
				"hint: nothing was sent; `dqo-users domains` lists the instance's data domains"},
			calls: []string{"GET /api/environment/profile", "GET /api/domains/"}, check: noUser},
		{name: "data-domain roles on 1.13 without data domains: refused before the POST",
			inv:  invocation{args: args("--role", "viewer", "--domain-role", "sales=editor")},
			code: 2, errHas: []string{"this instance has no data domains (DQOps 1.13 without data domains in use)", "nothing was sent"},
			calls: []string{"GET /api/environment/profile"}, check: noUser},
		{name: "data-domain roles on 1.0: refused before the POST", opts: sandbox.Options{API: "1.0"},
			inv:  invocation{args: args("--role", "viewer", "--domain-role", "sales=editor")},
			code: 2, errHas: []string{"this instance has no data domains (DQOps 1.0: data domains came with DQOps 1.13)"},
			calls: []string{"GET /api/environment/profile"}, check: noUser},
		{name: "a role of none needs no data domains", opts: sandbox.Options{API: "1.0"},
			inv: invocation{args: args("--role", "viewer", "--domain-role", "sales=none")}, errHas: []string{"Created user new@corp.io with role viewer."},
			calls: created, check: hasUser("viewer", nil)},
		{name: "the domains cannot be read: nothing sent", opts: sandbox.Options{Domains: testDomains, Faults: "GET /api/domains/ 500"},
			inv:  invocation{args: args("--role", "viewer", "--domain-role", "sales=editor", "--retries", "0")},
			code: 1, errHas: []string{"checking the data-domain roles: listing data domains: server answered 500", "nothing was sent"},
			calls: []string{"GET /api/environment/profile", "GET /api/domains/"}, check: noUser},
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
	t.Parallel()
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
	t.Parallel()
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
