package users

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func mustParse(t *testing.T, data string) *File {
	t.Helper()
	f, err := Parse("users.yaml", []byte(data), FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func serverUsers() []api.User {
	return []api.User{
		{Email: "admin@example.com", AccountRole: api.RoleAdmin},
		{Email: "bo@example.com", AccountRole: api.RoleViewer, Extra: map[string]json.RawMessage{"displayName": json.RawMessage(`"Bo"`)}},
		{Email: "boss@example.com", AccountRole: api.RoleAdmin},
		{Email: "cy@example.com", AccountRole: api.RoleEditor, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor}},
		{Email: "dee@example.com", AccountRole: api.RoleOperator, DataDomainRoles: map[string]api.Role{"hr": api.RoleViewer}},
		{Email: "Eve@Example.com", AccountRole: api.RoleViewer},
		{Email: "old@example.com", AccountRole: api.RoleViewer},
	}
}

const teamFile = `users:
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
  dataDomainRoles: {finance: admin}
`

func TestPlanGolden(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"plan", Options{Caller: "admin@example.com"}},
		{"plan_prune", Options{Caller: "admin@example.com", Prune: true}},
		{"plan_prune_force", Options{Caller: "admin@example.com", Prune: true, Force: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPlan(mustParse(t, teamFile), serverUsers(), tt.opts)
			var text, js, color bytes.Buffer
			if err := p.WriteText(&text, false); err != nil {
				t.Fatal(err)
			}
			if err := p.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name+".txt", text.Bytes())
			golden(t, tt.name+".json", js.Bytes())
			if err := p.WriteText(&color, true); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(color.String(), "\x1b[32m+ create ana@example.com") {
				t.Errorf("colour output lacks a green create:\n%q", color.String())
			}
		})
	}
}

func TestPlanUpdateKeepsWhatItDoesNotChange(t *testing.T) {
	p := NewPlan(mustParse(t, teamFile), serverUsers(), Options{Caller: "admin@example.com"})
	byEmail := map[string]Change{}
	for _, c := range p.Changes {
		byEmail[c.Email] = c
	}
	bo := byEmail["bo@example.com"]
	if bo.Action != ActionUpdate || bo.After.AccountRole != api.RoleEditor || string(bo.After.Extra["displayName"]) != `"Bo"` {
		t.Errorf("bo: the update must send back the model read, unknown fields included: %+v", bo.After)
	}
	body, _ := json.Marshal(bo.After)
	if string(body) != `{"email":"bo@example.com","accountRole":"editor","displayName":"Bo"}` {
		t.Errorf("bo's PUT body: %s", body)
	}
	if _, ok := byEmail["cy@example.com"]; ok {
		t.Error("cy: no dataDomainRoles in the file leaves its domain roles alone: no change")
	}
	dee := byEmail["dee@example.com"]
	if dee.Action != ActionUpdate || dee.After.DataDomainRoles != nil {
		t.Errorf("dee: dataDomainRoles: {} must remove the domain roles: %+v", dee.After)
	}
	if _, ok := byEmail["Eve@Example.com"]; ok {
		t.Error("eve: emails match ignoring case")
	}
	if p.Unchanged != 2 || p.NotInFile != 2 {
		t.Errorf("unchanged %d, not in file %d; want 2 and 2", p.Unchanged, p.NotInFile)
	}
}

func TestPlanIdempotent(t *testing.T) {
	// Applying a plan's afters gives a server that the same file matches.
	file := mustParse(t, teamFile)
	p := NewPlan(file, serverUsers(), Options{Caller: "admin@example.com", Prune: true, Force: true})
	var after []api.User
	for _, c := range p.Changes {
		if c.Action != ActionDelete {
			after = append(after, *c.After)
		}
	}
	for _, u := range serverUsers() {
		touched := false
		for _, c := range p.Changes {
			touched = touched || api.SameEmail(c.Email, u.Email)
		}
		if !touched {
			after = append(after, u)
		}
	}
	again := NewPlan(file, after, Options{Caller: "admin@example.com", Prune: true})
	if !again.InSync() {
		var b bytes.Buffer
		_ = again.WriteText(&b, false)
		t.Errorf("second plan is not empty:\n%s", b.String())
	}
}

func TestPlanDomainRolesEmptyMatchesNone(t *testing.T) {
	// "export" writes {} for a user without domain roles; on a server where
	// the user has none (1.0 always), that is no change.
	f := mustParse(t, "- email: a@example.com\n  accountRole: viewer\n  dataDomainRoles: {}\n")
	p := NewPlan(f, []api.User{{Email: "a@example.com", AccountRole: api.RoleViewer}}, Options{})
	if !p.InSync() {
		t.Errorf("{} against no domain roles must be in sync: %+v", p.Changes)
	}
	// A create with {} sends no dataDomainRoles.
	p = NewPlan(f, nil, Options{})
	if body, _ := json.Marshal(p.Changes[0].After); string(body) != `{"email":"a@example.com","accountRole":"viewer"}` {
		t.Errorf("create body %s", body)
	}
}

