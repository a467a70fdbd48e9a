package cmd_test

// Tests of sync, in-process against the sandbox over real HTTP and a real
// slapd (directorytest), which the tests of this package share: each test
// adds a branch of its own (ou=NAME), so that they run in parallel.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/directory/directorytest"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// syncSlapd is the slapd of this package's tests, stopped by TestMain.
var syncSlapd = &directorytest.Shared{}

// branch is a test's own part of the shared directory: ou=NAME, with its
// people (uid=X, mail X@corp.example) under ou=people and its groups
// (groupOfNames) under ou=groups.
type branch struct {
	t     testing.TB
	slapd *directorytest.Slapd
	name  string
}

// newBranch adds ou=name with people and groups (group name to member
// uids) to the shared slapd.
func newBranch(t testing.TB, name string, people []string, groups map[string][]string) *branch {
	t.Helper()
	b := &branch{t: t, slapd: syncSlapd.Get(t), name: name}
	var l strings.Builder
	entry := func(dn string, lines ...string) {
		l.WriteString("dn: " + dn + "\n" + strings.Join(lines, "\n") + "\n\n")
	}
	entry(b.dn(""), "objectClass: organizationalUnit", "ou: "+name)
	entry(b.dn("ou=people"), "objectClass: organizationalUnit", "ou: people")
	entry(b.dn("ou=groups"), "objectClass: organizationalUnit", "ou: groups")
	for _, uid := range people {
		entry(b.person(uid), "objectClass: inetOrgPerson", "uid: "+uid, "cn: "+uid, "sn: "+uid, "mail: "+uid+"@corp.example")
	}
	for _, cn := range slices.Sorted(maps.Keys(groups)) {
		lines := []string{"objectClass: groupOfNames", "cn: " + cn}
		for _, uid := range groups[cn] {
			lines = append(lines, "member: "+b.person(uid))
		}
		entry(b.group(cn), lines...)
	}
	if err := b.slapd.Add(l.String()); err != nil {
		t.Fatal(err)
	}
	return b
}

// dn is rdn's DN in the branch ("" for the branch itself).
func (b *branch) dn(rdn string) string {
	if rdn == "" {
		return "ou=" + b.name + "," + directorytest.Suffix
	}
	return rdn + ",ou=" + b.name + "," + directorytest.Suffix
}

func (b *branch) person(uid string) string { return "uid=" + uid + "," + b.dn("ou=people") }
func (b *branch) group(cn string) string   { return "cn=" + cn + "," + b.dn("ou=groups") }

// removeMembers takes people out of a group.
func (b *branch) removeMembers(cn string, uids ...string) {
	b.t.Helper()
	ldif := "dn: " + b.group(cn) + "\nchangetype: modify\ndelete: member\n"
	for _, uid := range uids {
		ldif += "member: " + b.person(uid) + "\n"
	}
	if err := b.slapd.Add(ldif); err != nil {
		b.t.Fatal(err)
	}
}

// syncFile writes a sync file into the harness's directory, beside the
// sync account's password (ldap.pw), and returns its path: the branch's
// people, the groups (mappings in YAML, indented as list items) and the
// rest of the file.
func (b *branch) syncFile(c *cli, groups, rest string) string {
	b.t.Helper()
	c.file("ldap.pw", directorytest.SyncPW+"\n")
	return c.file("sync.yaml", b.ldapSection()+fmt.Sprintf(`users:
  baseDN: %s
  filter: (objectClass=inetOrgPerson)
groups:
%s%s`, b.dn("ou=people"), groups, rest))
}

func (b *branch) ldapSection() string {
	return fmt.Sprintf("ldap:\n  url: %s\n  bindDN: %s\n  bindPasswordFile: ldap.pw\n  timeout: 20s\n", b.slapd.URL, directorytest.SyncDN)
}

// mapping is one entry of groups: for a group of the branch.
func (b *branch) mapping(cn, role string) string {
	return fmt.Sprintf("  - dn: %s\n    accountRole: %s\n", b.group(cn), role)
}

// expectNoRequest checks that the sandbox received no request at all.
func expectNoRequest(t testing.TB, srv *testServer) {
	t.Helper()
	if calls := srv.calls(); len(calls) > 0 {
		t.Errorf("requests were sent to DQOps: %v", calls)
	}
}

