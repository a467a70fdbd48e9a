package users

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// instance: names the instance a file is for, or a list of them, by URL;
// CheckInstance refuses any other target, naming both, whichever spelling
// of the URL either uses. list -o json, a bare list, names none.
func TestCheckInstance(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, data string
		format     Format
		opts       ParseOptions
		instances  []string
		target     string
		want       string // "" when the target passes
	}{
		{"same", "instance: https://dqops.example.com:443\nusers: []\n", FormatYAML, ParseOptions{},
			[]string{"https://dqops.example.com:443"}, "https://DQOPS.example.com/", ""},
		{"other", "instance: https://dqops.example.com\nusers: []\n", FormatYAML, ParseOptions{},
			[]string{"https://dqops.example.com"}, "http://localhost:8888/",
			"u:1: the file is for instance https://dqops.example.com, not for http://localhost:8888, the instance of this command"},
		{"other path", "instance: https://h.example.com/dqops/\nusers: []\n", FormatYAML, ParseOptions{},
			[]string{"https://h.example.com/dqops"}, "https://h.example.com/", "u:1: the file is for instance https://h.example.com/dqops, not for https://h.example.com,"},
		{"list", "users: []\ninstance: [https://a.example.com, 'http://b.example.com:8888/']\n", FormatYAML, ParseOptions{},
			[]string{"https://a.example.com", "http://b.example.com:8888"}, "http://b.example.com:8888", ""},
		{"not in the list", `{"instance": ["https://a.example.com", "https://b.example.com"], "users": []}`, FormatJSON, ParseOptions{},
			[]string{"https://a.example.com", "https://b.example.com"}, "https://c.example.com",
			"u:1: the file is for instances https://a.example.com, https://b.example.com, not for https://c.example.com"},
		{"csv start mark", "#dqo-users export,version=1,instance=https://dqops.example.com:443\nemail,accountRole\n#dqo-users end,users=0\n", FormatCSV, ParseOptions{},
			[]string{"https://dqops.example.com:443"}, "https://dqops.example.com:444", "u:1: the file is for instance https://dqops.example.com:443, not for https://dqops.example.com:444"},
		{"none", `[{"email": "a@example.com", "accountRole": "admin", "dataDomainRoles": {}}]`, FormatJSON, ParseOptions{},
			nil, "https://any.example.com", ""},
		{"--instance", "- {email: a@example.com, accountRole: admin}\n", FormatYAML, ParseOptions{Instance: "https://prod.example.com"},
			nil, "https://dev.example.com", "--instance https://prod.example.com is not the instance of this command, https://dev.example.com"},
		{"--instance, same", "- {email: a@example.com, accountRole: admin}\n", FormatYAML, ParseOptions{Instance: "https://prod.example.com/"},
			nil, "https://prod.example.com:443", ""},
		{"--instance and the file's", "instance: https://a.example.com\nusers: []\n", FormatYAML, ParseOptions{Instance: "https://a.example.com"},
			[]string{"https://a.example.com"}, "https://b.example.com", "--instance https://a.example.com is not"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := tt.opts.Parse("u", []byte(tt.data), tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.Instances, tt.instances) {
				t.Errorf("Instances %q, want %q", f.Instances, tt.instances)
			}
			err = f.CheckInstance(tt.target)
			var ie *InstanceError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (!errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tt.want)):
				t.Errorf("got %v\nwant an *InstanceError beginning %s", err, tt.want)
			}
		})
	}
}

