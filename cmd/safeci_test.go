package cmd_test

// Changes that are reviewed, bound to their instance and limited: saved
// plans (diff --save-plan, apply --plan), instance: in users files and
// --instance, and the delete and change limits.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// reviewedFile keeps the sandbox's admin and viewer, makes ana a viewer,
// creates new@corp.io, leaves cy alone and, with --prune, deletes Bo.
const reviewedFile = `users:
- {email: admin@example.com, accountRole: admin}
- {email: viewer@example.com, accountRole: viewer}
- {email: ana@corp.io, accountRole: viewer}
- {email: cy@other.io, accountRole: none}
- {email: new@corp.io, accountRole: operator}
`

// savePlan writes the plan of reviewedFile with --prune for c's server and
// returns its path.
func savePlan(t *testing.T, c *cli) string {
	t.Helper()
	plan := filepath.Join(c.dir, "plan.json")
	r := c.run("diff", "-f", c.file("users.yaml", reviewedFile), "--prune", "--save-plan", plan)
	expectExit(t, r, 10, "Saved the plan to "+plan)
	return plan
}

// plannedWrites are the requests a saved plan's changes make.
func plannedWrites(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Instances []struct {
			Changes []struct {
				Action string
				Email  string
			}
		}
	}
	if err := json.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, in := range plan.Instances {
		for _, c := range in.Changes {
			switch c.Action {
			case "create":
				out = append(out, "POST /api/users")
			case "update":
				out = append(out, "PUT /api/users/"+c.Email)
			case "delete":
				out = append(out, "DELETE /api/users/"+c.Email)
			}
		}
	}
	slices.Sort(out)
	return out
}

// diff --save-plan, then apply --plan --yes, makes exactly the changes of
// the plan, whatever the file says by then, with the options it was made
// with (--prune); the plan holds no key. Applied once, it is stale.
func TestSavedPlanMakesExactlyThePlannedChanges(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{}, ana, bo, cy)
	plan := savePlan(t, c)
	want := plannedWrites(t, plan)
	if !slices.Equal(want, []string{"DELETE /api/users/Bo@corp.io", "POST /api/users", "PUT /api/users/ana@corp.io"}) {
		t.Fatalf("the plan's changes: %v", want)
	}
	data, _ := os.ReadFile(plan)
	expectNotContains(t, "the plan", string(data), srv.AdminKey())
	// The file changes after the review: the plan is what runs.
	c.file("users.yaml", "users: []\n")
	srv.ResetRequests()
	r := c.run("apply", "--plan", plan, "--yes")
	expectExit(t, r, 0, "Applied: 1 created, 1 updated, 1 deleted, 3 unchanged, 0 refused, 0 failed.")
	expectContains(t, "plan", r.stdout, "Plan for "+srv.URL+":\n")
	got := srv.writes()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("writes %v, want exactly the plan's %v", got, want)
	}
	if u := findUser(t, srv.Server, "new@corp.io"); u.AccountRole != "operator" {
		t.Errorf("new@corp.io is %s", u.AccountRole)
	}
	if _, ok := srv.user("Bo@corp.io"); ok {
		t.Error("Bo@corp.io was not deleted")
	}
	srv.ResetRequests()
	expectExit(t, c.run("apply", "--plan", plan, "--yes"), 12, "the saved plan is stale")
	if w := srv.writes(); len(w) != 0 {
		t.Errorf("a plan applied twice sent %v", w)
	}
}

// A user created, changed or deleted between diff --save-plan and apply
// --plan makes apply exit 12, naming that user, with no write sent.
func TestSavedPlanIsStaleWhenAUserMoved(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		moved func(t *testing.T, srv *testServer, c *cli)
		named string
	}{
		{"a user created", func(t *testing.T, srv *testServer, c *cli) {
			srv.addUsers(t, sandbox.User{Email: "late@corp.io", AccountRole: "admin"})
		}, "late@corp.io"},
		{"a user changed", func(t *testing.T, srv *testServer, c *cli) {
			expectCode(t, c.run("update", "cy@other.io", "--role", "editor"), 0)
		}, "cy@other.io"},
		{"a user deleted", func(t *testing.T, srv *testServer, c *cli) {
			srv.deleteDirectly(t, "Bo@corp.io", srv.AdminKey())
		}, "Bo@corp.io"},
		{"a planned user created", func(t *testing.T, srv *testServer, c *cli) {
			srv.addUsers(t, sandbox.User{Email: "new@corp.io", AccountRole: "viewer"})
		}, "new@corp.io"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setupCI(t, sandbox.Options{}, ana, bo, cy)
			plan := savePlan(t, c)
			tt.moved(t, srv, c)
			srv.ResetRequests()
			r := c.run("apply", "--plan", plan, "--yes")
			expectExit(t, r, 12, "error: the saved plan is stale: on ", "users changed since it was made: ", tt.named, "nothing was changed",
				"hint: review what changed, then make the plan again")
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("writes sent: %v", w)
			}
		})
	}
}

