package users

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// encode exports users, sorted by email ignoring case as DQOps lists them,
// through an Exporter.
func encode(w io.Writer, format Format, users []api.User, withDomains bool) error {
	users = slices.Clone(users)
	sort.SliceStable(users, func(i, j int) bool {
		return strings.ToLower(users[i].Email) < strings.ToLower(users[j].Email)
	})
	e, err := NewExporter(w, format, withDomains)
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
				f, err := Parse("-", b.Bytes(), format)
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
		FormatYAML: "users:\n- email: Admin@example.com\n  accountRole: admin\n  dataDomainRoles: {}\n" +
			"- email: bo+team@example.com\n  accountRole: editor\n  dataDomainRoles: {(default): viewer, sales: editor}\n",
		FormatCSV: "email,accountRole,dataDomainRoles\nAdmin@example.com,admin,\nbo+team@example.com,editor,(default)=viewer;sales=editor\n",
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
		f, err := Parse("-", b.Bytes(), format)
		if err != nil || len(f.Entries) != 0 {
			t.Errorf("%s: empty export %q reads back as %v, %v", format, b.String(), f, err)
		}
	}
	// More users than one YAML batch of pkg/output: the batches read as one list.
	var users []api.User
	for i := range 1000 {
		users = append(users, api.User{Email: fmt.Sprintf("u%05d@x.io", i), AccountRole: api.RoleViewer})
	}
	var b bytes.Buffer
	if err := encode(&b, FormatYAML, users, true); err != nil {
		t.Fatal(err)
	}
	f, err := Parse("-", b.Bytes(), FormatYAML)
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
			e, err := NewExporter(b, format, true)
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
		if first, _, _ := strings.Cut(strings.TrimPrefix(given.String(), "email,accountRole,dataDomainRoles\n"), "@"); !strings.Contains(first, "viewer") {
			t.Errorf("%s: the first user written is not the first given:\n%s", format, given.String())
		}
	}
	var b bytes.Buffer
	e, _ := NewExporter(&b, FormatJSON, false)
	if err := e.Add(&users[0]); err != nil {
		t.Fatal(err)
	}
	if err := e.Abort(); err != nil || e.Written() != 1 || strings.HasSuffix(b.String(), "}\n") {
		t.Errorf("Abort() = %v, Written() = %d, file %q", err, e.Written(), b.String())
	}
	if _, err := NewExporter(&b, "xml", true); err == nil {
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
	e, err := NewExporter(&b, FormatCSV, false)
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

	e, _ = NewExporter(&b, FormatYAML, true)
	for _, u := range exportUsers() {
		_ = e.Add(&u)
	}
	if got := e.CaseTwins(); len(got) != 0 {
		t.Errorf("twins among distinct emails: %v", got)
	}
}
