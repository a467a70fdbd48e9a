package cmd_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestUpdate(t *testing.T) {
	t.Parallel()
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
		errNot []string
		calls  []string
		email  string // whose state to check
		role   string
		roles  map[string]string
	}{
		{name: "keeps 1.13 data-domain roles", opts: withDataDomains(), users: []sandbox.User{withDomains}, args: []string{"update", "ana@corp.io", "--role", "operator"},
			errHas: []string{"Updated user ana@corp.io: role editor -> operator.\n",
				`warning: ana@corp.io keeps the data-domain role editor in "sales", stronger than its new account role operator; to remove it: dqo-users update ana@corp.io --remove-domain-role sales`},
			calls: []string{"GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io"},
			email: "ana@corp.io", role: "operator", roles: map[string]string{"sales": "editor", "hr": "viewer"}},
		{name: "terminal says the same", opts: withDataDomains(), users: []sandbox.User{withDomains}, args: []string{"update", "ana@corp.io", "--role", "OPERATOR"}, tty: true,
			errHas: []string{"Updated user ana@corp.io: role editor -> operator.", `warning: ana@corp.io keeps the data-domain role editor in "sales"`},
			email:  "ana@corp.io", role: "operator", roles: map[string]string{"sales": "editor", "hr": "viewer"}},
		{name: "promoted: no warning", opts: withDataDomains(), users: []sandbox.User{withDomains}, args: []string{"update", "ana@corp.io", "--role", "admin"},
			errHas: []string{"Updated user ana@corp.io: role editor -> admin."}, errNot: []string{"warning"},
			email: "ana@corp.io", role: "admin", roles: map[string]string{"sales": "editor", "hr": "viewer"}},
		{name: "set and remove data-domain roles", opts: withDataDomains(), users: []sandbox.User{withDomains},
			args:   []string{"update", "ana@corp.io", "--domain-role", "sales=admin", "--domain-role", "marketing=viewer", "--remove-domain-role", "hr"},
			errHas: []string{"Updated user ana@corp.io: domain roles hr=viewer;sales=editor -> marketing=viewer;sales=admin."},
			calls:  []string{"GET /api/environment/profile", "GET /api/domains/", "GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io"},
			email:  "ana@corp.io", role: "editor", roles: map[string]string{"sales": "admin", "marketing": "viewer"}},
		{name: "a role of none removes a grant, and needs no check", opts: withDataDomains(), users: []sandbox.User{withDomains},
			args:   []string{"update", "ana@corp.io", "--domain-role", "sales=none"},
			errHas: []string{"Updated user ana@corp.io: domain roles hr=viewer;sales=editor -> hr=viewer."},
			calls:  []string{"GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io"},
			email:  "ana@corp.io", role: "editor", roles: map[string]string{"hr": "viewer"}},
		{name: "an unknown domain: refused, nothing sent", opts: withDataDomains(), users: []sandbox.User{withDomains},
			args: []string{"update", "ana@corp.io", "--domain-role", "ops=viewer", "--domain-role", "Sales=admin"}, code: 2,
			errHas: []string{"--domain-role Sales=admin: unknown data domain \"Sales\" (did you mean \"sales\"?)", "--domain-role ops=viewer: unknown data domain \"ops\"; "},
			calls:  []string{"GET /api/environment/profile", "GET /api/domains/"},
			email:  "ana@corp.io", role: "editor", roles: map[string]string{"sales": "editor", "hr": "viewer"}},
		{name: "--remove-domain-role of a typo: refused as --domain-role is, with the instance's domains", opts: withDataDomains(), users: []sandbox.User{withDomains},
			args: []string{"update", "ana@corp.io", "--remove-domain-role", "slaes", "--remove-domain-role", "hr"}, code: 2,
			errHas: []string{`error: --remove-domain-role slaes: unknown data domain "slaes" (did you mean "sales"?); the instance's data domains are "(default)", "hr", "marketing", "sales"` + "\n",
				"hint: nothing was changed; `dqo-users domains` lists the instance's data domains\n"},
			errNot: []string{"to remove", "--remove-domain-role hr"},
			calls:  []string{"GET /api/environment/profile", "GET /api/domains/", "GET /api/users/ana@corp.io"},
			email:  "ana@corp.io", role: "editor", roles: map[string]string{"sales": "editor", "hr": "viewer"}},
		{name: "--domain-role and --remove-domain-role typos: both refused, the domains read once", opts: withDataDomains(), users: []sandbox.User{withDomains},
			args: []string{"update", "ana@corp.io", "--domain-role", "salse=viewer", "--remove-domain-role", "markting"}, code: 2,
			errHas: []string{`--domain-role salse=viewer: unknown data domain "salse" (did you mean "sales"?)`}, errNot: []string{"markting"},
			calls: []string{"GET /api/environment/profile", "GET /api/domains/"},
			email: "ana@corp.io", role: "editor", roles: map[string]string{"sales": "editor", "hr": "viewer"}},
		{name: "--remove-domain-role of a real domain without a grant: a notice, nothing sent", opts: withDataDomains(), users: []sandbox.User{withDomains},
			args:   []string{"update", "ana@corp.io", "--remove-domain-role", "marketing"},
			errHas: []string{`User ana@corp.io has no role in data domain "marketing" to remove.`, "already has these roles; nothing to change"},
			calls:  []string{"GET /api/environment/profile", "GET /api/domains/", "GET /api/users/ana@corp.io"},
			email:  "ana@corp.io", role: "editor", roles: map[string]string{"sales": "editor", "hr": "viewer"}},
		{name: "--remove-domain-role of a grant in a domain the instance no longer lists: removed", opts: withDataDomains(),
			users:  []sandbox.User{{Email: "ana@corp.io", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor", "retired": "viewer"}}},
			args:   []string{"update", "ana@corp.io", "--remove-domain-role", "retired"},
			errHas: []string{"Updated user ana@corp.io: domain roles retired=viewer;sales=editor -> sales=editor."},
			calls:  []string{"GET /api/environment/profile", "GET /api/domains/", "GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io"},
			email:  "ana@corp.io", role: "editor", roles: map[string]string{"sales": "editor"}},
		{name: "--remove-domain-role without data domains: a notice, nothing sent", users: []sandbox.User{ana},
			args:   []string{"update", "ana@corp.io", "--remove-domain-role", "slaes"},
			errHas: []string{`User ana@corp.io has no role in data domain "slaes" to remove.`}, errNot: []string{"error"},
			calls: []string{"GET /api/environment/profile", "GET /api/users/ana@corp.io"}, email: "ana@corp.io", role: "editor"},
		{name: "1.13 without data domains refuses grants", users: []sandbox.User{ana},
			args: []string{"update", "ana@corp.io", "--domain-role", "sales=editor"}, code: 2, errHas: []string{"this instance has no data domains"},
			calls: []string{"GET /api/environment/profile"}, email: "ana@corp.io", role: "editor"},
		{name: "1.0", opts: sandbox.Options{API: "1.0"}, users: []sandbox.User{ana}, args: []string{"update", "ana@corp.io", "--role", "viewer"},
			errNot: []string{"warning"}, email: "ana@corp.io", role: "viewer"},
		// The sandbox keeps ana's grants, but an instance without data
		// domains shows none: nothing to warn of.
		{name: "1.13 without data domains: demoted without a warning", users: []sandbox.User{withDomains}, args: []string{"update", "ana@corp.io", "--role", "viewer"},
			errHas: []string{"Updated user ana@corp.io: role editor -> viewer."}, errNot: []string{"warning"},
			calls: []string{"GET /api/users/ana@corp.io", "PUT /api/users/ana@corp.io"}, email: "ana@corp.io", role: "viewer"},
		{name: "1.0 refuses data-domain flags", opts: sandbox.Options{API: "1.0"}, users: []sandbox.User{ana},
			args: []string{"update", "ana@corp.io", "--domain-role", "sales=editor"}, code: 2, errHas: []string{"this instance has no data domains (DQOps 1.0"},
			calls: []string{"GET /api/environment/profile"}, email: "ana@corp.io", role: "editor"},
		{name: "unknown user: 6, not the server's 500, no PUT", args: []string{"update", "nobody@corp.io", "--role", "viewer"}, code: 6,
			errHas: []string{`error: user "nobody@corp.io" not found`}, calls: []string{"GET /api/users/nobody@corp.io", "GET /api/users"}},
		{name: "the same role: nothing sent", users: []sandbox.User{ana}, args: []string{"update", "ana@corp.io", "--role", "editor"},
			errHas: []string{"User ana@corp.io already has these roles; nothing to change."},
			calls:  []string{"GET /api/users/ana@corp.io"}, email: "ana@corp.io", role: "editor"},
		{name: "demoting self needs --force", users: []sandbox.User{dee}, args: []string{"update", "ADMIN@example.com", "--role", "editor"}, code: 11,
			errHas: []string{"refusing to demote your own account", "hint: pass --force"},
			calls:  []string{"GET /api/users/ADMIN@example.com", "GET /api/environment/profile", "GET /api/users"}, email: "admin@example.com", role: "admin"},
		{name: "demoting self, the last admin: both said", args: []string{"update", "admin@example.com", "--role", "editor"}, code: 11,
			errHas: []string{"refusing to demote your own account admin@example.com: it is also the last admin, and the instance would be left without one", "hint: pass --force"},
			email:  "admin@example.com", role: "admin"},
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
			expectNotContains(t, "stderr", r.stderr, tt.errNot...)
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
	t.Parallel()
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

// captureHandler stands in front of the sandbox, adds fields to the model
// GET /api/users/{email} returns for one user, as a newer DQOps would send
// them, and keeps the bodies of the PUTs to that user.
type captureHandler struct {
	next   http.Handler
	email  string
	extra  map[string]json.RawMessage
	mu     sync.Mutex
	served []byte
	puts   [][]byte
}

// wrap puts the handler in front of next.
func (h *captureHandler) wrap(next http.Handler) http.Handler {
	h.next = next
	return h
}

func (h *captureHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := "/api/users/" + h.email
	switch {
	case r.Method == http.MethodGet && r.URL.Path == path:
		rec := httptest.NewRecorder()
		h.next.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			w.WriteHeader(rec.Code)
			return
		}
		var model map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &model); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		maps.Copy(model, h.extra)
		body, _ := json.Marshal(model)
		h.mu.Lock()
		h.served = body
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
		return
	case r.Method == http.MethodPut && r.URL.Path == path:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.puts = append(h.puts, body)
		h.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	h.next.ServeHTTP(w, r)
}

func TestDomainRolesUnknownFieldsSurviveUpdate(t *testing.T) {
	t.Parallel()
	extra := map[string]json.RawMessage{
		"futureField":   json.RawMessage(`{"x":1}`),
		"futureList":    json.RawMessage(`[true,null,"s",1.5]`),
		"futureNothing": json.RawMessage(`null`),
	}
	tests := []struct {
		name   string
		args   []string
		change func(model map[string]any)
	}{
		// The model read has every domain, "none" where dom has no grant;
		// what goes back is its grants, all DQOps keeps.
		{"account role", []string{"--role", "viewer"}, func(m map[string]any) {
			m["accountRole"] = "viewer"
			m["dataDomainRoles"] = map[string]any{"sales": "editor", "hr": "viewer"}
		}},
		{"domain roles", []string{"--domain-role", "marketing=operator", "--remove-domain-role", "hr"}, func(m map[string]any) {
			m["dataDomainRoles"] = map[string]any{"sales": "editor", "marketing": "operator"}
		}},
		{"both", []string{"--role", "admin", "--domain-role", "sales=admin"}, func(m map[string]any) {
			m["accountRole"] = "admin"
			m["dataDomainRoles"] = map[string]any{"sales": "admin", "hr": "viewer"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &captureHandler{email: domUser, extra: extra}
			srv := serveSandbox(t, withDataDomains(), serving{wrap: h.wrap}, domUserRecord())
			c := newCLI(t, srv).likeCI()

			expectCode(t, c.run(append([]string{"update", domUser}, tt.args...)...), cmd.ExitOK)

			h.mu.Lock()
			defer h.mu.Unlock()
			if len(h.puts) != 1 {
				t.Fatalf("%d PUTs to %s, want 1", len(h.puts), domUser)
			}
			var want, got map[string]any
			if err := json.Unmarshal(h.served, &want); err != nil {
				t.Fatal(err)
			}
			tt.change(want)
			if err := json.Unmarshal(h.puts[0], &got); err != nil {
				t.Fatalf("PUT body %s: %v", h.puts[0], err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("PUT body\n %s\nwant the model read\n %s\nwith only the requested change, and its grants", h.puts[0], h.served)
			}
			// The unknown fields go back byte for byte (compacted JSON).
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(h.puts[0], &raw); err != nil {
				t.Fatal(err)
			}
			for name, value := range extra {
				if !bytes.Equal(raw[name], value) {
					t.Errorf("PUT sent %s = %s, want %s", name, raw[name], value)
				}
			}
		})
	}
}

func TestDomainRolesKeptWhenAccountRoleChanges(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, withDataDomains(), domUserRecord())
	for _, step := range []struct {
		role    string
		warning string // "" for none
	}{
		{"operator", `warning: dom@example.com keeps the data-domain role editor in "sales", stronger than its new account role operator; to remove it: dqo-users update dom@example.com --remove-domain-role sales`},
		{"viewer", `warning: dom@example.com keeps the data-domain role editor in "sales", stronger than its new account role viewer;`},
		{"none", `warning: dom@example.com keeps the data-domain roles viewer in "hr", editor in "sales", stronger than its new account role none; to remove them: dqo-users update dom@example.com --remove-domain-role hr --remove-domain-role sales`},
		{"admin", ""},
	} {
		role := step.role
		r := c.run("update", domUser, "--role", role)
		expectCode(t, r, cmd.ExitOK)
		if step.warning == "" {
			expectNotContains(t, "stderr", r.stderr, "warning")
		} else {
			expectContains(t, "stderr", r.stderr, step.warning)
		}
		u := findUser(t, srv.Server, domUser)
		if u.AccountRole != role || !maps.Equal(u.DataDomainRoles, domUserRecord().DataDomainRoles) {
			t.Fatalf("after --role %s the sandbox has %+v, want the data-domain roles %v kept", role, u, domUserRecord().DataDomainRoles)
		}
	}
}

func TestDomainRoleFlags(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, withDataDomains())
	run := func(want int, args ...string) result {
		t.Helper()
		r := c.run(args...)
		expectCode(t, r, want)
		return r
	}
	steps := []struct {
		args []string
		want map[string]string
	}{
		{[]string{"create", "ana@example.com", "--role", "viewer", "--domain-role", "sales=editor", "--domain-role", "hr=Viewer"},
			map[string]string{"sales": "editor", "hr": "viewer"}},
		{[]string{"update", "ana@example.com", "--domain-role", "sales=admin", "--domain-role", "marketing=operator"},
			map[string]string{"sales": "admin", "hr": "viewer", "marketing": "operator"}},
		{[]string{"update", "ana@example.com", "--remove-domain-role", "hr", "--remove-domain-role", "marketing"},
			map[string]string{"sales": "admin"}},
		{[]string{"update", "ana@example.com", "--remove-domain-role", "sales"}, nil},
		// A role of none is no grant: nothing is kept, nothing is checked.
		{[]string{"update", "ana@example.com", "--domain-role", "finance=none"}, nil},
		{[]string{"update", "ana@example.com", "--domain-role", "(default)=viewer"}, map[string]string{"(default)": "viewer"}},
		{[]string{"update", "ana@example.com", "--domain-role", "(default)=none"}, nil},
	}
	for _, step := range steps {
		run(cmd.ExitOK, step.args...)
		u := findUser(t, srv.Server, "ana@example.com")
		if u.AccountRole != "viewer" || !maps.Equal(u.DataDomainRoles, step.want) {
			t.Fatalf("after %q the sandbox has %+v, want role viewer and domain roles %v", step.args, u, step.want)
		}
	}

	// Bad values are usage errors found before any request.
	for _, args := range [][]string{
		{"create", "bo@example.com", "--role", "viewer", "--domain-role", "sales"},
		{"create", "bo@example.com", "--role", "viewer", "--domain-role", "=editor"},
		{"create", "bo@example.com", "--role", "viewer", "--domain-role", "sales=boss"},
		{"create", "bo@example.com", "--role", "viewer", "--domain-role", "sales=editor", "--domain-role", "sales=viewer"},
		{"update", "ana@example.com", "--domain-role", "sales=editor", "--remove-domain-role", "sales"},
		{"update", "ana@example.com", "--remove-domain-role", ""},
	} {
		srv.ResetRequests()
		o := run(cmd.ExitUsage, args...)
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("dqo-users %s sent %d requests before failing: %s", strings.Join(args, " "), n, o.stderr)
		}
	}
}

func TestDomainRoleFlagsRefusedBy10(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{API: sandbox.API10}, sandbox.User{Email: "ana@example.com", AccountRole: "viewer"})
	for _, args := range [][]string{
		{"create", "bo@example.com", "--role", "viewer", "--domain-role", "sales=editor"},
		{"create", "bo@example.com", "--role", "viewer", "--domain-role", "sales=editor", "--password-stdin"},
		{"update", "ana@example.com", "--domain-role", "sales=editor"},
		{"update", "ana@example.com", "--role", "editor", "--domain-role", "sales=editor"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			srv.ResetRequests()
			o := c.runStdin("s3cret\n", args...)
			expectCode(t, o, cmd.ExitUsage)
			if !strings.Contains(o.stderr, "1.13") || !strings.Contains(o.stderr, "no data domains") {
				t.Errorf("the message does not say data domains need DQOps 1.13:\n%s", o.stderr)
			}
			for _, r := range srv.Requests() {
				if r.Method != http.MethodGet {
					t.Errorf("sent %s %s to a 1.0 server", r.Method, r.Path)
				}
			}
			if u := findUser(t, srv.Server, "ana@example.com"); u.AccountRole != "viewer" {
				t.Errorf("ana changed to %+v", u)
			}
			if len(srv.Users()) != 3 {
				t.Errorf("the sandbox has %d users, want 3", len(srv.Users()))
			}
		})
	}
	// Removing a role that a 1.0 user cannot have changes nothing: no grant
	// is asked for, so nothing is refused, and nothing is sent.
	srv.ResetRequests()
	o := c.run("update", "ana@example.com", "--remove-domain-role", "sales")
	expectExit(t, o, cmd.ExitOK, `User ana@example.com has no role in data domain "sales" to remove.`, "already has these roles; nothing to change")
	if w := srv.writes(); len(w) != 0 {
		t.Errorf("writes %v", w)
	}
}
