package cmd_test

// Tests of the data domains in each kind of instance: 1.0, 1.13 without data
// domains, and 1.13 with them.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// flavour is one of the three kinds of instance a sandbox imitates.
type flavour struct {
	name string
	opts sandbox.Options
}

func flavours() []flavour {
	return []flavour{
		{"1.0", sandbox.Options{API: sandbox.API10}},
		{"1.13 without data domains", sandbox.Options{}},
		{"1.13 with data domains", withDataDomains()},
	}
}

func TestDomains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   sandbox.Options
		args   []string
		tty    bool
		code   int
		stdout string   // exact, when not empty
		outHas []string // in stdout
		errHas []string
		calls  []string
	}{
		{name: "with data domains, piped", opts: withDataDomains(), args: []string{"domains", "-o", "name"},
			stdout: "(default)\nhr\nmarketing\nsales\n", calls: []string{"GET /api/environment/profile", "GET /api/domains/"}},
		{name: "list is the same", opts: withDataDomains(), args: []string{"domains", "list", "-o", "name"}, stdout: "(default)\nhr\nmarketing\nsales\n"},
		{name: "a table on a terminal", opts: withDataDomains(), args: []string{"domains"}, tty: true,
			outHas: []string{"NAME", "DISPLAY NAME", "CREATED", "SCHEDULER", "(default)", "Root data domain", "marketing"}},
		{name: "csv", opts: withDataDomains(), args: []string{"domains", "-o", "csv", "--columns", "domain_name,display_name"},
			stdout: "domain_name,display_name\n(default),Root data domain\nhr,hr\nmarketing,marketing\nsales,sales\n"},
		{name: "--jq", opts: withDataDomains(), args: []string{"domains", "-o", "json", "--jq", ".[1:] | map(.domain_name) | join(\",\")"},
			stdout: "hr,marketing,sales\n"},
		{name: "without data domains: the root domain alone", args: []string{"domains", "-o", "name"}, stdout: "(default)\n"},
		{name: "1.0: exit 2, and no request for domains", opts: sandbox.Options{API: sandbox.API10}, args: []string{"domains"}, code: 2,
			errHas: []string{"error: this instance has no data domains: it is DQOps 1.0, and data domains came with DQOps 1.13",
				"hint: its users have an account role only"},
			calls: []string{"GET /api/environment/profile"}},
		{name: "1.0, as JSON", opts: sandbox.Options{API: sandbox.API10}, args: []string{"domains", "-o", "json"}, code: 2,
			errHas: []string{`"code":"usage"`, "DQOps 1.0"}},
		{name: "an unknown argument", args: []string{"domains", "show"}, code: 2, calls: []string{}},
		{name: "a bad -o", args: []string{"domains", "-o", "xml"}, code: 2, calls: []string{}},
		{name: "an unknown column", args: []string{"domains", "--columns", "email"}, code: 2, calls: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setupCI(t, tt.opts)
			r := c.exec(invocation{args: tt.args, stdoutTTY: tt.tty})
			expectExit(t, r, tt.code, tt.errHas...)
			if tt.stdout != "" && r.stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tt.stdout)
			}
			expectContains(t, "stdout", r.stdout, tt.outHas...)
			if tt.calls != nil {
				expectCalls(t, srv, tt.calls...)
			}
		})
	}
}

func TestDomainsJSON(t *testing.T) {
	t.Parallel()
	_, c := setupCI(t, withDataDomains())
	r := c.run("domains", "-o", "json")
	expectCode(t, r, cmd.ExitOK)
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(got) != 4 || got[0]["domain_name"] != "(default)" || got[0]["display_name"] != "Root data domain" ||
		got[3]["domain_name"] != "sales" || got[3]["enable_scheduler"] != true {
		t.Errorf("domains -o json: %v", got)
	}
	if _, ok := got[0]["created_at"].(float64); !ok {
		t.Errorf("created_at %v, want epoch milliseconds as the API has it", got[0]["created_at"])
	}
}

