package cmd_test

import (
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// exportFlavours are the three kinds of instance, with the golden files'
// name for each.
var exportFlavours = []struct {
	name string
	opts sandbox.Options
}{
	{"1.0", sandbox.Options{API: sandbox.API10}},
	{"1.13", sandbox.Options{}},
	{"1.13_domains", withDataDomains()},
}

func TestExportRoundTrip(t *testing.T) {
	for _, fl := range exportFlavours {
		for _, format := range []string{"yaml", "json", "csv"} {
			t.Run(fl.name+"/"+format, func(t *testing.T) {
				srv, c := setupNoColor(t, fl.opts,
					sandbox.User{Email: "bo@example.com", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor", "hr": "viewer"}},
					sandbox.User{Email: "Cy@Example.com", AccountRole: "none"})
				r := c.run("export", "-o", format)
				expectExit(t, r, 0)
				golden(t, "export_"+fl.name+"."+format, r.stdout)
				// The grants only: never the "none" DQOps lists for every domain.
				expectNotContains(t, "export", r.stdout, "(default)", "marketing", "=none")
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
		t.Run(fl.name+"/list -o json", func(t *testing.T) {
			srv, c := setupNoColor(t, fl.opts, sandbox.User{Email: "bo@example.com", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor"}})
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
	_, c := setupNoColor(t, withDataDomains(), sandbox.User{Email: "bo@example.com", AccountRole: "editor"})
	exported := c.run("export").stdout
	r := c.run("update", "bo@example.com", "--domain-role", "sales=editor")
	expectExit(t, r, 0)
	r = c.exec(invocation{args: []string{"apply", "-f", "-"}, stdin: exported})
	expectExit(t, r, 0, "Updated user bo@example.com: domain roles sales=editor -> (none).")
}
