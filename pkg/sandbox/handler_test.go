package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// statusCase is one request of the status table and what it must get.
type statusCase struct {
	name  string
	opts  Options
	setup func(h *harness, c *call)
	call  call
	want  int
	check func(t *testing.T, h *harness, r reply)
}

// TestStatuses walks the README's table of statuses, quirks included, in
// both modes. Every answer's body is checked too: empty for errors and
// writes, JSON of the right kind for 200 and 500.
func TestStatuses(t *testing.T) { runStatusCases(t, nil) }

// TestStatusesMatchDocuments walks the same table and checks every 200 and
// 500 body against the mode's OpenAPI document.
func TestStatusesMatchDocuments(t *testing.T) { runStatusCases(t, swaggerDocs(t)) }

func statusCases() []statusCase {
	const (
		newUser  = `{"email":"new@example.com","accountRole":"editor"}`
		jsonType = "application/json"
		textType = "text/plain"
	)
	return []statusCase{
		// Authentication.
		{name: "list as admin", call: call{method: "GET", path: "/api/users", as: AdminEmail}, want: 200},
		{name: "list as viewer", call: call{method: "GET", path: "/api/users", as: ViewerEmail}, want: 200},
		{name: "list as operator", call: call{method: "GET", path: "/api/users", as: operatorEmail}, want: 200},
		{name: "list as editor", call: call{method: "GET", path: "/api/users", as: editorEmail}, want: 200},
		{name: "list as role none", call: call{method: "GET", path: "/api/users", as: nobodyEmail}, want: 403},
		{name: "no key", call: call{method: "GET", path: "/api/users"}, want: 401},
		{name: "unknown key", call: call{method: "GET", path: "/api/users", auth: []string{"Bearer dqo-sandbox-0000"}}, want: 401},
		{name: "quoted key", call: call{method: "GET", path: "/api/users", auth: []string{`Bearer "{admin}"`}}, want: 200},
		{name: "lower-case scheme", call: call{method: "GET", path: "/api/users", auth: []string{"bearer {admin}"}}, want: 200},
		{name: "two Authorization headers", call: call{method: "GET", path: "/api/users", auth: []string{"Bearer {admin}", "Bearer {admin}"}}, want: 401},
		{name: "basic scheme", call: call{method: "GET", path: "/api/users", auth: []string{"Basic {admin}"}}, want: 401},
		{name: "bare key", call: call{method: "GET", path: "/api/users", auth: []string{"{admin}"}}, want: 401},
		{name: "no-auth instance without key", opts: Options{NoAuth: true}, call: call{method: "POST", path: "/api/users", contentType: jsonType, body: newUser}, want: 201},
		{name: "no-auth instance with unknown key", opts: Options{NoAuth: true}, call: call{method: "GET", path: "/api/users", auth: []string{"Bearer nope"}}, want: 401},
		{name: "no-auth instance with viewer key", opts: Options{NoAuth: true}, call: call{method: "POST", path: "/api/users", as: ViewerEmail, contentType: jsonType, body: newUser}, want: 403},
		{
			name: "key of a deleted user",
			setup: func(h *harness, c *call) {
				key, _ := h.sb.KeyFor(operatorEmail)
				c.auth = []string{"Bearer " + key}
				if r := h.do(call{method: "DELETE", path: "/api/users/" + operatorEmail, as: AdminEmail}); r.status != 204 {
					h.t.Fatalf("delete: %d", r.status)
				}
			},
			call: call{method: "GET", path: "/api/users"}, want: 401,
			check: func(t *testing.T, h *harness, _ reply) {
				if _, ok := h.sb.KeyFor(operatorEmail); ok {
					t.Error("deleted user still has a key")
				}
			},
		},
		{
			name: "demoted admin loses MANAGE_ACCOUNT",
			setup: func(h *harness, c *call) {
				r := h.do(call{method: "PUT", path: "/api/users/" + AdminEmail, as: AdminEmail, contentType: jsonType, body: `{"email":"admin@example.com","accountRole":"viewer"}`})
				if r.status != 204 {
					h.t.Fatalf("demote: %d", r.status)
				}
			},
			call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: newUser}, want: 403,
		},

		// Outside /api, and unknown paths.
		{
			name: "UI without key redirects to DQOps Cloud", call: call{method: "GET", path: "/"}, want: 303,
			check: func(t *testing.T, _ *harness, r reply) {
				if loc := r.header.Get("Location"); !strings.HasPrefix(loc, CloudLoginURL+"?") {
					t.Errorf("Location = %q", loc)
				}
			},
		},
		{name: "UI with key", call: call{method: "GET", path: "/index.html", as: ViewerEmail}, want: 404},
		{name: "UI on a no-auth instance", opts: Options{NoAuth: true}, call: call{method: "GET", path: "/"}, want: 404},
		{name: "unknown api path", call: call{method: "GET", path: "/api/nope", as: AdminEmail}, want: 404},
		{name: "unknown api path without key", call: call{method: "GET", path: "/api/nope"}, want: 401},
		{name: "api root", call: call{method: "GET", path: "/api", as: AdminEmail}, want: 404},
		{name: "users with trailing slash", call: call{method: "GET", path: "/api/users/", as: AdminEmail}, want: 404},
		{name: "below a user", call: call{method: "GET", path: "/api/users/admin@example.com/roles", as: AdminEmail}, want: 404},
		{
			name: "DELETE the list", call: call{method: "DELETE", path: "/api/users", as: AdminEmail}, want: 405,
			check: func(t *testing.T, _ *harness, r reply) {
				if got := r.header.Get("Allow"); got != "GET, HEAD, POST" {
					t.Errorf("Allow = %q", got)
				}
			},
		},
		{name: "HEAD the list", call: call{method: "HEAD", path: "/api/users", as: ViewerEmail}, want: 200},
		{name: "POST a user", call: call{method: "POST", path: "/api/users/admin@example.com", as: AdminEmail}, want: 405},
		{name: "GET a password", call: call{method: "GET", path: "/api/users/admin@example.com/password", as: AdminEmail}, want: 405},
		{name: "GET mypassword", call: call{method: "GET", path: "/api/mypassword", as: AdminEmail}, want: 405},
		{name: "POST the profile", call: call{method: "POST", path: "/api/environment/profile", as: AdminEmail}, want: 405},

		// Content negotiation.
		{name: "Accept text/html", call: call{method: "GET", path: "/api/users", as: AdminEmail, accept: "text/html"}, want: 406},
		{name: "Accept text/plain", call: call{method: "GET", path: "/api/users", as: AdminEmail, accept: "text/plain"}, want: 406},
		{name: "Accept JSON refused by q=0", call: call{method: "GET", path: "/api/users", as: AdminEmail, accept: "text/html, application/json;q=0, */*"}, want: 406},
		{name: "Accept JSON with q", call: call{method: "GET", path: "/api/users", as: AdminEmail, accept: "application/json;q=0.5"}, want: 200},
		{name: "Accept any", call: call{method: "GET", path: "/api/users", as: AdminEmail, accept: "*/*"}, want: 200},
		{name: "Accept application/*", call: call{method: "GET", path: "/api/users", as: AdminEmail, accept: "application/*"}, want: 200},
		{name: "Accept a browser's", call: call{method: "GET", path: "/api/users", as: AdminEmail, accept: "text/html,application/xhtml+xml,*/*;q=0.8"}, want: 200},
		{name: "Accept text/html on a write", call: call{method: "DELETE", path: "/api/users/" + editorEmail, as: AdminEmail, accept: "text/html"}, want: 406},

		// Get.
		{
			name: "get", call: call{method: "GET", path: "/api/users/" + editorEmail, as: ViewerEmail}, want: 200,
			check: func(t *testing.T, h *harness, r reply) {
				want := `{"email":"ed@example.com","accountRole":"editor"}`
				if h.sb.api == API113 {
					want = `{"email":"ed@example.com","accountRole":"editor","dataDomainRoles":{}}`
				}
				if got := string(r.body); got != want {
					t.Errorf("body = %s, want %s", got, want)
				}
			},
		},
		{name: "get ignores case", call: call{method: "GET", path: "/api/users/ED@Example.COM", as: AdminEmail}, want: 200},
		{name: "get with escaped @", call: call{method: "GET", path: "/api/users/ed%40example.com", as: AdminEmail}, want: 200},
		{
			name: "get with escaped slash",
			setup: func(h *harness, c *call) {
				if err := h.sb.AddUser(User{Email: "a/b@example.com", AccountRole: RoleViewer}); err != nil {
					h.t.Fatal(err)
				}
			},
			call: call{method: "GET", path: "/api/users/a%2Fb@example.com", as: AdminEmail}, want: 200,
		},
		{name: "get missing", call: call{method: "GET", path: "/api/users/ghost@example.com", as: AdminEmail}, want: 404},
		{name: "get as role none", call: call{method: "GET", path: "/api/users/" + editorEmail, as: nobodyEmail}, want: 403},
		{name: "get unlicensed", opts: Options{Unlicensed: true}, call: call{method: "GET", path: "/api/users/" + editorEmail, as: AdminEmail}, want: 403},
		{name: "list unlicensed", opts: Options{Unlicensed: true}, call: call{method: "GET", path: "/api/users", as: AdminEmail}, want: 403},

		// Create.
		{
			name: "create", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: newUser}, want: 201,
			check: func(t *testing.T, h *harness, _ reply) {
				if _, ok := h.sb.KeyFor("new@example.com"); !ok {
					t.Error("user not stored")
				}
			},
		},
		{name: "create with charset", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: "application/json; charset=UTF-8", body: newUser}, want: 201},
		{name: "create with unknown fields", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":"new@example.com","accountRole":"none","password":"x","extra":{"a":[1]}}`}, want: 201},
		{name: "create with trailing content", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: newUser + " garbage"}, want: 201},
		{name: "create as viewer", call: call{method: "POST", path: "/api/users", as: ViewerEmail, contentType: jsonType, body: newUser}, want: 403},
		{name: "create as editor", call: call{method: "POST", path: "/api/users", as: editorEmail, contentType: jsonType, body: newUser}, want: 403},
		{name: "create unlicensed", opts: Options{Unlicensed: true}, call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: newUser}, want: 403},
		{name: "create existing", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":"viewer@example.com","accountRole":"viewer"}`}, want: 403},
		{name: "create existing in other case", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":"Viewer@Example.com","accountRole":"viewer"}`}, want: 403},
		{name: "create without role", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":"new@example.com"}`}, want: 500},
		{name: "create with null role", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":"new@example.com","accountRole":null}`}, want: 500},
		{name: "create with empty email", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":"","accountRole":"viewer"}`}, want: 406},
		{name: "create without email", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"accountRole":"viewer"}`}, want: 406},
		{name: "create with unknown role", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":"new@example.com","accountRole":"owner"}`}, want: 400},
		{name: "create with upper-case role", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":"new@example.com","accountRole":"ADMIN"}`}, want: 400},
		{name: "create with numeric email", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":5,"accountRole":"viewer"}`}, want: 400},
		{name: "create unreadable", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: `{"email":`}, want: 400},
		{name: "create empty body", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType}, want: 400},
		{name: "create null body", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: "null"}, want: 400},
		{name: "create array body", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: "[" + newUser + "]"}, want: 400},
		{name: "create as text", call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: textType, body: newUser}, want: 415},
		{name: "create without content type", call: call{method: "POST", path: "/api/users", as: AdminEmail, body: newUser}, want: 415},
		{name: "create over the limit", opts: Options{UsersLimit: 5}, call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: newUser}, want: 400},
		{name: "create up to the limit", opts: Options{UsersLimit: 6}, call: call{method: "POST", path: "/api/users", as: AdminEmail, contentType: jsonType, body: newUser}, want: 201},

		// Update.
		{
			name: "update", call: call{method: "PUT", path: "/api/users/" + editorEmail, as: AdminEmail, contentType: jsonType, body: `{"email":"ed@example.com","accountRole":"viewer"}`}, want: 204,
			check: func(t *testing.T, h *harness, _ reply) {
				if got := h.getUser(editorEmail)["accountRole"]; got != RoleViewer {
					t.Errorf("accountRole = %v", got)
				}
			},
		},
		{
			name: "update with email in other case", call: call{method: "PUT", path: "/api/users/ed@example.com", as: AdminEmail, contentType: jsonType, body: `{"email":"Ed@Example.com","accountRole":"viewer"}`}, want: 204,
			check: func(t *testing.T, h *harness, _ reply) {
				if got := h.getUser(editorEmail)["email"]; got != editorEmail {
					t.Errorf("email = %v, want it as first typed", got)
				}
			},
		},
		{name: "update with other email", call: call{method: "PUT", path: "/api/users/" + editorEmail, as: AdminEmail, contentType: jsonType, body: `{"email":"op@example.com","accountRole":"viewer"}`}, want: 406},
		{name: "update without email", call: call{method: "PUT", path: "/api/users/" + editorEmail, as: AdminEmail, contentType: jsonType, body: `{"accountRole":"viewer"}`}, want: 406},
		{name: "update with empty role", call: call{method: "PUT", path: "/api/users/" + editorEmail, as: AdminEmail, contentType: jsonType, body: `{"email":"ed@example.com","accountRole":""}`}, want: 406},
		{name: "update without role", call: call{method: "PUT", path: "/api/users/" + editorEmail, as: AdminEmail, contentType: jsonType, body: `{"email":"ed@example.com"}`}, want: 406},
		{name: "update missing user", call: call{method: "PUT", path: "/api/users/ghost@example.com", as: AdminEmail, contentType: jsonType, body: `{"email":"ghost@example.com","accountRole":"viewer"}`}, want: 500},
		{name: "update with unknown role", call: call{method: "PUT", path: "/api/users/" + editorEmail, as: AdminEmail, contentType: jsonType, body: `{"email":"ed@example.com","accountRole":"boss"}`}, want: 400},
		{name: "update unreadable", call: call{method: "PUT", path: "/api/users/" + editorEmail, as: AdminEmail, contentType: jsonType, body: `not json`}, want: 400},
		{name: "update as text", call: call{method: "PUT", path: "/api/users/" + editorEmail, as: AdminEmail, contentType: textType, body: `{"email":"ed@example.com","accountRole":"viewer"}`}, want: 415},
		{name: "update as viewer", call: call{method: "PUT", path: "/api/users/" + editorEmail, as: ViewerEmail, contentType: jsonType, body: `{"email":"ed@example.com","accountRole":"viewer"}`}, want: 403},
		{name: "update unlicensed", opts: Options{Unlicensed: true}, call: call{method: "PUT", path: "/api/users/" + editorEmail, as: AdminEmail, contentType: jsonType, body: `{"email":"ed@example.com","accountRole":"viewer"}`}, want: 403},

		// Delete.
		{
			name: "delete", call: call{method: "DELETE", path: "/api/users/" + editorEmail, as: AdminEmail}, want: 204,
			check: func(t *testing.T, h *harness, _ reply) {
				if _, ok := h.sb.KeyFor(editorEmail); ok {
					t.Error("user still stored")
				}
			},
		},
		{name: "delete ignores case", call: call{method: "DELETE", path: "/api/users/ED@example.com", as: AdminEmail}, want: 204},
		{name: "delete missing", call: call{method: "DELETE", path: "/api/users/ghost@example.com", as: AdminEmail}, want: 404},
		{name: "delete as operator", call: call{method: "DELETE", path: "/api/users/" + editorEmail, as: operatorEmail}, want: 403},
		{name: "delete unlicensed", opts: Options{Unlicensed: true}, call: call{method: "DELETE", path: "/api/users/" + editorEmail, as: AdminEmail}, want: 403},

		// A user's password.
		{
			name: "set password", call: call{method: "PUT", path: "/api/users/" + editorEmail + "/password", as: AdminEmail, contentType: textType, body: `s3cret "quoted"`}, want: 204,
			check: func(t *testing.T, h *harness, _ reply) {
				if !h.sb.PasswordMatches(editorEmail, `s3cret "quoted"`) || h.sb.PasswordMatches(editorEmail, "s3cret") {
					t.Error("password not stored as sent")
				}
			},
		},
		{name: "set password with charset", call: call{method: "PUT", path: "/api/users/" + editorEmail + "/password", as: AdminEmail, contentType: "text/plain; charset=utf-8", body: "pw"}, want: 204},
		{name: "set password as JSON", call: call{method: "PUT", path: "/api/users/" + editorEmail + "/password", as: AdminEmail, contentType: jsonType, body: `"pw"`}, want: 415},
		{name: "set password without content type", call: call{method: "PUT", path: "/api/users/" + editorEmail + "/password", as: AdminEmail, body: "pw"}, want: 415},
		{name: "set empty password", call: call{method: "PUT", path: "/api/users/" + editorEmail + "/password", as: AdminEmail, contentType: textType}, want: 406},
		{name: "set password of missing user", call: call{method: "PUT", path: "/api/users/ghost@example.com/password", as: AdminEmail, contentType: textType, body: "pw"}, want: 500},
		{name: "set password as editor", call: call{method: "PUT", path: "/api/users/" + operatorEmail + "/password", as: editorEmail, contentType: textType, body: "pw"}, want: 403},
		{name: "set password unlicensed", opts: Options{Unlicensed: true}, call: call{method: "PUT", path: "/api/users/" + editorEmail + "/password", as: AdminEmail, contentType: textType, body: "pw"}, want: 403},

		// The caller's password.
		{
			name: "my password as viewer", call: call{method: "PUT", path: "/api/mypassword", as: ViewerEmail, contentType: textType, body: "viewer-pw"}, want: 204,
			check: func(t *testing.T, h *harness, _ reply) {
				if !h.sb.PasswordMatches(ViewerEmail, "viewer-pw") {
					t.Error("password not stored")
				}
			},
		},
		{
			name: "my password on a no-auth instance", opts: Options{NoAuth: true}, call: call{method: "PUT", path: "/api/mypassword", contentType: textType, body: "admin-pw"}, want: 204,
			check: func(t *testing.T, h *harness, _ reply) {
				if !h.sb.PasswordMatches(AdminEmail, "admin-pw") {
					t.Error("admin's password not stored")
				}
			},
		},
		{name: "my password as role none", call: call{method: "PUT", path: "/api/mypassword", as: nobodyEmail, contentType: textType, body: "pw"}, want: 403},
		{name: "my empty password", call: call{method: "PUT", path: "/api/mypassword", as: ViewerEmail, contentType: textType}, want: 406},
		{name: "my password as JSON", call: call{method: "PUT", path: "/api/mypassword", as: ViewerEmail, contentType: jsonType, body: `"pw"`}, want: 415},
		{name: "my password unlicensed", opts: Options{Unlicensed: true}, call: call{method: "PUT", path: "/api/mypassword", as: ViewerEmail, contentType: textType, body: "pw"}, want: 403},

		// Profile.
		{name: "profile as admin", call: call{method: "GET", path: "/api/environment/profile", as: AdminEmail}, want: 200},
		{name: "profile as viewer", call: call{method: "GET", path: "/api/environment/profile", as: ViewerEmail}, want: 200},
		{name: "profile as role none", call: call{method: "GET", path: "/api/environment/profile", as: nobodyEmail}, want: 403},
		{name: "profile without key", call: call{method: "GET", path: "/api/environment/profile"}, want: 401},
		{name: "profile unlicensed as role none", opts: Options{Unlicensed: true}, call: call{method: "GET", path: "/api/environment/profile", as: nobodyEmail}, want: 403},
	}
}

