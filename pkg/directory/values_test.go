package directory

import (
	"reflect"
	"testing"
)

func TestSplitRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, name string
		rng        *valueRange
		bad        bool
	}{
		{desc: "member", name: "member"},
		{desc: "member;range=0-1499", name: "member", rng: &valueRange{start: 0, end: 1499}},
		{desc: "Member;Range=1500-*", name: "Member", rng: &valueRange{start: 1500, last: true}},
		{desc: "member;lang-en;range=3000-*", name: "member", rng: &valueRange{start: 3000, last: true}},
		{desc: "member;binary", name: "member"},
		{desc: "member;range=10-5", name: "member", bad: true},
		{desc: "member;range=x-*", name: "member", bad: true},
		{desc: "member;range=1500", name: "member", bad: true},
	}
	for _, tt := range tests {
		name, rng, err := splitRange(tt.desc)
		if name != tt.name || !reflect.DeepEqual(rng, tt.rng) || (err != nil) != tt.bad {
			t.Errorf("splitRange(%q) = %q, %+v, %v", tt.desc, name, rng, err)
		}
	}
}

func TestStripUID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"uid=ana,dc=example,dc=com#'0101'B": "uid=ana,dc=example,dc=com",
		"uid=ana,dc=example,dc=com#''B":     "uid=ana,dc=example,dc=com",
		"uid=ana,dc=example,dc=com":         "uid=ana,dc=example,dc=com",
		`cn=a\#'1'B x,dc=example,dc=com`:    `cn=a\#'1'B x,dc=example,dc=com`,
		"uid=ana#'012'B":                    "uid=ana#'012'B",
		"uid=ana#'B":                        "uid=ana#'B",
	} {
		if got := stripUID(in); got != want {
			t.Errorf("stripUID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDNKey(t *testing.T) {
	t.Parallel()
	same := [][]string{
		{"CN=User0001,OU=People,DC=ad,DC=test", "cn=user0001,ou=people,dc=ad,dc=test", "cn=User0001, ou=People, dc=ad, dc=test"},
		{`cn=Smith\, Ana,dc=example,dc=com`, `CN=smith\2C ana,DC=example,DC=com`},
	}
	for _, group := range same {
		for _, dn := range group[1:] {
			if dnKey(dn) != dnKey(group[0]) {
				t.Errorf("%q and %q differ: %q, %q", group[0], dn, dnKey(group[0]), dnKey(dn))
			}
		}
	}
	if dnKey("cn=a,dc=example,dc=com") == dnKey("cn=a\\,dc=example,dc=com") {
		t.Error("an escaped comma is taken for a separator")
	}
}

func TestRoots(t *testing.T) {
	t.Parallel()
	tests := []struct {
		users  string
		groups []Mapping
		want   []string
	}{
		{"ou=people,dc=example,dc=com", []Mapping{{DN: "cn=a,ou=groups,dc=example,dc=com"}, {Filter: "(cn=x)", BaseDN: "ou=teams,dc=example,dc=com"}},
			[]string{"dc=example,dc=com"}},
		{"OU=People,DC=Example,DC=com", []Mapping{{DN: "cn=a,ou=people,dc=example,dc=com"}}, []string{"ou=People,dc=Example,dc=com"}},
		{"ou=people,o=one", []Mapping{{DN: "cn=a,ou=groups,o=two"}}, []string{"ou=people,o=one", "ou=groups,o=two"}},
	}
	for _, tt := range tests {
		r := &reader{cfg: &Config{Users: Users{BaseDN: tt.users}, Groups: tt.groups}}
		if got := r.roots(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("roots of %s and %+v = %q, want %q", tt.users, tt.groups, got, tt.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ou=people,dc=example,dc=com": "ou=people,dc=example,dc=com",
		"(objectClass=*)":             "'(objectClass=*)'",
		"member;range=1500-*":         "'member;range=1500-*'",
		"cn=O'Brien,dc=x":             `'cn=O'\''Brien,dc=x'`,
		"":                            "''",
		"/tmp/a b/pw":                 "'/tmp/a b/pw'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
