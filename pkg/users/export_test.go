package users

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// testInstance is the instance of the exports of the tests.
const testInstance = "https://dqops.example.com:443"

// encode exports users of testInstance, sorted by email ignoring case as
// DQOps lists them, through an Exporter.
func encode(w io.Writer, format Format, users []api.User, withDomains bool) error {
	users = slices.Clone(users)
	sort.SliceStable(users, func(i, j int) bool {
		return strings.ToLower(users[i].Email) < strings.ToLower(users[j].Email)
	})
	e, err := NewExporter(w, format, ExportOptions{WithDomains: withDomains, Instances: []string{testInstance}})
	if err != nil {
		return err
	}
	for i := range users {
		if err := e.Add(&users[i]); err != nil {
			return err
		}
	}
	return e.Close()
}

func exportUsers() []api.User {
	return []api.User{
		{Email: "viewer@example.com", AccountRole: api.RoleViewer},
		{Email: "Admin@example.com", AccountRole: api.RoleAdmin, Extra: map[string]json.RawMessage{"x": json.RawMessage(`1`)}},
		{Email: "bo+team@example.com", AccountRole: api.RoleEditor, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor, "(default)": api.RoleViewer}},
		{Email: "no@example.com", AccountRole: api.RoleNone},
	}
}

func TestExportGolden(t *testing.T) {
	for _, format := range []Format{FormatYAML, FormatJSON, FormatCSV} {
		for _, withDomains := range []bool{true, false} {
			name := fmt.Sprintf("export_%s_%s.%s", format, release(withDomains), format)
			var b bytes.Buffer
			if err := encode(&b, format, exportUsers(), withDomains); err != nil {
				t.Fatal(err)
			}
			golden(t, name, b.Bytes())
		}
	}
}

func release(withDomains bool) string {
	if withDomains {
		return "1.13"
	}
	return "1.0"
}

// flavourUsers are exportUsers as each kind of instance lists them: with
// data domains every user lists "(default)" and every domain, "none" where
// it has no grant; without them every user has {}; 1.0 has no field.
func flavourUsers(flavour api.Flavour) []api.User {
	users := exportUsers()
	for i := range users {
		u := &users[i]
		switch flavour {
		case api.FlavourDomains:
			listed := map[string]api.Role{"(default)": api.RoleNone, "sales": api.RoleNone, "marketing": api.RoleNone}
			maps.Copy(listed, u.DataDomainRoles)
			u.DataDomainRoles = listed
		default:
			u.DataDomainRoles = nil
		}
	}
	return users
}

func TestExportRoundTrip(t *testing.T) {
	domains := []string{"(default)", "marketing", "sales"}
	for _, format := range []Format{FormatYAML, FormatJSON, FormatCSV} {
		for _, flavour := range []api.Flavour{api.FlavourRelease10, api.FlavourNoDomains, api.FlavourDomains} {
			t.Run(fmt.Sprintf("%s/%s", format, flavour), func(t *testing.T) {
				users := flavourUsers(flavour)
				withDomains := flavour != api.FlavourRelease10
				var b bytes.Buffer
				if err := encode(&b, format, users, withDomains); err != nil {
					t.Fatal(err)
				}
				// Read back as stdin, so the format is found from the content.
				if got := DetectFormat("-", b.Bytes()); got != format {
					t.Errorf("exported %s is detected as %s", format, got)
				}
				f, err := parseExport(format, b.Bytes())
				if err != nil {
					t.Fatalf("export output does not parse: %v\n%s", err, b.String())
				}
				if err := f.CheckGrants(api.GrantRule{Flavour: flavour, Domains: domains}); err != nil {
					t.Errorf("the export is refused by the instance it came from: %v", err)
				}
				p := NewPlan(f, users, Options{Prune: true, Caller: "Admin@example.com"})
				if !p.InSync() || p.Unchanged != len(users) {
					var out bytes.Buffer
					_ = p.WriteText(&out, false)
					t.Errorf("export then apply is not in sync:\n%s", out.String())
				}
				for _, e := range f.Entries {
					for domain, role := range e.DataDomainRoles {
						if role == api.RoleNone {
							t.Errorf("%s: the export holds %s: none, which is no grant\n%s", e.Email, domain, b.String())
						}
					}
					if withDomains && e.DataDomainRoles == nil {
						t.Errorf("%s: a 1.13 export must pin domain roles ({} when none)", e.Email)
					}
					if !withDomains && e.DataDomainRoles != nil {
						t.Errorf("%s: a 1.0 export must leave domain roles out", e.Email)
					}
				}
			})
		}
	}
}

