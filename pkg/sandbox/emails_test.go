package sandbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEmailCase walks the operations on two spellings of one address, on
// an instance that ignores case (the default) and on one that does not.
func TestEmailCase(t *testing.T) {
	const (
		upper = "Ana@example.com" // added first, as editor
		lower = "ana@example.com"
		other = "aNa@example.com" // never added
	)
	update := func(path, email, role string) call {
		return call{method: "PUT", path: "/api/users/" + path, as: AdminEmail, contentType: "application/json",
			body: `{"email":"` + email + `","accountRole":"` + role + `"}`}
	}
	// Each step has what an instance that ignores case and one that does
	// not answer; -1 skips the request (for a step that only checks state).
	steps := []struct {
		name         string
		call         call
		ignore, keep int
		check        func(t *testing.T, sb *Server, exact bool)
	}{
		{name: "create the other spelling", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: "application/json",
			body: `{"email":"` + lower + `","accountRole":"viewer"}`}, ignore: 403, keep: 201},
		{name: "get the first spelling", call: call{method: "GET", path: "/api/users/" + upper, as: AdminEmail}, ignore: 200, keep: 200},
		{name: "get a third spelling", call: call{method: "GET", path: "/api/users/" + other, as: AdminEmail}, ignore: 200, keep: 404},
		{
			name: "keys", ignore: -1, keep: -1,
			check: func(t *testing.T, sb *Server, exact bool) {
				upperKey, _ := sb.KeyFor(upper)
				lowerKey, lowerOK := sb.KeyFor(lower)
				_, otherOK := sb.KeyFor(other)
				if !lowerOK || otherOK == exact || (upperKey == lowerKey) == exact {
					t.Errorf("KeyFor: two users %v, third spelling found %v", upperKey != lowerKey, otherOK)
				}
			},
		},
		{name: "update with the path's spelling", call: update(lower, lower, RoleAdmin), ignore: 204, keep: 204},
		{name: "update with another spelling in the body", call: update(lower, upper, RoleAdmin), ignore: 204, keep: 406},
		{name: "update a third spelling", call: update(other, other, RoleAdmin), ignore: 204, keep: 500},
		{
			name: "only the named user changed", ignore: -1, keep: -1,
			check: func(t *testing.T, sb *Server, exact bool) {
				want := map[bool][]string{
					false: {upper + " admin"},
					true:  {upper + " editor", lower + " admin"},
				}[exact]
				if got := userLines(sb, "ana@"); !slices.Equal(got, want) {
					t.Errorf("users %v, want %v", got, want)
				}
			},
		},
		{name: "set a password", call: call{method: "PUT", path: "/api/users/" + lower + "/password", as: AdminEmail, contentType: "text/plain", body: "pw"}, ignore: 204, keep: 204},
		{name: "set a third spelling's password", call: call{method: "PUT", path: "/api/users/" + other + "/password", as: AdminEmail, contentType: "text/plain", body: "pw3"}, ignore: 204, keep: 500},
		{
			name: "passwords", ignore: -1, keep: -1,
			check: func(t *testing.T, sb *Server, exact bool) {
				if exact && (!sb.PasswordMatches(lower, "pw") || sb.PasswordMatches(upper, "pw") || sb.PasswordMatches(other, "pw")) {
					t.Error("the password went to another spelling")
				}
				if !exact && !sb.PasswordMatches(other, "pw3") {
					t.Error("password not set through another spelling")
				}
			},
		},
		{name: "delete a third spelling", call: call{method: "DELETE", path: "/api/users/" + other, as: AdminEmail}, ignore: 204, keep: 404},
		{name: "delete the other spelling", call: call{method: "DELETE", path: "/api/users/" + lower, as: AdminEmail}, ignore: 404, keep: 204},
		{
			name: "the first spelling is left", ignore: -1, keep: -1,
			check: func(t *testing.T, sb *Server, exact bool) {
				want := map[bool][]string{false: nil, true: {upper + " editor"}}[exact]
				if got := userLines(sb, "ana@"); !slices.Equal(got, want) {
					t.Errorf("users %v, want %v", got, want)
				}
			},
		},
	}
	for _, exact := range []bool{false, true} {
		for _, mode := range modes() {
			name := mode + "/ignoring case"
			if exact {
				name = mode + "/case-sensitive"
			}
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, Options{API: mode, CaseSensitiveEmails: exact})
				if err := h.sb.AddUser(User{Email: upper, AccountRole: RoleEditor}); err != nil {
					t.Fatal(err)
				}
				for _, step := range steps {
					want := step.ignore
					if exact {
						want = step.keep
					}
					if want >= 0 {
						if r := h.do(step.call); r.status != want {
							t.Fatalf("%s: %s %s: status %d, want %d", step.name, step.call.method, step.call.path, r.status, want)
						}
					}
					if step.check != nil {
						step.check(t, h.sb, exact)
					}
				}
			})
		}
	}
}

