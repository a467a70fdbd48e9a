package directory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// docExample is the sync file shown in Reference, which `dqo-users help
// sync` prints: it must stay a valid file.
func docExample(t *testing.T) string {
	t.Helper()
	_, after, ok := strings.Cut(Reference, ":\n\n")
	if !ok {
		t.Fatal("Reference has no example after its first paragraph")
	}
	var b strings.Builder
	for _, line := range strings.Split(after, "\n") {
		example, ok := strings.CutPrefix(line, "  ")
		if !ok {
			break
		}
		b.WriteString(example + "\n")
	}
	return b.String()
}

func TestParseDocExample(t *testing.T) {
	t.Parallel()
	data := []byte(docExample(t))
	cfg, err := Parse(data, "sync.yaml", "/etc/dqo-users")
	if err != nil {
		t.Fatalf("the documentation's example: %v", err)
	}
	sum := sha256.Sum256(data)
	want := &Config{
		Path: "sync.yaml", Dir: "/etc/dqo-users", SHA256: hex.EncodeToString(sum[:]),
		Instances: []string{"https://dqops.example.com"}, InstanceLine: 1,
		LDAP: LDAP{URL: "ldaps://dc1.example.com:636", Host: "dc1.example.com", CAFile: "/etc/ssl/corp-ca.pem",
			BindDN: "cn=dqo-sync,ou=services,dc=example,dc=com", BindPasswordFile: "/run/secrets/ldap", Timeout: 30 * time.Second},
		Users: Users{BaseDN: "ou=people,dc=example,dc=com", Filter: "(&(objectClass=inetOrgPerson)(!(pwdAccountLockedTime=*)))", EmailAttribute: "mail"},
		Groups: []Mapping{
			{DN: "cn=dqops-admins,ou=groups,dc=example,dc=com", AccountRole: api.RoleAdmin, DataDomainRoles: map[string]api.Role{}, Line: 13},
			{DN: "cn=analysts,ou=groups,dc=example,dc=com", AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor}, Line: 15},
			{Filter: "(&(objectClass=posixGroup)(cn=dq-ops-*))", BaseDN: "ou=groups,dc=example,dc=com", AccountRole: api.RoleOperator,
				DataDomainRoles: map[string]api.Role{}, Line: 19},
		},
		Unmatched: UnmatchedKeep,
		Keep:      []string{"breakglass@example.com"},
		keep:      map[string]bool{"breakglass@example.com": true},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("parsed\n %+v\nwant\n %+v", cfg, want)
	}
	if !cfg.Keeps("BreakGlass@Example.COM") || cfg.Keeps("ana@example.com") {
		t.Error("Keeps does not compare emails ignoring case")
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sync.yaml")
	text := `instance: [https://dqops.example.com, "https://dqops2.example.com:8443/"]
ldap:
  url: ldap://LocalHost
  bindDN: cn=sync,dc=example,dc=com
  bindPasswordFile: secrets/ldap.pw
  timeout: 5s
users: {baseDN: "dc=example,dc=com", filter: "(uid=*)", emailAttribute: userPrincipalName}
groups:
  - {dn: "cn=a,dc=example,dc=com", accountRole: Editor, dataDomainRoles: {sales: NONE}}
unmatched: Delete
`
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"instances", cfg.Instances, []string{"https://dqops.example.com", "https://dqops2.example.com:8443"}},
		{"instance line", cfg.InstanceLine, 1},
		{"url", cfg.LDAP.URL, "ldap://LocalHost:389"},
		{"password file beside the sync file", cfg.LDAP.BindPasswordFile, filepath.Join(dir, "secrets", "ldap.pw")},
		{"timeout", cfg.LDAP.Timeout, 5 * time.Second},
		{"email attribute", cfg.Users.EmailAttribute, "userPrincipalName"},
		{"role", cfg.Groups[0].AccountRole, api.RoleEditor},
		{"domain role", cfg.Groups[0].DataDomainRoles, map[string]api.Role{"sales": api.RoleNone}},
		{"unmatched", cfg.Unmatched, UnmatchedDelete},
		{"file as read", cfg.info != nil && cfg.info.Name() == "sync.yaml", true},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if _, err := Load(context.Background(), filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := Load(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, maxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	var tooLarge *files.TooLargeError
	if _, err := Load(context.Background(), big); !errors.As(err, &tooLarge) {
		t.Errorf("a file over 1 MiB: %v", err)
	}
	// A FIFO nobody writes to: the open itself waits, and Ctrl-C ends it.
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Load(ctx, fifo)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, files.ErrInterrupted) {
		t.Errorf("a FIFO, interrupted: %v", err)
	}
	// An abandoned open, if it began, ends once a writer comes; without a
	// reader this open fails at once instead of waiting.
	if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		w.Close()
	}
}