func TestExportWritesGrants(t *testing.T) {
	users := flavourUsers(api.FlavourDomains)
	want := map[Format]string{
		FormatYAML: "# " + exportComment + "\nexport: 1\ninstance: " + testInstance + "\n" +
			"users:\n- email: Admin@example.com\n  accountRole: admin\n  dataDomainRoles: {}\n" +
			"- email: bo+team@example.com\n  accountRole: editor\n  dataDomainRoles: {(default): viewer, sales: editor}\n",
		FormatCSV: "#dqo-users export,version=1,instance=" + testInstance + "\n" +
			"email,accountRole,dataDomainRoles\nAdmin@example.com,admin,\nbo+team@example.com,editor,(default)=viewer;sales=editor\n",
	}
	for format, prefix := range want {
		var b bytes.Buffer
		if err := encode(&b, format, users, true); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte(prefix)) {
			t.Errorf("%s export:\n%s\nwant it to begin\n%s", format, b.String(), prefix)
		}
	}
}

func TestExportEmptyAndLarge(t *testing.T) {
	for _, format := range []Format{FormatYAML, FormatJSON, FormatCSV} {
		var b bytes.Buffer
		if err := encode(&b, format, nil, true); err != nil {
			t.Fatal(err)
		}
		f, err := parseExport(format, b.Bytes())
		if err != nil || len(f.Entries) != 0 {
			t.Errorf("%s: empty export %q reads back as %v, %v", format, b.String(), f, err)
		}
	}
	// Many users read back as one list.
	var users []api.User
	for i := range 1000 {
		users = append(users, api.User{Email: fmt.Sprintf("u%05d@x.io", i), AccountRole: api.RoleViewer})
	}
	var b bytes.Buffer
	if err := encode(&b, FormatYAML, users, true); err != nil {
		t.Fatal(err)
	}
	f, err := parseExport(FormatYAML, b.Bytes())
	if err != nil || len(f.Entries) != len(users) {
		t.Fatalf("got %v entries, %v", len(f.Entries), err)
	}
}

