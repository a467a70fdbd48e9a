package cmd_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

const domUser = "dom@example.com"

func domUserRecord() sandbox.User {
	return sandbox.User{Email: domUser, AccountRole: sandbox.RoleEditor,
		DataDomainRoles: map[string]string{"sales": "editor", "hr": "viewer"}}
}

func TestDomainRolesDecodeFromEitherRelease(t *testing.T) {
	tests := []struct {
		name string
		json string
		want map[string]api.Role
	}{
		{"1.0 model, field absent", `{"email":"a@example.com","accountRole":"editor"}`, nil},
		{"1.13 model, null", `{"email":"a@example.com","accountRole":"editor","dataDomainRoles":null}`, nil},
		{"1.13 model, empty", `{"email":"a@example.com","accountRole":"editor","dataDomainRoles":{}}`, nil},
		{"1.13 model, fields reordered", `{"dataDomainRoles":{},"accountRole":"editor","email":"a@example.com"}`, nil},
		{"1.13 model, roles", `{"email":"a@example.com","accountRole":"editor","dataDomainRoles":{"sales":"admin","hr":"none"}}`,
			map[string]api.Role{"sales": api.RoleAdmin, "hr": api.RoleNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u api.User
			if err := json.Unmarshal([]byte(tt.json), &u); err != nil {
				t.Fatalf("decoding %s: %v", tt.json, err)
			}
			want := api.User{Email: "a@example.com", AccountRole: api.RoleEditor, DataDomainRoles: tt.want}
			if !reflect.DeepEqual(u, want) {
				t.Fatalf("decoded %s as %#v, want %#v", tt.json, u, want)
			}
			// In a list, as GET /api/users sends them, too.
			var users []api.User
			if err := json.Unmarshal([]byte("["+tt.json+"]"), &users); err != nil || len(users) != 1 || !reflect.DeepEqual(users[0], want) {
				t.Fatalf("decoding [%s]: %#v, %v", tt.json, users, err)
			}
			// Encoded back, no roles means no field: what 1.0 knows.
			out, err := json.Marshal(u)
			if err != nil {
				t.Fatal(err)
			}
			if has := bytes.Contains(out, []byte("dataDomainRoles")); has != (len(tt.want) > 0) {
				t.Errorf("encoded back as %s", out)
			}
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
		{"account role", []string{"--role", "viewer"}, func(m map[string]any) {
			m["accountRole"] = "viewer"
		}},
		{"domain roles", []string{"--domain-role", "ops=operator", "--remove-domain-role", "hr"}, func(m map[string]any) {
			m["dataDomainRoles"] = map[string]any{"sales": "editor", "ops": "operator"}
		}},
		{"both", []string{"--role", "admin", "--domain-role", "sales=admin"}, func(m map[string]any) {
			m["accountRole"] = "admin"
			m["dataDomainRoles"] = map[string]any{"sales": "admin", "hr": "viewer"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &captureHandler{email: domUser, extra: extra}
			srv := serveSandbox(t, sandbox.Options{API: sandbox.API113}, serving{wrap: h.wrap}, domUserRecord())
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
				t.Fatalf("PUT body\n %s\nwant the model read\n %s\nwith only the requested change", h.puts[0], h.served)
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

func TestDomainRoleFlags(t *testing.T) {
	srv, c := setupCI(t, sandbox.Options{API: sandbox.API113})
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
		{[]string{"create", "ana@example.com", "--role", "viewer", "--domain-role", "sales=editor", "--domain-role", "HR=Viewer"},
			map[string]string{"sales": "editor", "HR": "viewer"}},
		{[]string{"update", "ana@example.com", "--domain-role", "sales=admin", "--domain-role", "ops=operator"},
			map[string]string{"sales": "admin", "HR": "viewer", "ops": "operator"}},
		{[]string{"update", "ana@example.com", "--remove-domain-role", "HR", "--remove-domain-role", "ops"},
			map[string]string{"sales": "admin"}},
		{[]string{"update", "ana@example.com", "--remove-domain-role", "sales"}, nil},
		{[]string{"update", "ana@example.com", "--domain-role", "finance=none"}, map[string]string{"finance": "none"}},
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
	srv, c := setupCI(t, sandbox.Options{API: sandbox.API10}, sandbox.User{Email: "ana@example.com", AccountRole: "viewer"})
	for _, args := range [][]string{
		{"create", "bo@example.com", "--role", "viewer", "--domain-role", "sales=editor"},
		{"create", "bo@example.com", "--role", "viewer", "--domain-role", "sales=editor", "--password-stdin"},
		{"update", "ana@example.com", "--domain-role", "sales=editor"},
		{"update", "ana@example.com", "--role", "editor", "--domain-role", "sales=editor"},
		{"update", "ana@example.com", "--remove-domain-role", "sales"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			srv.ResetRequests()
			o := c.runStdin("s3cret\n", args...)
			expectCode(t, o, cmd.ExitUsage)
			if !strings.Contains(o.stderr, "1.13") || !strings.Contains(o.stderr, "data domain") {
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
}

func TestDomainRolesKeptWhenAccountRoleChanges(t *testing.T) {
	srv, c := setupCI(t, sandbox.Options{API: sandbox.API113}, domUserRecord())
	for _, role := range []string{"operator", "viewer", "none", "admin"} {
		expectCode(t, c.run("update", domUser, "--role", role), cmd.ExitOK)
		u := findUser(t, srv.Server, domUser)
		if u.AccountRole != role || !maps.Equal(u.DataDomainRoles, domUserRecord().DataDomainRoles) {
			t.Fatalf("after --role %s the sandbox has %+v, want the data-domain roles %v kept", role, u, domUserRecord().DataDomainRoles)
		}
	}
}

// tableHeader returns the first line of a terminal table.
func tableHeader(out string) string {
	line, _, _ := strings.Cut(out, "\n")
	return line
}

func TestDomainRolesTableColumn(t *testing.T) {
	srv, c := setupCI(t, sandbox.Options{API: sandbox.API113})
	onTerminal := func(args ...string) result {
		t.Helper()
		r := c.exec(invocation{args: args, stdoutTTY: true})
		expectCode(t, r, cmd.ExitOK)
		return r
	}
	list := func(args ...string) string {
		t.Helper()
		return onTerminal(append([]string{"list"}, args...)...).stdout
	}

	out := list()
	if h := tableHeader(out); !strings.Contains(h, "EMAIL") || strings.Contains(h, "DOMAIN ROLES") {
		t.Fatalf("without domain roles the table's header is %q, want EMAIL and ROLE only:\n%s", h, out)
	}

	srv.addUsers(t, domUserRecord())
	out = list()
	if h := tableHeader(out); !strings.Contains(h, "DOMAIN ROLES") {
		t.Fatalf("with a user with domain roles the table's header is %q, want a DOMAIN ROLES column:\n%s", h, out)
	}
	if !strings.Contains(out, "hr=viewer;sales=editor") {
		t.Errorf("the table does not show dom's roles as hr=viewer;sales=editor:\n%s", out)
	}

	// Only the users listed count.
	out = list("--role", "viewer")
	if h := tableHeader(out); strings.Contains(h, "DOMAIN ROLES") {
		t.Errorf("list --role viewer lists nobody with domain roles, yet the header is %q:\n%s", h, out)
	}

	o := onTerminal("get", domUser)
	if h := tableHeader(o.stdout); !strings.Contains(h, "DOMAIN ROLES") {
		t.Errorf("get %s: header %q, want a DOMAIN ROLES column:\n%s", domUser, h, o.stdout)
	}
	o = onTerminal("get", sandbox.ViewerEmail)
	if h := tableHeader(o.stdout); strings.Contains(h, "DOMAIN ROLES") {
		t.Errorf("get %s: header %q, want no DOMAIN ROLES column:\n%s", sandbox.ViewerEmail, h, o.stdout)
	}
}

func TestDomainRolesMachineFormats(t *testing.T) {
	// wantRoles is each listed user's domain roles as the machine formats
	// must show them: present always, empty when none.
	type release struct {
		api       string
		wantRoles map[string]map[string]string
	}
	plain := map[string]map[string]string{sandbox.AdminEmail: {}, sandbox.ViewerEmail: {}}
	with := maps.Clone(plain)
	with[domUser] = domUserRecord().DataDomainRoles
	for _, rel := range []release{
		{sandbox.API10, map[string]map[string]string{sandbox.AdminEmail: {}, sandbox.ViewerEmail: {}, domUser: {}}},
		{sandbox.API113, with},
	} {
		for _, tty := range []bool{false, true} {
			name := rel.api + "/piped"
			if tty {
				name = rel.api + "/tty"
			}
			t.Run(name, func(t *testing.T) {
				_, c := setupCI(t, sandbox.Options{API: rel.api}, domUserRecord())
				for _, format := range []string{"json", "yaml", "csv", "tsv"} {
					o := c.exec(invocation{args: []string{"list", "-o", format}, stdoutTTY: tty})
					expectCode(t, o, cmd.ExitOK)
					got, err := machineDomainRoles(format, o.stdout)
					if err != nil {
						t.Fatalf("list -o %s: %v\n%s", format, err, o.stdout)
					}
					if !reflect.DeepEqual(got, rel.wantRoles) {
						t.Errorf("list -o %s: domain roles %v, want %v\n%s", format, got, rel.wantRoles, o.stdout)
					}
				}
				// One user in JSON is one object, with the field.
				o := c.exec(invocation{args: []string{"get", sandbox.ViewerEmail, "-o", "json"}, stdoutTTY: tty})
				expectCode(t, o, cmd.ExitOK)
				var one map[string]json.RawMessage
				if err := json.Unmarshal([]byte(o.stdout), &one); err != nil {
					t.Fatalf("get -o json: %v\n%s", err, o.stdout)
				}
				if string(one["dataDomainRoles"]) != "{}" {
					t.Errorf("get %s -o json: dataDomainRoles = %s, want {}", sandbox.ViewerEmail, one["dataDomainRoles"])
				}
			})
		}
	}
}

// machineDomainRoles reads each user's dataDomainRoles from list output in
// a machine format, and fails when a user lacks the field.
func machineDomainRoles(format, out string) (map[string]map[string]string, error) {
	roles := map[string]map[string]string{}
	switch format {
	case "json", "yaml":
		var users []map[string]any
		var err error
		if format == "json" {
			err = json.Unmarshal([]byte(out), &users)
		} else {
			err = yaml.Unmarshal([]byte(out), &users)
		}
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			email, _ := u["email"].(string)
			field, present := u["dataDomainRoles"]
			if !present {
				return nil, fmt.Errorf("user %s has no dataDomainRoles", email)
			}
			m, ok := field.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("user %s has dataDomainRoles %#v, want an object", email, field)
			}
			roles[email] = map[string]string{}
			for d, r := range m {
				roles[email][d], _ = r.(string)
			}
		}
	case "csv", "tsv":
		r := csv.NewReader(strings.NewReader(out))
		if format == "tsv" {
			r.Comma = '\t'
		}
		records, err := r.ReadAll()
		if err != nil {
			return nil, err
		}
		if len(records) == 0 {
			return nil, fmt.Errorf("no header")
		}
		emailCol, rolesCol := -1, -1
		for i, name := range records[0] {
			switch name {
			case "email":
				emailCol = i
			case "dataDomainRoles":
				rolesCol = i
			}
		}
		if emailCol < 0 || rolesCol < 0 {
			return nil, fmt.Errorf("header %q lacks email or dataDomainRoles", records[0])
		}
		for _, rec := range records[1:] {
			m := map[string]string{}
			if cell := rec[rolesCol]; cell != "" {
				for pair := range strings.SplitSeq(cell, ";") {
					d, role, _ := strings.Cut(pair, "=")
					m[d] = role
				}
			}
			roles[rec[emailCol]] = m
		}
	}
	return roles, nil
}
