package users

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// wantEntries is what every spelling of the same three users parses to
// (lines aside).
var wantEntries = []Entry{
	{Email: "ana@example.com", AccountRole: api.RoleEditor},
	{Email: "bo@example.com", AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor, "hr": api.RoleViewer}},
	{Email: "cy@example.com", AccountRole: api.RoleNone, DataDomainRoles: map[string]api.Role{}},
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		data   string
		lines  []int
	}{
		{"yaml users key", FormatYAML, `# users under version control
users:
  - email: ana@example.com
    accountRole: editor
  - email: bo@example.com
    accountRole: Viewer
    dataDomainRoles:
      sales: editor
      hr: viewer
  - email: cy@example.com
    accountRole: none
    dataDomainRoles: {}
`, []int{3, 5, 10}},
		{"yaml list, flow roles", FormatYAML, `- email: ana@example.com
  accountRole: editor
- {email: bo@example.com, accountRole: viewer, dataDomainRoles: {sales: editor, hr: viewer}}
- email: cy@example.com
  accountRole: NONE
  dataDomainRoles: {}
`, []int{1, 3, 4}},
		{"json users key", FormatJSON, `{
  "users": [
    {"email": "ana@example.com", "accountRole": "editor"},
    {
      "email": "bo@example.com",
      "accountRole": "viewer",
      "dataDomainRoles": {"sales": "editor", "hr": "viewer"}
    },
    {"email": "cy@example.com", "accountRole": "none", "dataDomainRoles": {}}
  ]
}`, []int{3, 4, 9}},
		{"json list", FormatJSON, `[{"email":"ana@example.com","accountRole":"editor"},
{"email":"bo@example.com","accountRole":"viewer","dataDomainRoles":{"sales":"editor","hr":"viewer"}},
{"email":"cy@example.com","accountRole":"none","dataDomainRoles":{}}]`, []int{1, 2, 3}},
		{"csv", FormatCSV, `
email,accountRole,dataDomainRoles
ana@example.com,editor,
bo@example.com,viewer,sales=editor;hr=viewer
cy@example.com, none ,
`, []int{3, 4, 5}},
		{"csv quoted, comma-separated domains", FormatCSV, "Email,AccountRole,DataDomainRoles\r\n\"ana@example.com\",editor,\r\nbo@example.com,viewer,\"sales=editor, hr=viewer\"\r\n\r\ncy@example.com,none,\r\n", []int{2, 3, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("users."+string(tt.format), []byte(tt.data), tt.format)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := wantEntries
			if tt.name == "csv quoted, comma-separated domains" || tt.name == "csv" {
				// The CSV has the column, so ana's empty cell means none.
				want = append([]Entry(nil), wantEntries...)
				want[0].DataDomainRoles = map[string]api.Role{}
			}
			if len(f.Entries) != len(want) {
				t.Fatalf("got %d entries, want %d: %+v", len(f.Entries), len(want), f.Entries)
			}
			for i, e := range f.Entries {
				if e.Line != tt.lines[i] {
					t.Errorf("entry %d: line %d, want %d", i, e.Line, tt.lines[i])
				}
				e.Line = 0
				if !reflect.DeepEqual(e, want[i]) {
					t.Errorf("entry %d: got %+v, want %+v", i, e, want[i])
				}
			}
		})
	}
}

