package users

import (
	"bytes"
	"context"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
)

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
