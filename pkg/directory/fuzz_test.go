package directory

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/users"
)

// FuzzParse feeds the sync file parser arbitrary files: it must never
// panic, and whatever it refuses is a list of problems with lines.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	if src, err := os.ReadFile("doc.go"); err == nil {
		_, after, _ := strings.Cut(string(src), "// # The sync file\n//\n")
		var b strings.Builder
		for _, line := range strings.Split(after, "\n") {
			example, ok := strings.CutPrefix(line, "//\t")
			if !ok {
				break
			}
			b.WriteString(example + "\n")
		}
		f.Add([]byte(b.String()))
	}
	f.Add([]byte("ldap: &a {url: *a}\n"))
	f.Add([]byte("groups: [{dn: x, dataDomainRoles: {a: b, a: c}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "sync.yaml", "/etc")
		var verr *users.ValidationError
		switch {
		case err != nil && !errors.As(err, &verr):
			t.Fatalf("error %T: %v", err, err)
		case err != nil && len(verr.Problems) == 0:
			t.Fatal("a validation error without a problem")
		case err == nil && (cfg.LDAP.URL == "" || cfg.Users.BaseDN == "" || cfg.Users.Filter == "" || len(cfg.Groups) == 0):
			t.Fatalf("accepted an incomplete file: %+v", cfg)
		}
	})
}

// FuzzAttributes feeds what a directory sends (attribute descriptions,
// DNs, uniqueMember values) to the functions that take it apart.
func FuzzAttributes(f *testing.F) {
	for _, s := range []string{"member;range=0-1499", "member;range=1500-*", "cn=a\\,b,dc=x#'01'B", "CN=User,OU=People,DC=ad,DC=test", ";range=-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, rng, err := splitRange(s)
		if err == nil && rng != nil && !rng.last && rng.end < rng.start {
			t.Fatalf("range %+v of %q", rng, s)
		}
		if !strings.HasPrefix(s, name) {
			t.Fatalf("name %q of %q", name, s)
		}
		if u := stripUID(s); !strings.HasPrefix(s, u) {
			t.Fatalf("stripUID(%q) = %q", s, u)
		}
		if dnKey(s) != dnKey(dnKey(s)) && !strings.ContainsAny(s, "#\\") {
			t.Fatalf("dnKey is not stable for %q: %q, %q", s, dnKey(s), dnKey(dnKey(s)))
		}
		shellQuote(s)
	})
}