// Instances are named by URL: a profile name, a list of nothing, a URL
// given twice or with credentials is a problem at its line.
func TestParseInstanceProblems(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, data string
		want       []string
	}{
		{"profile name", "instance: prod\nusers: []\n", []string{`u:1: instance: invalid DQOps URL "prod": use http(s)://host[:port][/prefix]; instances are named by URL, not by profile`}},
		{"empty list", "instance: []\nusers: []\n", []string{"u:1: instance is an empty list"}},
		{"mapping", "instance: {url: x}\nusers: []\n", []string{"u:1: instance must be a URL or a list of URLs, not a mapping"}},
		{"twice", "instance:\n- https://a.example.com\n- https://A.example.com:443/\nusers: []\n", []string{"u:3: instance: https://A.example.com:443 is given twice"}},
		{"credentials", "instance: https://me:secret@a.example.com\nusers: []\n", []string{"u:1: instance: invalid DQOps URL: credentials in the URL are not supported"}},
		{"entry's", "- {email: a@example.com, accountRole: admin, instances: [dev]}\n- {email: b@example.com, accountRole: admin, exceptInstances: \"\\e[2J\"}\n",
			[]string{`u:1: a@example.com: instances: invalid DQOps URL "dev"`, `u:2: b@example.com: exceptInstances: invalid DQOps URL "\x1b[2J"`}},
		{"both scopes", "- {email: a@example.com, accountRole: admin, instances: [https://a.example.com], exceptInstances: [https://b.example.com]}\n",
			[]string{"u:1: a@example.com: give instances or exceptInstances, not both"}},
		{"not the file's", "instance: [https://a.example.com, https://b.example.com]\nusers:\n- {email: a@example.com, accountRole: admin, instances: [https://c.example.com]}\n",
			[]string{"u:3: a@example.com: instances names https://c.example.com, which is not one of the file's instances (instance: on line 1)"}},
		{"instance in an entry", "- {email: a@example.com, accountRole: admin, instance: https://a.example.com}\n", []string{`u:1: unknown key "instance" (did you mean "instances"?)`}},
		{"domains", "domains: ignore\nusers: []\n", []string{"u:1: domains: the one value is ignore-where-absent"}},
		{"--instance", "users: []\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := ParseOptions{}
			want := tt.want
			if tt.name == "--instance" {
				opts.Instance, want = "prod", []string{`--instance: invalid DQOps URL "prod"`}
			}
			_, err := opts.Parse("u", []byte(tt.data), FormatYAML)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			checkSafeMessage(t, err.Error(), 2000)
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q:\n%s", w, err)
				}
			}
		})
	}
}

// One email may have several entries in a fleet file, as long as no
// instance is given two of them; otherwise both lines are named.
func TestParseScopedDuplicates(t *testing.T) {
	t.Parallel()
	const a, b, c = "https://a.example.com", "https://b.example.com", "https://c.example.com"
	entry := func(email, scope string) string {
		return "- {email: " + email + ", accountRole: viewer" + scope + "}\n"
	}
	for _, tt := range []struct {
		name, head string
		entries    []string
		want       string // "" when the file is valid
	}{
		{"unscoped twice", "", []string{entry("ana@example.com", ""), entry("Ana@example.com", "")},
			`u:4: duplicate email "Ana@example.com": the same user (ignoring case) is already at line 3`},
		{"different instances", "", []string{entry("ana@example.com", ", instances: ["+a+"]"), entry("ana@example.com", ", instances: ["+b+", "+c+"]")}, ""},
		{"instances that share one", "", []string{entry("ana@example.com", ", instances: ["+a+", "+b+"]"), entry("ANA@example.com", ", instances: ['"+b+"/']")},
			`u:4: duplicate email "ANA@example.com": the entry at line 3 is for https://b.example.com:443 too`},
		{"an instance and all but it", "", []string{entry("ana@example.com", ", instances: ["+a+"]"), entry("ana@example.com", ", exceptInstances: ["+a+"]")}, ""},
		{"all but it, then it", "", []string{entry("ana@example.com", ", exceptInstances: ["+a+"]"), entry("ana@example.com", ", instances: ["+a+"]")}, ""},
		{"all but one, then another", "", []string{entry("ana@example.com", ", exceptInstances: ["+a+"]"), entry("ana@example.com", ", instances: ["+a+", "+b+"]")},
			"u:4: duplicate email \"ana@example.com\": the entry at line 3 is for https://b.example.com:443 too"},
		{"all but one, and all but another", "", []string{entry("ana@example.com", ", exceptInstances: ["+a+"]"), entry("ana@example.com", ", exceptInstances: ["+b+"]")},
			`u:4: duplicate email "ana@example.com": the entry at line 3 is for every instance that neither leaves out`},
		{"unscoped and scoped", "", []string{entry("ana@example.com", ""), entry("ana@example.com", ", instances: ["+c+"]")},
			`u:4: duplicate email "ana@example.com": the entry at line 3 is for https://c.example.com:443 too`},
		{"the file's two instances, each left out once", "instance: [" + a + ", " + b + "]\n",
			[]string{entry("ana@example.com", ", exceptInstances: ["+a+"]"), entry("ana@example.com", ", exceptInstances: ["+b+"]")}, ""},
		{"the file's two instances, one unscoped", "instance: [" + a + ", " + b + "]\n",
			[]string{entry("ana@example.com", ""), entry("ana@example.com", ", instances: ["+a+"]")},
			`u:4: duplicate email "ana@example.com": the entry at line 3 is for https://a.example.com:443 too`},
		{"three entries, the third overlaps the first", "", []string{entry("ana@example.com", ", instances: ["+a+"]"),
			entry("ana@example.com", ", instances: ["+b+"]"), entry("ana@example.com", ", instances: ["+a+"]")},
			`u:5: duplicate email "ana@example.com": the entry at line 3 is for https://a.example.com:443 too`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			head := tt.head
			if head == "" {
				head = "domains: ignore-where-absent\n"
			}
			data := head + "users:\n" + strings.Join(tt.entries, "")
			f, err := Parse("u", []byte(data), FormatYAML)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused:\n%s\n%v", data, err)
			case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
				t.Errorf("got %v\nwant %s", err, tt.want)
			case err == nil && len(f.Entries) != len(tt.entries):
				t.Errorf("%d entries, want %d", len(f.Entries), len(tt.entries))
			}
		})
	}
}