// expectNoWrite checks that the sandbox received no write request.
func expectNoWrite(t testing.TB, srv *testServer) {
	t.Helper()
	if w := srv.writes(); len(w) > 0 {
		t.Errorf("write requests were sent: %v", w)
	}
}

// The sandbox users the unmatched tests start from, besides
// admin@example.com (admin, the caller) and viewer@example.com (viewer):
// bo, whom the directory makes a viewer, and two users in no mapped group.
var (
	syncBo   = sandbox.User{Email: "bo@corp.example", AccountRole: "editor"}
	syncOld  = sandbox.User{Email: "old@corp.example", AccountRole: "operator"}
	syncGone = sandbox.User{Email: "gone@corp.example", AccountRole: "none"}
)

func TestSyncUnmatched(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		unmatched string
		keep      string // keep: of the file
		args      []string
		code      int
		out       []string // in stdout (the plan) or stderr (the rest)
		state     string   // the sandbox's users afterwards
	}{
		{name: "keep", unmatched: "keep", keep: "admin@example.com",
			out: []string{"Plan: 2 to create, 1 to update, 0 to delete, 0 unchanged. 3 users on the server are in no mapped group, left as they are (unmatched: keep). 1 user under keep:, left as it is.",
				"Applied: 2 created, 1 updated, 0 deleted"},
			state: "admin@example.com admin\nana@corp.example admin\nbo@corp.example viewer\ncy@corp.example viewer\ngone@corp.example none\nold@corp.example operator\nviewer@example.com viewer\n"},
		{name: "none", unmatched: "none", keep: "admin@example.com",
			out: []string{"~ update old@corp.example: role operator -> none (in no mapped group; counts as a delete)",
				"Plan: 2 to create, 3 to update, 0 to delete, 0 unchanged. 3 users on the server are in no mapped group, demoted to none where they are not already. 1 user under keep:, left as it is."},
			state: "admin@example.com admin\nana@corp.example admin\nbo@corp.example viewer\ncy@corp.example viewer\ngone@corp.example none\nold@corp.example none\nviewer@example.com none\n"},
		{name: "none, the caller not under keep:", unmatched: "none", code: 11,
			out:   []string{"refused: update admin@example.com: it is your own account", "Applied: 2 created, 3 updated, 0 deleted, 0 unchanged, 1 refused, 0 failed"},
			state: "admin@example.com admin\nana@corp.example admin\nbo@corp.example viewer\ncy@corp.example viewer\ngone@corp.example none\nold@corp.example none\nviewer@example.com none\n"},
		{name: "delete with --prune", unmatched: "delete", keep: "admin@example.com", args: []string{"--prune"},
			out: []string{"- delete old@corp.example (operator)", "Plan: 2 to create, 1 to update, 3 to delete, 0 unchanged. 1 user under keep:, left as it is.",
				"Applied: 2 created, 1 updated, 3 deleted"},
			state: "admin@example.com admin\nana@corp.example admin\nbo@corp.example viewer\ncy@corp.example viewer\n"},
		{name: "delete without --prune", unmatched: "delete", keep: "admin@example.com", code: 2,
			out: []string{"sync.yaml says unmatched: delete, which deletes the DQOps users in no mapped group, and that needs --prune: nothing was sent"}},
		{name: "--prune without delete", unmatched: "none", keep: "admin@example.com", args: []string{"--prune"}, code: 2,
			out: []string{"--prune deletes the users in no mapped group with unmatched: delete, and ", "sync.yaml says unmatched: none: nothing was sent"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBranch(t, fmt.Sprintf("unmatched%d", i), []string{"ana", "bo", "cy"},
				map[string][]string{"admins": {"ana"}, "viewers": {"bo", "cy"}})
			srv, c := setupCI(t, sandbox.Options{}, syncBo, syncOld, syncGone)
			rest := "unmatched: " + tt.unmatched + "\n"
			if tt.keep != "" {
				rest += "keep: [" + tt.keep + "]\n"
			}
			file := b.syncFile(c, b.mapping("admins", "admin")+b.mapping("viewers", "viewer"), rest)
			before := userState(srv)
			r := c.run(append([]string{"sync", "-f", file, "--yes"}, tt.args...)...)
			expectExit(t, r, tt.code)
			expectContains(t, "output", r.stdout+r.stderr, tt.out...)
			if tt.code == 2 {
				expectNoRequest(t, srv)
				if got := userState(srv); got != before {
					t.Errorf("the users changed:\n%s", got)
				}
				return
			}
			expectContains(t, "stderr", r.stderr, "The directory at "+b.slapd.URL+" gives access to 3 people in 2 mapped groups.")
			if got := userState(srv); got != tt.state {
				t.Errorf("users afterwards:\n%s\nwant:\n%s", got, tt.state)
			}
			// The second run right after the first sends no write.
			srv.ResetRequests()
			r = c.run(append([]string{"sync", "-f", file, "--yes"}, tt.args...)...)
			expectExit(t, r, tt.code)
			if tt.code == 0 {
				expectContains(t, "stderr", r.stderr, "No changes: the server matches "+file)
			}
			expectNoWrite(t, srv)
		})
	}
}

