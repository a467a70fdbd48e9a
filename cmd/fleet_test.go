package cmd_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// fleetOf is a harness whose configuration has a profile for each named
// sandbox (its URL and admin key), in the order given; no DQOPS_URL or
// DQOPS_API_KEY is set.
func fleetOf(t *testing.T, names []string, servers ...*testServer) *cli {
	t.Helper()
	c := newCLI(t, nil)
	c.env["NO_COLOR"] = "1"
	var b strings.Builder
	b.WriteString("current_profile: " + names[0] + "\nprofiles:\n")
	for i, name := range names {
		fmt.Fprintf(&b, "  %s:\n    url: %s\n    api_key: %s\n", name, servers[i].URL, servers[i].AdminKey())
	}
	if err := os.WriteFile(c.configPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

// threeInstances are a 1.13 instance with data domains (dev), one without
// (staging) and a DQOps 1.0 (prod), each with ana and bo.
func threeInstances(t *testing.T) (dev, staging, prod *testServer, c *cli) {
	t.Helper()
	dev = startSandbox(t, withDataDomains(), ana, bo)
	staging = startSandbox(t, sandbox.Options{}, ana, bo)
	prod = startSandbox(t, sandbox.Options{API: "1.0"}, ana, bo)
	return dev, staging, prod, fleetOf(t, []string{"dev", "staging", "prod"}, dev, staging, prod)
}

// Read commands ask every instance and show one list, the profile first,
// in the order given; one profile's output is what it always was.
func TestFleetLists(t *testing.T) {
	t.Parallel()
	_, _, _, c := threeInstances(t)
	r := c.run("list", "--profile", "prod,dev", "-o", "csv")
	expectExit(t, r, 0, "prod (http://", ": 4 users\n")
	want := "profile,email,accountRole,dataDomainRoles\n" +
		"prod,admin@example.com,admin,\nprod,ana@corp.io,editor,\nprod,Bo@corp.io,operator,\nprod,viewer@example.com,viewer,\n" +
		"dev,admin@example.com,admin,\ndev,ana@corp.io,editor,\ndev,Bo@corp.io,operator,\ndev,viewer@example.com,viewer,\n"
	if r.stdout != want {
		t.Errorf("csv:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = c.run("list", "--all-profiles", "-o", "name", "--role", "admin")
	expectExit(t, r, 0)
	if r.stdout != "dev/admin@example.com\nprod/admin@example.com\nstaging/admin@example.com\n" {
		t.Errorf("-o name:\n%s", r.stdout)
	}
	r = c.exec(invocation{args: []string{"list", "--profile", "dev,staging", "--match", "ana"}, stdoutTTY: true})
	expectExit(t, r, 0)
	if !strings.HasPrefix(r.stdout, "PROFILE   EMAIL         ROLE\ndev       ana@corp.io   editor\nstaging   ana@corp.io   editor\n") {
		t.Errorf("table:\n%s", r.stdout)
	}
	r = c.run("get", "ana@corp.io", "--profile", "dev,prod", "-o", "json")
	expectExit(t, r, 0)
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 2 || got[0]["profile"] != "dev" || got[1]["profile"] != "prod" {
		t.Errorf("get -o json: %v\n%s", err, r.stdout)
	}
	if _, has := got[1]["dataDomainRoles"]; has {
		t.Errorf("a DQOps 1.0 user gained dataDomainRoles: %v", got[1])
	}
	r = c.run("whoami", "--profile", "staging,prod", "-o", "json", "--jq", `.[] | .profile + " " + .api_release`)
	expectExit(t, r, 0)
	if r.stdout != "staging 1.13\nprod 1.0\n" {
		t.Errorf("whoami: %q", r.stdout)
	}
	// One profile: no PROFILE column, no summary line.
	r = c.run("list", "--profile", "dev", "-o", "csv")
	expectExit(t, r, 0)
	if strings.HasPrefix(r.stdout, "profile,") || r.stderr != "" {
		t.Errorf("one profile:\n%s", r)
	}
}

// One instance down: the others are listed and changed all the same, each
// failure is reported with its profile, and the exit code is the failure's.
func TestFleetOneInstanceDown(t *testing.T) {
	t.Parallel()
	dev := startSandbox(t, sandbox.Options{}, ana)
	prod := startSandbox(t, sandbox.Options{}, ana)
	c := fleetOf(t, []string{"dev", "prod"}, dev, prod)
	down := "http://" + closedPort(t)
	config, _ := os.ReadFile(c.configPath)
	os.WriteFile(c.configPath, []byte(strings.Replace(string(config), "current_profile: dev\nprofiles:\n", "current_profile: dev\nprofiles:\n  mid:\n    url: "+down+"\n    api_key: dqo-sandbox-nothing\n", 1)), 0o600)
	r := c.run("list", "--profile", "dev,mid,prod", "-o", "name")
	expectExit(t, r, 1, "mid: error: ", "mid ("+down+"): failed (exit 1)", "dev (", "prod (")
	if r.stdout != "dev/admin@example.com\ndev/ana@corp.io\ndev/viewer@example.com\nprod/admin@example.com\nprod/ana@corp.io\nprod/viewer@example.com\n" {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	r = c.run("create", "new@corp.io", "--role", "viewer", "--profile", "dev,mid,prod")
	expectExit(t, r, 1, "dev: Created user new@corp.io with role viewer.", "prod: Created user new@corp.io with role viewer.")
	for _, srv := range []*testServer{dev, prod} {
		if _, ok := srv.user("new@corp.io"); !ok {
			t.Errorf("%s lacks the user", srv.URL)
		}
	}
}

// What cannot go with several profiles is refused before any request.
func TestFleetRefusals(t *testing.T) {
	t.Parallel()
	dev := startSandbox(t, sandbox.Options{})
	prod := startSandbox(t, sandbox.Options{})
	c := fleetOf(t, []string{"dev", "prod"}, dev, prod)
	config, _ := os.ReadFile(c.configPath)
	os.WriteFile(c.configPath, append(config, []byte("  again:\n    url: "+dev.URL+"/\n    api_key: "+dev.AdminKey()+"\n")...), 0o600)
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"list", "--profile", "dev,prod", "--url", dev.URL}, nil, "--url cannot be combined with several profiles"},
		{[]string{"list", "--profile", "dev,prod"}, map[string]string{"DQOPS_API_KEY": dev.AdminKey()}, "DQOPS_API_KEY cannot be combined with several profiles"},
		{[]string{"list"}, map[string]string{"DQOPS_PROFILE": "dev,prod", "DQOPS_URL": dev.URL}, "DQOPS_URL cannot be combined with several profiles (DQOPS_PROFILE)"},
		{[]string{"list", "--profile", "dev,again"}, nil, `profiles "dev" and "again" are the same instance`},
		{[]string{"list", "--profile", "dev,nosuch"}, nil, `no profile named "nosuch"`},
		{[]string{"passwd", "--profile", "dev,prod", "--password-stdin"}, nil, "passwd acts on one profile, and --profile names several: dev, prod"},
		{[]string{"user-passwd", "ana@corp.io", "--all-profiles"}, nil, "user-passwd acts on one profile, not on every profile"},
		{[]string{"login", "--profile", "dev,prod"}, nil, "login acts on one profile"},
		{[]string{"logout", "--profile", "dev,prod"}, nil, "logout acts on one profile"},
		{[]string{"create", "x@corp.io", "--role", "viewer", "--profile", "dev,prod", "--password-stdin"}, nil, "one password on many instances"},
		{[]string{"export", "--profile", "dev,prod", "-o", "csv"}, nil, "an export of several instances cannot be CSV"},
		{[]string{"list", "--profile", "dev", "--all-profiles"}, nil, "--all-profiles and --profile cannot be used together"},
	}
	for _, tt := range tests {
		dev.ResetRequests()
		prod.ResetRequests()
		r := c.exec(invocation{args: tt.args, env: tt.env})
		expectExit(t, r, 2, tt.want)
		if n := len(dev.Requests()) + len(prod.Requests()); n > 0 {
			t.Errorf("%v: %d requests sent", tt.args, n)
		}
	}
}

// The exit code of several instances ranks a failure above a refusal (11)
// and a refusal above pending changes (10): a pending diff on dev never
// hides a failure on prod.
func TestFleetExitCodeRanking(t *testing.T) {
	t.Parallel()
	zed := sandbox.User{Email: "zed@corp.io", AccountRole: "viewer"}
	dev := startSandbox(t, sandbox.Options{}, zed)
	prod := startSandbox(t, sandbox.Options{}, zed)
	c := fleetOf(t, []string{"dev", "prod"}, dev, prod)
	file := c.file("u.yaml", "- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n- {email: zed@corp.io, accountRole: viewer}\n- {email: new@corp.io, accountRole: viewer}\n")
	r := c.run("diff", "-f", file, "--profile", "dev,prod")
	expectExit(t, r, 10, "dev (", "): 1 change pending")
	// prod refuses the viewer's key: 5 outranks dev's 10, whichever comes first.
	config, _ := os.ReadFile(c.configPath)
	os.WriteFile(c.configPath, []byte(strings.Replace(string(config), prod.AdminKey(), prod.ViewerKey(), 1)), 0o600)
	for _, order := range []string{"dev,prod", "prod,dev"} {
		r = c.run("apply", "-f", file, "--profile", order, "--dry-run")
		expectExit(t, r, 0)
		r = c.run("delete", "zed@corp.io", "--profile", order, "--yes")
		expectExit(t, r, 5, "prod: error: ")
		if _, ok := dev.user("zed@corp.io"); ok {
			t.Errorf("%s: dev's zed was not deleted", order)
		}
		dev.addUsers(t, zed)
	}
}

// A rollout applies one instance at a time, in the order given, and stops
// at the first that is refused: those before are done, those after not
// attempted.
func TestFleetRollout(t *testing.T) {
	t.Parallel()
	var seeded []sandbox.User
	for i := range 20 {
		seeded = append(seeded, sandbox.User{Email: fmt.Sprintf("u%02d@corp.io", i), AccountRole: "viewer"})
	}
	a := startSandbox(t, sandbox.Options{})
	b := startSandbox(t, sandbox.Options{}, seeded...) // a prune deletes 20 of 22: over the limit
	c3 := startSandbox(t, sandbox.Options{})
	c := fleetOf(t, []string{"a", "b", "c"}, a, b, c3)
	file := c.file("u.yaml", "- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n- {email: new@corp.io, accountRole: editor}\n")
	r := c.run("apply", "-f", file, "--profile", "a,b,c", "--prune", "--rollout", "--yes")
	expectExit(t, r, 11, "b: error: the plan deletes 20 users, more than the default limit of 5",
		"a (", "): 1 change made", "b (", "): refused (exit 11)", "c (", "): not attempted")
	if _, ok := a.user("new@corp.io"); !ok {
		t.Error("a was not applied")
	}
	if w := append(b.writes(), c3.writes()...); len(w) > 0 {
		t.Errorf("writes after the refused instance: %v", w)
	}
	// Without --rollout every instance that can be applied is.
	r = c.run("apply", "-f", file, "--profile", "a,b,c", "--prune", "--yes")
	expectExit(t, r, 11, "c (", "): 1 change made")
	if _, ok := c3.user("new@corp.io"); !ok {
		t.Error("c was not applied")
	}
}

// One file for a fleet: entries scoped by URL, grants left out where an
// instance has no data domains with --ignore-absent-domains, and an export
// of several instances applied back to them sends no write.
func TestFleetFile(t *testing.T) {
	t.Parallel()
	dev, staging, prod, c := threeInstances(t)
	file := c.file("fleet.yaml", fmt.Sprintf(`instance: [%s, %s, %s]
users:
- email: admin@example.com
  accountRole: admin
- email: viewer@example.com
  accountRole: viewer
- email: ana@corp.io
  accountRole: editor
  dataDomainRoles: {sales: editor}
- email: bo@corp.io
  accountRole: operator
  exceptInstances: [%s]
- email: bo@corp.io
  accountRole: viewer
  instances: [%s]
`, dev.URL, staging.URL, prod.URL, prod.URL, prod.URL))
	// Each instance on its own: dev is applied; the others keep no grant,
	// and are refused.
	r := c.run("apply", "-f", file, "--all-profiles", "--yes")
	expectExit(t, r, 2, "staging: error: ", "prod: error: ", "this instance has no data domains")
	if w := append(staging.writes(), prod.writes()...); len(w) > 0 {
		t.Errorf("writes: %v", w)
	}
	if !slices.Equal(dev.writes(), []string{"PUT /api/users/ana@corp.io"}) {
		t.Errorf("dev's writes: %v", dev.writes())
	}
	r = c.run("apply", "-f", file, "--all-profiles", "--yes", "--ignore-absent-domains")
	expectExit(t, r, 0, "has no data domains: the data-domain roles that", "prod: Updated user Bo@corp.io: role operator -> viewer.")
	if u, _ := dev.user("ana@corp.io"); u.DataDomainRoles["sales"] != "editor" {
		t.Errorf("dev's ana: %+v", u)
	}
	// The export of all three recreates them: applied back, nothing is sent.
	exported := c.run("export", "--all-profiles", "-o", "yaml")
	expectExit(t, exported, 0)
	expectContains(t, "export", exported.stdout, "instances: ['"+prod.URL+"']")
	for _, srv := range []*testServer{dev, staging, prod} {
		srv.ResetRequests()
	}
	r = c.runStdin(exported.stdout, "apply", "-f", "-", "--all-profiles", "--prune", "--yes")
	expectExit(t, r, 0, "in sync")
	if w := append(append(dev.writes(), staging.writes()...), prod.writes()...); len(w) > 0 {
		t.Errorf("export | apply sent writes: %v", w)
	}
	// A list of several profiles is for reading: apply refuses it.
	listed := c.run("list", "--all-profiles", "-o", "json").stdout
	r = c.runStdin(listed, "apply", "-f", "-", "--all-profiles", "--yes")
	expectExit(t, r, 2, "export")
}

// --against compares two instances, in both directions, without a file.
func TestDiffAgainst(t *testing.T) {
	t.Parallel()
	dev := startSandbox(t, withDataDomains(), ana, domUserRecord())
	prod := startSandbox(t, withDataDomains(), ana, sandbox.User{Email: domUser, AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "viewer"}}, cy)
	old := startSandbox(t, sandbox.Options{API: "1.0"}, ana)
	c := fleetOf(t, []string{"dev", "prod", "old"}, dev, prod, old)
	r := c.run("diff", "--profile", "prod", "--against", "dev")
	expectExit(t, r, 10)
	for _, want := range []string{"to match dev (", "grants compared: both instances have data domains",
		"~ update dom@example.com: domain roles sales=viewer -> hr=viewer;sales=editor", "- delete cy@other.io (none)"} {
		expectContains(t, "stdout", r.stdout, want)
	}
	r = c.run("diff", "--profile", "dev", "--against", "prod", "-o", "json")
	expectExit(t, r, 10)
	var plan struct {
		Changes []struct{ Action, Email string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range plan.Changes {
		got = append(got, ch.Action+" "+ch.Email)
	}
	if !slices.Equal(got, []string{"create cy@other.io", "update dom@example.com"}) {
		t.Errorf("changes %v", got)
	}
	r = c.run("diff", "--profile", "old", "--against", "dev")
	expectExit(t, r, 10, "")
	expectContains(t, "stdout", r.stdout, "grants not compared: old (")
	if w := append(append(dev.writes(), prod.writes()...), old.writes()...); len(w) > 0 {
		t.Errorf("writes: %v", w)
	}
	r = c.run("diff", "--profile", "dev", "--against", "dev")
	expectExit(t, r, 2, "is the instance compared")
}

// apply --plan of several instances: one plan file, a section for each.
func TestFleetSavedPlan(t *testing.T) {
	t.Parallel()
	dev := startSandbox(t, sandbox.Options{})
	prod := startSandbox(t, sandbox.Options{})
	c := fleetOf(t, []string{"dev", "prod"}, dev, prod)
	file := c.file("u.yaml", "- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n- {email: new@corp.io, accountRole: editor}\n")
	plan := filepath.Join(c.dir, "plan.json")
	r := c.run("diff", "-f", file, "--profile", "dev,prod", "--save-plan", plan)
	expectExit(t, r, 10, "Saved the plan to")
	r = c.run("apply", "--plan", plan, "--profile", "dev,prod", "--yes")
	expectExit(t, r, 0, "dev: Created user new@corp.io", "prod: Created user new@corp.io")
	if !slices.Equal(dev.writes(), []string{"POST /api/users"}) || !slices.Equal(prod.writes(), []string{"POST /api/users"}) {
		t.Errorf("writes: dev %v, prod %v", dev.writes(), prod.writes())
	}
}

// domains and update work on several instances as list and create do:
// each instance's answer with its profile, one failure on its own.
func TestFleetDomainsAndUpdate(t *testing.T) {
	t.Parallel()
	dev, staging, prod, c := threeInstances(t)
	r := c.run("domains", "--profile", "dev,staging", "-o", "json", "--jq", `.[] | .profile + " " + .domain_name`)
	expectExit(t, r, 0, "dev (http://", "): 4 data domains", "staging (http://", "): 1 data domain")
	if r.stdout != "dev (default)\ndev hr\ndev marketing\ndev sales\nstaging (default)\n" {
		t.Errorf("domains:\n%s", r.stdout)
	}
	// prod is DQOps 1.0: its failure is its own, and the others are listed.
	r = c.run("domains", "--profile", "dev,prod", "-o", "tsv")
	expectExit(t, r, 2, "prod: error: this instance has no data domains", "prod ("+prod.URL+"): failed (exit 2)")
	if !strings.HasPrefix(r.stdout, "profile\tdomain_name\tdisplay_name\tcreated_at\tenable_scheduler\ndev\t(default)\t") || strings.Contains(r.stdout, "prod") {
		t.Errorf("domains tsv:\n%s", r.stdout)
	}

	r = c.run("update", "ana@corp.io", "--role", "viewer", "--profile", "dev,prod")
	expectExit(t, r, 0, "dev: Updated user ana@corp.io: role editor -> viewer.", "prod: Updated user ana@corp.io: role editor -> viewer.",
		"dev ("+dev.URL+"): done", "prod ("+prod.URL+"): done")
	for _, srv := range []*testServer{dev, prod} {
		if u, _ := srv.user("ana@corp.io"); u.AccountRole != "viewer" {
			t.Errorf("%s: ana is %q", srv.URL, u.AccountRole)
		}
	}
	if u, _ := staging.user("ana@corp.io"); u.AccountRole != "editor" {
		t.Errorf("staging, not named, changed: ana is %q", u.AccountRole)
	}
}

// Lists in YAML and tsv carry the profile as csv and JSON do.
func TestFleetListYAMLAndTSV(t *testing.T) {
	t.Parallel()
	_, _, _, c := threeInstances(t)
	r := c.run("list", "--profile", "prod,staging", "-o", "yaml", "--match", "ana")
	expectExit(t, r, 0)
	if r.stdout != "- profile: prod\n  email: ana@corp.io\n  accountRole: editor\n- profile: staging\n  email: ana@corp.io\n  accountRole: editor\n  dataDomainRoles: {}\n" {
		t.Errorf("yaml:\n%s", r.stdout)
	}
	r = c.run("list", "--profile", "prod,staging", "-o", "tsv", "--match", "ana")
	expectExit(t, r, 0)
	if r.stdout != "profile\temail\taccountRole\tdataDomainRoles\nprod\tana@corp.io\teditor\t\nstaging\tana@corp.io\teditor\t\n" {
		t.Errorf("tsv:\n%q", r.stdout)
	}
}

// A change on several instances asks once, naming every instance, and an
// answer of no sends nothing anywhere.
func TestFleetConfirmsOnce(t *testing.T) {
	t.Parallel()
	dev, staging, _, c := threeInstances(t)
	question := "Delete 1 user from dev (" + dev.URL + ") and 1 user from staging (" + staging.URL + ")? [y/N]"
	r := c.runTTY("n\n", "delete", "bo@corp.io", "--profile", "dev,staging")
	expectExit(t, r, 3, "dev: users to delete:", "staging: users to delete:", question, "nothing was changed")
	if strings.Count(r.stderr, "[y/N]") != 1 {
		t.Errorf("asked more than once:\n%s", r.stderr)
	}
	for _, srv := range []*testServer{dev, staging} {
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("%s after no: %v", srv.URL, w)
		}
	}
	r = c.runTTY("y\n", "delete", "bo@corp.io", "--profile", "dev,staging")
	expectExit(t, r, 0, question, "dev ("+dev.URL+"): 1 deleted", "staging ("+staging.URL+"): 1 deleted")
	if strings.Count(r.stderr, "[y/N]") != 1 {
		t.Errorf("asked more than once:\n%s", r.stderr)
	}
	for _, srv := range []*testServer{dev, staging} {
		if _, ok := srv.user("bo@corp.io"); ok {
			t.Errorf("%s still has bo", srv.URL)
		}
	}
}
