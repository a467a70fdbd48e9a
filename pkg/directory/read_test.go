package directory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/files"
)

// syncDir writes a sync file into a new directory, beside the sync
// account's password (ldap.pw, which the file names relatively), and
// loads it.
func syncDir(t *testing.T, text string) *Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ldap.pw"), []byte(testSyncPW+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sync.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(context.Background(), path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

// ldapSection is the ldap: part that reaches the test slapd as the sync
// account, in plain LDAP on loopback.
func ldapSection(s *testSlapd) string {
	return fmt.Sprintf("ldap:\n  url: %s\n  bindDN: %s\n  bindPasswordFile: ldap.pw\n  timeout: 20s\n", s.ldapURL, testSyncDN)
}

const peopleUsers = `users:
  baseDN: ou=people,dc=example,dc=com
  filter: (&(objectClass=inetOrgPerson)(!(employeeType=disabled)))
`

// read runs Read with a debug log that the test reports on failure.
func read(t *testing.T, cfg *Config, opts Options) (*Result, string, error) {
	t.Helper()
	var debug bytes.Buffer
	opts.Debug = &debug
	res, err := Read(context.Background(), cfg, opts)
	return res, debug.String(), err
}

// roles is a result's people as email -> "role domain=role,...".
func roles(res *Result) map[string]string {
	out := map[string]string{}
	for _, p := range res.People {
		out[p.Email] = string(p.AccountRole) + " " + grantsText(p.DataDomainRoles)
	}
	return out
}

func TestReadMappings(t *testing.T) {
	t.Parallel()
	s := slapdForTest(t)
	cfg := syncDir(t, ldapSection(s)+peopleUsers+`groups:
  - dn: cn=admins,ou=groups,dc=example,dc=com       # groupOfNames: ana
    accountRole: admin
  - dn: cn=editors,ou=groups,dc=example,dc=com      # groupOfUniqueNames: bo, ana (with a unique id)
    accountRole: editor
    dataDomainRoles: {sales: viewer}
  - dn: cn=ops,ou=groups,dc=example,dc=com          # posixGroup: gus, ghost (no such user)
    accountRole: operator
  - dn: cn=staff,ou=groups,dc=example,dc=com        # bo, dee (disabled), eve (no mail), fay (two mails)
    accountRole: viewer
    dataDomainRoles: {sales: editor, marketing: none}
  - filter: (&(objectClass=groupOfNames)(cn=sales))
    baseDN: ou=groups,dc=example,dc=com             # bo, cy
    accountRole: viewer
    dataDomainRoles: {marketing: admin}
  - dn: cn=empty,ou=groups,dc=example,dc=com        # posixGroup without members
    accountRole: admin
keep: [CY@example.com]
`)
	res, debug, err := read(t, cfg, Options{})
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, debug)
	}
	want := map[string]string{
		"Ana@Example.com": "admin sales=viewer",                  // admins and editors: the stronger role
		"bo@example.com":  "editor marketing=admin,sales=editor", // editors, staff, sales: strongest role per domain
		"fay@example.com": "viewer sales=editor",
		"gus@example.com": "operator -",
	}
	if got := roles(res); !reflect.DeepEqual(got, want) {
		t.Errorf("people:\n got %v\nwant %v\n%s", got, want, debug)
	}
	if len(res.Kept) != 1 || res.Kept[0].Email != "cy@example.com" || res.Kept[0].AccountRole != api.RoleViewer {
		t.Errorf("kept = %+v, want cy@example.com (viewer), left out of People", res.Kept)
	}
	for _, p := range res.People {
		if p.DataDomainRoles == nil {
			t.Errorf("%s: DataDomainRoles is nil; sync owns the grants, so none is an empty map", p.Email)
		}
	}
	entries := res.Entries()
	if len(entries) != len(res.People) {
		t.Fatalf("%d entries for %d people", len(entries), len(res.People))
	}
	for i, e := range entries {
		p := res.People[i]
		if e.Email != p.Email || e.AccountRole != p.AccountRole || e.DataDomainRoles == nil || !api.SameGrants(e.DataDomainRoles, p.DataDomainRoles) {
			t.Errorf("entry %+v for %+v: want the same, with grants set (never nil: sync owns them)", e, p)
		}
	}
	var bo Person
	for _, p := range res.People {
		if p.Email == "bo@example.com" {
			bo = p
		}
	}
	wantGroups := []string{"cn=editors,ou=groups,dc=example,dc=com", "cn=staff,ou=groups,dc=example,dc=com", "cn=sales,ou=groups,dc=example,dc=com"}
	if !reflect.DeepEqual(bo.Groups, wantGroups) {
		t.Errorf("bo's groups = %v, want %v", bo.Groups, wantGroups)
	}
	if want := []Skipped{{DN: "uid=eve,ou=people,dc=example,dc=com", Reason: "no mail attribute"}}; !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("skipped = %+v, want %+v", res.Skipped, want)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Message, "2 mail values; the first, fay@example.com, is used") {
		t.Errorf("notices = %+v, want fay's two mails", res.Notices)
	}
	counts := map[string]GroupSummary{}
	for _, g := range res.Groups {
		counts[strings.SplitN(g.DN, ",", 2)[0]] = g
	}
	for cn, want := range map[string][2]int{ // people, not users
		"cn=admins": {1, 0}, "cn=editors": {2, 0}, "cn=ops": {1, 1}, "cn=staff": {3, 1}, "cn=sales": {2, 0}, "cn=empty": {0, 0},
	} {
		g, ok := counts[cn]
		if !ok || g.Members != want[0] || g.NotUsers != want[1] {
			t.Errorf("%s: %+v, want %d people and %d not users", cn, g, want[0], want[1])
		}
	}
	if res.Users != 12 {
		t.Errorf("Users = %d, want the 12 enabled people of ou=people", res.Users)
	}
}