// An Exporter writes the users in the order given (the goldens hold them
// sorted), and an aborted file is left unfinished.
func TestExporter(t *testing.T) {
	users := exportUsers() // not sorted
	for _, format := range []Format{FormatYAML, FormatJSON, FormatCSV} {
		var sorted, given bytes.Buffer
		for _, b := range []*bytes.Buffer{&sorted, &given} {
			e, err := NewExporter(b, format, ExportOptions{WithDomains: true, Instances: []string{testInstance}})
			if err != nil {
				t.Fatal(err)
			}
			order := users
			if b == &sorted {
				order = []api.User{users[1], users[2], users[3], users[0]}
			}
			for i := range order {
				if err := e.Add(&order[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Close(); err != nil || e.Written() != len(users) {
				t.Fatalf("Close() = %v, Written() = %d", err, e.Written())
			}
		}
		golden(t, fmt.Sprintf("export_%s_1.13.%s", format, format), sorted.Bytes())
		if first, _, _ := strings.Cut(given.String(), "@"); !strings.Contains(first, "viewer") {
			t.Errorf("%s: the first user written is not the first given:\n%s", format, given.String())
		}
	}
	var b bytes.Buffer
	e, _ := NewExporter(&b, FormatJSON, ExportOptions{})
	if err := e.Add(&users[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.Abort(); err != nil || e.Written() != 1 || strings.HasSuffix(b.String(), "}\n") || strings.Contains(b.String(), `"end"`) {
		t.Errorf("Abort() = %v, Written() = %d, file %q", err, e.Written(), b.String())
	}
	if _, err := NewExporter(&b, "xml", ExportOptions{WithDomains: true}); err == nil {
		t.Error("NewExporter accepted xml")
	}
}

// Case twins are found however far apart they come, counted per email, and
// the file holds them all.
func TestExporterCaseTwins(t *testing.T) {
	emails := []string{"ANA@x.io", "bo@x.io", "Ana@x.io", "cy@x.io", "Bo@x.io", "ana@x.io", "dee@x.io"}
	for i := range 1000 {
		emails = append(emails, fmt.Sprintf("u%d@x.io", i))
	}
	emails = append(emails, "CY@X.IO")
	var b bytes.Buffer
	e, err := NewExporter(&b, FormatCSV, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range emails {
		if err := e.Add(&api.User{Email: email, AccountRole: api.RoleViewer}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	want := []CaseTwin{{Email: "ana@x.io", Users: 3}, {Email: "bo@x.io", Users: 2}, {Email: "cy@x.io", Users: 2}}
	if got := e.CaseTwins(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CaseTwins() = %v, want %v", got, want)
	}
	for _, email := range []string{"ANA@x.io", "Ana@x.io", "ana@x.io", "CY@X.IO"} {
		if !strings.Contains(b.String(), "\n"+email+",viewer\n") {
			t.Errorf("%s is not in the file", email)
		}
	}

	e, _ = NewExporter(&b, FormatYAML, ExportOptions{WithDomains: true})
	for _, u := range exportUsers() {
		_ = e.Add(&u)
	}
	if got := e.CaseTwins(); len(got) != 0 {
		t.Errorf("twins among distinct emails: %v", got)
	}
}

// parseExport parses an export as apply reads it, marks and all.
func parseExport(format Format, data []byte) (*File, error) {
	return Parse("-", data, format)
}

// An export carries the start and end marks exactly as the design of the
// export format has them, which the reader of users files recognises.
func TestExportMarks(t *testing.T) {
	ana := []api.User{{Email: "ana@example.com", AccountRole: api.RoleEditor}}
	fleet := []string{testInstance, "https://dqops2.example.com:443"}
	tests := []struct {
		name      string
		format    Format
		instances []string
		want      string
	}{
		{"yaml", FormatYAML, []string{testInstance}, `# dqo-users export: a file without its last line, end:, was cut off and apply refuses it
export: 1
instance: https://dqops.example.com:443
users:
- email: ana@example.com
  accountRole: editor
  dataDomainRoles: {}
end: {users: 1}
`},
		{"json", FormatJSON, []string{testInstance}, `{
  "export": 1,
  "instance": "https://dqops.example.com:443",
  "users": [
    {
      "email": "ana@example.com",
      "accountRole": "editor",
      "dataDomainRoles": {}
    }
  ],
  "end": {
    "users": 1
  }
}
`},
		{"csv", FormatCSV, []string{testInstance}, `#dqo-users export,version=1,instance=https://dqops.example.com:443
email,accountRole,dataDomainRoles
ana@example.com,editor,
#dqo-users end,users=1
`},
		{"yaml without instance", FormatYAML, nil, `# dqo-users export: a file without its last line, end:, was cut off and apply refuses it
export: 1
users:
- email: ana@example.com
  accountRole: editor
  dataDomainRoles: {}
end: {users: 1}
`},
		{"json without instance", FormatJSON, nil, `{
  "export": 1,
  "users": [
    {
      "email": "ana@example.com",
      "accountRole": "editor",
      "dataDomainRoles": {}
    }
  ],
  "end": {
    "users": 1
  }
}
`},
		{"csv without instance", FormatCSV, nil, `#dqo-users export,version=1
email,accountRole,dataDomainRoles
ana@example.com,editor,
#dqo-users end,users=1
`},
		{"yaml fleet", FormatYAML, fleet, `# dqo-users export: a file without its last line, end:, was cut off and apply refuses it
export: 1
instance: ['https://dqops.example.com:443', 'https://dqops2.example.com:443']
users:
- email: ana@example.com
  accountRole: editor
  dataDomainRoles: {}
end: {users: 1}
`},
		{"json fleet", FormatJSON, fleet, `{
  "export": 1,
  "instance": [
    "https://dqops.example.com:443",
    "https://dqops2.example.com:443"
  ],
  "users": [
    {
      "email": "ana@example.com",
      "accountRole": "editor",
      "dataDomainRoles": {}
    }
  ],
  "end": {
    "users": 1
  }
}
`},
		{"yaml empty", FormatYAML, []string{testInstance}, ``},
		{"json empty", FormatJSON, []string{testInstance}, ``},
		{"csv empty", FormatCSV, []string{testInstance}, `#dqo-users export,version=1,instance=https://dqops.example.com:443
email,accountRole,dataDomainRoles
#dqo-users end,users=0
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users := ana
			if strings.HasSuffix(tt.name, "empty") {
				users = nil
			}
			var b bytes.Buffer
			e, err := NewExporter(&b, tt.format, ExportOptions{WithDomains: true, Instances: tt.instances})
			if err != nil {
				t.Fatal(err)
			}
			for i := range users {
				if err := e.Add(&users[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			switch tt.name {
			case "yaml empty":
				tt.want = strings.Replace(tests[0].want, "users:\n- email: ana@example.com\n  accountRole: editor\n  dataDomainRoles: {}\nend: {users: 1}",
					"users: []\nend: {users: 0}", 1)
			case "json empty":
				tt.want = "{\n  \"export\": 1,\n  \"instance\": \"https://dqops.example.com:443\",\n  \"users\": [],\n  \"end\": {\n    \"users\": 0\n  }\n}\n"
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
	if _, err := NewExporter(io.Discard, FormatCSV, ExportOptions{Instances: fleet}); !errors.Is(err, ErrFleetCSV) {
		t.Errorf("a fleet export in CSV: %v, want ErrFleetCSV", err)
	}
}

// An export cut off part-way, by Abort or after a failed write, holds the
// start mark and never the end mark, whatever the number of users written.
func TestExportCutOffHasNoEndMark(t *testing.T) {
	users := exportUsers()
	ends := map[Format]string{FormatYAML: "\nend:", FormatJSON: `"end"`, FormatCSV: csvEndMark}
	starts := map[Format]string{FormatYAML: "\nexport: 1\n", FormatJSON: `"export": 1`, FormatCSV: csvStartMark + ","}
	for _, format := range []Format{FormatYAML, FormatJSON, FormatCSV} {
		for n := range len(users) + 1 {
			var b bytes.Buffer
			e, err := NewExporter(&b, format, ExportOptions{WithDomains: true, Instances: []string{testInstance}})
			if err != nil {
				t.Fatal(err)
			}
			for i := range users[:n] {
				if err := e.Add(&users[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Abort(); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); strings.Contains(got, ends[format]) || (n > 0 && !strings.Contains(got, starts[format])) {
				t.Errorf("%s aborted after %d users:\n%s", format, n, got)
			}
		}
		// A write that fails ends the file where it failed: the end mark is
		// never handed on after it. The users fill more than the first
		// piece of output handed on.
		w := &failingWriter{after: 1}
		e, err := NewExporter(w, format, ExportOptions{WithDomains: true, Instances: []string{testInstance}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5000 {
			_ = e.Add(&api.User{Email: fmt.Sprintf("u%05d@example.com", i), AccountRole: api.RoleViewer})
		}
		if err := e.Close(); err == nil || strings.Contains(w.String(), ends[format]) {
			t.Errorf("%s: Close() = %v after a failed write, file:\n%s", format, err, w.String())
		}
	}
}

// failingWriter takes its first after writes, then fails every one.
type failingWriter struct {
	bytes.Buffer
	after int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after == 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return w.Buffer.Write(p)
}

// A server user whose email begins with # is exported as a guarded cell,
// not as a row a CSV reader could take for a comment or a marker row, and
// reads back as itself (an email apply refuses, rather than a comment it
// skips, after which a prune would delete the user).
func TestExportGuardsHashCell(t *testing.T) {
	users := []api.User{{Email: "#x@example.com", AccountRole: api.RoleViewer}, {Email: "#dqo-users end", AccountRole: api.RoleViewer}}
	var b bytes.Buffer
	if err := encode(&b, FormatCSV, users, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n'#x@example.com,viewer\n", "\n'#dqo-users end,viewer\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("export lacks %q:\n%s", want, b.String())
		}
	}
	_, err := parseExport(FormatCSV, b.Bytes())
	for _, want := range []string{`stdin:3: invalid email "#dqo-users end"`, `stdin:4: invalid email "#x@example.com"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("reading the export back: %v; want %s", err, want)
		}
	}
}