// A plan applied to another instance, edited after it was written, or of
// an unknown version is refused (exit 2) before any request.
func TestSavedPlanForAnotherInstanceOrEditedIsRefused(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{}, ana, bo, cy)
	other := startSandbox(t, sandbox.Options{}, ana, bo, cy)
	plan := savePlan(t, c)
	data, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	canonical, err := api.CanonicalURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()

	r := c.exec(invocation{args: []string{"apply", "--plan", plan, "--yes"}, env: map[string]string{"DQOPS_URL": other.URL}})
	expectExit(t, r, 2, "plan.json is a plan for "+canonical+", not for "+other.URL+": nothing was sent")
	for what, s := range map[string]*testServer{"the plan's instance": srv, "the other instance": other} {
		if calls := s.calls(); len(calls) != 0 {
			t.Errorf("%s got requests: %v", what, calls)
		}
	}

	edited := strings.Replace(string(data), `"accountRole": "operator"`, `"accountRole": "admin"`, 1)
	if edited == string(data) {
		t.Fatalf("the plan has no operator to edit:\n%s", data)
	}
	newer := strings.Replace(string(data), `"planVersion": 1`, `"planVersion": 2`, 1)
	for name, tt := range map[string]struct{ content, err string }{
		"edited": {edited, "the changes for " + canonical + " were edited after the plan was written (their checksum differs)"},
		"newer":  {newer, "a plan of version 2, which this dqo-users does not read (it reads version 1)"},
	} {
		path := c.file(name+".json", tt.content)
		r := c.run("apply", "--plan", path, "--yes")
		expectExit(t, r, 2, tt.err, "nothing was sent")
		if calls := srv.calls(); len(calls) != 0 {
			t.Errorf("%s: requests sent: %v", name, calls)
		}
	}
}

// A file whose instance: is another server, or applied with --instance
// naming another, is refused by diff and apply (exit 2, both named) before
// any request; one for this server is applied.
func TestFileBoundToAnotherInstanceIsRefused(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{}, ana)
	other := startSandbox(t, sandbox.Options{})
	users := "users:\n- {email: admin@example.com, accountRole: admin}\n- {email: ana@corp.io, accountRole: viewer}\n"
	bound := c.file("bound.yaml", "instance: "+other.URL+"\n"+users)
	plain := c.file("plain.yaml", users)
	for _, args := range [][]string{
		{"apply", "-f", bound, "--yes"},
		{"apply", "-f", bound, "--prune", "--yes", "--force"},
		{"diff", "-f", bound},
		{"apply", "-f", plain, "--instance", other.URL, "--yes"},
		{"diff", "-f", plain, "--instance", other.URL},
	} {
		r := c.run(args...)
		expectExit(t, r, 2, strings.TrimPrefix(other.URL, "http://"), strings.TrimPrefix(srv.URL, "http://"), "nothing was sent",
			"hint: check --profile, --url or DQOPS_URL")
		if calls := srv.calls(); len(calls) != 0 {
			t.Errorf("%v: requests sent: %v", args, calls)
		}
	}
	here := c.file("here.yaml", "instance: "+srv.URL+"/\n"+users)
	expectExit(t, c.run("apply", "-f", here, "--yes"), 0, "Updated user ana@corp.io: role editor -> viewer.")
}

// export writes the instance it was made from, in each format, and what it
// writes, applied back with --prune, sends no write.
func TestExportIsBoundAndAppliesToNothing(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, withDataDomains(), ana, bo, cy, domUserRecord())
	canonical, err := api.CanonicalURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for format, mark := range map[string]string{
		"yaml": "\ninstance: " + canonical + "\n",
		"json": `"instance": "` + canonical + `"`,
		"csv":  "#dqo-users export,version=1,instance=" + canonical + "\n",
	} {
		r := c.run("export", "-o", format)
		expectCode(t, r, 0)
		expectContains(t, "export -o "+format, r.stdout, mark)
		srv.ResetRequests()
		r = c.runStdin(r.stdout, "apply", "-f", "-", "--prune", "--yes")
		expectExit(t, r, 0, "No changes")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("%s: export | apply sent %v", format, w)
		}
		// Bound to its instance: refused elsewhere.
		other := startSandbox(t, sandbox.Options{})
		exported := c.run("export", "-o", format).stdout
		r = c.exec(invocation{args: []string{"apply", "-f", "-", "--prune", "--yes"}, stdin: exported, env: map[string]string{"DQOPS_URL": other.URL}})
		expectExit(t, r, 2, "nothing was sent")
		if calls := other.calls(); len(calls) != 0 {
			t.Errorf("%s: the other instance got %v", format, calls)
		}
	}
}

// thirtyUsers is a server of 30 users: the admin, the viewer and 28 seeded
// ones (user000001@example.com and up).
func thirtyUsers(t *testing.T) (*testServer, *cli) {
	t.Helper()
	srv, c := setupCI(t, sandbox.Options{SeedUsers: 28})
	if n := len(srv.Users()); n != 30 {
		t.Fatalf("%d users, want 30", n)
	}
	return srv, c
}