func TestReadNestedAndLoop(t *testing.T) {
	t.Parallel()
	s := slapdForTest(t)
	cfg := syncDir(t, ldapSection(s)+peopleUsers+`groups:
  - dn: cn=top,ou=groups,dc=example,dc=com          # top > mid > low: n1, n2, n3
    accountRole: viewer
  - dn: cn=loop-a,ou=groups,dc=example,dc=com       # loop-a > loop-b > loop-a: l1, l2
    accountRole: editor
`)
	res, debug, err := read(t, cfg, Options{})
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, debug)
	}
	want := map[string]string{
		"n1@example.com": "viewer -", "n2@example.com": "viewer -", "n3@example.com": "viewer -",
		"l1@example.com": "editor -", "l2@example.com": "editor -",
	}
	if got := roles(res); !reflect.DeepEqual(got, want) {
		t.Errorf("people:\n got %v\nwant %v\n%s", got, want, debug)
	}
	wantLoop := []string{"cn=loop-a,ou=groups,dc=example,dc=com", "cn=loop-b,ou=groups,dc=example,dc=com", "cn=loop-a,ou=groups,dc=example,dc=com"}
	if len(res.Loops) != 1 || !reflect.DeepEqual(res.Loops[0], wantLoop) {
		t.Errorf("loops = %v, want %v", res.Loops, wantLoop)
	}
	if res.GroupsRead != 5 {
		t.Errorf("GroupsRead = %d, want 5 (top, mid, low, loop-a, loop-b)", res.GroupsRead)
	}
	// Each nested group is read once, and no person on their own.
	if n := strings.Count(debug, "-s base"); n != 5 {
		t.Errorf("%d base reads, want 5 (one a group):\n%s", n, debug)
	}
}