// For picks one instance's entries, so that each plan is one instance's.
func TestFileFor(t *testing.T) {
	t.Parallel()
	f, err := Parse("fleet.yaml", []byte(`instance: [https://dev.example.com, https://prod.example.com]
users:
- {email: ana@example.com, accountRole: admin}
- {email: bo@example.com, accountRole: editor, instances: [https://dev.example.com]}
- {email: bo@example.com, accountRole: viewer, exceptInstances: [https://dev.example.com]}
- {email: cy@example.com, accountRole: viewer, instances: [https://prod.example.com]}
`), FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string][]string{
		"https://dev.example.com":       {"ana@example.com admin", "bo@example.com editor"},
		"https://PROD.example.com:443/": {"ana@example.com admin", "bo@example.com viewer", "cy@example.com viewer"},
		"https://other.example.com":     {"ana@example.com admin", "bo@example.com viewer"},
	} {
		var got []string
		for _, e := range f.For(target).Entries {
			got = append(got, e.Email+" "+string(e.AccountRole))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("For(%s) = %q, want %q", target, got, want)
		}
	}
	if len(f.Entries) != 4 {
		t.Errorf("For changed the file: %d entries", len(f.Entries))
	}
}

// domains: ignore-where-absent (or --ignore-absent-domains) drops the
// grants on an instance without data domains, where they are refused
// otherwise; an instance with data domains keeps them.
func TestDropGrantsWhereAbsent(t *testing.T) {
	t.Parallel()
	const users = `- {email: ana@example.com, accountRole: editor, dataDomainRoles: {sales: editor}}
- {email: bo@example.com, accountRole: viewer, dataDomainRoles: {}}
- {email: cy@example.com, accountRole: viewer}
- {email: dee@example.com, accountRole: viewer, dataDomainRoles: {sales: viewer, hr: none}}
`
	for _, tt := range []struct {
		name    string
		data    string
		opts    ParseOptions
		flavour api.Flavour
		dropped int
	}{
		{"the file says so, 1.0", "domains: ignore-where-absent\nusers:\n" + strings.ReplaceAll(users, "- {", "  - {"), ParseOptions{}, api.FlavourRelease10, 2},
		{"the command says so, 1.13 without domains", users, ParseOptions{IgnoreAbsentDomains: true}, api.FlavourNoDomains, 2},
		{"an instance with domains", users, ParseOptions{IgnoreAbsentDomains: true}, api.FlavourDomains, 0},
		{"nobody says so", users, ParseOptions{}, api.FlavourRelease10, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := tt.opts.Parse("u.yaml", []byte(tt.data), FormatYAML)
			if err != nil {
				t.Fatal(err)
			}
			rule := api.GrantRule{Flavour: tt.flavour, Domains: []string{"sales", "hr"}}
			g, dropped := f.DropGrantsWhereAbsent(rule)
			if dropped != tt.dropped {
				t.Errorf("dropped %d, want %d", dropped, tt.dropped)
			}
			if err := g.CheckGrants(rule); (err == nil) != (tt.dropped > 0 || tt.flavour.HasDomains()) {
				t.Errorf("CheckGrants after dropping: %v", err)
			}
			if tt.dropped > 0 {
				if g.HasGrants() || g.Entries[0].DataDomainRoles == nil || g.Entries[2].DataDomainRoles != nil {
					t.Errorf("grants left, or entries changed: %+v", g.Entries)
				}
				if !f.HasGrants() {
					t.Error("the file itself lost its grants")
				}
			}
		})
	}
}

// What list --profile a,b -o json prints is for reading: the file is
// refused once, pointing to export.
func TestParseRefusesProfileItems(t *testing.T) {
	t.Parallel()
	data := `[
  {"profile": "dev", "email": "ana@example.com", "accountRole": "admin", "dataDomainRoles": {}},
  {"profile": "prod", "email": "ana@example.com", "accountRole": "admin", "dataDomainRoles": {}}
]`
	_, err := Parse("list.json", []byte(data), FormatJSON)
	want := `list.json has 2 problems:
  list.json:2: 2 items carry the key "profile": a list of several instances' users (list --profile) is for reading; write a file for several instances with dqo-users export --profile, which scopes users by instances:
  list.json:3: duplicate email "ana@example.com": the same user (ignoring case) is already at line 2`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}