// refuseProfile answers 403 to GET /api/environment/profile, as DQOps does
// to a caller with role none, and passes every other request on.
func refuseProfile(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/environment/profile" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func TestFlavourWithoutTheProfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   sandbox.Options
		args   []string
		code   int
		errHas []string
	}{
		{name: "with data domains: told by the users' roles, then checked", opts: withDataDomains(),
			args: []string{"create", "new@example.com", "--role", "viewer", "--domain-role", "sales=editor"},
			errHas: []string{`debug: * the profile could not be read: DQOps 1.13 with data domains, since user "admin@example.com" lists data domains`,
				"Created user new@example.com with role viewer, data-domain roles sales=editor."}},
		{name: "with data domains: a typo is still caught", opts: withDataDomains(),
			args: []string{"create", "new@example.com", "--role", "viewer", "--domain-role", "salse=editor"}, code: 2,
			errHas: []string{`did you mean "sales"?`}},
		{name: "without data domains: refused", args: []string{"create", "new@example.com", "--role", "viewer", "--domain-role", "sales=editor"}, code: 2,
			errHas: []string{"debug: * the profile could not be read: no data domains, since none of the 2 users lists any",
				"this instance has no data domains (DQOps 1.13 without data domains in use)"}},
		{name: "without data domains: domains lists the root", args: []string{"domains", "-o", "name"},
			errHas: []string{"the profile could not be read"}},
		// The users cannot tell 1.0 from 1.13 without data domains; the
		// domain list's 404 does.
		{name: "1.0: domains", opts: sandbox.Options{API: sandbox.API10}, args: []string{"domains"}, code: 2,
			errHas: []string{"the profile could not be read", "error: this instance has no data domains: it is DQOps 1.0"}},
		{name: "1.0: refused", opts: sandbox.Options{API: sandbox.API10}, args: []string{"update", "admin@example.com", "--domain-role", "sales=viewer"}, code: 2,
			errHas: []string{"this instance has no data domains"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveSandbox(t, tt.opts, serving{wrap: refuseProfile})
			c := newCLI(t, srv).likeCI()
			r := c.run(append(tt.args, "--debug")...)
			expectExit(t, r, tt.code, tt.errHas...)
			if tt.code != 0 && len(srv.writes()) != 0 {
				t.Errorf("writes %v", srv.writes())
			}
		})
	}
}

func TestApplyChecksDomains(t *testing.T) {
	t.Parallel()
	srv, c := setupNoColor(t, withDataDomains(), domUserRecord())
	file := c.file("u.yaml", "- {email: dom@example.com, accountRole: editor, dataDomainRoles: {salse: editor, hr: viewer}}\n"+
		"- {email: new@example.com, accountRole: viewer, dataDomainRoles: {Marketing: viewer, finance: none}}\n")
	for _, command := range []string{"diff", "apply"} {
		srv.ResetRequests()
		r := c.run(command, "-f", file)
		expectExit(t, r, 2, "u.yaml has 2 problems:",
			`u.yaml:1: dom@example.com: dataDomainRoles: unknown data domain "salse" (did you mean "sales"?); the instance's data domains are "(default)", "hr", "marketing", "sales"`,
			`u.yaml:2: new@example.com: dataDomainRoles: unknown data domain "Marketing" (did you mean "marketing"?)`,
			"hint: nothing was changed; `dqo-users domains` lists the instance's data domains")
		expectCalls(t, srv, "GET /api/environment/profile", "GET /api/users", "GET /api/domains/")
	}
}

// TestFilesMeanGrants checks, on each kind of instance, that a file
// without the "none" entries DQOps lists is in sync with the server, that
// one with them means the same, and that export | apply writes nothing.
func TestFilesMeanGrants(t *testing.T) {
	t.Parallel()
	for _, fl := range flavours() {
		t.Run(fl.name, func(t *testing.T) {
			srv, c := setupNoColor(t, fl.opts, domUserRecord())
			roles, withNone := "{}", "{marketing: none}"
			if fl.opts.Domains != nil {
				roles, withNone = "{sales: editor, hr: viewer}", "{sales: editor, hr: viewer, marketing: none}"
			}
			files := map[string]string{
				"hand-written": "- {email: admin@example.com, accountRole: admin, dataDomainRoles: {}}\n" +
					"- {email: viewer@example.com, accountRole: viewer}\n" +
					"- {email: dom@example.com, accountRole: editor, dataDomainRoles: " + roles + "}\n",
				"with none entries": "- {email: admin@example.com, accountRole: admin, dataDomainRoles: {(default): none}}\n" +
					"- {email: viewer@example.com, accountRole: viewer, dataDomainRoles: {(default): none, sales: none, marketing: none, hr: none}}\n" +
					"- {email: dom@example.com, accountRole: editor, dataDomainRoles: " + withNone + "}\n",
				"exported": c.run("export").stdout,
			}
			for name, content := range files {
				srv.ResetRequests()
				path := c.file("users.yaml", content)
				r := c.run("diff", "-f", path, "--prune")
				expectExit(t, r, cmd.ExitOK, "No changes: the server matches")
				r = c.run("apply", "-f", path, "--prune", "--yes")
				expectExit(t, r, cmd.ExitOK, "No changes: the server matches")
				if w := srv.writes(); len(w) != 0 {
					t.Errorf("%s: apply sent writes %v\n%s", name, w, content)
				}
			}
		})
	}
}

