package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestGrants(t *testing.T) {
	tests := []struct {
		name  string
		roles map[string]Role
		want  map[string]Role
		str   string
	}{
		{name: "1.0: no field", roles: nil, want: nil, str: ""},
		{name: "every domain none", roles: map[string]Role{DefaultDomain: RoleNone, "sales": RoleNone}, want: nil, str: ""},
		{name: "one grant among none entries",
			roles: map[string]Role{DefaultDomain: RoleNone, "sales": RoleEditor, "marketing": RoleNone},
			want:  map[string]Role{"sales": RoleEditor}, str: "sales=editor"},
		{name: "grants only, sorted", roles: map[string]Role{"sales": RoleEditor, DefaultDomain: RoleAdmin, "hr": RoleViewer},
			want: map[string]Role{"sales": RoleEditor, DefaultDomain: RoleAdmin, "hr": RoleViewer}, str: "(default)=admin;hr=viewer;sales=editor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := User{Email: "a@x.io", AccountRole: RoleViewer, DataDomainRoles: tt.roles}
			got := u.Grants()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Grants() = %v, want %v", got, tt.want)
			}
			if u.HasGrants() != (tt.want != nil) {
				t.Errorf("HasGrants() = %v", u.HasGrants())
			}
			if s := u.GrantsString(); s != tt.str {
				t.Errorf("GrantsString() = %q, want %q", s, tt.str)
			}
			if !SameGrants(tt.roles, tt.want) || !SameGrants(tt.want, tt.roles) {
				t.Errorf("SameGrants(%v, %v) is false", tt.roles, tt.want)
			}
			if got != nil {
				got["changed"] = RoleAdmin
				if _, shared := u.DataDomainRoles["changed"]; shared {
					t.Error("Grants() shares the user's map")
				}
			}
		})
	}
}

func TestGrantsOfADecodedUser(t *testing.T) {
	var u User
	in := `{"email":"a@x.io","accountRole":"viewer","dataDomainRoles":{"(default)":"none","sales":"editor","marketing":"none"}}`
	if err := json.Unmarshal([]byte(in), &u); err != nil {
		t.Fatal(err)
	}
	// What the server sent stays whole; the grants leave the none entries out.
	if len(u.DataDomainRoles) != 3 {
		t.Errorf("DataDomainRoles %v, want all three entries", u.DataDomainRoles)
	}
	if g := u.Grants(); !reflect.DeepEqual(g, map[string]Role{"sales": RoleEditor}) {
		t.Errorf("Grants() = %v", g)
	}
	out, err := json.Marshal(u)
	if err != nil || !bytes.Contains(out, []byte(`"marketing":"none"`)) {
		t.Errorf("encoded back as %s (%v): the model keeps what was read", out, err)
	}
}

