package api

import (
	"encoding/json"
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
			User{Email: "ana@example.com", AccountRole: RoleEditor}},
		{"absent domain roles", `{"email":"a@x.io","accountRole":"viewer"}`,
			User{Email: "a@x.io", AccountRole: RoleViewer}},
		{"null domain roles", `{"email":"a@x.io","accountRole":"viewer","dataDomainRoles":null}`,
			User{Email: "a@x.io", AccountRole: RoleViewer}},
		{"empty domain roles", `{"email":"a@x.io","accountRole":"viewer","dataDomainRoles":{}}`,
			User{Email: "a@x.io", AccountRole: RoleViewer}},
		{"domain roles", ` { "email" : "a@x.io" , "dataDomainRoles" : {"sales":"editor"}, "accountRole":"none" } `,
			User{Email: "a@x.io", AccountRole: RoleNone, DataDomainRoles: map[string]Role{"sales": RoleEditor}}},
		{"escaped email", `{"email":"a\u0040x.io","accountRole":"admin"}`,
			User{Email: "a@x.io", AccountRole: RoleAdmin}},
		{"null fields", `{"email":null,"accountRole":null}`, User{}},
		{"unknown fields kept", `{"email":"a@x.io","future":{"x":[1,"}"]},"n":-1.5e3,"b":true,"accountRole":"viewer"}`,
			User{Email: "a@x.io", AccountRole: RoleViewer, Extra: map[string]json.RawMessage{
				"future": json.RawMessage(`{"x":[1,"}"]}`), "n": json.RawMessage(`-1.5e3`), "b": json.RawMessage(`true`)}}},
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