// userLines describes the users whose email starts with prefix (ignoring
// case), as "email role".
func userLines(sb *Server, prefix string) []string {
	var lines []string
	for _, u := range sb.Users() {
		if strings.HasPrefix(strings.ToLower(u.Email), prefix) {
			lines = append(lines, u.Email+" "+u.AccountRole)
		}
	}
	return lines
}

func TestCaseSensitiveAddUserAndList(t *testing.T) {
	for _, exact := range []bool{false, true} {
		t.Run(map[bool]string{false: "ignoring case", true: "case-sensitive"}[exact], func(t *testing.T) {
			h := newHarness(t, Options{CaseSensitiveEmails: exact})
			var added []string
			for _, email := range []string{"bob@example.com", "ana@example.com", "Ana@example.com", "ANA@example.com", "Admin@example.com"} {
				err := h.sb.AddUser(User{Email: email, AccountRole: RoleViewer})
				if err == nil {
					added = append(added, email)
				} else if !strings.Contains(err.Error(), "already exists") {
					t.Fatal(err)
				}
			}
			want := map[bool][]string{
				false: {"bob@example.com", "ana@example.com"},
				true:  {"bob@example.com", "ana@example.com", "Ana@example.com", "ANA@example.com", "Admin@example.com"},
			}[exact]
			if !slices.Equal(added, want) {
				t.Errorf("AddUser took %v, want %v", added, want)
			}
			var list []User
			if err := json.Unmarshal(h.do(call{method: "GET", path: "/api/users", as: ViewerEmail}).body, &list); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range list {
				got = append(got, u.Email)
			}
			wantList := map[bool][]string{
				false: {"admin@example.com", "ana@example.com", "bob@example.com", "viewer@example.com"},
				true:  {"Admin@example.com", "admin@example.com", "ANA@example.com", "Ana@example.com", "ana@example.com", "bob@example.com", "viewer@example.com"},
			}[exact]
			if !slices.Equal(got, wantList) {
				t.Errorf("list %v\nwant %v", got, wantList)
			}
		})
	}
}

func TestCaseSensitiveStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, Options{StateFile: path, CaseSensitiveEmails: true})
	for _, email := range []string{"Ana@example.com", "ana@example.com"} {
		if r := h.do(call{method: "POST", path: "/api/users", as: AdminEmail, contentType: "application/json", body: `{"email":"` + email + `","accountRole":"viewer"}`}); r.status != 201 {
			t.Fatalf("create %s: %d", email, r.status)
		}
	}
	if r := h.do(call{method: "PUT", path: "/api/users/Ana@example.com/password", as: AdminEmail, contentType: "text/plain", body: "upper-pw"}); r.status != 204 {
		t.Fatalf("password: %d", r.status)
	}
	again, err := New(Options{StateFile: path, CaseSensitiveEmails: true})
	if err != nil {
		t.Fatal(err)
	}
	upperKey, _ := again.KeyFor("Ana@example.com")
	lowerKey, _ := again.KeyFor("ana@example.com")
	if want, _ := h.sb.KeyFor("Ana@example.com"); upperKey != want || upperKey == lowerKey {
		t.Error("keys not kept per spelling")
	}
	if !again.PasswordMatches("Ana@example.com", "upper-pw") || again.PasswordMatches("ana@example.com", "upper-pw") {
		t.Error("password not kept per spelling")
	}
	// An instance that ignores case cannot hold both.
	if _, err := New(Options{StateFile: path}); err == nil || !strings.Contains(err.Error(), `duplicate email "ana@example.com" (emails ignore case)`) {
		t.Errorf("loading both spellings ignoring case: %v", err)
	}
	// Exact duplicates are refused either way.
	dup := filepath.Join(t.TempDir(), "dup.json")
	content := `{"version":1,"users":[{"email":"a@b.io","accountRole":"admin","apiKey":"k1"},{"email":"a@b.io","accountRole":"admin","apiKey":"k2"}]}`
	if err := os.WriteFile(dup, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateFile: dup, CaseSensitiveEmails: true}); err == nil || !strings.Contains(err.Error(), `duplicate email "a@b.io"`) {
		t.Errorf("exact duplicate: %v", err)
	}
}