// minimal is a valid file that the problem cases change a part of.
const minimal = `ldap:
  url: ldaps://ldap.example.com
  bindDN: cn=sync,dc=example,dc=com
  bindPasswordEnv: LDAP_PASSWORD
users:
  baseDN: ou=people,dc=example,dc=com
  filter: (objectClass=person)
groups:
  - dn: cn=admins,dc=example,dc=com
    accountRole: admin
`

func TestParseProblems(t *testing.T) {
	t.Parallel()
	replace := func(old, new string) string {
		if !strings.Contains(minimal, old) {
			t.Fatalf("minimal has no %q", old)
		}
		return strings.Replace(minimal, old, new, 1)
	}
	const secret = "hunter2-Zq9"
	tests := []struct {
		name, file string
		want       []string // the problems, in order, as the error shows them
	}{
		{"empty file", "", []string{"sync.yaml:1: the file is empty: it needs ldap:, users: and groups:"}},
		{"not a mapping", "- a\n", []string{"sync.yaml:1: the file must be a mapping of keys (instance, ldap, users, groups, unmatched, keep)"}},
		{"misspelt top key", minimal + "unmached: none\n",
			[]string{`sync.yaml:11: the file: unknown key "unmached"; did you mean "unmatched"?`}},
		{"misspelt ldap key", replace("bindDN:", "bindDn:"),
			[]string{`sync.yaml:3: ldap: unknown key "bindDn"; did you mean "bindDN"?`}},
		{"synonym", replace("url:", "host:"),
			[]string{`sync.yaml:2: ldap: unknown key "host"; did you mean "url"?`}},
		{"unknown key, far from any", minimal + "colour: blue\n",
			[]string{`sync.yaml:11: the file: unknown key "colour"; the keys are instance, ldap, users, groups, unmatched, keep`}},
		{"password in the file", replace("  bindPasswordEnv: LDAP_PASSWORD", "  bindPassword: "+secret),
			[]string{"sync.yaml:4: ldap: the bind password is never written in the sync file: use bindPasswordFile, bindPasswordEnv or bindPasswordCommand"}},
		{"a secret as a key", replace("  bindPasswordEnv: LDAP_PASSWORD", "  bindPasswordEnv: LDAP_PASSWORD\n  "+secret+secret+secret+secret+": x"),
			[]string{"sync.yaml:5: ldap: unknown key of 44 characters; the keys are url, startTLS, insecure, caFile, bindDN, bindPasswordFile, bindPasswordEnv, bindPasswordCommand, timeout"}},
		{"credentials in the url", replace("ldaps://ldap.example.com", "ldaps://sync:"+secret+"@ldap.example.com"),
			[]string{"sync.yaml:2: ldap.url may not hold a user or password: give bindDN and a bind password source"}},
		{"plain ldap to another host", replace("ldaps://", "ldap://"),
			[]string{"sync.yaml:2: ldap.url is plain ldap:// to ldap.example.com: the password and every answer would cross the network unencrypted; " +
				"add startTLS: true, use ldaps://, or write insecure: true to accept it"}},
		{"startTLS with ldaps", replace("  bindDN:", "  startTLS: true\n  bindDN:"),
			[]string{"sync.yaml:2: ldap.startTLS goes with ldap://, not ldaps:// (which is TLS from the start): remove one"}},
		{"insecure with TLS", replace("  bindDN:", "  insecure: true\n  bindDN:"),
			[]string{"sync.yaml:2: ldap.insecure only allows plain ldap:// without startTLS; this connection is encrypted: remove insecure"}},
		{"caFile without TLS", replace("ldaps://ldap.example.com", "ldap://127.0.0.1\n  caFile: ca.pem"),
			[]string{"sync.yaml:2: ldap.caFile is only used with ldaps:// or startTLS"}},
		{"another scheme", replace("ldaps://ldap.example.com", "ldapi:///var/run/slapd.sock"),
			[]string{"sync.yaml:2: ldap.url must be ldaps://HOST[:PORT] or ldap://HOST[:PORT]"}},
		{"url with a DN", replace("ldaps://ldap.example.com", "ldaps://ldap.example.com/dc=example,dc=com"),
			[]string{"sync.yaml:2: ldap.url must be the server alone, without a DN, attributes or filter: give them as users.baseDN and users.filter"}},
		{"two password sources", replace("  bindPasswordEnv: LDAP_PASSWORD", "  bindPasswordEnv: LDAP_PASSWORD\n  bindPasswordFile: pw"),
			[]string{"sync.yaml:1: ldap: give one of bindPasswordFile, bindPasswordEnv and bindPasswordCommand"}},
		{"timeout without a unit", replace("  bindDN:", "  timeout: 30\n  bindDN:"),
			[]string{"sync.yaml:3: ldap.timeout must be a duration such as 30s or 2m"}},
		{"start TLS not a boolean", replace("ldaps://ldap.example.com", "ldap://ldap.example.com\n  startTLS: yes"),
			[]string{"sync.yaml:3: ldap.startTLS must be true or false"}},
		{"key given twice", replace("  bindDN:", "  url: ldaps://other.example.com\n  bindDN:"),
			[]string{"sync.yaml:3: ldap.url is given twice (also on line 2)"}},
		{"users without base", replace("  baseDN: ou=people,dc=example,dc=com\n", ""),
			[]string{"sync.yaml:5: users.baseDN is missing: give where the people are, such as ou=people,dc=example,dc=com"}},
		{"bind DN without password", replace("  bindPasswordEnv: LDAP_PASSWORD\n", ""),
			[]string{"sync.yaml:3: ldap.bindDN needs its password: give bindPasswordFile, bindPasswordEnv or bindPasswordCommand"}},
		{"users without filter", replace("  filter: (objectClass=person)\n", ""),
			[]string{"sync.yaml:5: users.filter is missing: give which entries are people who may have access, such as (objectClass=person)"}},
		{"filter without parentheses", replace("(objectClass=person)", "objectClass=person"),
			[]string{"sync.yaml:7: users.filter must be written in parentheses, such as (objectClass=person)"}},
		{"filter unbalanced", replace("(objectClass=person)", "(&(objectClass=person)"),
			[]string{"sync.yaml:7: users.filter is not a valid LDAP filter: "}},
		{"base not a DN", replace("ou=people,dc=example,dc=com", "people"),
			[]string{"sync.yaml:6: users.baseDN is not a valid DN: "}},
		{"email attribute not a name", replace("  filter: (objectClass=person)", "  filter: (objectClass=person)\n  emailAttribute: e mail"),
			[]string{"sync.yaml:8: users.emailAttribute must be an attribute name, such as mail"}},
		{"no groups", replace("  - dn: cn=admins,dc=example,dc=com\n    accountRole: admin\n", "  []\n"),
			[]string{"sync.yaml:9: groups is empty: map at least one group"}},
		{"groups not a list", replace("  - dn: cn=admins,dc=example,dc=com\n    accountRole: admin\n", "  dn: cn=admins\n"),
			[]string{"sync.yaml:9: groups must be a list of mappings, each with dn: (or filter: and baseDN:) and accountRole:"}},
		{"misspelt role", replace("accountRole: admin", "accountRole: edtor"),
			[]string{`sync.yaml:10: groups[1].accountRole: unknown role "edtor" (did you mean "editor"?): use one of admin, editor, operator, viewer, none`}},
		{"role missing", replace("    accountRole: admin\n", ""),
			[]string{"sync.yaml:9: groups[1]: accountRole is missing (admin, editor, operator, viewer or none)"}},
		{"dn and filter", replace("    accountRole: admin", "    filter: (cn=x)\n    accountRole: admin"),
			[]string{"sync.yaml:9: groups[1]: give dn: or filter:, not both"}},
		{"filter without base", replace("- dn: cn=admins,dc=example,dc=com", "- filter: (cn=admins)"),
			[]string{"sync.yaml:9: groups[1]: filter: needs baseDN:, where the groups are searched"}},
		{"dn with base", replace("    accountRole: admin", "    baseDN: dc=example,dc=com\n    accountRole: admin"),
			[]string{"sync.yaml:9: groups[1]: baseDN goes with filter:; a dn: names the group itself"}},
		{"neither dn nor filter", replace("- dn: cn=admins,dc=example,dc=com\n    accountRole", "- accountRole"),
			[]string{"sync.yaml:9: groups[1]: give the group, as dn: or as filter: with baseDN:"}},
		{"misspelt mapping key", replace("    accountRole: admin", "    acountRole: admin"),
			[]string{`sync.yaml:10: groups[1]: unknown key "acountRole"; did you mean "accountRole"?`}},
		{"domain role unknown", minimal + "    dataDomainRoles: {sales: owner}\n",
			[]string{`sync.yaml:11: groups[1].dataDomainRoles.sales: unknown role "owner": use one of admin, editor, operator, viewer, none`}},
		{"domain roles a list", minimal + "    dataDomainRoles: [sales]\n",
			[]string{"sync.yaml:11: groups[1].dataDomainRoles must map each data domain to a role, such as sales: editor"}},
		{"unmatched misspelt", minimal + "unmatched: delte\n",
			[]string{`sync.yaml:11: unmatched is "delte"; did you mean "delete"? It is one of keep, none, delete`}},
		{"keep not an email", minimal + "keep: [admin]\n", []string{`sync.yaml:11: keep: "admin" is not an email address`}},
		{"instance not a URL", "instance: ftp://x\n" + minimal, []string{"sync.yaml:1: instance is not a DQOps URL: "}},
		{"two documents", minimal + "---\nldap: {}\n", []string{"sync.yaml:11: a second YAML document begins here: the file must hold one"}},
		// libyaml's parser errors come one line short from yaml.v3; the one
		// YAML reader corrects them, for sync files as for the others.
		{"mis-indented key", replace("    accountRole: admin", "   accountRole: admin"),
			[]string{"sync.yaml:10: not valid YAML: did not find expected '-' indicator"}},
		{"bad YAML", minimal + "keep:\n\t- a@example.com\n", []string{"sync.yaml:12: not valid YAML: found character that cannot start any token"}},
		{"section missing", strings.SplitN(minimal, "users:", 2)[0],
			[]string{"sync.yaml:1: users: is missing", "sync.yaml:1: groups: is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tt.file), "sync.yaml", "")
			var verr *users.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %v, want a *users.ValidationError", err)
			}
			var got []string
			for _, p := range verr.Problems {
				got = append(got, "sync.yaml:"+itoa(p.Line)+": "+p.Message)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems:\n %s\nwant\n %s", strings.Join(got, "\n "), strings.Join(tt.want, "\n "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %d:\n %s\nwant\n %s", i, got[i], tt.want[i])
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the message shows the secret: %v", err)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestParseAliases refuses a file whose aliases stand for far more values
// than it holds, rather than walking them all.
func TestParseAliases(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(strings.Replace(minimal, "  - dn: cn=admins", "  - &g\n    dn: cn=admins", 1))
	b.WriteString("    dataDomainRoles: {")
	for i := range 2000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("d" + itoa(i) + ": viewer")
	}
	b.WriteString("}\n")
	for range 1000 {
		b.WriteString("  - *g\n")
	}
	_, err := Parse([]byte(b.String()), "sync.yaml", "")
	if err == nil || !strings.Contains(err.Error(), "YAML aliases expand to far more values than the file holds") {
		t.Errorf("error %v", err)
	}
}
