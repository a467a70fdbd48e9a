package apply

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

func exportUsers() []api.User {
	return []api.User{
		{Email: "viewer@example.com", AccountRole: api.RoleViewer},
		{Email: "Admin@example.com", AccountRole: api.RoleAdmin, Extra: map[string]json.RawMessage{"x": json.RawMessage(`1`)}},
		{Email: "bo+team@example.com", AccountRole: api.RoleEditor, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor, "(default)": api.RoleViewer}},
		{Email: "no@example.com", AccountRole: api.RoleNone},
	}
}

func TestEncodeGolden(t *testing.T) {
	for _, format := range []Format{FormatYAML, FormatJSON, FormatCSV} {
		for _, withDomains := range []bool{true, false} {
			name := fmt.Sprintf("export_%s_%s.%s", format, release(withDomains), format)
			var b bytes.Buffer
			if err := Encode(&b, format, exportUsers(), withDomains); err != nil {
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

func TestEncodeRoundTrip(t *testing.T) {
	// The server's users, as 1.13 and 1.0 give them.
	servers := map[bool][]api.User{true: exportUsers(), false: nil}
	for _, u := range exportUsers() {
		u.DataDomainRoles = nil
		servers[false] = append(servers[false], u)
	}
	for _, format := range []Format{FormatYAML, FormatJSON, FormatCSV} {
		for withDomains, users := range servers {
			t.Run(fmt.Sprintf("%s/%s", format, release(withDomains)), func(t *testing.T) {
				var b bytes.Buffer
				if err := Encode(&b, format, users, withDomains); err != nil {
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
				if !withDomains {
					if err := f.CheckDataDomains("1.0"); err != nil {
						t.Errorf("1.0 export refused on 1.0: %v", err)
					}
				}
				p := NewPlan(f, users, Options{Prune: true, Caller: "Admin@example.com"})
				if !p.InSync() || p.Unchanged != len(users) {
					var out bytes.Buffer
					_ = p.WriteText(&out, false)
					t.Errorf("export then apply is not in sync:\n%s", out.String())
				}
				for _, e := range f.Entries {
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

func TestEncodeEmptyAndLarge(t *testing.T) {
	for _, format := range []Format{FormatYAML, FormatJSON, FormatCSV} {
		var b bytes.Buffer
		if err := Encode(&b, format, nil, true); err != nil {
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
	if err := Encode(&b, FormatYAML, users, true); err != nil {
		t.Fatal(err)
	}
	f, err := Parse("-", b.Bytes(), FormatYAML)
	if err != nil || len(f.Entries) != len(users) {
		t.Fatalf("got %v entries, %v", len(f.Entries), err)
	}
}
