package cmd_test

import (
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// Look-alikes of sam@example.com and kim@example.com: a long s (U+017F) and
// a Kelvin sign (U+212A), which Unicode case folding takes for s and k.
const (
	longSam   = "\u017fam@example.com"
	kelvinKim = "\u212aim@example.com"
)

// pathsNaming lists the requests whose path names email.
func pathsNaming(srv *testServer, email string) []string {
	var out []string
	for _, r := range srv.Requests() {
		if p, err := url.PathUnescape(r.Path); err == nil && strings.Contains(p, email) || strings.Contains(r.Path, email) {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// ſam@ and Kelvin Kim@ are never taken for sam@ and kim@: get, update,
// delete and user-passwd find no such user (or, on a server that folds the
// Kelvin sign, refuse its answer naming another user), and apply refuses to
// create the look-alikes (exit 11), sending nothing; no request ever names
// ſam@ or Kim@, which stay as they were.
func TestLookAlikesAreNeverOneUser(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		opts sandbox.Options
		// folds says the server takes kim@ for Kim@ (the Kelvin sign),
		// as strings.ToLower does.
		folds bool
	}{
		{"exact server", sandbox.Options{CaseSensitiveEmails: true}, false},
		{"folding server", sandbox.Options{}, true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			users := []sandbox.User{{Email: longSam, AccountRole: "viewer"}, {Email: kelvinKim, AccountRole: "viewer"}}
			srv, c := setupCI(t, mode.opts, users...)
			for _, email := range []string{"sam@example.com", "kim@example.com"} {
				for _, args := range [][]string{
					{"get", email},
					{"update", email, "--role", "admin"},
					{"delete", email, "--yes"},
					{"user-passwd", email, "--password-stdin"},
				} {
					r := c.runStdin("Pa55-UNIQUE-4711\n", args...)
					if mode.folds && email == "kim@example.com" && args[0] != "delete" {
						// delete matches on the list, never on the server's answer.
						expectExit(t, r, 1, `the server answered with another user ("\u212aim@example.com")`)
					} else {
						expectExit(t, r, 6, `user "`+email+`" not found`)
					}
				}
			}
			file := c.file("users.yaml", "users:\n- {email: admin@example.com, accountRole: admin}\n"+
				"- {email: sam@example.com, accountRole: admin}\n- {email: kim@example.com, accountRole: admin}\n")
			r := c.run("apply", "-f", file, "--yes")
			expectExit(t, r, 11, `refused: create sam@example.com: "sam@example.com" looks like the existing user "\u017fam@example.com", another user; --allow-lookalike allows it`,
				`refused: create kim@example.com: "kim@example.com" looks like the existing user "\u212aim@example.com"`, "2 changes refused",
				"hint: an email that looks like an existing user's is another user, easily taken for it; check the file, or pass --allow-lookalike if you mean it")
			expectContains(t, "plan", r.stdout, `! create sam@example.com (admin) refused: "sam@example.com" looks like the existing user "\u017fam@example.com"`)
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("writes sent: %v", w)
			}
			for _, email := range []string{longSam, kelvinKim} {
				if got := pathsNaming(srv, email); len(got) != 0 {
					t.Errorf("requests naming %q: %v", email, got)
				}
				if u, ok := exactUser(srv, email); !ok || u.AccountRole != "viewer" {
					t.Errorf("%q is %+v (present %v), want a viewer", email, u, ok)
				}
			}
		})
	}
}

// create refuses a look-alike of an existing user (exit 2, both emails
// named with their non-ASCII characters escaped, nothing sent) unless
// --allow-lookalike.
func TestCreateRefusesALookAlike(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{CaseSensitiveEmails: true},
		sandbox.User{Email: longSam, AccountRole: "viewer"}, sandbox.User{Email: "ana@example.com", AccountRole: "editor"})
	for _, tt := range []struct{ email, existing string }{
		{"sam@example.com", `"\u017fam@example.com"`},
		{"\u0430na@example.com", `"ana@example.com"`}, // Cyrillic а
		{"\uff41na@example.com", `"ana@example.com"`}, // full-width ａ
		{"anа@example.com", `"ana@example.com"`},      // Cyrillic а last
	} {
		srv.ResetRequests()
		r := c.run("create", tt.email, "--role", "viewer")
		expectExit(t, r, 2, "error: refusing to create "+strconv.QuoteToASCII(tt.email)+": it looks like the existing user "+tt.existing+
			", another user that is easily taken for it; nothing was sent", "hint: check the email; pass --allow-lookalike if you mean to create it")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("%q: writes sent: %v", tt.email, w)
		}
	}
	expectExit(t, c.run("create", "sam@example.com", "--role", "viewer", "--allow-lookalike"), 0, "Created user sam@example.com with role viewer.")
	if _, ok := exactUser(srv, "sam@example.com"); !ok {
		t.Error("sam@example.com was not created")
	}
	if u, _ := exactUser(srv, longSam); u.AccountRole != "viewer" {
		t.Errorf("%q is now %s", longSam, u.AccountRole)
	}
}

// diff shows a refused look-alike with "!" and the reason, in the plan and
// in -o json; a saved plan keeps the refusal, so apply --plan refuses it
// too (exit 11, the rest made), and --allow-lookalike creates both.
func TestApplyLookAlikesRefusedTheRestApplied(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{CaseSensitiveEmails: true}, sandbox.User{Email: longSam, AccountRole: "viewer"})
	file := c.file("users.yaml", "users:\n- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n"+
		"- {email: sam@example.com, accountRole: editor}\n- {email: new@example.com, accountRole: editor}\n")
	plan := filepath.Join(c.dir, "plan.json")
	r := c.run("diff", "-f", file, "--save-plan", plan)
	expectCode(t, r, 10)
	expectContains(t, "diff", r.stdout, "+ create new@example.com (editor)\n",
		`! create sam@example.com (editor) refused: "sam@example.com" looks like the existing user "\u017fam@example.com", another user; --allow-lookalike allows it`,
		"Plan: 1 to create, 0 to update, 0 to delete, 2 unchanged, 1 refused.")
	r = c.run("diff", "-f", file, "-o", "json")
	expectContains(t, "diff -o json", r.stdout, `"refused": "\"sam@example.com\" looks like the existing user \"\\u017fam@example.com\"`)

	srv.ResetRequests()
	r = c.run("apply", "--plan", plan, "--yes")
	expectExit(t, r, 11, "Applied: 1 created, 0 updated, 0 deleted, 2 unchanged, 1 refused, 0 failed.", "--allow-lookalike")
	expectCalls(t, srv, "GET /api/environment/profile", "GET /api/users", "POST /api/users")

	srv.ResetRequests()
	r = c.run("apply", "-f", file, "--yes", "--allow-lookalike")
	expectExit(t, r, 0, "Created user sam@example.com with role editor.")
	if u, _ := exactUser(srv, longSam); u.AccountRole != "viewer" {
		t.Errorf("%q is now %s", longSam, u.AccountRole)
	}
}
