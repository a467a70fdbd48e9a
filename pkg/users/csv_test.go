package users

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

func TestParseCSVWithoutDomainColumnLeavesDomainsAlone(t *testing.T) {
	f, err := Parse("u.csv", []byte("email,accountRole\nana@example.com,editor\n"), FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	if f.Entries[0].DataDomainRoles != nil {
		t.Errorf("no dataDomainRoles column must leave domain roles alone (nil), got %v", f.Entries[0].DataDomainRoles)
	}
}

// A 30 MB email is cited by its first characters and its length, in every
// message that names it.
func TestParseCSVCitesAHugeEmailShort(t *testing.T) {
	huge := strings.Repeat("a", 30<<20) + "@example.com"
	data := "email,accountRole,dataDomainRoles\n" + huge + ",king,sales\n" + huge + ",editor,\n"
	_, err := Parse("u.csv", []byte(data), FormatCSV)
	if err == nil {
		t.Fatal("a 30 MB email was accepted")
	}
	msg := err.Error()
	checkSafeMessage(t, msg, 2000)
	want := `u.csv:2: invalid email "` + strings.Repeat("a", 64) + `"... (31,457,292 bytes): too long`
	if !strings.Contains(msg, want) {
		t.Errorf("message lacks %q:\n%s", want, msg)
	}
}

// Every value of a CSV file that a message quotes is shortened and escaped:
// roles, domains, cells, header names.
func TestParseCSVCitesHostileValues(t *testing.T) {
	long := strings.Repeat("z", 1<<20)
	tests := []struct {
		name, data, want string
	}{
		{"role", "email,accountRole\na@x.io," + long + "\x1b[2J\n", `a@x.io: accountRole: unknown role "zzz`},
		{"domain", "email,accountRole,dataDomainRoles\na@x.io,editor," + long + "=boss\n", `a@x.io: dataDomainRoles: data domain "zzz`},
		{"domain role", "email,accountRole,dataDomainRoles\na@x.io,editor,sales=\x1b]0:title\x07\n", `data domain "sales": unknown role "\x1b]0:title\a"`},
		{"cell", "email,accountRole,dataDomainRoles\na@x.io,editor,\u009b" + long + "\n", `a@x.io: dataDomainRoles "\u009bzzz`},
		{"twice", "email,accountRole,dataDomainRoles\na@x.io,editor,\u202e" + long + "=none;\u202e" + long + "=none\n", `data domain "\u202ezzz`},
		{"column", "email,accountRole,\x1b" + long + "\n", `unknown column "\x1bzzz`},
		{"header", "email,accountRole\u0085\na@x.io\n", `expected 2 fields ("email,accountRole\u0085"), found 1`},
		{"email", "email,accountRole\n\x1b[31ma@x.io,editor\n", `invalid email "\x1b[31ma@x.io"`},
		{"bidi email", "email,accountRole\nana\u202e@x.io,\n", `\u202e`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("u.csv", []byte(tt.data), FormatCSV)
			if err == nil {
				t.Fatal("accepted")
			}
			checkSafeMessage(t, err.Error(), 1000)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message lacks %q:\n%s", tt.want, err)
			}
		})
	}
}

// A file of 10,000 bad lines makes a message of 20 problems and a count.
func TestParseCSVManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("email,accountRole\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "user%d@example.com,king\n", i)
	}
	_, err := Parse("u.csv", []byte(b.String()), FormatCSV)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *ValidationError", err)
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		"u.csv has 10,000 problems:",
		`  u.csv:2: user0@example.com: accountRole: unknown role "king": use one of admin, editor, operator, viewer, none`,
		`  u.csv:21: user19@example.com: accountRole: unknown role "king": use one of admin, editor, operator, viewer, none`,
		"  ... and 9,980 more problems",
	}
	if len(lines) != 22 || lines[0] != want[0] || lines[1] != want[1] || lines[20] != want[2] || lines[21] != want[3] {
		t.Errorf("got %d lines:\n%s\nwant 22: %q, %q ... %q, %q", len(lines), strings.Join(lines[:min(len(lines), 25)], "\n"), want[0], want[1], want[2], want[3])
	}
	if len(ve.Problems) != yamlfile.MaxProblems || ve.Omitted != 10_000-yamlfile.MaxProblems {
		t.Errorf("kept %d, omitted %d", len(ve.Problems), ve.Omitted)
	}
}

// export -o csv neutralises cells that a spreadsheet would run as formulas
// ('=...); reading the file back restores them, so the round trip changes
// nothing.
func TestCSVFormulaCellsRoundTrip(t *testing.T) {
	users := []api.User{
		{Email: "=1+2@x.io", AccountRole: api.RoleViewer},
		{Email: "-bo@x.io", AccountRole: api.RoleEditor},
		{Email: "+cy@x.io", AccountRole: api.RoleNone},
		{Email: "'quoted@x.io", AccountRole: api.RoleViewer},
		{Email: "plain@x.io", AccountRole: api.RoleAdmin},
	}
	var b strings.Builder
	if err := encode(&b, FormatCSV, users, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "'=1+2@x.io") || !strings.Contains(b.String(), "''quoted@x.io") {
		t.Fatalf("export did not neutralise the formulas:\n%s", b.String())
	}
	f, err := Parse("users.csv", []byte(b.String()), FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]api.Role{}
	for _, e := range f.Entries {
		read[e.Email] = e.AccountRole
	}
	for _, u := range users {
		if read[u.Email] != u.AccountRole {
			t.Errorf("%s read back as %q, want %s (read: %v)", u.Email, read[u.Email], u.AccountRole, read)
		}
	}
}