// A failed bind, an unreachable directory, a search that finds no one
// and a mapped group that does not exist each stop sync with exit 1, the
// LDAP result named, before any request to DQOps: an empty or failed
// answer must never demote or delete anyone.
func TestSyncDirectoryFailures(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "failures", []string{"ana"}, map[string][]string{"admins": {"ana"}})
	closed := strconv.Itoa(freePort(t))
	tests := []struct {
		name   string
		edit   func(file string) string
		stderr []string
	}{
		{"wrong bind password", nil,
			[]string{"error: binding to " + b.slapd.URL + " as cn=sync,dc=example,dc=com: LDAP result 49 (Invalid Credentials)"}},
		{"unreachable server", func(f string) string { return strings.Replace(f, ":"+b.slapd.Port, ":"+closed, 1) },
			[]string{"error: connecting to ldap://127.0.0.1:" + closed, "connection refused"}},
		{"a search that finds no one", func(f string) string {
			return strings.Replace(f, "(objectClass=inetOrgPerson)", "(uid=nobody-here)", 1)
		}, []string{"found no one: an empty answer is never a reason to demote or delete"}},
		{"a mapped group that does not exist", func(f string) string { return strings.Replace(f, "cn=admins,", "cn=admns,", 1) },
			[]string{"the group cn=admns,ou=groups,ou=failures,dc=example,dc=com does not exist: LDAP result 32 (No Such Object)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setupCI(t, sandbox.Options{}, syncOld)
			file := b.syncFile(c, b.mapping("admins", "admin"), "unmatched: delete\nkeep: [admin@example.com]\n")
			if tt.edit != nil {
				data, _ := os.ReadFile(file)
				c.file("sync.yaml", tt.edit(string(data)))
			} else {
				c.file("ldap.pw", "wrong-"+directorytest.SyncPW+"\n")
			}
			r := c.run("sync", "-f", file, "--prune", "--yes")
			expectExit(t, r, 1, append(tt.stderr, "hint: nothing was sent to DQOps")...)
			expectNoRequest(t, srv)
			expectNotContains(t, "stderr", r.stderr, directorytest.SyncPW)
		})
	}
}

// The delete limit stops a sync whose mapped group lost most of its
// members, with unmatched: delete and --prune: exit 11, no write.
func TestSyncDeleteLimit(t *testing.T) {
	t.Parallel()
	var people []string
	for i := range 20 {
		people = append(people, fmt.Sprintf("m%02d", i))
	}
	b := newBranch(t, "limit", people, map[string][]string{"team": people})
	srv, c := setupCI(t, sandbox.Options{})
	file := b.syncFile(c, b.mapping("team", "viewer"), "unmatched: delete\nkeep: [admin@example.com]\n")
	r := c.run("sync", "-f", file, "--prune", "--yes")
	expectExit(t, r, 0, "Applied: 20 created, 0 updated, 1 deleted")
	b.removeMembers("team", people[3:]...)
	srv.ResetRequests()
	r = c.run("sync", "-f", file, "--prune", "--yes")
	expectExit(t, r, 11, "the plan deletes 17 users, more than the default limit of 5 (a tenth of the instance's 21 users, at least 5) allows: nothing was changed",
		"--max-deletes 17")
	expectNoWrite(t, srv)
	if n := len(srv.Users()); n != 21 {
		t.Errorf("%d users left, want 21", n)
	}
}

