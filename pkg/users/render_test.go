package users

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/output/outputtest"
)

// diff -o json escapes server text as list -o json does: every hostile
// string of the output tests, in emails, data-domain names, the caller and
// the warnings, is written with its escape and reads back as itself.
func TestPlanJSONEscapesHostileText(t *testing.T) {
	var server []api.User
	for _, h := range outputtest.Hostiles {
		server = append(server,
			api.User{Email: "a" + h.S + "@example.com", AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{"sales" + h.S: api.RoleEditor}},
			api.User{Email: "admin" + h.S + "@example.com", AccountRole: api.RoleAdmin})
	}
	file := mustParse(t, "users:\n- email: new@example.com\n  accountRole: viewer\n")
	p := NewPlan(file, server, Options{Prune: true, Caller: server[1].Email})
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if c := outputtest.RawIn(got); c != "" {
		t.Errorf("%q written raw:\n%s", c, got)
	}
	for _, h := range outputtest.Hostiles {
		if want := `"a` + h.JSON + `@example.com"`; !strings.Contains(got, want) {
			t.Errorf("%s: %s is not in\n%s", h.Name, want, got)
		}
	}
	var back struct {
		Caller  string `json:"caller"`
		Changes []struct {
			Email  string    `json:"email"`
			Before *UserJSON `json:"before"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	emails := map[string]bool{}
	for _, c := range back.Changes {
		emails[c.Email] = true
		if c.Before != nil {
			for domain := range c.Before.DataDomainRoles {
				emails[domain] = true
			}
		}
	}
	for _, u := range server {
		if !emails[u.Email] {
			t.Errorf("%q does not read back", u.Email)
		}
		for domain := range u.DataDomainRoles {
			if !emails[domain] {
				t.Errorf("domain %q does not read back", domain)
			}
		}
	}
	if back.Caller != server[1].Email {
		t.Errorf("caller reads back as %q", back.Caller)
	}
}

// UserJSON and an export's user tell the YAML writer of the user's fixed
// shape what their JSON form holds: written by it, they are what yaml.v3
// writes for that JSON form.
func TestUsersYAMLAsTheirJSONForm(t *testing.T) {
	// The same fields without the UserFields method, which yaml.v3 writes
	// from their JSON form.
	type plainUserJSON struct {
		Email           string              `json:"email"`
		AccountRole     api.Role            `json:"accountRole"`
		DataDomainRoles map[string]api.Role `json:"dataDomainRoles,omitzero"`
	}
	type plainFileUser struct {
		Email           string               `json:"email"`
		AccountRole     api.Role             `json:"accountRole"`
		DataDomainRoles *map[string]api.Role `json:"dataDomainRoles,omitempty"`
	}
	write := func(items []any, flow bool) string {
		t.Helper()
		var b bytes.Buffer
		p := output.Printer{Out: &b, Options: output.Options{Format: FormatYAML}, Layout: output.Layout{FlowFields: flow}}
		l, err := p.List(context.Background(), nil, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range items {
			if err := l.Add(item, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	var listed, plainListed, exported, plainExported []any
	for _, u := range append(flavourUsers(api.FlavourDomains), append(flavourUsers(api.FlavourNoDomains), flavourUsers(api.FlavourRelease10)...)...) {
		if u.DataDomainRoles == nil {
			u.NoRolesField = true
		}
		j := NewUserJSON(&u)
		listed = append(listed, j)
		plainListed = append(plainListed, plainUserJSON(*j))
		roles := u.Grants()
		if roles == nil {
			roles = noRoles
		}
		f := fileUser{Email: u.Email, AccountRole: u.AccountRole, DataDomainRoles: &roles}
		exported = append(exported, &f)
		plainExported = append(plainExported, plainFileUser(f))
	}
	if got, want := write(listed, false), write(plainListed, false); got != want {
		t.Errorf("UserJSON:\n%s\nyaml.v3:\n%s", got, want)
	}
	if got, want := write(exported, true), write(plainExported, true); got != want {
		t.Errorf("export:\n%s\nyaml.v3:\n%s", got, want)
	}
}