// TestReadMemberOfSlapd maps a group whose member list the sync account
// may not read (the test slapd's ACL hides the members of cn=hidden-*):
// its people are found through their memberOf, which slapd's memberof
// overlay keeps.
func TestReadMemberOfSlapd(t *testing.T) {
	t.Parallel()
	s := slapdForTest(t)
	if err := sharedSlapd.Get(t).Add(`dn: ou=memberof,dc=example,dc=com
objectClass: organizationalUnit
ou: memberof

dn: uid=mo1,ou=memberof,dc=example,dc=com
objectClass: inetOrgPerson
uid: mo1
cn: mo1
sn: mo1
mail: mo1@example.com

dn: uid=mo2,ou=memberof,dc=example,dc=com
objectClass: inetOrgPerson
uid: mo2
cn: mo2
sn: mo2
mail: mo2@example.com

dn: uid=mo3,ou=memberof,dc=example,dc=com
objectClass: inetOrgPerson
uid: mo3
cn: mo3
sn: mo3
mail: mo3@example.com

dn: cn=hidden-readers,ou=memberof,dc=example,dc=com
objectClass: groupOfNames
cn: hidden-readers
member: uid=mo1,ou=memberof,dc=example,dc=com
member: uid=mo2,ou=memberof,dc=example,dc=com
`); err != nil {
		t.Fatal(err)
	}
	cfg := syncDir(t, ldapSection(s)+`users:
  baseDN: ou=memberof,dc=example,dc=com
  filter: (objectClass=inetOrgPerson)
groups:
  - dn: cn=hidden-readers,ou=memberof,dc=example,dc=com
    accountRole: viewer
`)
	res, debug, err := read(t, cfg, Options{})
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, debug)
	}
	var emails []string
	for _, p := range res.People {
		emails = append(emails, p.Email)
	}
	if !slices.Equal(emails, []string{"mo1@example.com", "mo2@example.com"}) || res.Groups[0].Members != 2 {
		t.Errorf("people %v, group of %d: want mo1 and mo2, through their memberOf\n%s", emails, res.Groups[0].Members, debug)
	}
	// The member list is hidden indeed: read as the sync account, the
	// group has none.
	cfg.LDAP.Timeout = 20 * time.Second
	sess, err := connect(context.Background(), cfg, testSyncPW, Options{}, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.close()
	var members []string
	err = sess.search(query{base: "cn=hidden-readers,ou=memberof,dc=example,dc=com", base0: true, filter: "(objectClass=*)",
		attrs: []string{"member"}, what: "the hidden group"}, func(e *ldap.Entry) error {
		members = append(members, e.GetAttributeValues("member")...)
		return nil
	})
	if err != nil || len(members) != 0 {
		t.Errorf("the sync account read the hidden group's members: %v (%v)", members, err)
	}
}

// TestReadPaged reads a group of 2,500 people while the server answers
// at most 500 entries a search: only paging reads them all.
func TestReadPaged(t *testing.T) {
	t.Parallel()
	s := slapdForTest(t)
	cfg := syncDir(t, ldapSection(s)+`users:
  baseDN: ou=big,dc=example,dc=com
  filter: (objectClass=inetOrgPerson)
groups:
  - dn: cn=big,ou=big,dc=example,dc=com
    accountRole: viewer
`)
	start := time.Now()
	res, debug, err := read(t, cfg, Options{})
	took := time.Since(start)
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, debug)
	}
	t.Logf("read %d people of a %d-member group in %s:\n%s", len(res.People), testBigUsers, took, debug)
	if len(res.People) != testBigUsers || res.Users != testBigUsers || res.Groups[0].Members != testBigUsers {
		t.Fatalf("%d people, %d users, group of %d: want %d each", len(res.People), res.Users, res.Groups[0].Members, testBigUsers)
	}
	if res.People[0].Email != "u0000@big.example.com" || res.People[testBigUsers-1].Email != "u2499@big.example.com" {
		t.Errorf("people run from %s to %s", res.People[0].Email, res.People[testBigUsers-1].Email)
	}
	if !strings.Contains(debug, "2,500 entries in 5 pages") {
		t.Errorf("the users search did not page (5 pages of 500):\n%s", debug)
	}
	// Without paging the same search is refused by the size limit: the
	// test would prove nothing if the server had none.
	cfg.LDAP.Timeout = 20 * time.Second
	sess, err := connect(context.Background(), cfg, testSyncPW, Options{}, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.close()
	err = sess.search(query{base: "ou=big,dc=example,dc=com", filter: "(objectClass=inetOrgPerson)", attrs: []string{"mail"}, what: "unpaged"},
		func(*ldap.Entry) error { return nil })
	var le *Error
	if !errors.As(err, &le) || le.Code != 4 {
		t.Errorf("an unpaged search of 2,500 entries: %v, want LDAP result 4 (Size Limit Exceeded)", err)
	}
}