// firstUsers is a users file of the server's first n users as listed, as a
// file cut to its first lines would be.
func firstUsers(t *testing.T, c *cli, n int) string {
	t.Helper()
	var listed []struct {
		Email       string `json:"email"`
		AccountRole string `json:"accountRole"`
	}
	if err := json.Unmarshal([]byte(c.run("list", "-o", "json").stdout), &listed); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("users:\n")
	for _, u := range listed[:n] {
		fmt.Fprintf(&b, "- {email: %s, accountRole: %s}\n", u.Email, u.AccountRole)
	}
	return c.file("first.yaml", b.String())
}

// A prune of 25 of 30 users is refused by the default limit (a tenth of the
// users, at least 5) with no write, whatever --force says, and goes
// through with --max-deletes 25 (or all).
func TestPruneOverTheDeleteLimit(t *testing.T) {
	t.Parallel()
	srv, c := thirtyUsers(t)
	file := firstUsers(t, c, 5)
	for _, extra := range [][]string{nil, {"--force"}, {"--max-deletes", "24"}} {
		srv.ResetRequests()
		r := c.run(append([]string{"apply", "-f", file, "--prune", "--yes"}, extra...)...)
		expectExit(t, r, 11, "25", "--max-deletes", "hint: check the file first; if you mean it, pass --max-deletes 25 or --max-deletes all (--force does not lift a limit)")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("%v: writes sent: %d", extra, len(w))
		}
	}
	expectExit(t, c.run("diff", "-f", file, "--prune"), 10,
		"warning: apply would refuse this plan: the plan deletes 25 users, more than the default limit of 5 (a tenth of the instance's 30 users, at least 5) allows")
	srv.ResetRequests()
	r := c.run("apply", "-f", file, "--prune", "--yes", "--max-deletes", "25")
	expectExit(t, r, 0, "Applied: 0 created, 0 updated, 25 deleted")
	if n := srv.countCalls("DELETE", "/api/users/"); n != 25 {
		t.Errorf("%d deletes, want 25", n)
	}
	if n := len(srv.Users()); n != 5 {
		t.Errorf("%d users left, want 5", n)
	}
}

// delete with 6 emails on a server of 30 users is refused by the default
// limit (5) with no write, and goes through with --max-deletes 6.
func TestDeleteOverTheDeleteLimit(t *testing.T) {
	t.Parallel()
	srv, c := thirtyUsers(t)
	args := []string{"delete", "--yes"}
	for i := 1; i <= 6; i++ {
		args = append(args, seeded(i))
	}
	for _, extra := range [][]string{nil, {"--force"}, {"--max-deletes", "5"}} {
		srv.ResetRequests()
		r := c.run(append(slices.Clone(args), extra...)...)
		expectExit(t, r, 11, "6", "--max-deletes 6")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("%v: writes sent: %v", extra, w)
		}
	}
	srv.ResetRequests()
	expectExit(t, c.run(append(slices.Clone(args), "--max-deletes", "6")...), 0, "Deleted: 6 deleted, 0 failed.")
	if n := srv.countCalls("DELETE", "/api/users/"); n != 6 {
		t.Errorf("%d deletes, want 6", n)
	}
}

// --max-changes bounds creates, updates and deletes together: a plan over
// it is refused whole (exit 11, no write), one within it goes through.
func TestMaxChanges(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{}, ana, bo)
	file := c.file("users.yaml", "users:\n- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n"+
		"- {email: ana@corp.io, accountRole: viewer}\n- {email: new@corp.io, accountRole: viewer}\n")
	for _, max := range []string{"0", "2"} {
		srv.ResetRequests()
		r := c.run("apply", "-f", file, "--prune", "--yes", "--force", "--max-changes", max)
		expectExit(t, r, 11, "--max-changes 3")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("--max-changes %s: writes sent: %v", max, w)
		}
	}
	srv.ResetRequests()
	expectExit(t, c.run("apply", "-f", file, "--prune", "--yes", "--max-changes", "3"), 0, "Applied: 1 created, 1 updated, 1 deleted")
	if n := len(srv.writes()); n != 3 {
		t.Errorf("%d writes, want 3", n)
	}
}

// seeded is the email of the sandbox's ith seeded user.
func seeded(i int) string { return fmt.Sprintf("user%06d@example.com", i) }

// prodConfig writes a configuration file whose profile prod is srv, with
// its admin key and the profile's extra settings (lines such as
// "audit_log: PATH"), and returns the environment that selects it: no URL
// and no key besides the profile's.
func prodConfig(t *testing.T, srv *testServer, extra ...string) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	doc := fmt.Sprintf("profiles:\n  prod:\n    url: %s\n    api_key: %s\n", srv.URL, srv.AdminKey())
	for _, line := range extra {
		doc += "    " + line + "\n"
	}
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"DQOPS_CONFIG": path, "DQOPS_PROFILE": "prod"}
}
