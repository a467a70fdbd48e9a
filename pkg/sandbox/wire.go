package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// wireUser is a user's wire model, DqoCloudUserModel: email, accountRole
// and, in 1.13, dataDomainRoles.
type wireUser struct {
	Email           string            `json:"email"`
	AccountRole     string            `json:"accountRole"`
	DataDomainRoles map[string]string `json:"dataDomainRoles,omitzero"` // nil in 1.0: no field
}

// appendUserJSON appends the wire model of a stored user, dataDomainRoles
// as view shows them, as encoding/json writes it with HTML escaping off
// (Jackson does not escape '<', '>' or '&' either).
func appendUserJSON(dst []byte, rec *record, view *domainView) []byte {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	u := wireUser{Email: rec.user.Email, AccountRole: rec.user.AccountRole, DataDomainRoles: view.roles(rec.user.DataDomainRoles)}
	if err := enc.Encode(u); err != nil {
		panic(fmt.Sprintf("sandbox: encoding a user: %v", err)) // strings and a map of strings always encode
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// appendUsersJSON appends a JSON array of the users' wire models.
func appendUsersJSON(dst []byte, recs []*record, view *domainView) []byte {
	dst = append(dst, '[')
	for i, rec := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendUserJSON(dst, rec, view)
	}
	return append(dst, ']')
}
