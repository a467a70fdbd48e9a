package sandbox

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestStateFileRoundTrip(t *testing.T) {
	for _, mode := range modes() {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			opts := Options{API: mode, StateFile: path}
			if mode == API113 {
				opts.Domains = []string{"sales"}
			}
			h := newHarness(t, opts)
			// New saves at once, so the printed keys survive a restart.
			if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("state file after New: %v, %v", info, err)
			}
			steps := []call{
				{method: "POST", path: "/api/users", as: AdminEmail, contentType: "application/json", body: `{"email":"Kim@example.com","accountRole":"operator","dataDomainRoles":{"sales":"viewer","hr":"none"}}`},
				{method: "PUT", path: "/api/users/kim@example.com/password", as: AdminEmail, contentType: "text/plain", body: "kim-pw"},
				{method: "PUT", path: "/api/mypassword", as: ViewerEmail, contentType: "text/plain", body: "viewer-pw"},
				{method: "POST", path: "/api/users", as: AdminEmail, contentType: "application/json", body: `{"email":"gone@example.com","accountRole":"none"}`},
				{method: "DELETE", path: "/api/users/gone@example.com", as: AdminEmail},
			}
			for _, c := range steps {
				if r := h.do(c); r.status >= 300 {
					t.Fatalf("%s %s: %d", c.method, c.path, r.status)
				}
			}
			keys := map[string]string{}
			for _, u := range h.sb.Users() {
				keys[u.Email], _ = h.sb.KeyFor(u.Email)
			}

			opts.SeedUsers = 10
			again, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := again.Users(), h.sb.Users(); !reflect.DeepEqual(got, want) {
				t.Errorf("reloaded users %v, want %v (seeding is skipped for a loaded state)", got, want)
			}
			for email, key := range keys {
				if got, _ := again.KeyFor(email); got != key {
					t.Errorf("key of %s changed", email)
				}
			}
			if !again.PasswordMatches("kim@example.com", "kim-pw") || !again.PasswordMatches(ViewerEmail, "viewer-pw") {
				t.Error("passwords lost")
			}
			if mode == API113 && !reflect.DeepEqual(userByEmail(t, again, "kim@example.com").DataDomainRoles, map[string]string{"sales": "viewer"}) {
				t.Error("data-domain roles lost")
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "kim-pw") {
				t.Error("state file holds a password in clear")
			}
			entries, err := os.ReadDir(filepath.Dir(path))
			if err != nil || len(entries) != 1 {
				t.Errorf("directory holds %v, want only the state file (temporary files removed)", entries)
			}
		})
	}
}

func TestStateFileCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantErr string
	}{
		{name: "not JSON", content: "{users", wantErr: "corrupt"},
		{name: "empty", content: "", wantErr: "corrupt"},
		{name: "wrong version", content: `{"version":7,"users":[]}`, wantErr: "version 7"},
		{name: "bad role", content: `{"version":1,"users":[{"email":"a@b.io","accountRole":"god","apiKey":"k"}]}`, wantErr: "invalid account role"},
		{name: "no key", content: `{"version":1,"users":[{"email":"a@b.io","accountRole":"admin"}]}`, wantErr: "empty API key"},
		{name: "duplicate email", content: `{"version":1,"users":[{"email":"a@b.io","accountRole":"admin","apiKey":"k1"},{"email":"A@b.io","accountRole":"admin","apiKey":"k2"}]}`, wantErr: "duplicate email"},
		{name: "shared key", content: `{"version":1,"users":[{"email":"a@b.io","accountRole":"admin","apiKey":"k"},{"email":"c@b.io","accountRole":"admin","apiKey":"k"}]}`, wantErr: "shared"},
		{name: "bad hash", content: `{"version":1,"users":[{"email":"a@b.io","accountRole":"admin","apiKey":"k","passwordHash":"plain"}]}`, wantErr: "password hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := New(Options{StateFile: path})
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one naming %s and containing %q", err, path, tt.wantErr)
			}
		})
	}
}

// TestStateFileUnwritable checks that a write the state file cannot record
// is answered 500, not silently kept in memory only. A non-empty directory
// in the file's place makes the rename fail, even for root.
func TestStateFileUnwritable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	h := newHarness(t, Options{StateFile: path})
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "in-the-way"), 0o700); err != nil {
		t.Fatal(err)
	}
	r := h.do(call{method: "DELETE", path: "/api/users/" + ViewerEmail, as: AdminEmail})
	if r.status != 500 {
		t.Fatalf("status %d, want 500", r.status)
	}
	checkBody(t, nil, API113, call{method: "DELETE", path: "/api/users/" + ViewerEmail}, r)
	if !strings.Contains(string(r.body), "state file") {
		t.Errorf("message does not say what failed: %s", r.body)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
}

func TestStateFileLoadsIn10Mode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	content := `{"version":1,"users":[{"email":"a@b.io","accountRole":"admin","dataDomainRoles":{"d":"viewer"},"apiKey":"dqo-sandbox-k"}]}`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	sb, err := New(Options{API: API10, StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.Users(); !reflect.DeepEqual(got, []User{{Email: "a@b.io", AccountRole: RoleAdmin}}) {
		t.Errorf("Users() = %v; a 1.0 sandbox has no data-domain roles", got)
	}
	if sb.AdminKey() != "" {
		t.Error("AdminKey() for a state without the built-in admin")
	}
}

// TestStateFileGrants checks that a state file's data-domain roles load as
// written, for any domain, but for entries whose role is none, whatever
// data domains the instance has; the API shows them as the instance does.
func TestStateFileGrants(t *testing.T) {
	content := `{"version":1,"users":[{"email":"a@b.io","accountRole":"admin","apiKey":"dqo-sandbox-k",` +
		`"dataDomainRoles":{"sales":"editor","elsewhere":"viewer","(default)":"operator","marketing":"none"}}]}`
	grants := map[string]string{"sales": "editor", "elsewhere": "viewer", "(default)": "operator"}
	tests := []struct {
		name string
		opts Options
		get  string
	}{
		{name: "without data domains", get: `{"email":"a@b.io","accountRole":"admin","dataDomainRoles":{}}`},
		{name: "with data domains", opts: Options{Domains: []string{"sales", "marketing"}},
			get: `{"email":"a@b.io","accountRole":"admin","dataDomainRoles":{"(default)":"operator","elsewhere":"viewer","marketing":"none","sales":"editor"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			opts := tt.opts
			opts.StateFile = path
			h := newHarness(t, opts)
			if got := userByEmail(t, h.sb, "a@b.io").DataDomainRoles; !reflect.DeepEqual(got, grants) {
				t.Errorf("loaded %v, want %v", got, grants)
			}
			if r := h.do(call{method: "GET", path: "/api/users/a@b.io", as: "a@b.io"}); string(r.body) != tt.get {
				t.Errorf("get: %s\nwant %s", r.body, tt.get)
			}
		})
	}
}
