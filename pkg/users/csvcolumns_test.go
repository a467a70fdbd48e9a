package users

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

func TestParseCSVColumns(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		spec string
		want CSVColumns
		err  string
	}{
		{`email="Work Email",accountRole=Role`, CSVColumns{"email": "Work Email", "accountRole": "Role"}, ""},
		{` Email = "Work Email" , ACCOUNTROLE = Role , dataDomainRoles="Roles, by ""domain""" `,
			CSVColumns{"email": "Work Email", "accountRole": "Role", "dataDomainRoles": `Roles, by "domain"`}, ""},
		{"email=E-mail", CSVColumns{"email": "E-mail"}, ""},
		{"", nil, "--csv-columns is empty"},
		{"email", nil, "write FIELD=COLUMN pairs"},
		{"role=Role", nil, `--csv-columns: unknown field "role" (did you mean "accountRole"?)`},
		{`email="Work Email`, nil, "a quoted column name has no closing quote"},
		{`email="Work" Email`, nil, "a comma must follow a quoted column name"},
		{"email=", nil, "--csv-columns: email= names no column"},
		{"email=A,email=B", nil, "--csv-columns: email is mapped twice"},
		{"email=A,accountRole=a", nil, `--csv-columns: column "a" is mapped to both email and accountRole`},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCSVColumns(tt.spec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("got %v, %v; want an error with %q", got, err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// An HR export is read with its own column names mapped; its other columns
// are ignored with one notice. Without a mapping they stay an error.
func TestParseMappedCSV(t *testing.T) {
	t.Parallel()
	const hr = "Employee ID,Work Email,Department,Role,Manager,\"\x1b[2J\"\n" +
		"17,ana@example.com,Sales,editor,bo,x\n" +
		"18,bo@example.com,Sales,Viewer,,x\n"
	cols, err := ParseCSVColumns(`email="Work Email",accountRole=Role`)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseOptions{CSVColumns: cols}.Parse("hr.csv", []byte(hr), FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{Email: "ana@example.com", AccountRole: api.RoleEditor, Line: 2}, {Email: "bo@example.com", AccountRole: api.RoleViewer, Line: 3}}
	if !reflect.DeepEqual(f.Entries, want) {
		t.Errorf("entries %+v, want %+v", f.Entries, want)
	}
	wantNotice := `hr.csv:1: ignoring the columns that --csv-columns does not map: "Employee ID", "Department", "Manager", "\x1b[2J"`
	if len(f.Notices) != 1 || f.Notices[0] != wantNotice {
		t.Errorf("notices %q, want %q", f.Notices, wantNotice)
	}
	// A field left out of the mapping may have its own column.
	cols, _ = ParseCSVColumns(`email="Work Email"`)
	f, err = ParseOptions{CSVColumns: cols}.Parse("hr.csv", []byte("Work Email,accountrole\nana@example.com,admin\n"), FormatCSV)
	if err != nil || len(f.Entries) != 1 || f.Entries[0].AccountRole != api.RoleAdmin || len(f.Notices) != 0 {
		t.Errorf("got %+v, %v", f, err)
	}
	_, err = Parse("hr.csv", []byte(hr), FormatCSV)
	if err == nil || !strings.Contains(err.Error(), `hr.csv:1: unknown column "Employee ID"`) {
		t.Errorf("without a mapping: %v", err)
	}
}

func TestParseCSVHeaderProblems(t *testing.T) {
	t.Parallel()
	cols := CSVColumns{"email": "Work Email", "accountRole": "Role"}
	for _, tt := range []struct {
		name string
		cols CSVColumns
		data string
		want []string
	}{
		{"semicolons", nil, "email;accountRole\nana@example.com;editor\n",
			[]string{`u.csv:1: the header "email;accountRole" is separated by ';': columns are separated by ','`}},
		{"semicolons, mapped", cols, "Work Email;Role\nana@example.com;editor\n", []string{`is separated by ';'`}},
		{"a mapped column missing", cols, "Work Email,Job\nana@example.com,x\n",
			[]string{`u.csv:1: column "Role" (accountRole=, in --csv-columns) is not in the header`, "u.csv:1: no column for accountRole: name it in the header, or map one with --csv-columns accountRole=COLUMN"}},
		{"a yaml file", cols, "users: []\n", []string{"u.csv: --csv-columns maps the columns of a CSV file; this file is read as yaml"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			format := FormatCSV
			if strings.HasPrefix(tt.data, "users:") {
				format = FormatYAML
			}
			_, err := ParseOptions{CSVColumns: tt.cols}.Parse("u.csv", []byte(tt.data), format)
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("got %v\nwant %s", err, w)
				}
			}
		})
	}
}

// Every problem of a file is reported in one run: a wrong header does not
// hide the rows' problems, and a file sent back for its problems names the
// emails that create would refuse too, so that fixing the duplicates is
// not followed by another round for them.
func TestParseReportsEveryProblemInOnePass(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		format Format
		opts   ParseOptions
		data   string
		want   []string // the lines of the message, in order
	}{
		{"csv", FormatCSV, ParseOptions{}, "email,accountRole,team\nana@example.com,editor,x\nANA@example.com,viewer,x\nbad,editor,x\nbo@examplecom,king,x\n",
			[]string{"u has 5 problems:",
				`u:1: unknown column "team" (the keys are email, accountRole, dataDomainRoles)`,
				`u:3: duplicate email "ANA@example.com": the same user (ignoring case) is already at line 2`,
				`u:4: invalid email "bad": give one plain address such as ana@example.com`,
				`u:5: bo@examplecom: accountRole: unknown role "king"`,
				`u:5: if it is a new user: invalid email "bo@examplecom": the domain has no dot ("examplecom"); give the full domain, such as example.com`}},
		{"yaml", FormatYAML, ParseOptions{}, "- {email: ana@example.com, accountRole: editor}\n- {email: Ana@example.com, accountRole: viewer}\n- {email: bo@examplecom, accountRole: viewer}\n",
			[]string{"u has 2 problems:",
				`u:2: duplicate email "Ana@example.com": the same user (ignoring case) is already at line 1`,
				`u:3: if it is a new user: invalid email "bo@examplecom": the domain has no dot ("examplecom")`}},
		{"yaml, local domains allowed", FormatYAML, ParseOptions{AllowLocalDomain: true},
			"- {email: ana@example.com, accountRole: editor}\n- {email: Ana@example.com, accountRole: viewer}\n- {email: bo@examplecom, accountRole: viewer}\n",
			[]string{`u:2: duplicate email "Ana@example.com": the same user (ignoring case) is already at line 1`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.opts.Parse("u", []byte(tt.data), tt.format)
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			// The first line counts the problems, then one line each.
			if n := strings.Count(msg, "\n") + 1; n != len(tt.want) {
				t.Errorf("%d lines, want %d:\n%s", n, len(tt.want), msg)
			}
			at := 0
			for _, w := range tt.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("message lacks %q after offset %d:\n%s", w, at, msg)
				}
				at += i + len(w)
			}
		})
	}
	// Where every email has a domain without a dot, on purpose, they do not
	// crowd out the file's own problems.
	var local strings.Builder
	local.WriteString("email,accountRole\n")
	for i := range 100 {
		fmt.Fprintf(&local, "u%d@corp,viewer\n", i)
	}
	local.WriteString("bad,viewer\n")
	_, err := Parse("u", []byte(local.String()), FormatCSV)
	want := "u has 5 problems:\n  u:2: if it is a new user: invalid email \"u0@corp\": the domain has no dot (\"corp\"); give the full domain, such as example.com\n" +
		"  u:3: if it is a new user: invalid email \"u1@corp\"" + `: the domain has no dot ("corp"); give the full domain, such as example.com` + "\n" +
		"  u:4: if it is a new user: invalid email \"u2@corp\"" + `: the domain has no dot ("corp"); give the full domain, such as example.com` + "\n" +
		"  u:5: 97 more emails from this line on that create would refuse for a new user (see the first above)\n" +
		`  u:102: invalid email "bad": give one plain address such as ana@example.com`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	// A valid file leaves new emails to the plan, which knows the new users.
	if _, err := Parse("u", []byte("- {email: bo@examplecom, accountRole: viewer}\n"), FormatYAML); err != nil {
		t.Errorf("a valid file: %v", err)
	}
}