// runStatusCases runs the status table in both modes; docs, when not nil,
// are the documents the bodies are validated against.
func runStatusCases(t *testing.T, docs map[string]swaggerDoc) {
	for _, mode := range modes() {
		var doc *swaggerDoc
		if d, ok := docs[mode]; ok {
			doc = &d
		}
		for _, tt := range statusCases() {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				opts := tt.opts
				opts.API = mode
				h := newHarness(t, opts)
				h.addRoleUsers()
				c := tt.call
				if tt.setup != nil {
					tt.setup(h, &c)
				}
				r := h.do(c)
				if r.status != tt.want {
					t.Fatalf("%s %s: status %d, want %d (body %q)", c.method, c.path, r.status, tt.want, r.body)
				}
				checkBody(t, doc, mode, c, r)
				if tt.check != nil {
					tt.check(t, h, r)
				}
			})
		}
	}
}

// checkBody checks an answer's body against what the real server sends for
// its status, and against doc when there is one.
func checkBody(t *testing.T, doc *swaggerDoc, mode string, c call, r reply) {
	t.Helper()
	switch {
	case c.method == http.MethodHead:
		if len(r.body) != 0 {
			t.Errorf("HEAD answered with a body")
		}
	case r.status == http.StatusOK:
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		switch {
		case c.path == "/api/users":
			var list []json.RawMessage
			if err := json.Unmarshal(r.body, &list); err != nil {
				t.Fatalf("list: %v", err)
			}
			for _, item := range list {
				validateIf(t, doc, userModelName(mode), item)
			}
		case c.path == "/api/environment/profile":
			validateIf(t, doc, "DqoUserProfileModel", r.body)
		default:
			validateIf(t, doc, userModelName(mode), r.body)
		}
	case r.status == http.StatusInternalServerError:
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		validateIf(t, doc, "SpringErrorPayload", r.body)
		var e springErrorPayload
		if err := json.Unmarshal(r.body, &e); err != nil {
			t.Fatal(err)
		}
		if e.Status != 500 || e.Error != "Internal Server Error" || e.Timestamp <= 0 || e.Message == "" || e.Path == "" {
			t.Errorf("Spring error body = %+v", e)
		}
		if want := strings.ReplaceAll(c.path, "%40", "@"); e.Path != want {
			t.Errorf("path = %q, want %q", e.Path, want)
		}
	default:
		if len(r.body) != 0 {
			t.Errorf("body = %q, want none", r.body)
		}
	}
}

// validateIf validates body against a definition of doc, when there is a
// document, and checks only that it is JSON otherwise.
func validateIf(t *testing.T, doc *swaggerDoc, definition string, body []byte) {
	t.Helper()
	if doc != nil {
		validateJSON(t, *doc, definition, body)
	} else if !json.Valid(body) {
		t.Errorf("body is not JSON: %.200s", body)
	}
}