func TestParseEmptyLists(t *testing.T) {
	for _, tt := range []struct {
		format Format
		data   string
	}{
		{FormatYAML, "users: []\n"},
		{FormatYAML, "[]"},
		{FormatJSON, `{"users": []}`},
		{FormatJSON, `[]`},
		{FormatCSV, "email,accountRole\n"},
	} {
		f, err := Parse("f", []byte(tt.data), tt.format)
		if err != nil || len(f.Entries) != 0 {
			t.Errorf("%s %q: got %v, %v; want an empty list", tt.format, tt.data, f, err)
		}
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		format Format
		data   string
		want   []string
	}{
		{"unknown key", "u.yaml", FormatYAML, "users:\n- email: ana@example.com\n  role: editor\n",
			[]string{`u.yaml:3: unknown key "role" (did you mean "accountRole"?)`, `u.yaml:2: ana@example.com: missing accountRole`}},
		{"wrong case key", "u.yaml", FormatYAML, "- email: ana@example.com\n  accountrole: editor\n",
			[]string{`u.yaml:2: unknown key "accountrole" (did you mean "accountRole"?)`}},
		{"unknown top-level key", "u.yaml", FormatYAML, "users: []\nversion: 2\n",
			[]string{`u.yaml:2: unknown key "version"`}},
		{"invalid email", "u.yaml", FormatYAML, "- email: not-an-email\n  accountRole: editor\n- email: a/b@example.com\n  accountRole: editor\n",
			[]string{`u.yaml:1: invalid email "not-an-email"`, `u.yaml:3: invalid email "a/b@example.com"`}},
		{"missing email", "u.yaml", FormatYAML, "- accountRole: editor\n",
			[]string{`u.yaml:1: user without email`}},
		{"unknown role", "u.yaml", FormatYAML, "- email: ana@example.com\n  accountRole: superuser\n",
			[]string{`u.yaml:2: ana@example.com: accountRole: unknown role "superuser"`}},
		{"unknown domain role", "u.yaml", FormatYAML, "- email: ana@example.com\n  accountRole: editor\n  dataDomainRoles:\n    sales: boss\n",
			[]string{`u.yaml:4: ana@example.com: dataDomainRoles: data domain "sales": unknown role "boss"`}},
		{"null domain roles", "u.yaml", FormatYAML, "- email: ana@example.com\n  accountRole: editor\n  dataDomainRoles:\n",
			[]string{`u.yaml:3: ana@example.com: dataDomainRoles must be a mapping`}},
		{"duplicate email ignoring case", "u.yaml", FormatYAML, "- email: ana@example.com\n  accountRole: editor\n- email: Ana@Example.com\n  accountRole: viewer\n",
			[]string{`u.yaml:3: duplicate email "Ana@Example.com": the same user (ignoring case) is already at line 1`}},
		{"duplicate key", "u.yaml", FormatYAML, "- email: ana@example.com\n  accountRole: editor\n  accountRole: viewer\n",
			[]string{`u.yaml:3: key "accountRole" is given twice`}},
		{"missing accountRole", "u.yaml", FormatYAML, "users:\n  - email: ana@example.com\n",
			[]string{`u.yaml:2: ana@example.com: missing accountRole`}},
		{"not a list", "u.yaml", FormatYAML, "users: ana@example.com\n",
			[]string{`u.yaml:1: users must be a list`}},
		{"single user", "u.yaml", FormatYAML, "email: ana@example.com\naccountRole: editor\n",
			[]string{`u.yaml:1: expected a list of users`}},
		{"user not a mapping", "u.yaml", FormatYAML, "- ana@example.com\n",
			[]string{`u.yaml:1: a user must be a mapping with email and accountRole, not a single value`}},
		{"empty yaml", "u.yaml", FormatYAML, "# nothing\n",
			[]string{`u.yaml:1: the file holds no users`}},
		{"yaml syntax", "u.yaml", FormatYAML, "users:\n- email: ana@example.com\n  accountRole: [editor\n",
			[]string{`u.yaml:3: not valid YAML: did not find expected ',' or ']'`}},
		{"yaml key expected", "u.yaml", FormatYAML, "users: []\n- email: ana@example.com\n",
			[]string{`u.yaml:2: not valid YAML: did not find expected key`}},
		{"yaml scanner error", "u.yaml", FormatYAML, "users:\n- email: ana@example.com\n  accountRole: editor\n- email: bo@example.com\n  accountRole: @viewer\n",
			[]string{`u.yaml:5: not valid YAML: found character that cannot start any token`}},
		{"yaml error on line 1", "u.yaml", FormatYAML, "a: b: c\n",
			[]string{`u.yaml:1: not valid YAML: mapping values are not allowed in this context`}},
		{"two yaml documents", "u.yaml", FormatYAML, "[]\n---\n[]\n",
			[]string{`u.yaml:2: a second YAML document`}},
		{"json unknown key", "u.json", FormatJSON, "[\n  {\"email\": \"ana@example.com\",\n   \"accountRole\": \"editor\",\n   \"roles\": {}}\n]",
			[]string{`u.json:4: unknown key "roles"`}},
		{"json syntax", "u.json", FormatJSON, "[\n  {\"email\": \"ana@example.com\",\n   \"accountRole\": editor}\n]",
			[]string{`u.json:3: not valid JSON: invalid character 'e'`}},
		{"json cut short", "u.json", FormatJSON, "[\n  {\"email\": \"ana@example.com\",\n",
			[]string{`u.json:3: not valid JSON: the document ends too early`}},
		{"json trailing", "u.json", FormatJSON, "[]\n[]\n",
			[]string{`u.json:2: not valid JSON: more after the end`}},
		{"json role not a string", "u.json", FormatJSON, "[{\"email\": \"ana@example.com\",\n\"accountRole\": 3}]",
			[]string{`u.json:2: ana@example.com: accountRole: unknown role "3"`}},
		{"csv unknown column", "u.csv", FormatCSV, "email,role\nana@example.com,editor\n",
			[]string{`u.csv:1: unknown column "role" (did you mean "accountRole"?)`, `u.csv:1: missing column "accountRole"`}},
		{"csv problems by line", "u.csv", FormatCSV, "email,accountRole,dataDomainRoles\nana@example.com,editor,\nbad,viewer,\ncy@example.com,boss,\ndee@example.com,viewer,sales\neve@example.com,viewer,sales=editor;sales=viewer\nANA@example.com,viewer,\nfay@example.com\n",
			[]string{`u.csv:3: invalid email "bad"`, `u.csv:4: cy@example.com: accountRole: unknown role "boss"`,
				`u.csv:5: dee@example.com: dataDomainRoles "sales": write DOMAIN=ROLE`,
				`u.csv:6: eve@example.com: dataDomainRoles: data domain "sales" is given twice`,
				`u.csv:7: duplicate email "ANA@example.com"`, `u.csv:8: expected 3 fields`}},
		{"csv missing role", "u.csv", FormatCSV, "email,accountRole\nana@example.com,\n",
			[]string{`u.csv:2: ana@example.com: missing accountRole`}},
		{"csv empty", "u.csv", FormatCSV, "",
			[]string{`u.csv:1: the file holds no users`}},
		{"csv quote", "u.csv", FormatCSV, "email,accountRole\n\"ana@example.com,editor\n",
			[]string{`u.csv:2: not valid CSV`}},
		{"stdin name", "-", FormatYAML, "- email: x\n  accountRole: editor\n",
			[]string{`stdin:1: invalid email "x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.file, []byte(tt.data), tt.format)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			if len(tt.want) > 1 && len(ve.Problems) < len(tt.want) {
				t.Errorf("got %d problems, want at least %d (all reported together):\n%s", len(ve.Problems), len(tt.want), msg)
			}
		})
	}
}

func TestParseReportsEveryProblemTogether(t *testing.T) {
	data := `users:
- email: ana@example.com
  accountRole: editor
- email: nobody
  accountRole: editor
- email: bo@example.com
  accountRole: king
- email: cy@example.com
  acountRole: viewer
- email: ANA@example.com
  accountRole: viewer
- email: dee@example.com
`
	_, err := Parse("team.yaml", []byte(data), FormatYAML)
	want := `team.yaml has 6 problems:
  team.yaml:4: invalid email "nobody": give one plain address such as ana@example.com
  team.yaml:7: bo@example.com: accountRole: unknown role "king": use one of admin, editor, operator, viewer, none
  team.yaml:8: cy@example.com: missing accountRole (one of admin, editor, operator, viewer, none)
  team.yaml:9: unknown key "acountRole" (did you mean "accountRole"?)
  team.yaml:10: duplicate email "ANA@example.com": the same user (ignoring case) is already at line 2
  team.yaml:12: dee@example.com: missing accountRole (one of admin, editor, operator, viewer, none)`
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestCheckGrants(t *testing.T) {
	f, err := Parse("u.yaml", []byte(`- email: ana@example.com
  accountRole: editor
  dataDomainRoles: {}
- email: bo@example.com
  accountRole: viewer
  dataDomainRoles: {sales: editor, salse: viewer, "(default)": none, hr: none}
- email: cy@example.com
  accountRole: viewer
- email: dee@example.com
  accountRole: viewer
  dataDomainRoles: {finance: none}
`), FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	if !f.HasGrants() {
		t.Error("HasGrants() is false for a file that grants sales=editor")
	}
	tests := []struct {
		name string
		rule api.GrantRule
		want string
	}{
		{"1.0", api.GrantRule{Flavour: api.FlavourRelease10},
			"u.yaml has 2 problems:\n  u.yaml:4: bo@example.com: dataDomainRoles: this instance has no data domains (DQOps 1.0: data domains came with DQOps 1.13), so it cannot keep a grant of editor in \"sales\"\n" +
				"  u.yaml:4: bo@example.com: dataDomainRoles: this instance has no data domains (DQOps 1.0: data domains came with DQOps 1.13), so it cannot keep a grant of viewer in \"salse\""},
		{"1.13 without data domains", api.GrantRule{Flavour: api.FlavourNoDomains},
			"u.yaml has 2 problems:\n  u.yaml:4: bo@example.com: dataDomainRoles: this instance has no data domains (DQOps 1.13 without data domains in use), so it would not keep a grant of editor in \"sales\"\n" +
				"  u.yaml:4: bo@example.com: dataDomainRoles: this instance has no data domains (DQOps 1.13 without data domains in use), so it would not keep a grant of viewer in \"salse\""},
		// The none entries name domains the instance lacks: no grants, no problem.
		{"1.13 with data domains", api.GrantRule{Flavour: api.FlavourDomains, Domains: []string{"(default)", "marketing", "sales"}},
			`u.yaml:4: bo@example.com: dataDomainRoles: unknown data domain "salse" (did you mean "sales"?); the instance's data domains are "(default)", "marketing", "sales"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.CheckGrants(tt.rule)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestCheckGrantsPassesFilesWithoutGrants(t *testing.T) {
	// {} is fine everywhere, absence too, and so are none entries: they
	// are no grants.
	f, err := Parse("u.csv", []byte("email,accountRole,dataDomainRoles\nana@example.com,editor,\nbo@example.com,viewer,(default)=none;sales=none\n"), FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	if f.HasGrants() {
		t.Error("HasGrants() is true for a file without grants")
	}
	for _, flavour := range []api.Flavour{api.FlavourRelease10, api.FlavourNoDomains, api.FlavourDomains} {
		if err := f.CheckGrants(api.GrantRule{Flavour: flavour}); err != nil {
			t.Errorf("%s: %v", flavour, err)
		}
	}
}

func TestParseListOutput(t *testing.T) {
	// "dqo-users list -o json" and "-o yaml" print every user with
	// dataDomainRoles, {} when none: valid input that means "none".
	jsonOut := `[
  {
    "email": "admin@example.com",
    "accountRole": "admin",
    "dataDomainRoles": {}
  }
]
`
	yamlOut := "- email: admin@example.com\n  accountRole: admin\n  dataDomainRoles: {}\n"
	for format, data := range map[Format]string{FormatJSON: jsonOut, FormatYAML: yamlOut} {
		f, err := Parse("-", []byte(data), format)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		e := f.Entries[0]
		if e.Email != "admin@example.com" || e.AccountRole != api.RoleAdmin || e.DataDomainRoles == nil || len(e.DataDomainRoles) != 0 || e.Line != 2-boolInt(format == FormatYAML) {
			t.Errorf("%s: got %+v", format, e)
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("users:\n- email: a@b.c\n  accountRole: editor\n"), 0)
	f.Add([]byte(`[{"email":"a@b.c","accountRole":"x","dataDomainRoles":{"a":"b"}}]`), 1)
	f.Add([]byte("email,accountRole,dataDomainRoles\na@b.c,editor,a=b;c=d\n"), 2)
	f.Add([]byte("- &u {email: \"\\e[2J\", k: &k [*k]}\n- *u\n- {email: *u}\n"), 0)
	f.Add([]byte("email,accountRole\n\x1b]0;t\x07@x.io,\u202e\n"), 2)
	f.Add([]byte(yamlExport[:250]), 0)
	f.Add([]byte(jsonExport[:300]), 1)
	f.Add([]byte(csvExport[:150]), 2)
	f.Add([]byte("instance: [https://a.example.com]\nusers:\n- {email: a@b.c, accountRole: none, exceptInstances: [https://a.example.com]}\n- {email: A@b.c, accountRole: none}\n"), 0)
	f.Fuzz(func(t *testing.T, data []byte, which int) {
		format := []Format{FormatYAML, FormatJSON, FormatCSV}[uint(which)%3]
		file, err := Parse("fuzz", data, format)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse returned %T %v, want a *ValidationError", err, err)
			}
			// 20 problems of at most two cited values each, and a count.
			checkSafeMessage(t, err.Error(), 40_000)
			return
		}
		for _, e := range file.Entries {
			if api.ValidateEmail(e.Email) != nil || !e.AccountRole.Valid() {
				t.Fatalf("invalid entry accepted: %+v", e)
			}
		}
	})
}

// Every value of a YAML or JSON file that a message names is shortened and
// escaped: emails (quoted, or leading a message), keys, domains, roles.
func TestParseCitesHostileValues(t *testing.T) {
	long := strings.Repeat("z", 1<<20)
	tests := []struct {
		name   string
		format Format
		data   string
		want   string
	}{
		{"email leading a message", FormatYAML, "- email: \"\\e[2Jana@example.com\"\n", `u:1: "\x1b[2Jana@example.com": missing accountRole`},
		{"long email leading a message", FormatYAML, "- email: " + long + "\n", "u:1: " + long[:64] + "... (1,048,576 bytes): missing accountRole"},
		{"unknown key", FormatYAML, "- email: a@x.io\n  accountRole: editor\n  \"\\e]0;title\\a\": 1\n", `u:3: unknown key "\x1b]0;title\a" (the keys are`},
		{"unknown top-level key", FormatJSON, `{"users": [], "\u202e` + long + `": 1}`, `u:1: unknown key "\u202ezzz`},
		{"key twice", FormatJSON, `[{"email": "a@x.io", "accountRole": "none", "\u009b": 1, "\u009b": 2}]`, `key "\u009b" is given twice`},
		{"role", FormatJSON, `[{"email": "a@x.io", "accountRole": "` + long + `\u001b"}]`, `a@x.io: accountRole: unknown role "zzz`},
		{"domain", FormatYAML, "- email: a@x.io\n  accountRole: editor\n  dataDomainRoles:\n    ? \"\\e[8m" + long + "\"\n    : boss\n", `a@x.io: dataDomainRoles: data domain "\x1b[8mzzz`},
		{"domain role", FormatYAML, "- email: a@x.io\n  accountRole: editor\n  dataDomainRoles: {sales: \"\\u2028\"}\n", `data domain "sales": unknown role "\u2028"`},
		{"domain not a role", FormatYAML, "- email: a@x.io\n  accountRole: editor\n  dataDomainRoles: {\"\\x7f\": [x]}\n", `the role in data domain "\x7f" must be one of`},
		{"domain twice", FormatYAML, "- email: a@x.io\n  accountRole: editor\n  dataDomainRoles: {\"\\a\": none, \" \\a\": none}\n", `data domain "\a" is given twice`},
		{"duplicate email", FormatYAML, "- {email: " + long + "@x.io, accountRole: x}\n- {email: " + long + "@x.io, accountRole: x}\n", `u:2: duplicate email "zzz`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("u", []byte(tt.data), tt.format)
			if err == nil {
				t.Fatal("accepted")
			}
			checkSafeMessage(t, err.Error(), 1500)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message lacks %q:\n%s", tt.want, err)
			}
		})
	}
}

// An email that the API accepts may still hold a bidirectional override: a
// message that leads with it shows it escaped.
func TestCheckGrantsCitesTheEmailAndTheDomain(t *testing.T) {
	f, err := Parse("u.yaml", []byte("- email: \"ana\\u202e@x.io\"\n  accountRole: editor\n  dataDomainRoles: {\"sa\\e[31mles\": editor}\n"), FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	err = f.CheckGrants(api.GrantRule{Flavour: api.FlavourDomains, Domains: []string{"sales"}})
	want := `u.yaml:1: "ana\u202e@x.io": dataDomainRoles: unknown data domain "sa\x1b[31mles"`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %q, want it to begin %q", err, want)
	}
}