func TestGuards(t *testing.T) {
	admin := func(e string) api.User { return api.User{Email: e, AccountRole: api.RoleAdmin} }
	viewer := func(e string) api.User { return api.User{Email: e, AccountRole: api.RoleViewer} }
	tests := []struct {
		name    string
		server  []api.User
		file    string
		opts    Options
		refused map[string]string // email -> reason prefix
		pending int
	}{
		{"delete self", []api.User{admin("me@x.io"), admin("b@x.io")}, "- {email: b@x.io, accountRole: admin}",
			Options{Caller: "ME@x.io", Prune: true}, map[string]string{"me@x.io": string(RefusedSelfDelete)}, 0},
		{"demote self", []api.User{admin("me@x.io"), admin("b@x.io")}, "- {email: me@x.io, accountRole: editor}",
			Options{Caller: "me@x.io"}, map[string]string{"me@x.io": string(RefusedSelfDemote)}, 0},
		{"self domain roles only", []api.User{admin("me@x.io")}, "- {email: me@x.io, accountRole: admin, dataDomainRoles: {a: viewer}}",
			Options{Caller: "me@x.io"}, nil, 1},
		{"force", []api.User{admin("me@x.io"), admin("b@x.io")}, "- {email: me@x.io, accountRole: editor}\n- {email: b@x.io, accountRole: none}",
			Options{Caller: "me@x.io", Force: true}, nil, 2},
		{"last admin demoted by a viewer's plan", []api.User{admin("a@x.io"), viewer("v@x.io")}, "- {email: a@x.io, accountRole: viewer}",
			Options{Caller: "v@x.io"}, map[string]string{"a@x.io": string(RefusedLastAdmin)}, 0},
		{"two admins removed, the last in order refused", []api.User{admin("a@x.io"), admin("b@x.io"), viewer("v@x.io")},
			"- {email: a@x.io, accountRole: viewer}\n- {email: v@x.io, accountRole: viewer}",
			Options{Caller: "v@x.io", Prune: true}, map[string]string{"b@x.io": string(RefusedLastAdmin)}, 1},
		{"a promotion keeps an admin", []api.User{admin("a@x.io"), admin("b@x.io"), viewer("v@x.io")},
			"- {email: v@x.io, accountRole: admin}", Options{Caller: "x@x.io", Prune: true}, nil, 3},
		{"a new admin keeps an admin", []api.User{admin("a@x.io")},
			"- {email: n@x.io, accountRole: admin}", Options{Caller: "x@x.io", Prune: true}, nil, 2},
		{"self, the last admin", []api.User{admin("me@x.io"), viewer("v@x.io")}, "- {email: v@x.io, accountRole: viewer}",
			Options{Caller: "me@x.io", Prune: true}, map[string]string{"me@x.io": string(RefusedSelfLastAdmin)}, 0},
		{"self demoted, the last admin", []api.User{admin("me@x.io")}, "- {email: me@x.io, accountRole: editor}",
			Options{Caller: "me@x.io"}, map[string]string{"me@x.io": string(RefusedSelfLastAdmin)}, 0},
		{"self and the other admin: the other goes, leaving self the last", []api.User{admin("me@x.io"), admin("b@x.io")},
			"- {email: me@x.io, accountRole: editor}\n- {email: b@x.io, accountRole: editor}",
			Options{Caller: "me@x.io"}, map[string]string{"me@x.io": string(RefusedSelfLastAdmin)}, 1},
		{"self refused, the other admin may go, leaving self the last", []api.User{admin("me@x.io"), admin("b@x.io")}, "[]",
			Options{Caller: "me@x.io", Prune: true}, map[string]string{"me@x.io": string(RefusedSelfLastAdmin)}, 1},
		{"self refused, another admin stays", []api.User{admin("me@x.io"), admin("b@x.io")}, "- {email: b@x.io, accountRole: admin}",
			Options{Caller: "me@x.io", Prune: true}, map[string]string{"me@x.io": string(RefusedSelfDelete)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPlan(mustParse(t, tt.file), tt.server, tt.opts)
			got := map[string]string{}
			for _, c := range p.Changes {
				if c.Refused != "" {
					got[c.Email] = string(c.Refused)
				}
			}
			if len(got) != len(tt.refused) {
				t.Errorf("refused %v, want %v", got, tt.refused)
			}
			for e, why := range tt.refused {
				if got[e] != why {
					t.Errorf("%s: refused %q, want %q", e, got[e], why)
				}
			}
			if n := len(p.Pending()); n != tt.pending {
				t.Errorf("%d pending, want %d", n, tt.pending)
			}
		})
	}
}

func TestSelfChangesAreMarked(t *testing.T) {
	p := NewPlan(mustParse(t, "- {email: Me@x.io, accountRole: editor}\n- {email: o@x.io, accountRole: editor}"),
		[]api.User{{Email: "me@x.io", AccountRole: api.RoleViewer}}, Options{Caller: "me@x.io"})
	for _, c := range p.Changes {
		if c.Self != (c.Email == "me@x.io") {
			t.Errorf("%s: Self = %v", c.Email, c.Self)
		}
	}
}
