// Package directorytest starts a real OpenLDAP slapd for tests: on
// loopback only, from a temporary directory, with the schemas Debian ships,
// the memberof overlay, a size limit of 500 entries for every account but
// the root (so that reading more needs paging), plain LDAP with StartTLS
// on one port and LDAPS on another, under a CA made for it. The tests of
// pkg/directory and of the sync command share it.
package directorytest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
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

// The directory's suffix and accounts. SyncDN is held to the size limit;
// RootDN is not.
const (
	Suffix = "dc=example,dc=com"
	RootDN = "cn=admin,dc=example,dc=com"
	RootPW = "root-secret-4f1d"
	SyncDN = "cn=sync,dc=example,dc=com"
	SyncPW = "sync-secret-8c2e"
)

// Slapd is a running slapd.
type Slapd struct {
	// URL is ldap://127.0.0.1:Port (StartTLS offered), LDAPSURL
	// ldaps://127.0.0.1:TLSPort.
	URL, LDAPSURL string
	Port, TLSPort string
	// CAFile is the PEM file of the CA that signed the server's
	// certificate, which names 127.0.0.1 alone (not localhost).
	CAFile string

	dir     string
	ldapAdd string
	rootPW  string // the file holding RootPW
	cmd     *exec.Cmd
	exited  chan struct{}
	log     *bytes.Buffer
}

// BaseLDIF is the suffix's entry and the sync account's, which Start adds
// before the caller's entries.
func BaseLDIF() string {
	return "dn: " + Suffix + "\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n\n" +
		"dn: " + SyncDN + "\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: sync\nuserPassword: " + SyncPW + "\n\n"
}

// Missing is the reason Start gives when slapd cannot run here: its
// programs or Debian's schemas are not installed.
type Missing struct{ Reason string }

func (m *Missing) Error() string { return m.Reason }

// Start starts a slapd holding BaseLDIF and then ldif, added with ldapadd
// as the root DN. A *Missing error means slapd is not installed.
func Start(ldif string) (*Slapd, error) {
	slapdPath, ldapadd := findTool("slapd"), findTool("ldapadd")
	if slapdPath == "" || ldapadd == "" {
		return nil, &Missing{"slapd or ldapadd is missing: install Debian's slapd and ldap-utils to test against a real directory"}
	}
	for _, schema := range []string{"core", "cosine", "inetorgperson", "nis"} {
		if _, err := os.Stat("/etc/ldap/schema/" + schema + ".schema"); err != nil {
			return nil, &Missing{"the schemas of Debian's slapd are missing from /etc/ldap/schema"}
		}
	}
	dir, err := os.MkdirTemp("", "dqo-users-slapd-")
	if err != nil {
		return nil, err
	}
	s := &Slapd{dir: dir, ldapAdd: ldapadd}
	if err := s.writeCA(); err != nil {
		os.RemoveAll(dir)
		return nil, err
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
		return nil, err
	}
	// Written once: tests call Add at the same time.
	s.rootPW = filepath.Join(dir, "root.pw")
	if err := os.WriteFile(s.rootPW, []byte(RootPW), 0o600); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.Add(BaseLDIF() + ldif); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
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

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func FreePort() (string, error) {
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
func (s *Slapd) writeCA() error {
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
	s.CAFile = filepath.Join(s.dir, "ca.pem")
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

func (s *Slapd) start(slapdPath string) error {
	var err error
	if s.Port, err = FreePort(); err != nil {
		return err
	}
	if s.TLSPort, err = FreePort(); err != nil {
		return err
	}
	db := filepath.Join(s.dir, "db")
	os.RemoveAll(db)
	if err := os.MkdirAll(db, 0o700); err != nil {
		return err
	}
	// The sync account is held to the size limit (the root DN is not), so
	// a search for more than 500 entries must page. It may not read the
	// members of a group named hidden-*, whose people only their memberOf
	// (kept by the memberof overlay) names, as in directories whose ACLs
	// hide large groups' member lists.
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
access to dn.regex="^cn=hidden-[^,]+,.+$" attrs=member,uniqueMember by * none
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
`, s.dir, Suffix, RootDN, RootPW)
	confFile := filepath.Join(s.dir, "slapd.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		return err
	}
	s.URL = "ldap://127.0.0.1:" + s.Port
	s.LDAPSURL = "ldaps://127.0.0.1:" + s.TLSPort
	// -d keeps slapd in the foreground, as this process's child, so it
	// dies with the tests; level 0 logs nothing but fatal errors.
	s.cmd = exec.Command(slapdPath, "-d", "0", "-f", confFile, "-h", s.URL+"/ "+s.LDAPSURL+"/")
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
func (s *Slapd) waitReady() error {
	for _, port := range []string{s.Port, s.TLSPort} {
		if err := WaitListening("127.0.0.1:"+port, s.exited); err != nil {
			s.Stop()
			return fmt.Errorf("slapd: %v: %s", err, s.log.String())
		}
	}
	return nil
}

// WaitListening polls addr until a server accepts a connection there, and
// fails at once when exited is closed (the server ended) or after 30 s.
func WaitListening(addr string, exited <-chan struct{}) error {
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

// Stop ends slapd and removes its directory.
func (s *Slapd) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.dir)
}

// Add changes the directory as the root DN with ldapadd: entries to add,
// and records with "changetype: modify" (or delete) to change others.
// Tests that change the directory work in a branch of their own, so that
// tests sharing the slapd may run in parallel.
func (s *Slapd) Add(ldif string) error {
	f, err := os.CreateTemp(s.dir, "*.ldif")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(ldif); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	out, err := exec.Command(s.ldapAdd, "-x", "-H", s.URL, "-D", RootDN, "-y", s.rootPW, "-f", f.Name()).CombinedOutput()
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

// Shared is one slapd for a package's tests, started by the first test
// that asks for it (Get) and stopped by TestMain (Stop): setting up a
// directory is most of the time such tests take.
type Shared struct {
	// LDIF gives the entries to start with, besides BaseLDIF.
	LDIF func() string

	once  sync.Once
	slapd *Slapd
	err   error
}

// Get returns the shared slapd, starting it the first time. It skips the
// test when slapd is not installed, unless CI is set: there it fails.
func (sh *Shared) Get(t testing.TB) *Slapd {
	t.Helper()
	sh.once.Do(func() {
		ldif := ""
		if sh.LDIF != nil {
			ldif = sh.LDIF()
		}
		sh.slapd, sh.err = Start(ldif)
	})
	var missing *Missing
	switch {
	case sh.err == nil:
		return sh.slapd
	case errors.As(sh.err, &missing) && os.Getenv("CI") == "":
		t.Skip(missing.Reason)
	case errors.As(sh.err, &missing):
		t.Fatalf("%s (CI is set, so this fails rather than skips)", missing.Reason)
	}
	t.Fatal(sh.err)
	return nil
}

// Stop stops the shared slapd, if it was started.
func (sh *Shared) Stop() {
	if sh.slapd != nil {
		sh.slapd.Stop()
	}
}
