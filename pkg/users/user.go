package users

import (
	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// UserJSON is a user as the machine formats show it (list, get, the plan of
// diff -o json): the API's field names, and dataDomainRoles present ({}
// when empty) so that the shape never depends on the data, but for a user
// whose server has no such field (DQOps 1.0): as the server sent it, it has
// none. list and get show the dataDomainRoles the server sent, entries
// whose role is none included; the plan shows grants.
type UserJSON struct {
	Email           string              `json:"email"`
	AccountRole     api.Role            `json:"accountRole"`
	DataDomainRoles map[string]api.Role `json:"dataDomainRoles,omitzero"` // nil: no field
}

// noRoles is the dataDomainRoles of every user without any: one map, never
// written to, rather than one a user of a list of millions.
var noRoles = map[string]api.Role{}

// NewUserJSON returns u as the machine formats show it; nil for nil. Its
// DataDomainRoles is for reading only: it may be shared.
func NewUserJSON(u *api.User) *UserJSON {
	if u == nil {
		return nil
	}
	roles := u.DataDomainRoles
	switch {
	case u.NoRolesField && len(roles) == 0:
		roles = nil
	case roles == nil:
		roles = noRoles
	}
	return &UserJSON{Email: u.Email, AccountRole: u.AccountRole, DataDomainRoles: roles}
}

// UserFields makes a UserJSON an output.User, which the YAML writers write
// themselves: list -o yaml of a million users is then about as fast as -o
// json.
func (u *UserJSON) UserFields(f *output.UserFields) {
	f.Email, f.AccountRole = u.Email, string(u.AccountRole)
	if u.DataDomainRoles != nil {
		f.HasDomainRoles = true
		f.DomainRoles = appendDomainRoles(f.DomainRoles, u.DataDomainRoles)
	}
}

// appendDomainRoles appends the entries of roles, in any order.
func appendDomainRoles(dst []output.DomainRole, roles map[string]api.Role) []output.DomainRole {
	for domain, role := range roles {
		dst = append(dst, output.DomainRole{Domain: domain, Role: string(role)})
	}
	return dst
}
