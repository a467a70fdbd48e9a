package sandbox

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAppendUserJSON checks the hand-written encoder against encoding/json
// (with HTML escaping off, as Jackson does not escape it either).
func TestAppendUserJSON(t *testing.T) {
	tests := []struct {
		name        string
		user        User
		withDomains bool
	}{
		{name: "plain", user: User{Email: "a@example.com", AccountRole: RoleAdmin}},
		{name: "quotes and backslashes", user: User{Email: `"a\b"@example.com`, AccountRole: RoleNone}},
		{name: "control characters", user: User{Email: "a\x00\x01\t\n\r\x1f@example.com", AccountRole: RoleNone}},
		{name: "html characters", user: User{Email: "<a&b>@example.com", AccountRole: RoleNone}},
		{name: "unicode", user: User{Email: "zoë.łukasz@exämple.com", AccountRole: RoleNone}},
		{name: "line separators", user: User{Email: "a\u2028b\u2029@example.com", AccountRole: RoleNone}},
		{name: "invalid UTF-8", user: User{Email: "a\xffb\xc3@example.com", AccountRole: RoleNone}},
		{name: "domains sorted", withDomains: true, user: User{Email: "d@example.com", AccountRole: RoleViewer, DataDomainRoles: map[string]string{"zeta": RoleAdmin, "alpha": RoleNone, `q"uote`: RoleEditor}}},
		{name: "domains left out in 1.0", user: User{Email: "d@example.com", AccountRole: RoleViewer, DataDomainRoles: map[string]string{"sales": RoleAdmin}}},
		{name: "no domains", withDomains: true, user: User{Email: "d@example.com", AccountRole: RoleViewer, DataDomainRoles: map[string]string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.user
			if !tt.withDomains {
				want.DataDomainRoles = nil
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(want); err != nil {
				t.Fatal(err)
			}
			wantJSON := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			if got := appendUserJSON(nil, tt.user, tt.withDomains); !bytes.Equal(got, wantJSON) {
				t.Errorf("got  %s\nwant %s", got, wantJSON)
			}
		})
	}
}

func BenchmarkAppendUserJSON(b *testing.B) {
	u := User{Email: "user000001@example.com", AccountRole: RoleEditor}
	buf := make([]byte, 0, 128)
	for b.Loop() {
		buf = appendUserJSON(buf[:0], u, true)
	}
}