func TestApplyPlanWarnsOfStrongerGrants(t *testing.T) {
	t.Parallel()
	srv, c := setupNoColor(t, withDataDomains(),
		sandbox.User{Email: "boss@example.com", AccountRole: "admin", DataDomainRoles: map[string]string{"(default)": "admin", "sales": "viewer"}})
	r := c.run("apply", "--yes", "-f", c.file("u.yaml", "- {email: boss@example.com, accountRole: viewer}\n"))
	expectExit(t, r, 0, "Updated user boss@example.com: role admin -> viewer.")
	want := "~ update boss@example.com: role admin -> viewer\n" +
		`  warning: boss@example.com keeps the data-domain role admin in "(default)", stronger than its new account role viewer; to remove it: dqo-users update boss@example.com --remove-domain-role "(default)"` + "\n"
	expectContains(t, "the plan", r.stdout, want)
	// The advice works.
	r = c.run("update", "boss@example.com", "--remove-domain-role", "(default)")
	expectExit(t, r, 0, `Updated user boss@example.com: domain roles (default)=admin;sales=viewer -> sales=viewer.`)
	if u := findUser(t, srv.Server, "boss@example.com"); len(u.DataDomainRoles) != 1 || u.DataDomainRoles["sales"] != "viewer" {
		t.Errorf("boss has %v", u.DataDomainRoles)
	}
	// A file that gives the grant itself would give it back after such an
	// update: the advice is to change the file.
	srv.ResetRequests()
	r = c.run("update", "boss@example.com", "--role", "admin", "--domain-role", "(default)=admin")
	expectExit(t, r, 0)
	pinned := c.file("pinned.yaml", "users:\n  - email: boss@example.com\n    accountRole: viewer\n    dataDomainRoles: {(default): admin, sales: viewer}\n")
	r = c.run("apply", "--yes", "-f", pinned)
	want = "~ update boss@example.com: role admin -> viewer\n" +
		`  warning: boss@example.com keeps the data-domain role admin in "(default)", stronger than its new account role viewer; ` +
		"to remove it, write the entry at line 2 with dataDomainRoles that leave it out ({} for none)\n"
	expectExit(t, r, 0)
	expectContains(t, "the plan", r.stdout, want)
	r = c.run("apply", "--yes", "-f", c.file("pinned.yaml", "users:\n  - email: boss@example.com\n    accountRole: viewer\n    dataDomainRoles: {sales: viewer}\n"))
	expectExit(t, r, 0, `Updated user boss@example.com: domain roles (default)=admin;sales=viewer -> sales=viewer.`)
	expectNotContains(t, "the plan", r.stdout, "warning")
}

func TestCompletionOfDomains(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, withDataDomains())
	c := completionCLI(t, map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": srv.AdminKey()})
	roles := func(domain string) []string {
		var out []string
		for _, r := range []string{"admin", "editor", "operator", "viewer", "none"} {
			out = append(out, domain+"="+r)
		}
		return out
	}
	tests := []struct {
		name      string
		args      []string
		want      []string
		directive string
	}{
		{"create --domain-role", []string{"create", "ana@example.com", "--domain-role", ""},
			[]string{"(default)=", "hr=", "marketing=", "sales="}, ":6"},
		{"update --domain-role, a prefix", []string{"update", "ana@example.com", "--domain-role", "MA"}, []string{"marketing="}, ":6"},
		{"the roles after =", []string{"create", "ana@example.com", "--domain-role", "sales="}, roles("sales"), ":4"},
		{"--remove-domain-role", []string{"update", "ana@example.com", "--remove-domain-role", "s"}, []string{"sales"}, ":4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := complete(t, c, tt.args...)
			expectValues(t, r, strings.Join(tt.args, " "), tt.want)
			if r.directive != tt.directive {
				t.Errorf("directive %s, want %s", r.directive, tt.directive)
			}
		})
	}
	// Silent without a server, and on an instance without the list.
	for _, env := range []map[string]string{
		{"DQOPS_URL": "http://" + closedPort(t), "DQOPS_API_KEY": "any"},
		{"DQOPS_URL": startSandbox(t, sandbox.Options{API: sandbox.API10}).URL, "DQOPS_API_KEY": srv.AdminKey()},
	} {
		r := complete(t, completionCLI(t, env), "create", "ana@example.com", "--domain-role", "")
		expectValues(t, r, "without a server", []string{})
	}
}