func TestSameGrants(t *testing.T) {
	tests := []struct {
		a, b map[string]Role
		same bool
	}{
		{nil, map[string]Role{}, true},
		{nil, map[string]Role{DefaultDomain: RoleNone}, true},
		{map[string]Role{"sales": RoleEditor}, map[string]Role{"sales": RoleEditor, "hr": RoleNone}, true},
		{map[string]Role{"sales": RoleEditor}, map[string]Role{"sales": RoleViewer}, false},
		{map[string]Role{"sales": RoleEditor}, nil, false},
		{nil, map[string]Role{"sales": RoleEditor}, false},
		{map[string]Role{"sales": RoleEditor}, map[string]Role{"Sales": RoleEditor}, false},
	}
	for _, tt := range tests {
		if got := SameGrants(tt.a, tt.b); got != tt.same {
			t.Errorf("SameGrants(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

func TestGrantRule(t *testing.T) {
	withDomains := GrantRule{Flavour: FlavourDomains, Domains: []string{DefaultDomain, "marketing", "sales", "HR"}}
	tests := []struct {
		name       string
		rule       GrantRule
		domain     string
		role       Role
		ok         bool
		suggestion string
		has        []string
	}{
		{name: "a known domain", rule: withDomains, domain: "sales", role: RoleEditor, ok: true},
		{name: "the root domain", rule: withDomains, domain: DefaultDomain, role: RoleAdmin, ok: true},
		{name: "the root domain when the list lacks it", rule: GrantRule{Flavour: FlavourDomains, Domains: []string{"sales"}}, domain: DefaultDomain, role: RoleAdmin, ok: true},
		{name: "none is no grant", rule: withDomains, domain: "nowhere", role: RoleNone, ok: true},
		{name: "a typo", rule: withDomains, domain: "salse", role: RoleEditor, suggestion: "sales",
			has: []string{`unknown data domain "salse" (did you mean "sales"?)`, `the instance's data domains are "(default)", "marketing", "sales", "HR"`}},
		{name: "a letter left out", rule: withDomains, domain: "markting", role: RoleEditor, suggestion: "marketing"},
		{name: "another case", rule: withDomains, domain: "hr", role: RoleViewer, suggestion: "HR"},
		{name: "default without parentheses", rule: withDomains, domain: "default", role: RoleViewer, suggestion: DefaultDomain},
		{name: "nothing close", rule: withDomains, domain: "finance", role: RoleViewer, has: []string{`unknown data domain "finance"; the`}},
		{name: "short and far", rule: withDomains, domain: "ops", role: RoleViewer},
		{name: "control characters are escaped", rule: withDomains, domain: "sa\x1b[31mles", role: RoleViewer, has: []string{`"sa\x1b[31mles"`}},
		{name: "without data domains", rule: GrantRule{Flavour: FlavourNoDomains}, domain: "sales", role: RoleEditor,
			has: []string{"this instance has no data domains", "1.13 without data domains"}},
		{name: "without data domains, none passes", rule: GrantRule{Flavour: FlavourNoDomains}, domain: "sales", role: RoleNone, ok: true},
		{name: "the root domain without data domains", rule: GrantRule{Flavour: FlavourNoDomains}, domain: DefaultDomain, role: RoleViewer,
			has: []string{"no data domains"}},
		{name: "1.0", rule: GrantRule{Flavour: FlavourRelease10}, domain: "sales", role: RoleEditor,
			has: []string{"this instance has no data domains", "DQOps 1.0", "1.13"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Check(tt.domain, tt.role)
			if tt.ok {
				if err != nil {
					t.Fatalf("Check(%q, %s) = %v, want nil", tt.domain, tt.role, err)
				}
				return
			}
			var ge *GrantError
			if !errors.As(err, &ge) {
				t.Fatalf("Check(%q, %s) = %v, want a *GrantError", tt.domain, tt.role, err)
			}
			if ge.Suggestion != tt.suggestion {
				t.Errorf("suggestion %q, want %q", ge.Suggestion, tt.suggestion)
			}
			if ge.Domain != tt.domain || ge.Role != tt.role || ge.Flavour != tt.rule.Flavour {
				t.Errorf("error %+v does not name the grant", ge)
			}
			for _, s := range tt.has {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q lacks %q", err, s)
				}
			}
		})
	}
}

// CheckDomain is Check's test of the name alone: the same refusal, without
// a role, where the instance has data domains, and nothing to test against
// where it has none.
func TestGrantRuleCheckDomain(t *testing.T) {
	withDomains := GrantRule{Flavour: FlavourDomains, Domains: []string{"marketing", "sales"}}
	for _, domain := range []string{"sales", DefaultDomain, "salse", "finance", "Sales"} {
		want := withDomains.Check(domain, RoleEditor)
		got := withDomains.CheckDomain(domain)
		switch {
		case want == nil && got != nil, want != nil && got == nil:
			t.Errorf("CheckDomain(%q) = %v, Check gives %v", domain, got, want)
		case got != nil && (got.Error() != want.Error() || got.Role != ""):
			t.Errorf("CheckDomain(%q) = %+v, want %q without a role", domain, got, want)
		}
	}
	for _, f := range []Flavour{FlavourNoDomains, FlavourRelease10} {
		if err := (GrantRule{Flavour: f}).CheckDomain("salse"); err != nil {
			t.Errorf("flavour %v: CheckDomain = %v, want nil", f, err)
		}
	}
}

func TestGrantErrorBoundsWhatItShows(t *testing.T) {
	var domains []string
	for i := range 30 {
		domains = append(domains, "domain-"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	long := strings.Repeat("x", 10000)
	err := GrantRule{Flavour: FlavourDomains, Domains: domains}.Check(long, RoleEditor)
	msg := err.Error()
	if !strings.Contains(msg, "and 11 more") {
		t.Errorf("%q does not bound the list of domains", msg)
	}
	if len(msg) > 1000 {
		t.Errorf("a message of %d bytes for a long name", len(msg))
	}
}

func BenchmarkGrants(b *testing.B) {
	roles := map[string]Role{DefaultDomain: RoleNone, "sales": RoleEditor}
	for i := range 50 {
		roles["domain"+string(rune('a'+i%26))+string(rune('a'+i/26))] = RoleNone
	}
	u := User{Email: "a@x.io", AccountRole: RoleViewer, DataDomainRoles: roles}
	b.ReportAllocs()
	for b.Loop() {
		if len(u.Grants()) != 1 {
			b.Fatal("grants")
		}
	}
}
