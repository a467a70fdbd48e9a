package sandbox

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestParseHostileFaultKinds(t *testing.T) {
	want := map[string]faultKind{
		"other-user": faultOtherUser, "echo": faultEcho, "echo-html": faultEchoHTML,
		"echo-auth": faultEchoAuth, "control-chars": faultControlChars,
	}
	for text, kind := range want {
		rules, err := parseFaults("GET /api/users/* " + text + " x2")
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if r := rules[0]; r.kind != kind || r.remaining != 2 || r.method != "GET" || !r.prefix {
			t.Errorf("%s: parsed as %+v", text, r)
		}
	}
}

func TestFaultOtherUser(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		setup func(t *testing.T, sb *Server)
		call  call
		want  string
	}{
		{name: "the first other user", call: call{method: "GET", path: "/api/users/viewer@example.com"},
			want: `{"email":"admin@example.com","accountRole":"admin","dataDomainRoles":{}}`},
		{name: "not the requested one", opts: Options{API: API10}, call: call{method: "GET", path: "/api/users/admin@example.com"},
			want: `{"email":"viewer@example.com","accountRole":"viewer"}`},
		{name: "not another spelling of it", opts: Options{API: API10, CaseSensitiveEmails: true},
			setup: func(t *testing.T, sb *Server) { addUsers(t, sb, "Admin@example.com", "ADMIN@EXAMPLE.COM") },
			call:  call{method: "GET", path: "/api/users/aDmIn@example.com"},
			want:  `{"email":"viewer@example.com","accountRole":"viewer"}`},
		{name: "an update too", opts: Options{API: API10}, call: call{method: "PUT", path: "/api/users/admin@example.com", contentType: "application/json", body: `{}`},
			want: `{"email":"viewer@example.com","accountRole":"viewer"}`},
		{name: "with data domains", opts: Options{Domains: []string{"sales"}}, call: call{method: "GET", path: "/api/users/viewer%40example.com"},
			want: `{"email":"admin@example.com","accountRole":"admin","dataDomainRoles":{"(default)":"none","sales":"none"}}`},
		{name: "made up when there is no other", opts: Options{API: API10, StateFile: "only-viewer"},
			call: call{method: "GET", path: "/api/users/Viewer@example.com"},
			want: `{"email":"someone-else@example.com","accountRole":"editor"}`},
		{name: "made up, not the requested one", opts: Options{API: API10, StateFile: "only-someone-else"},
			call: call{method: "GET", path: "/api/users/someone-else@example.com"},
			want: `{"email":"someone-else-again@example.com","accountRole":"editor"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Faults = "/api/users/* other-user"
			if opts.StateFile != "" {
				// A state with one user, so there is no other to name.
				email := map[string]string{"only-viewer": ViewerEmail, "only-someone-else": madeUpEmail}[opts.StateFile]
				opts.StateFile = writeState(t, email)
			}
			h := newHarness(t, opts)
			if tt.setup != nil {
				tt.setup(t, h.sb)
			}
			r := h.do(tt.call)
			if r.status != 200 || r.header.Get("Content-Type") != "application/json" || string(r.body) != tt.want {
				t.Errorf("%d %s %s\nwant 200 application/json %s", r.status, r.header.Get("Content-Type"), r.body, tt.want)
			}
		})
	}
}

// addUsers adds viewers with these emails.
func addUsers(t *testing.T, sb *Server, emails ...string) {
	t.Helper()
	for _, email := range emails {
		if err := sb.AddUser(User{Email: email, AccountRole: RoleViewer}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFaultEcho(t *testing.T) {
	const password = `s3cret <pass> & "word"`
	big := strings.Repeat("p", maxBodyBytes+100)
	tests := []struct {
		name, faults, body string
		status             int
		contentType        string
		want               []string // in the answer's body
		exact              string   // the whole body, when set
	}{
		{name: "echo", faults: "echo", body: password, status: 400, contentType: "text/plain", exact: password},
		{name: "echo bounded", faults: "echo", body: big, status: 400, contentType: "text/plain", exact: big[:maxBodyBytes]},
		{name: "echo-html", faults: "echo-html", body: password, status: 502, contentType: "text/html",
			want: []string{"<title>502 Bad Gateway: request refused: " + password + "</title>", "<pre>" + password + "</pre>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := faultHarness(t, Options{Faults: "PUT /api/users/*/password " + tt.faults})
			r := h.do(call{method: "PUT", path: "/api/users/viewer@example.com/password", as: AdminEmail, contentType: "text/plain", body: tt.body})
			if r.status != tt.status || r.header.Get("Content-Type") != tt.contentType {
				t.Fatalf("%d %s, want %d %s", r.status, r.header.Get("Content-Type"), tt.status, tt.contentType)
			}
			if tt.exact != "" && string(r.body) != tt.exact {
				t.Errorf("body of %d bytes, want the request's %d", len(r.body), len(tt.exact))
			}
			for _, want := range tt.want {
				if !strings.Contains(string(r.body), want) {
					t.Errorf("body %s\nlacks %s", r.body, want)
				}
			}
			if h.sb.PasswordMatches(ViewerEmail, tt.body) {
				t.Error("the refused request was handled")
			}
		})
	}
}

func TestFaultEchoAuth(t *testing.T) {
	tests := []struct {
		name   string
		auth   []string
		want   []string
		absent string
	}{
		{name: "bearer", auth: []string{"Bearer DqoKey-AbCdEf0123"}, want: []string{"starts with: DqoKey-A...", "normalised key: dqokey-abcdef0123"}, absent: "DqoKey-AbCdEf0123"},
		{name: "quoted", auth: []string{`Bearer "DqoKey-AbCdEf0123"`}, want: []string{"starts with: DqoKey-A...", "normalised key: dqokey-abcdef0123"}, absent: "DqoKey-AbCdEf0123"},
		{name: "short", auth: []string{"Bearer Short"}, want: []string{"starts with: Short...", "normalised key: short"}},
		{name: "other scheme", auth: []string{"Basic QWxhZGRpbjpPcGVu"}, want: []string{"starts with: Basic QW...", "normalised key: basic qwxhzgrpbjppcgvu"}},
		{name: "none", want: []string{"no Authorization header"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := faultHarness(t, Options{Faults: "echo-auth"})
			r := h.do(call{method: "GET", path: "/api/users", auth: tt.auth})
			if r.status != 400 || r.header.Get("Content-Type") != "text/plain" {
				t.Fatalf("%d %s, want 400 text/plain", r.status, r.header.Get("Content-Type"))
			}
			for _, want := range tt.want {
				if !strings.Contains(string(r.body), want) {
					t.Errorf("body %q lacks %q", r.body, want)
				}
			}
			if tt.absent != "" && strings.Contains(string(r.body), tt.absent) {
				t.Errorf("body %q quotes the key unaltered", r.body)
			}
		})
	}
}

func TestFaultControlChars(t *testing.T) {
	required := []string{"\x1b[31m", "\a", "\r", "\u009b", "\x1b]52;c;", "\u202e", "\u200b", "\u2028"}
	joined := strings.Join(ControlCharEmails(), "")
	for _, seq := range required {
		if !strings.Contains(joined, seq) {
			t.Errorf("no email carries %q", seq)
		}
	}
	for _, email := range ControlCharEmails() {
		if !strings.ContainsFunc(email, isControlOrFormat) {
			t.Errorf("%q has no Cc, Cf, Zl or Zp character", email)
		}
	}
	for _, fl := range flavours() {
		t.Run(fl.name, func(t *testing.T) {
			opts := fl.opts
			opts.Faults = "GET /api/users* control-chars"
			h := newHarness(t, opts)
			var list []User
			if err := json.Unmarshal(h.do(call{method: "GET", path: "/api/users", as: ViewerEmail}).body, &list); err != nil {
				t.Fatal(err)
			}
			var emails []string
			for _, u := range list {
				emails = append(emails, u.Email)
				if !validRole(u.AccountRole) {
					t.Errorf("role %q", u.AccountRole)
				}
				if fl.opts.Domains != nil && u.DataDomainRoles[controlCharDomain] != RoleEditor {
					t.Errorf("dataDomainRoles %q lack the hostile domain", u.DataDomainRoles)
				}
			}
			if !slices.Equal(emails, ControlCharEmails()) {
				t.Errorf("list emails %q\nwant %q", emails, ControlCharEmails())
			}
			var one User
			if err := json.Unmarshal(h.do(call{method: "GET", path: "/api/users/a@example.com", as: ViewerEmail}).body, &one); err != nil {
				t.Fatal(err)
			}
			if one.Email != ControlCharEmails()[0] {
				t.Errorf("get: %q", one.Email)
			}
		})
	}
	emails := ControlCharEmails()
	emails[0] = "changed"
	if ControlCharEmails()[0] == "changed" {
		t.Error("ControlCharEmails returns the fault's own slice")
	}
}

func isControlOrFormat(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}

// TestAddUserAcceptsControlChars checks that a user whose email carries
// control characters can be added, listed, read and deleted exactly.
func TestAddUserAcceptsControlChars(t *testing.T) {
	h := newHarness(t, Options{})
	addUsers(t, h.sb, ControlCharEmails()...)
	var list []User
	if err := json.Unmarshal(h.do(call{method: "GET", path: "/api/users", as: ViewerEmail}).body, &list); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, u := range list {
		listed[u.Email] = true
	}
	for _, email := range ControlCharEmails() {
		if !listed[email] {
			t.Errorf("%q not listed", email)
		}
		path := "/api/users/" + url.PathEscape(email)
		if got := h.getUser(url.PathEscape(email))["email"]; got != email {
			t.Errorf("get %q: %q", email, got)
		}
		if r := h.do(call{method: "DELETE", path: path, as: AdminEmail}); r.status != 204 {
			t.Errorf("delete %q: %d", email, r.status)
		}
	}
	if got := h.sb.Users(); !reflect.DeepEqual(got, []User{{Email: AdminEmail, AccountRole: RoleAdmin}, {Email: ViewerEmail, AccountRole: RoleViewer}}) {
		t.Errorf("left %v", got)
	}
}

// writeState writes a state file holding one admin with that email, and
// returns its path.
func writeState(t *testing.T, email string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	content := `{"version":1,"users":[{"email":"` + email + `","accountRole":"admin","apiKey":"dqo-sandbox-k"}]}`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
