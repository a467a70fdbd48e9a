package cmd_test

import (
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestExportRoundTrip(t *testing.T) {
	for _, api := range []string{sandbox.API10, sandbox.API113} {
		for _, format := range []string{"yaml", "json", "csv"} {
			t.Run(api+"/"+format, func(t *testing.T) {
				srv, c := setupNoColor(t, sandbox.Options{API: api},
					sandbox.User{Email: "bo@example.com", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor", "hr": "viewer"}},
					sandbox.User{Email: "Cy@Example.com", AccountRole: "none"})
				r := c.run("export", "-o", format)
				expectExit(t, r, 0)
				golden(t, "export_"+api+"."+format, r.stdout)
				exported := r.stdout
				srv.ResetRequests()
				for _, args := range [][]string{{"apply", "-f", "-", "--prune"}, {"diff", "-f", "-", "--prune"}} {
					r = c.exec(invocation{args: args, stdin: exported})
					expectExit(t, r, 0, "No changes: the server matches stdin (4 users).")
				}
				if w := srv.writes(); len(w) != 0 {
					t.Errorf("export | apply sent writes %v", w)
				}
			})
		}
		t.Run(api+"/list -o json", func(t *testing.T) {
			srv, c := setupNoColor(t, sandbox.Options{API: api}, sandbox.User{Email: "bo@example.com", AccountRole: "editor"})
			r := c.run("list", "-o", "json")
			expectExit(t, r, 0)
			r = c.exec(invocation{args: []string{"apply", "-f", "-", "--prune"}, stdin: r.stdout})
			expectExit(t, r, 0, "No changes")
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("list -o json | apply sent writes %v", w)
			}
		})
	}
}

func TestExportPinsDomainRoles(t *testing.T) {
	// On 1.13 the export pins "no domain roles": roles granted later are
	// removed by applying it again.
	_, c := setupNoColor(t, sandbox.Options{}, sandbox.User{Email: "bo@example.com", AccountRole: "editor"})
	exported := c.run("export").stdout
	r := c.run("update", "bo@example.com", "--domain-role", "sales=editor")
	expectExit(t, r, 0)
	r = c.exec(invocation{args: []string{"apply", "-f", "-"}, stdin: exported})
	expectExit(t, r, 0, "Updated user bo@example.com: domain roles sales=editor -> (none).")
}
