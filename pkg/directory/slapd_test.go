package directory

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/directory/directorytest"
)

// The package's tests share one slapd (directorytest), started by the
// first test that needs it and stopped by TestMain: setting up the
// directory (2,500 people among them) is most of the time the tests take.
var sharedSlapd = &directorytest.Shared{LDIF: testLDIF}

func TestMain(m *testing.M) {
	code := m.Run()
	sharedSlapd.Stop()
	os.Exit(code)
}

// testSlapd is the shared slapd as these tests name its addresses.
type testSlapd struct {
	ldapURL  string // ldap://127.0.0.1:PORT
	ldapsURL string // ldaps://127.0.0.1:PORT
	port     string // of ldapURL
	tlsPort  string // of ldapsURL
	caFile   string
}

// The directory's accounts.
const (
	testSuffix   = directorytest.Suffix
	testSyncDN   = directorytest.SyncDN
	testSyncPW   = directorytest.SyncPW
	testBigUsers = 2500
)

// slapdForTest returns the shared slapd, starting it the first time. It
// skips the test when slapd is not installed, unless CI is set: there it
// fails.
func slapdForTest(t *testing.T) *testSlapd {
	t.Helper()
	s := sharedSlapd.Get(t)
	return &testSlapd{ldapURL: s.URL, ldapsURL: s.LDAPSURL, port: s.Port, tlsPort: s.TLSPort, caFile: s.CAFile}
}

func freePort() (string, error) { return directorytest.FreePort() }

func waitListening(addr string, exited <-chan struct{}) error {
	return directorytest.WaitListening(addr, exited)
}

// testLDIF is the directory of the tests:
//
//	ou=people: ana, bo, cy, dee (disabled), eve (no mail), fay (two mails),
//	  gus (posix), n1, n2, n3 (nested), l1, l2 (loop), zed (in no group)
//	ou=groups: admins (groupOfNames: ana), editors (groupOfUniqueNames: bo,
//	  ana), ops (posixGroup: gus, ghost), staff (groupOfNames: bo, dee,
//	  eve, fay), sales (groupOfNames: bo, cy), empty (posixGroup, none),
//	  top > mid > low (n1, n2, n3), loop-a <> loop-b (l1, l2)
//	ou=big: u0000 ... u2499, and big (groupOfNames of all of them)
//	ou=nobody: an empty branch
func testLDIF() string {
	var b strings.Builder
	entry := func(dn string, lines ...string) {
		b.WriteString("dn: " + dn + "\n")
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		b.WriteString("\n")
	}
	for _, ou := range []string{"people", "groups", "big", "nobody"} {
		entry("ou="+ou+","+testSuffix, "objectClass: organizationalUnit", "ou: "+ou)
	}
	person := func(uid string, extra ...string) {
		lines := append([]string{"objectClass: inetOrgPerson", "objectClass: posixAccount", "uid: " + uid, "cn: " + uid, "sn: " + uid,
			"uidNumber: 1000", "gidNumber: 1000", "homeDirectory: /home/" + uid}, extra...)
		entry("uid="+uid+",ou=people,"+testSuffix, lines...)
	}
	person("ana", "mail: Ana@Example.com")
	person("bo", "mail: bo@example.com")
	person("cy", "mail: cy@example.com")
	person("dee", "mail: dee@example.com", "employeeType: disabled")
	person("eve")
	person("fay", "mail: fay@example.com", "mail: fay.alt@example.com")
	person("gus", "mail: gus@example.com")
	for _, p := range []string{"n1", "n2", "n3", "l1", "l2", "zed"} {
		person(p, "mail: "+p+"@example.com")
	}
	people := func(uids ...string) []string {
		var out []string
		for _, u := range uids {
			out = append(out, "member: uid="+u+",ou=people,"+testSuffix)
		}
		return out
	}
	group := func(cn string, lines ...string) {
		entry("cn="+cn+",ou=groups,"+testSuffix, append([]string{"objectClass: groupOfNames", "cn: " + cn}, lines...)...)
	}
	group("admins", people("ana")...)
	entry("cn=editors,ou=groups,"+testSuffix, "objectClass: groupOfUniqueNames", "cn: editors",
		"uniqueMember: uid=bo,ou=people,"+testSuffix, "uniqueMember: uid=ana,ou=people,"+testSuffix+"#'0101'B")
	entry("cn=ops,ou=groups,"+testSuffix, "objectClass: posixGroup", "cn: ops", "gidNumber: 2000", "memberUid: gus", "memberUid: ghost")
	entry("cn=empty,ou=groups,"+testSuffix, "objectClass: posixGroup", "cn: empty", "gidNumber: 2001")
	group("staff", people("bo", "dee", "eve", "fay")...)
	group("sales", people("bo", "cy")...)
	group("low", people("n3")...)
	group("mid", append(people("n2"), "member: cn=low,ou=groups,"+testSuffix)...)
	group("top", append(people("n1"), "member: cn=mid,ou=groups,"+testSuffix)...)
	// A loop cannot be added in one go: groupOfNames needs a member, and
	// the other group does not exist yet. loop-a first lists l1 alone.
	group("loop-a", people("l1")...)
	group("loop-b", append(people("l2"), "member: cn=loop-a,ou=groups,"+testSuffix)...)
	b.WriteString("dn: cn=loop-a,ou=groups," + testSuffix + "\nchangetype: modify\nadd: member\nmember: cn=loop-b,ou=groups," + testSuffix + "\n\n")
	members := make([]string, 0, testBigUsers)
	for i := range testBigUsers {
		uid := fmt.Sprintf("u%04d", i)
		entry("uid="+uid+",ou=big,"+testSuffix, "objectClass: inetOrgPerson", "uid: "+uid, "cn: "+uid, "sn: "+uid,
			"mail: "+uid+"@big.example.com")
		members = append(members, "member: uid="+uid+",ou=big,"+testSuffix)
	}
	entry("cn=big,ou=big,"+testSuffix, append([]string{"objectClass: groupOfNames", "cn: big"}, members...)...)
	return b.String()
}