func TestReadTLS(t *testing.T) {
	t.Parallel()
	s := slapdForTest(t)
	users := "users:\n  baseDN: ou=people,dc=example,dc=com\n  filter: (objectClass=inetOrgPerson)\ngroups:\n  - dn: cn=admins,ou=groups,dc=example,dc=com\n    accountRole: admin\n"
	tests := []struct {
		name, ldap string
		wantErr    string // "" for a successful read
	}{
		{"startTLS", fmt.Sprintf("url: %s\n  startTLS: true\n  caFile: %s", s.ldapURL, s.caFile), ""},
		{"ldaps", fmt.Sprintf("url: %s\n  caFile: %s", s.ldapsURL, s.caFile), ""},
		{"ldaps, name not in the certificate", fmt.Sprintf("url: ldaps://localhost:%s\n  caFile: %s", s.tlsPort, s.caFile),
			"x509: certificate is not valid for any names, but wanted to match localhost"},
		{"startTLS, name not in the certificate", fmt.Sprintf("url: ldap://localhost:%s\n  startTLS: true\n  caFile: %s", s.port, s.caFile),
			"x509: certificate is not valid for any names, but wanted to match localhost"},
		{"ldaps, CA not trusted", "url: " + s.ldapsURL, "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := syncDir(t, fmt.Sprintf("ldap:\n  %s\n  bindDN: %s\n  bindPasswordFile: ldap.pw\n", tt.ldap, testSyncDN)+users)
			res, debug, err := read(t, cfg, Options{})
			if tt.wantErr == "" {
				if err != nil || len(res.People) != 1 {
					t.Fatalf("Read: %v\n%s", err, debug)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			}
			if strings.Contains(debug, "ldapsearch") {
				t.Errorf("a search was sent over a connection that failed its TLS check:\n%s", debug)
			}
		})
	}
}

