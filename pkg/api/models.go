// Package api is the client of the DQOps users REST API: typed models, one
// method per operation, typed errors that carry the HTTP status. It never
// prints and knows nothing of terminals.
package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// Role is a DQOps account or data-domain role.
type Role string

// The roles DQOps knows, strongest first.
const (
	RoleAdmin    Role = "admin"
	RoleEditor   Role = "editor"
	RoleOperator Role = "operator"
	RoleViewer   Role = "viewer"
	RoleNone     Role = "none"
)

// allRoles lists every role, strongest first.
var allRoles = []Role{RoleAdmin, RoleEditor, RoleOperator, RoleViewer, RoleNone}

// RoleNames lists the role names, strongest first.
func RoleNames() []string {
	names := make([]string, 0, 5)
	for _, r := range allRoles {
		names = append(names, string(r))
	}
	return names
}

// ParseRole accepts a role name in any case and returns it lower-case.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.Valid() {
		return r, nil
	}
	if guess := text.Suggest(s, RoleNames(), nil); guess != "" {
		return "", fmt.Errorf("unknown role %s (did you mean %q?): use one of %s", text.Cite(s), guess, strings.Join(RoleNames(), ", "))
	}
	return "", fmt.Errorf("unknown role %s: use one of %s", text.Cite(s), strings.Join(RoleNames(), ", "))
}

// Valid reports whether r is one of the five roles.
func (r Role) Valid() bool {
	return r.Rank() >= 0
}

// Rank orders roles: 0 for admin (strongest) up to 4 for none, -1 when unknown.
func (r Role) Rank() int {
	return slices.Index(allRoles, r)
}

// User is a user of a DQOps instance: DqoCloudUserModel in DQOps 1.0,
// DqoUserRolesModel (with data-domain roles) in 1.13.
//
// Fields this client does not know are kept in Extra and sent back on
// update, because DQOps replaces the whole model on PUT: dropping a field a
// newer server added would erase it.
type User struct {
	Email           string                     `json:"email"`
	AccountRole     Role                       `json:"accountRole,omitempty"`
	DataDomainRoles map[string]Role            `json:"dataDomainRoles,omitempty"`
	Extra           map[string]json.RawMessage `json:"-"`
	// NoRolesField is whether the server's model of the user has no
	// dataDomainRoles field at all, as DQOps 1.0's has not, so that JSON and
	// YAML of what it sent leave the field out as well. Users decoded from
	// a server set it; a user built here has the field.
	NoRolesField bool `json:"-"`
}

// userFields is User without methods, so that encoding does not recurse.
type userFields struct {
	Email           string          `json:"email"`
	AccountRole     Role            `json:"accountRole,omitempty"`
	DataDomainRoles map[string]Role `json:"dataDomainRoles,omitempty"`
}

// UnmarshalJSON decodes a user model from either DQOps release. It decodes
// the model into a map, not a struct, because encoding/json matches a
// struct's fields ignoring case: "EMAIL" would be read as the email, where
// DQOps (Jackson) takes it for another field. An absent, null or empty
// dataDomainRoles all decode to a nil map, and a null email or role to "".
// A key given twice takes its last value, whole, as it does in the map.
// Every other field is kept in Extra.
func (u *User) UnmarshalJSON(data []byte) error {
	var fields map[string]json.RawMessage
	err := json.Unmarshal(data, &fields)
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return fmt.Errorf("user model is %s, not an object", article(typeErr.Value))
	case err != nil:
		return err
	case fields == nil:
		return errors.New("user model is null")
	}
	_, hasRoles := fields["dataDomainRoles"]
	*u = User{NoRolesField: !hasRoles}
	for _, f := range []struct {
		name string
		into any
	}{{"email", &u.Email}, {"accountRole", &u.AccountRole}, {"dataDomainRoles", &u.DataDomainRoles}} {
		if raw, ok := fields[f.name]; ok {
			if err := json.Unmarshal(raw, f.into); err != nil {
				return fmt.Errorf("field %q: %w", f.name, err)
			}
			delete(fields, f.name)
		}
	}
	if len(u.DataDomainRoles) == 0 {
		u.DataDomainRoles = nil
	}
	if len(fields) > 0 {
		u.Extra = fields
	}
	return nil
}

// MarshalJSON encodes the user with the API's field names, followed by the
// fields kept from the server that this client does not know.
func (u User) MarshalJSON() ([]byte, error) {
	known, err := json.Marshal(userFields{u.Email, u.AccountRole, u.DataDomainRoles})
	if err != nil || len(u.Extra) == 0 {
		return known, err
	}
	var buf bytes.Buffer
	buf.Write(known[:len(known)-1])
	for _, k := range slices.Sorted(maps.Keys(u.Extra)) {
		if k == "email" || k == "accountRole" || k == "dataDomainRoles" {
			continue
		}
		name, _ := json.Marshal(k)
		buf.WriteByte(',')
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(u.Extra[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Profile is the caller's DqoUserProfileModel. Optional fields are pointers
// because their absence tells which DQOps release answered.
type Profile struct {
	User                 string `json:"user"`
	Tenant               string `json:"tenant,omitempty"`
	LicenseType          string `json:"license_type,omitempty"`
	UsersLimit           *int   `json:"users_limit,omitempty"`
	AccountRole          Role   `json:"account_role,omitempty"`
	CanManageAccount     bool   `json:"can_manage_account"`
	CanManageUsers       *bool  `json:"can_manage_users,omitempty"`
	CanUseDataDomains    *bool  `json:"can_use_data_domains,omitempty"`
	DataDomainsLimit     *int   `json:"data_domains_limit,omitempty"`
	CanChangeOwnPassword *bool  `json:"can_change_own_password,omitempty"`
}

// SupportsDataDomains reports whether the server is a release that knows
// data-domain roles (1.13 and later add these profile fields; 1.0 has none),
// whether or not it has data domains in use (Flavour tells).
func (p *Profile) SupportsDataDomains() bool {
	return p.CanUseDataDomains != nil || p.DataDomainsLimit != nil
}

// Release names the DQOps API generation the profile came from.
func (p *Profile) Release() string {
	if p.SupportsDataDomains() {
		return "1.13"
	}
	return "1.0"
}
