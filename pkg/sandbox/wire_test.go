package sandbox

import (
	"bytes"
	"encoding/json"
	"maps"
	"testing"
)

// shownUser is the wire model, for encoding/json to encode as reference.
type shownUser struct {
	Email           string            `json:"email"`
	AccountRole     string            `json:"accountRole"`
	DataDomainRoles map[string]string `json:"dataDomainRoles,omitempty"`
}

// shownRoles is what an instance shows of a user's grants, built the slow
// way: nil in 1.0, {} without data domains, else every listed domain with
// "none" and the grants over it.
func shownRoles(api string, local []string, grants map[string]string) map[string]string {
	if api != API113 {
		return nil
	}
	shown := map[string]string{}
	if len(local) == 0 {
		return shown
	}
	shown[DefaultDomain] = RoleNone
	for _, d := range local {
		shown[d] = RoleNone
	}
	maps.Copy(shown, grants)
	return shown
}

// TestAppendUserJSON checks the wire model of a user against encoding/json
// (with HTML escaping off, as Jackson does not escape it either) of what
// each of the three kinds of instance shows, built the slow way.
func TestAppendUserJSON(t *testing.T) {
	users := []struct {
		name string
		user User
	}{
		{name: "plain", user: User{Email: "a@example.com", AccountRole: RoleAdmin}},
		{name: "quotes and backslashes", user: User{Email: `"a\b"@example.com`, AccountRole: RoleNone}},
		{name: "control characters", user: User{Email: "a\x00\x01\t\n\r\x1f@example.com", AccountRole: RoleNone}},
		{name: "html characters", user: User{Email: "<a&b>@example.com", AccountRole: RoleNone}},
		{name: "unicode", user: User{Email: "zoë.łukasz@exämple.com", AccountRole: RoleNone}},
		{name: "line separators", user: User{Email: "a\u2028b\u2029@example.com", AccountRole: RoleNone}},
		{name: "invalid UTF-8", user: User{Email: "a\xffb\xc3@example.com", AccountRole: RoleNone}},
		{name: "local grants", user: User{Email: "d@example.com", AccountRole: RoleViewer, DataDomainRoles: map[string]string{"sales": RoleEditor, DefaultDomain: RoleAdmin}}},
		{name: "grants elsewhere", user: User{Email: "d@example.com", AccountRole: RoleViewer, DataDomainRoles: map[string]string{"zeta": RoleAdmin, "!first": RoleViewer, `q"uote`: RoleEditor, "marketing2": RoleOperator}}},
		{name: "no grants", user: User{Email: "d@example.com", AccountRole: RoleViewer, DataDomainRoles: map[string]string{}}},
	}
	instances := []struct {
		name    string
		api     string
		domains []string
	}{
		{name: "1.0", api: API10},
		{name: "1.13 without data domains", api: API113},
		{name: "1.13 with data domains", api: API113, domains: []string{"marketing", "sales", "<x>"}},
	}
	for _, in := range instances {
		for _, tt := range users {
			t.Run(in.name+"/"+tt.name, func(t *testing.T) {
				local, err := checkDomains(in.api, false, in.domains)
				if err != nil {
					t.Fatal(err)
				}
				view := newDomainView(in.api, local)
				want := shownUser{Email: tt.user.Email, AccountRole: tt.user.AccountRole, DataDomainRoles: shownRoles(in.api, local, tt.user.DataDomainRoles)}
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(want); err != nil {
					t.Fatal(err)
				}
				wantJSON := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
				if in.api == API113 && want.DataDomainRoles != nil && len(want.DataDomainRoles) == 0 {
					// omitempty drops the {} that 1.13 sends.
					wantJSON = append(bytes.TrimSuffix(wantJSON, []byte("}")), `,"dataDomainRoles":{}}`...)
				}
				if got := appendUserJSON(nil, newRecord(tt.user, "k", ""), &view); !bytes.Equal(got, wantJSON) {
					t.Errorf("got  %s\nwant %s", got, wantJSON)
				}
			})
		}
	}
}

func BenchmarkAppendUserJSON(b *testing.B) {
	local, _ := checkDomains(API113, false, []string{"sales", "marketing", "finance"})
	views := map[string]domainView{
		"without data domains": newDomainView(API113, nil),
		"with data domains":    newDomainView(API113, local),
	}
	rec := newRecord(User{Email: "user000001@example.com", AccountRole: RoleEditor, DataDomainRoles: map[string]string{"sales": RoleViewer}}, "k", "")
	for name, view := range views {
		b.Run(name, func(b *testing.B) {
			enc := newUserEncoder(&view)
			buf := make([]byte, 0, 256)
			for b.Loop() {
				buf = enc.appendUser(buf[:0], rec)
			}
		})
	}
}