func TestReadFailures(t *testing.T) {
	t.Parallel()
	s := slapdForTest(t)
	closed, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	admins := "groups:\n  - dn: cn=admins,ou=groups,dc=example,dc=com\n    accountRole: admin\n"
	tests := []struct {
		name, file string
		password   string // written to ldap.pw instead of the right one
		code       int
		want       string
	}{
		{name: "wrong password", file: ldapSection(s) + peopleUsers + admins, password: "wrong",
			code: 49, want: "binding to " + s.ldapURL + " as cn=sync,dc=example,dc=com: LDAP result 49 (Invalid Credentials)"},
		{name: "unreachable server", file: strings.Replace(ldapSection(s), s.port, closed, 1) + peopleUsers + admins,
			want: "connecting to ldap://127.0.0.1:" + closed + ": dial tcp 127.0.0.1:" + closed + ": connect: connection refused"},
		{name: "users.filter finds nobody", file: ldapSection(s) + "users:\n  baseDN: ou=people,dc=example,dc=com\n  filter: (uid=nobody-at-all)\n" + admins,
			want: "found no one: an empty answer is never a reason to demote or delete"},
		{name: "empty branch", file: ldapSection(s) + "users:\n  baseDN: ou=nobody,dc=example,dc=com\n  filter: (objectClass=inetOrgPerson)\n" + admins,
			want: "found no one"},
		{name: "base that does not exist", file: ldapSection(s) + "users:\n  baseDN: ou=gone,dc=example,dc=com\n  filter: (objectClass=*)\n" + admins,
			code: 32, want: "searching users.baseDN ou=gone,dc=example,dc=com with users.filter: LDAP result 32 (No Such Object)"},
		{name: "mapped group that does not exist", file: ldapSection(s) + peopleUsers + admins +
			"  - dn: cn=gone,ou=groups,dc=example,dc=com\n    accountRole: viewer\n",
			code: 32, want: "groups[2] (line 12): the group cn=gone,ou=groups,dc=example,dc=com does not exist: LDAP result 32 (No Such Object)"},
		{name: "group filter that finds none", file: ldapSection(s) + peopleUsers + admins +
			"  - filter: (cn=gone)\n    baseDN: ou=groups,dc=example,dc=com\n    accountRole: viewer\n",
			want: "the filter found no group"},
		{name: "mapped groups of nobody", file: ldapSection(s) + peopleUsers + "groups:\n  - dn: cn=empty,ou=groups,dc=example,dc=com\n    accountRole: admin\n",
			want: "no person with a usable email is in any of them"},
		{name: "a filter that finds people", file: ldapSection(s) + peopleUsers + admins +
			"  - filter: (uid=ana)\n    baseDN: ou=people,dc=example,dc=com\n    accountRole: viewer\n",
			want: "the filter finds uid=ana,ou=people,dc=example,dc=com, which is not a group"},
		{name: "a person is not a group", file: ldapSection(s) + peopleUsers + "groups:\n  - dn: uid=ana,ou=people,dc=example,dc=com\n    accountRole: admin\n",
			want: "the entry is not a group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := syncDir(t, tt.file)
			if tt.password != "" {
				if err := os.WriteFile(cfg.LDAP.BindPasswordFile, []byte(tt.password), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			res, debug, err := read(t, cfg, Options{})
			if err == nil {
				t.Fatalf("no error; %d people\n%s", len(res.People), debug)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n %v\nwant it to hold\n %s", err, tt.want)
			}
			var le *Error
			if !errors.As(err, &le) || le.Code != tt.code {
				t.Errorf("error %#v: want an *Error with code %d", err, tt.code)
			}
		})
	}
}

func TestReadDebug(t *testing.T) {
	t.Parallel()
	s := slapdForTest(t)
	const body = peopleUsers + "groups:\n  - dn: cn=staff,ou=groups,dc=example,dc=com\n    accountRole: viewer\n"
	t.Run("password file", func(t *testing.T) {
		t.Parallel()
		cfg := syncDir(t, ldapSection(s)+body)
		_, debug, err := read(t, cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		prefix := fmt.Sprintf("ldapsearch -H %s -x -D cn=sync,dc=example,dc=com -y %s -b ou=people,dc=example,dc=com -s sub -E pr=500/noprompt "+
			"'(&(objectClass=inetOrgPerson)(!(employeeType=disabled)))' mail uid memberOf objectClass  # 12 entries in 1 page, ",
			s.ldapURL, cfg.LDAP.BindPasswordFile)
		checkDebug(t, debug, prefix)
	})
	t.Run("password from the environment", func(t *testing.T) {
		t.Parallel()
		cfg := syncDir(t, strings.Replace(ldapSection(s), "bindPasswordFile: ldap.pw", "bindPasswordEnv: TEST_LDAP_PW", 1)+body)
		_, debug, err := read(t, cfg, Options{Getenv: envMap{"TEST_LDAP_PW": testSyncPW}.get})
		if err != nil {
			t.Fatal(err)
		}
		checkDebug(t, debug, fmt.Sprintf("ldapwhoami -H %s -x -D cn=sync,dc=example,dc=com -W  # connected in ", s.ldapURL))
	})
	t.Run("startTLS with a CA", func(t *testing.T) {
		t.Parallel()
		cfg := syncDir(t, strings.Replace(ldapSection(s), "  bindDN", "  startTLS: true\n  caFile: "+s.caFile+"\n  bindDN", 1)+body)
		_, debug, err := read(t, cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkDebug(t, debug, fmt.Sprintf("LDAPTLS_CACERT=%s ldapsearch -H %s -ZZ -x -D cn=sync,dc=example,dc=com -y ", s.caFile, s.ldapURL))
	})
	t.Run("failed bind", func(t *testing.T) {
		t.Parallel()
		cfg := syncDir(t, strings.Replace(ldapSection(s), "bindPasswordFile: ldap.pw", "bindPasswordEnv: TEST_LDAP_PW", 1)+body)
		_, debug, err := read(t, cfg, Options{Getenv: envMap{"TEST_LDAP_PW": "wrong-" + testSyncPW}.get})
		if err == nil {
			t.Fatal("no error")
		}
		checkDebug(t, debug, "ldapwhoami -H "+s.ldapURL+" -x -D cn=sync,dc=example,dc=com -W  # connected in ")
		if !strings.Contains(debug, "bind failed after ") {
			t.Errorf("the failed bind is not in the debug output:\n%s", debug)
		}
		if strings.Contains(debug+err.Error(), "wrong-") {
			t.Errorf("the wrong password is shown:\n%v\n%s", err, debug)
		}
	})
}

// checkDebug checks that some line of debug starts with prefix and that
// no line holds the password.
func checkDebug(t *testing.T, debug, prefix string) {
	t.Helper()
	if strings.Contains(debug, testSyncPW) {
		t.Errorf("the debug output holds the password:\n%s", debug)
	}
	for _, line := range strings.Split(debug, "\n") {
		if strings.HasPrefix(line, prefix) {
			return
		}
	}
	t.Errorf("no debug line starts with\n%s\ndebug:\n%s", prefix, debug)
}

type envMap map[string]string

func (m envMap) get(name string) string { return m[name] }

func TestReadPasswordCommand(t *testing.T) {
	t.Parallel()
	s := slapdForTest(t)
	file := strings.Replace(ldapSection(s), "bindPasswordFile: ldap.pw", "bindPasswordCommand: cat ldap.pw.d/pw", 1) +
		peopleUsers + "groups:\n  - dn: cn=admins,ou=groups,dc=example,dc=com\n    accountRole: admin\n"
	cfg := syncDir(t, file)
	// The command runs in the tool's directory, as api_key_command does:
	// it names its file absolutely.
	cfg.LDAP.BindPasswordCommand = "cat " + filepath.Join(cfg.Dir, "ldap.pw")
	var checked []string
	trusted := func(path string, info fs.FileInfo) error {
		checked = append(checked, path)
		if info == nil || info.Name() != "sync.yaml" {
			t.Errorf("the trust check got %v, not the sync file as read", info)
		}
		return nil
	}
	res, debug, err := read(t, cfg, Options{CheckTrusted: trusted})
	if err != nil || len(res.People) != 1 {
		t.Fatalf("Read: %v\n%s", err, debug)
	}
	if len(checked) != 1 || checked[0] != cfg.Path {
		t.Errorf("trust check of %v, want %s once", checked, cfg.Path)
	}
	checkDebug(t, debug, "ldapwhoami -H "+s.ldapURL+" -x -D cn=sync,dc=example,dc=com -W")

	if _, _, err := read(t, cfg, Options{}); !errors.Is(err, ErrUntrustedCommand) {
		t.Errorf("without a trust check: %v, want ErrUntrustedCommand", err)
	}
	untrusted := errors.New("sync.yaml is writable by group or others (mode 0666)")
	_, _, err = read(t, cfg, Options{CheckTrusted: func(string, fs.FileInfo) error { return untrusted }})
	if !errors.Is(err, untrusted) || !strings.Contains(err.Error(), "not running ldap.bindPasswordCommand") {
		t.Errorf("an untrusted file: %v", err)
	}
}

// TestReadInterrupted stops a read that a server never answers, by Ctrl-C
// (the context) and by ldap.timeout.
func TestReadInterrupted(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	t.Cleanup(func() { l.Close() })
	file := fmt.Sprintf("ldap:\n  url: ldap://%s\n  bindDN: cn=x\n  bindPasswordEnv: PW\n  timeout: %%s\n", l.Addr()) + peopleUsers +
		"groups:\n  - dn: cn=x\n    accountRole: viewer\n"
	opts := Options{Getenv: envMap{"PW": "pw"}.get}

	t.Run("context", func(t *testing.T) {
		cfg := syncDir(t, fmt.Sprintf(file, "1h"))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := Read(ctx, cfg, opts)
			done <- err
		}()
		c := <-accepted // the bind is on its way, and is never answered
		defer c.Close()
		cancel()
		err := <-done
		if !errors.Is(err, files.ErrInterrupted) {
			t.Errorf("error %v, want files.ErrInterrupted", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		// The timeout bounds connecting too: long enough that connecting
		// on loopback ends within it on a loaded machine, so that what
		// runs out is the bind, which is never answered.
		cfg := syncDir(t, fmt.Sprintf(file, "500ms"))
		_, err := Read(context.Background(), cfg, opts)
		if err == nil || !strings.Contains(err.Error(), "binding to ldap://"+l.Addr().String()+" as cn=x: no answer within 500ms (ldap.timeout)") {
			t.Errorf("error %v, want the bind's timeout", err)
		}
		(<-accepted).Close()
	})
}
