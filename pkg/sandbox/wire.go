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

// userEncoder encodes stored users as their wire models, dataDomainRoles
// as view shows them, as encoding/json writes them with HTML escaping off
// (Jackson does not escape '<', '>' or '&' either). One serves a whole
// list, reusing its buffers.
type userEncoder struct {
	view *domainView
	user wireUser
	buf  bytes.Buffer
	enc  *json.Encoder
}

func newUserEncoder(view *domainView) *userEncoder {
	e := &userEncoder{view: view}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// appendUser appends the wire model of rec to dst.
func (e *userEncoder) appendUser(dst []byte, rec *record) []byte {
	e.user = wireUser{Email: rec.user.Email, AccountRole: rec.user.AccountRole, DataDomainRoles: e.view.roles(rec.user.DataDomainRoles)}
	e.buf.Reset()
	if err := e.enc.Encode(&e.user); err != nil {
		panic(fmt.Sprintf("sandbox: encoding a user: %v", err)) // strings and a map of strings always encode
	}
	return append(dst, bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))...)
}

// appendUserJSON appends the wire model of a stored user.
func appendUserJSON(dst []byte, rec *record, view *domainView) []byte {
	return newUserEncoder(view).appendUser(dst, rec)
}

// appendUsersJSON appends a JSON array of the users' wire models.
func appendUsersJSON(dst []byte, recs []*record, view *domainView) []byte {
	e := newUserEncoder(view)
	dst = append(dst, '[')
	for i, rec := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = e.appendUser(dst, rec)
	}
	return append(dst, ']')
}
