package api

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestUserDecoding(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want User
	}{
		{"1.0 model", `{"email":"ana@example.com","accountRole":"editor"}`,
			User{Email: "ana@example.com", AccountRole: RoleEditor, NoRolesField: true}},
		{"absent domain roles", `{"email":"a@x.io","accountRole":"viewer"}`,
			User{Email: "a@x.io", AccountRole: RoleViewer, NoRolesField: true}},
		{"null domain roles", `{"email":"a@x.io","accountRole":"viewer","dataDomainRoles":null}`,
			User{Email: "a@x.io", AccountRole: RoleViewer}},
		{"empty domain roles", `{"email":"a@x.io","accountRole":"viewer","dataDomainRoles":{}}`,
			User{Email: "a@x.io", AccountRole: RoleViewer}},
		{"domain roles", ` { "email" : "a@x.io" , "dataDomainRoles" : {"sales":"editor"}, "accountRole":"none" } `,
			User{Email: "a@x.io", AccountRole: RoleNone, DataDomainRoles: map[string]Role{"sales": RoleEditor}}},
		{"escaped email", `{"email":"a\u0040x.io","accountRole":"admin"}`,
			User{Email: "a@x.io", AccountRole: RoleAdmin, NoRolesField: true}},
		{"null fields", `{"email":null,"accountRole":null}`, User{NoRolesField: true}},
		{"a repeated key takes its last value whole", `{"email":"a@x.io","email":null,"accountRole":"admin","accountRole":"viewer","dataDomainRoles":{"a":"admin"},"dataDomainRoles":{"b":"none"}}`,
			User{AccountRole: RoleViewer, DataDomainRoles: map[string]Role{"b": RoleNone}}},
		{"a repeated key emptied", `{"dataDomainRoles":{"a":"admin"},"dataDomainRoles":{}}`, User{}},
		{"unknown fields kept", `{"email":"a@x.io","future":{"x":[1,"}"]},"n":-1.5e3,"b":true,"accountRole":"viewer"}`,
			User{Email: "a@x.io", AccountRole: RoleViewer, NoRolesField: true, Extra: map[string]json.RawMessage{
				"future": json.RawMessage(`{"x":[1,"}"]}`), "n": json.RawMessage(`-1.5e3`), "b": json.RawMessage(`true`)}}},
		{"an empty object", `{}`, User{NoRolesField: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got User
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestUserDecodingErrors(t *testing.T) {
	for _, in := range []string{`null`, `[]`, `"x"`, `{"email":1}`, `{"accountRole":[]}`, `{"dataDomainRoles":"x"}`, `{"email":"a`, `{`, ``} {
		var u User
		if err := u.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestUserRoundTripKeepsUnknownFields(t *testing.T) {
	in := `{"email":"a@x.io","accountRole":"viewer","dataDomainRoles":{"hr":"editor"},"zeta":1,"alpha":{"k":"v"}}`
	var u User
	if err := json.Unmarshal([]byte(in), &u); err != nil {
		t.Fatal(err)
	}
	u.AccountRole = RoleEditor
	out, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"email":"a@x.io","accountRole":"editor","dataDomainRoles":{"hr":"editor"},"alpha":{"k":"v"},"zeta":1}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
}

// referenceUser decodes a user model with encoding/json alone, field by
// field from a map, as the plain reading of the API's model:
// User.UnmarshalJSON must agree with it on every input.
func referenceUser(data []byte) (User, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return User{}, err
	}
	if fields == nil {
		return User{}, errors.New("user model is null")
	}
	_, hasRoles := fields["dataDomainRoles"]
	u := User{NoRolesField: !hasRoles}
	var email, role *string
	var domains map[string]Role
	for key, value := range fields {
		var err error
		switch key {
		case "email":
			err = json.Unmarshal(value, &email)
		case "accountRole":
			err = json.Unmarshal(value, &role)
		case "dataDomainRoles":
			err = json.Unmarshal(value, &domains)
		default:
			if u.Extra == nil {
				u.Extra = map[string]json.RawMessage{}
			}
			u.Extra[key] = value
		}
		if err != nil {
			return User{}, err
		}
	}
	if email != nil {
		u.Email = *email
	}
	if role != nil {
		u.AccountRole = Role(*role)
	}
	if len(domains) > 0 {
		u.DataDomainRoles = domains
	}
	return u, nil
}

// FuzzUserDecoder checks User.UnmarshalJSON against referenceUser: both accept or both refuse, and what they read is the same
// user (unknown fields compared by meaning, since the reference may keep
// them differently spaced).
func FuzzUserDecoder(f *testing.F) {
	for _, s := range []string{
		`{"email":"ana@example.com","accountRole":"editor"}`,
		`{"email":"a@x.io","accountRole":"viewer","dataDomainRoles":{"sales":"editor","(default)":"none"}}`,
		`{"email":"a@x.io","future":{"x":[1,"}"]},"n":-1.5e3,"b":true,"accountRole":"viewer"}`,
		`{"email":"a@x.io","dataDomainRoles":{},"accountRole":"none","dataDomainRoles":null}`,
		`{"\u0065mail":"a\u0040x.io","Email":"b@x.io","accountRole":null,"dataDomainRoles":null}`,
		`{}`, `null`, `[]`, `{"email":1}`, `{"email":"\ud800"}`, "{\"email\":\"\xff\"}", `{"x":tru}`,
		`{"email":nullx}`, `{"x":01}`, `{"x":[1}`, `{"x":"\q"}`, "{\"email\":\"a\x01\"}", `{"a":1} x`, `{"a":1,}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := referenceUser(data)
		// Through encoding/json, which checks the JSON first, and alone.
		var viaJSON, alone User
		for _, d := range []struct {
			how string
			got *User
			err error
		}{
			{"through encoding/json", &viaJSON, json.Unmarshal(data, &viaJSON)},
			{"alone", &alone, alone.UnmarshalJSON(data)},
		} {
			if (d.err == nil) != (wantErr == nil) {
				t.Fatalf("%q: the decoder %s says %v, encoding/json says %v", data, d.how, d.err, wantErr)
			}
			if d.err != nil {
				continue
			}
			if g, w := normalizeUser(t, *d.got), normalizeUser(t, want); !reflect.DeepEqual(g, w) {
				t.Fatalf("%q:\n decoder %s %#v\n encoding/json %#v", data, d.how, g, w)
			}
		}
	})
}
