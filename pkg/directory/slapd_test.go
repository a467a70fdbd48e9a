package directory

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The package's tests share one slapd, started by the first test that
// needs it and stopped by TestMain: setting up the directory (2,500
// people among them) is most of the time the tests take.
var (
	slapdOnce   sync.Once
	sharedSlapd *testSlapd
	slapdErr    error
	slapdSkip   string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedSlapd != nil {
		sharedSlapd.stop()
	}
	os.Exit(code)
}

// testSlapd is a slapd listening on loopback only, with plain LDAP
// (StartTLS offered) on one port and LDAPS on another, under a CA made for
// it.
type testSlapd struct {
	dir      string
	ldapURL  string // ldap://127.0.0.1:PORT
	ldapsURL string // ldaps://127.0.0.1:PORT
	port     string // of ldapURL
	tlsPort  string // of ldapsURL
	caFile   string
	cmd      *exec.Cmd
	exited   chan struct{}
	log      *bytes.Buffer
}

// The directory's accounts.
const (
	testSuffix   = "dc=example,dc=com"
	testRootDN   = "cn=admin,dc=example,dc=com"
	testRootPW   = "root-secret-4f1d"
	testSyncDN   = "cn=sync,dc=example,dc=com"
	testSyncPW   = "sync-secret-8c2e"
	testBigUsers = 2500
)

// slapdForTest returns the shared slapd, starting it the first time. It
// skips the test when slapd is not installed, unless CI is set: there it
// fails.
func slapdForTest(t *testing.T) *testSlapd {
	t.Helper()
	slapdOnce.Do(func() { sharedSlapd, slapdErr, slapdSkip = startSlapd() })
	if slapdSkip != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s (CI is set, so this fails rather than skips)", slapdSkip)
		}
		t.Skip(slapdSkip)
	}
	if slapdErr != nil {
		t.Fatal(slapdErr)
	}
	return sharedSlapd
}

func findTool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/usr/bin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func startSlapd() (*testSlapd, error, string) {
	slapdPath, ldapadd := findTool("slapd"), findTool("ldapadd")
	if slapdPath == "" || ldapadd == "" {
		return nil, nil, "slapd or ldapadd is missing: install Debian's slapd and ldap-utils to test against a real directory"
	}
	for _, schema := range []string{"core", "cosine", "inetorgperson", "nis"} {
		if _, err := os.Stat("/etc/ldap/schema/" + schema + ".schema"); err != nil {
			return nil, nil, "the schemas of Debian's slapd are missing from /etc/ldap/schema"
		}
	}
	dir, err := os.MkdirTemp("", "dqo-users-slapd-")
	if err != nil {
		return nil, err, ""
	}
	s := &testSlapd{dir: dir}
	if err := s.writeCA(); err != nil {
		return nil, err, ""
	}
	// A port found free may be taken before slapd binds it: try again
	// with others.
	for attempt := 0; ; attempt++ {
		err = s.start(slapdPath)
		if err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err, ""
	}
	if err := s.load(ldapadd); err != nil {
		s.stop()
		return nil, err, ""
	}
	return s, nil, ""
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// writeCA makes a CA and a server certificate for 127.0.0.1 only (so that
// localhost, which is the same machine, does not match it).
func (s *testSlapd) writeCA() error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dqo-users test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	s.caFile = filepath.Join(s.dir, "ca.pem")
	for name, block := range map[string]*pem.Block{
		"ca.pem":     {Type: "CERTIFICATE", Bytes: caDER},
		"server.pem": {Type: "CERTIFICATE", Bytes: leafDER},
		"server.key": {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(filepath.Join(s.dir, name), pem.EncodeToMemory(block), 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (s *testSlapd) start(slapdPath string) error {
	var err error
	if s.port, err = freePort(); err != nil {
		return err
	}
	if s.tlsPort, err = freePort(); err != nil {
		return err
	}
	db := filepath.Join(s.dir, "db")
	os.RemoveAll(db)
	if err := os.MkdirAll(db, 0o700); err != nil {
		return err
	}
	// The sync account is held to the size limit (the root DN is not), so
	// a search for more than 500 entries must page.
	conf := fmt.Sprintf(`include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile %[1]s/slapd.pid
argsfile %[1]s/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
TLSCertificateFile %[1]s/server.pem
TLSCertificateKeyFile %[1]s/server.key
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
database mdb
maxsize 268435456
dbnosync
suffix "%[2]s"
rootdn "%[3]s"
rootpw %[4]s
directory %[1]s/db
sizelimit size.soft=500 size.hard=500 size.prtotal=unlimited
index objectClass eq
index uid eq
index member eq
overlay memberof
`, s.dir, testSuffix, testRootDN, testRootPW)
	confFile := filepath.Join(s.dir, "slapd.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		return err
	}
	s.ldapURL = "ldap://127.0.0.1:" + s.port
	s.ldapsURL = "ldaps://127.0.0.1:" + s.tlsPort
	// -d keeps slapd in the foreground, as this process's child, so it
	// dies with the tests; level 0 logs nothing but fatal errors.
	s.cmd = exec.Command(slapdPath, "-d", "0", "-f", confFile, "-h", s.ldapURL+"/ "+s.ldapsURL+"/")
	s.log = &bytes.Buffer{}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.exited = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.exited) }()
	return s.waitReady()
}

// waitReady waits until slapd accepts connections on both ports, or
// fails as soon as slapd has exited.
func (s *testSlapd) waitReady() error {
	for _, port := range []string{s.port, s.tlsPort} {
		if err := waitListening("127.0.0.1:"+port, s.exited); err != nil {
			s.stop()
			return fmt.Errorf("slapd: %v: %s", err, s.log.String())
		}
	}
	return nil
}

// waitListening polls addr until a server accepts a connection there, and
// fails at once when exited is closed (the server ended) or after 30 s.
func waitListening(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("the server exited before listening on %s", addr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on %s after 30s", addr)
		}
	}
}

func (s *testSlapd) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.dir)
}

// load adds the test data with ldapadd, as the root DN.
func (s *testSlapd) load(ldapadd string) error {
	ldif := filepath.Join(s.dir, "data.ldif")
	if err := os.WriteFile(ldif, []byte(testLDIF()), 0o600); err != nil {
		return err
	}
	pw := filepath.Join(s.dir, "root.pw")
	if err := os.WriteFile(pw, []byte(testRootPW), 0o600); err != nil {
		return err
	}
	out, err := exec.Command(ldapadd, "-x", "-H", s.ldapURL, "-D", testRootDN, "-y", pw, "-f", ldif).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ldapadd: %v: %s", err, lastLines(string(out), 5))
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
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
	entry(testSuffix, "objectClass: dcObject", "objectClass: organization", "o: Example", "dc: example")
	entry(testSyncDN, "objectClass: organizationalRole", "objectClass: simpleSecurityObject", "cn: sync", "userPassword: "+testSyncPW)
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