// The audit log records each change with the sync file as its source.
func TestSyncAuditLog(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "audit", []string{"ana", "bo"}, map[string][]string{"viewers": {"ana", "bo"}})
	_, c := setupCI(t, sandbox.Options{}, syncBo, syncOld)
	file := b.syncFile(c, b.mapping("viewers", "viewer"), "unmatched: none\nkeep: [admin@example.com]\n")
	log := filepath.Join(c.dir, "audit.log")
	r := c.run("sync", "-f", file, "--yes", "--audit-log", log)
	expectExit(t, r, 0, "Applied: 1 created, 3 updated")
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	sum := fileSHA256(t, file)
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e struct {
			Action, Email, Outcome string
			Source                 map[string]string
			After                  struct{ AccountRole string }
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if len(e.Source) != 2 || e.Source["sync"] != file || e.Source["sha256"] != sum {
			t.Errorf("source %v, want the sync file %s with its SHA-256 %s", e.Source, file, sum)
		}
		got = append(got, e.Action+" "+e.Email+" "+e.After.AccountRole+" "+e.Outcome)
	}
	slices.Sort(got)
	want := []string{"create ana@corp.example viewer done", "update bo@corp.example viewer done",
		"update old@corp.example none done", "update viewer@example.com none done"}
	if !slices.Equal(got, want) {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// --save-plan, then apply --plan, makes exactly the sync's changes.
func TestSyncSavePlanThenApply(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "saved", []string{"ana", "bo", "cy"}, map[string][]string{"admins": {"ana"}, "viewers": {"bo", "cy"}})
	srv, c := setupCI(t, sandbox.Options{}, syncBo, syncOld, syncGone)
	file := b.syncFile(c, b.mapping("admins", "admin")+b.mapping("viewers", "viewer"), "unmatched: none\nkeep: [admin@example.com]\n")
	plan := filepath.Join(c.dir, "plan.json")
	r := c.run("sync", "-f", file, "--dry-run", "--save-plan", plan, "--max-deletes", "2")
	expectExit(t, r, 0, "Saved the plan to "+plan, "Dry run: nothing was changed.")
	expectNoWrite(t, srv)
	data, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"sync": "` + file + `"`, `"sha256": "` + fileSHA256(t, file) + `"`, `"unmatched": "none"`, `"countsAsDelete": true`, `"maxDeletes": "2"`} {
		expectContains(t, "the saved plan", string(data), want)
	}
	srv.ResetRequests()
	r = c.run("apply", "--plan", plan, "--yes")
	expectExit(t, r, 0, "Applied: 2 created, 3 updated, 0 deleted")
	expectContains(t, "stdout", r.stdout, "Plan: 2 to create, 3 to update, 0 to delete, 0 unchanged. 3 users on the server are in no mapped group, demoted to none where they are not already. 1 user under keep:, left as it is.")
	writes := srv.writes()
	slices.Sort(writes)
	want := []string{"POST /api/users", "POST /api/users", "PUT /api/users/bo@corp.example", "PUT /api/users/old@corp.example", "PUT /api/users/viewer@example.com"}
	if !slices.Equal(writes, want) {
		t.Errorf("apply --plan sent %v, want %v", writes, want)
	}
	srv.ResetRequests()
	r = c.run("sync", "-f", file, "--yes")
	expectExit(t, r, 0, "No changes")
	expectNoWrite(t, srv)
}

// --check binds and searches, prints who would get which roles, and sends
// nothing to DQOps; its JSON holds the same.
func TestSyncCheck(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "check", []string{"ana", "bo", "cy"}, map[string][]string{"admins": {"ana"}, "viewers": {"bo", "cy", "ana"}})
	srv, c := setupCI(t, sandbox.Options{})
	file := b.syncFile(c, b.mapping("admins", "admin")+b.mapping("viewers", "viewer"), "unmatched: delete\nkeep: [cy@corp.example]\n")
	r := c.run("sync", "-f", file, "--check")
	expectExit(t, r, 0)
	expectContains(t, "stdout", r.stdout, "3 people in mapped groups (1 under keep:, which sync leaves as they are)",
		"ana@corp.example  admin   -             "+b.group("admins")+"; "+b.group("viewers"))
	r = c.run("sync", "-f", file, "--check", "-o", "json")
	expectExit(t, r, 0)
	var res struct {
		People []struct{ Email, AccountRole string }
		Kept   []struct{ Email string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	if len(res.People) != 2 || res.People[0].Email != "ana@corp.example" || res.People[0].AccountRole != "admin" || len(res.Kept) != 1 {
		t.Errorf("check -o json: %+v", res)
	}
	r = c.run("sync", "-f", file, "--check", "--yes")
	expectExit(t, r, 2, "--check", "--yes")
	expectNoRequest(t, srv)
}

// Mapped data-domain roles are checked against the instance, once per
// mapping with its line, before anything is written; sync owns the grants
// of the users it manages, and a demotion takes every grant away.
func TestSyncDataDomains(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "domains", []string{"ana", "bo"}, map[string][]string{"viewers": {"ana", "bo"}})
	grants := "  - dn: " + b.group("viewers") + "\n    accountRole: viewer\n    dataDomainRoles: {sales: editor}\n"
	t.Run("with data domains", func(t *testing.T) {
		t.Parallel()
		bo := sandbox.User{Email: "bo@corp.example", AccountRole: "viewer", DataDomainRoles: map[string]string{"hr": "viewer", "sales": "editor"}}
		old := sandbox.User{Email: "old@corp.example", AccountRole: "editor", DataDomainRoles: map[string]string{"hr": "admin"}}
		srv, c := setupCI(t, withDataDomains(), bo, old)
		file := b.syncFile(c, grants, "unmatched: none\nkeep: [admin@example.com, viewer@example.com]\n")
		r := c.run("sync", "-f", file, "--yes")
		expectExit(t, r, 0)
		expectContains(t, "stdout", r.stdout, "+ create ana@corp.example (viewer; domain roles sales=editor)",
			"~ update bo@corp.example: domain roles hr=viewer;sales=editor -> sales=editor",
			"~ update old@corp.example: role editor -> none, domain roles hr=admin -> (none) (in no mapped group; counts as a delete)")
		want := "admin@example.com admin\nana@corp.example viewer map[sales:editor]\nbo@corp.example viewer map[sales:editor]\nold@corp.example none\nviewer@example.com viewer\n"
		if got := userState(srv); got != want {
			t.Errorf("users afterwards:\n%s\nwant:\n%s", got, want)
		}
		c.file("sync.yaml", strings.Replace(string(mustRead(t, file)), "sales: editor", "salse: editor", 1))
		srv.ResetRequests()
		r = c.run("sync", "-f", file, "--yes")
		expectExit(t, r, 2, file+":10: groups[1].dataDomainRoles: unknown data domain \"salse\" (did you mean \"sales\"?)")
		expectNoWrite(t, srv)
	})
	t.Run("without data domains", func(t *testing.T) {
		t.Parallel()
		srv, c := setupCI(t, sandbox.Options{})
		file := b.syncFile(c, grants, "")
		r := c.run("sync", "-f", file, "--yes")
		expectExit(t, r, 2, file+":10: groups[1].dataDomainRoles:", "this instance keeps no data-domain roles")
		expectNoWrite(t, srv)
	})
}

// The sync file's instance: and --instance are checked before anything is
// asked of the directory (here unreachable) or of DQOps; without a
// terminal, sync changes nothing without --yes.
func TestSyncRefusesBeforeAsking(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "refuse", []string{"ana"}, map[string][]string{"admins": {"ana"}})
	srv, c := setupCI(t, sandbox.Options{})
	file := b.syncFile(c, b.mapping("admins", "admin"), "keep: [admin@example.com]\n")
	good := string(mustRead(t, file))
	unreachable := strings.Replace(good, ":"+b.slapd.Port, ":"+strconv.Itoa(freePort(t)), 1)
	c.file("sync.yaml", "instance: https://dqops.example.com\n"+unreachable)
	r := c.run("sync", "-f", file, "--yes")
	expectExit(t, r, 2, file+":1: the file is for instance https://dqops.example.com, not for "+srv.URL)
	c.file("sync.yaml", unreachable)
	r = c.run("sync", "-f", file, "--yes", "--instance", "https://dqops.example.com")
	expectExit(t, r, 2, "--instance https://dqops.example.com is not the instance of this command")
	expectNoRequest(t, srv)

	c.file("sync.yaml", good)
	r = c.run("sync", "-f", file)
	expectExit(t, r, 2, "sync makes no change without a confirmation", "`dqo-users sync --dry-run`")
	expectNoWrite(t, srv)
}

// On a terminal sync shows the plan and asks before any change; no is
// exit 3 and nothing changed.
func TestSyncConfirmOnTerminal(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "terminal", []string{"ana"}, map[string][]string{"admins": {"ana"}})
	srv, c := setupNoColor(t, sandbox.Options{})
	file := b.syncFile(c, b.mapping("admins", "admin"), "keep: [admin@example.com]\n")
	r := c.runTTY("n\n", "sync", "-f", file)
	expectExit(t, r, 3, "Apply 1 change to "+srv.URL+"? [y/N]: ", "cancelled: nothing was changed")
	expectContains(t, "stdout", r.stdout, "+ create ana@corp.example (admin)")
	expectNoWrite(t, srv)
	r = c.runTTY("y\n", "sync", "-f", file)
	expectExit(t, r, 0, "Created user ana@corp.example with role admin.")
	if u := findUser(t, srv.Server, "ana@corp.example"); u.AccountRole != "admin" {
		t.Errorf("ana is %s", u.AccountRole)
	}
}

// A bindPasswordCommand runs under the trust rule of a profile's
// api_key_command: not from a sync file that others may write.
func TestSyncBindPasswordCommand(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "command", []string{"ana"}, map[string][]string{"admins": {"ana"}})
	srv, c := setupCI(t, sandbox.Options{})
	file := b.syncFile(c, b.mapping("admins", "admin"), "keep: [admin@example.com]\n")
	c.file("sync.yaml", strings.Replace(string(mustRead(t, file)), "bindPasswordFile: ldap.pw", "bindPasswordCommand: cat ldap.pw", 1))
	if err := os.Chmod(file, 0o666); err != nil {
		t.Fatal(err)
	}
	r := c.run("sync", "-f", file, "--yes")
	expectExit(t, r, 2, "not running ldap.bindPasswordCommand: "+file+" may not name a command to run: it is writable by others (mode 0666)",
		"chmod go-w "+file)
	expectNoRequest(t, srv)
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	// The command runs in the current directory: give it the file's.
	c.file("sync.yaml", strings.Replace(string(mustRead(t, file)), "cat ldap.pw", "cat "+filepath.Join(c.dir, "ldap.pw"), 1))
	r = c.run("sync", "-f", file, "--yes")
	expectExit(t, r, 0, "Applied: 1 created")
}

// --debug writes each LDAP operation as the ldapsearch command that does
// the same, with its time and without the password, besides the API trace.
func TestSyncDebug(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "debug", []string{"ana"}, map[string][]string{"admins": {"ana"}})
	srv, c := setupCI(t, sandbox.Options{})
	file := b.syncFile(c, b.mapping("admins", "admin"), "keep: [admin@example.com]\n")
	r := c.run("sync", "-f", file, "--yes", "--debug")
	expectExit(t, r, 0, "Applied: 1 created")
	expectContains(t, "stderr", r.stderr,
		"ldapwhoami -H "+b.slapd.URL+" -x -D cn=sync,dc=example,dc=com -y "+filepath.Join(c.dir, "ldap.pw")+"  # connected in ",
		"ldapsearch -H "+b.slapd.URL+" -x -D cn=sync,dc=example,dc=com -y ",
		"> GET "+srv.URL+"/api/users\n")
	expectNotContains(t, "stderr", r.stderr, directorytest.SyncPW)
}

// help sync prints the sync file's reference.
func TestSyncHelp(t *testing.T) {
	t.Parallel()
	c := newCLI(t, nil)
	r := c.run("help", "sync")
	expectExit(t, r, 0)
	expectContains(t, "stdout", r.stdout, "A sync file says where the directory is", "unmatched: what happens to the DQOps users in no mapped group")
}

// A directory of 2,500 people in one group, synced against the sandbox:
// the time and the requests are logged (go test -v), then a second sync
// sends no write.
func TestSyncLargeDirectory(t *testing.T) {
	t.Parallel()
	const n = 2500
	people := make([]string, n)
	for i := range people {
		people[i] = fmt.Sprintf("u%04d", i)
	}
	b := newBranch(t, "large", people, map[string][]string{"everyone": people})
	srv, c := setupCI(t, sandbox.Options{UsersLimit: n + 10})
	file := b.syncFile(c, b.mapping("everyone", "viewer"), "unmatched: none\nkeep: [admin@example.com]\n")
	r := c.run("sync", "-f", file, "--yes")
	expectExit(t, r, 0, "Applied: 2500 created, 1 updated, 0 deleted, 0 unchanged, 0 refused, 0 failed.")
	summary := regexp.MustCompile(`(?m)^Plan: .*$`).FindString(r.stdout)
	t.Logf("first sync of %d people: %s, %d requests (%d writes); %s", n, r.elapsed.Round(time.Millisecond), len(srv.calls()), len(srv.writes()), summary)
	if len(srv.Users()) != n+2 {
		t.Errorf("%d users, want %d", len(srv.Users()), n+2)
	}
	srv.ResetRequests()
	r = c.run("sync", "-f", file, "--yes")
	expectExit(t, r, 0, "No changes: the server matches "+file+" (2500 users).")
	t.Logf("second sync: %s, %d requests (%v)", r.elapsed.Round(time.Millisecond), len(srv.calls()), srv.calls())
	expectNoWrite(t, srv)

	r = c.run("sync", "-f", file, "--check", "--debug")
	expectExit(t, r, 0)
	t.Logf("sync --check --debug:\n%s", r.stderr)
}

func fileSHA256(t testing.TB, path string) string {
	t.Helper()
	sum := sha256.Sum256(mustRead(t, path))
	return hex.EncodeToString(sum[:])
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// With several profiles the directory is read once and kept on each
// instance: one confirmation, each instance planned and applied, and a
// second sync sends no write to either.
func TestSyncSeveralInstances(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "fleet", []string{"ana", "bo"}, map[string][]string{"viewers": {"ana", "bo"}})
	dev := startSandbox(t, sandbox.Options{}, syncBo)
	prod := startSandbox(t, sandbox.Options{API: "1.0"}, syncOld)
	c := fleetOf(t, []string{"dev", "prod"}, dev, prod)
	c.likeCI()
	file := b.syncFile(c, b.mapping("viewers", "viewer"), "keep: [admin@example.com, viewer@example.com]\n")
	r := c.run("sync", "-f", file, "--profile", "dev,prod", "--yes")
	expectExit(t, r, 0, "dev: Created user ana@corp.example", "prod: Created user bo@corp.example", "dev (", "prod (")
	for _, srv := range []*testServer{dev, prod} {
		for _, email := range []string{"ana@corp.example", "bo@corp.example"} {
			if u, ok := srv.user(email); !ok || u.AccountRole != "viewer" {
				t.Errorf("%s: %s is %+v", srv.URL, email, u)
			}
		}
		srv.ResetRequests()
	}
	r = c.run("sync", "-f", file, "--profile", "dev,prod", "--yes")
	expectExit(t, r, 0, "in sync")
	expectNoWrite(t, dev)
	expectNoWrite(t, prod)
}

// TLS to the directory: startTLS and ldaps with the test's CA sync; a
// certificate that does not name the host, or a CA that is not trusted,
// stops sync with exit 1 before any request to DQOps.
func TestSyncTLS(t *testing.T) {
	t.Parallel()
	b := newBranch(t, "tls", []string{"ana"}, map[string][]string{"admins": {"ana"}})
	s := b.slapd
	tests := []struct {
		name, ldap string
		stderr     string // "" for a sync that succeeds
	}{
		{"startTLS", fmt.Sprintf("url: %s\n  startTLS: true\n  caFile: %s", s.URL, s.CAFile), ""},
		{"ldaps", fmt.Sprintf("url: %s\n  caFile: %s", s.LDAPSURL, s.CAFile), ""},
		{"startTLS, name not in the certificate", fmt.Sprintf("url: ldap://localhost:%s\n  startTLS: true\n  caFile: %s", s.Port, s.CAFile),
			"x509: certificate is not valid for any names, but wanted to match localhost"},
		{"ldaps, name not in the certificate", fmt.Sprintf("url: ldaps://localhost:%s\n  caFile: %s", s.TLSPort, s.CAFile),
			"x509: certificate is not valid for any names, but wanted to match localhost"},
		{"ldaps, CA not trusted", "url: " + s.LDAPSURL, "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setupCI(t, sandbox.Options{})
			file := b.syncFile(c, b.mapping("admins", "viewer"), "keep: [admin@example.com]\n")
			data, _ := os.ReadFile(file)
			c.file("sync.yaml", strings.Replace(string(data), "url: "+s.URL, tt.ldap, 1))
			r := c.run("sync", "-f", file, "--yes")
			if tt.stderr == "" {
				expectExit(t, r, 0, "Applied: 1 created")
				if _, ok := srv.user("ana@corp.example"); !ok {
					t.Errorf("ana was not created:\n%s", r)
				}
				return
			}
			expectExit(t, r, 1, tt.stderr, "hint: nothing was sent to DQOps")
			expectNoRequest(t, srv)
		})
	}
}
