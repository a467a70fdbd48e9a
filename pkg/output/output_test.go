package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/itchyny/gojq"
	"go.yaml.in/yaml/v3"
)

// ansiSGR matches the colour sequences of a coloured table.
var ansiSGR = regexp.MustCompile("\x1b\\[[0-9;]*m")

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// testUser is shaped like DQOps's DqoCloudUserModel, plus a field for a
// wide column.
type testUser struct {
	Email           string            `json:"email"`
	AccountRole     string            `json:"accountRole"`
	DataDomainRoles map[string]string `json:"dataDomainRoles,omitempty"`
	DisplayName     string            `json:"displayName,omitempty"`
	Logins          int64             `json:"logins"`
}

func testUsers() []testUser {
	return []testUser{
		{Email: "alice@example.com", AccountRole: "admin", DataDomainRoles: map[string]string{"(default)": "admin"}, DisplayName: "Alice", Logins: 12345678901234567},
		{Email: `bob,"jr"@example.com`, AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor", "hr": "viewer"}, DisplayName: "Bob, Jr.", Logins: 3},
		{Email: "carol\n\t@example.com", AccountRole: "operator", DisplayName: "true", Logins: 0},
		{Email: "zoë@例え.jp", AccountRole: "none", DisplayName: "Zoë", Logins: 1},
	}
}

func roleStyle(role string) Style {
	switch role {
	case "admin":
		return Bold | Red
	case "none":
		return Dim
	}
	return None
}

func testColumns() []Column {
	return []Column{
		{Name: "email", Header: "EMAIL"},
		{Name: "accountRole", Header: "ROLE", Style: roleStyle},
		{Name: "dataDomainRoles", Header: "DATA DOMAIN ROLES"},
		{Name: "displayName", Header: "DISPLAY NAME", Wide: true},
	}
}

// usersTable is the table a `list` command would build from users.
func usersTable(users []testUser) *Table {
	t := &Table{Columns: testColumns(), Empty: "no users"}
	for _, u := range users {
		var roles []string
		for _, d := range []string{"(default)", "hr", "sales"} {
			if r, ok := u.DataDomainRoles[d]; ok {
				roles = append(roles, d+"="+r)
			}
		}
		t.Rows = append(t.Rows, []string{u.Email, u.AccountRole, strings.Join(roles, ", "), u.DisplayName})
	}
	return t
}

// golden compares got with testdata/name.golden, or rewrites the file with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update if the change is intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// run prints value and t with a printer built from the arguments and
// returns what went to stdout and stderr in the golden file layout.
func run(t *testing.T, p Printer, value any, tbl *Table) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	p.Out, p.ErrOut = &out, &errOut
	if err := p.Print(context.Background(), value, tbl); err != nil {
		t.Fatalf("Print: %v", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "-- stdout --\n%s-- stderr --\n%s", out.Bytes(), errOut.Bytes())
	return b.Bytes()
}

func TestPrintGolden(t *testing.T) {
	users := testUsers()
	one := users[1]
	tests := []struct {
		name     string
		opts     Options
		terminal bool
		color    bool
		value    any
		table    *Table
	}{
		{name: "table_terminal", terminal: true, value: users},
		{name: "table_terminal_color", terminal: true, color: true, value: users},
		{name: "table_terminal_no_headers", terminal: true, opts: Options{NoHeaders: true}, value: users},
		{name: "table_piped", value: users},
		{name: "table_piped_color_forced", color: true, value: users},
		{name: "table_terminal_columns", terminal: true, opts: Options{Columns: []string{"accountRole", "EMAIL"}}, value: users},
		{name: "table_piped_columns_wide_one", opts: Options{Columns: []string{"email,displayName"}}, value: users},
		{name: "table_terminal_one", terminal: true, value: one, table: usersTable([]testUser{one})},
		{name: "wide_terminal", terminal: true, opts: Options{Format: FormatWide}, value: users},
		{name: "wide_piped", opts: Options{Format: FormatWide}, value: users},
		{name: "table_piped_by_name", opts: Options{Format: FormatTable}, value: users},
		{name: "table_piped_by_name_color_forced", color: true, opts: Options{Format: FormatTable}, value: users},
		{name: "json", opts: Options{Format: FormatJSON}, value: users},
		{name: "json_one", opts: Options{Format: FormatJSON}, value: one},
		{name: "yaml", opts: Options{Format: FormatYAML}, value: users},
		{name: "yaml_one", opts: Options{Format: FormatYAML}, value: one},
		{name: "csv", opts: Options{Format: FormatCSV}, value: users},
		{name: "csv_no_headers", opts: Options{Format: FormatCSV, NoHeaders: true}, value: users},
		{name: "csv_columns", opts: Options{Format: FormatCSV, Columns: []string{"displayName", "email"}}, value: users},
		{name: "tsv", opts: Options{Format: FormatTSV}, value: users},
		{name: "tsv_terminal", terminal: true, opts: Options{Format: FormatTSV}, value: users},
		{name: "name", opts: Options{Format: FormatName}, value: users},
		{name: "jq_strings", opts: Options{JQ: ".[].email"}, value: users},
		{name: "jq_objects", opts: Options{JQ: ".[] | {email, roles: .dataDomainRoles}"}, value: users},
		{name: "jq_numbers", opts: Options{Format: FormatJSON, JQ: "map(.logins) | ., add"}, value: users},
		{name: "jq_halt", opts: Options{JQ: ".[0].email, halt, .[1].email"}, value: users},
		{name: "template", opts: Options{Template: `{{range .}}{{upper .accountRole}} {{.email | printf "%q"}} {{.logins}}{{"\n"}}{{end}}`}, value: users},
		{name: "template_helpers", opts: Options{Template: `{{json .dataDomainRoles}}|{{join .tags ", "}}|{{.tags | join "+"}}|{{join .mixed "/"}}|{{upper .missing}}`},
			value: map[string]any{"dataDomainRoles": map[string]string{"sales": "<editor>"}, "tags": []string{"a", "b"}, "mixed": []any{"x", 1, true, nil, map[string]int{"n": 1}}}},

		// Empty results, one per format.
		{name: "empty_table_terminal", terminal: true, value: []testUser{}},
		{name: "empty_table_piped", value: []testUser{}},
		{name: "empty_table_piped_by_name", opts: Options{Format: FormatTable}, value: []testUser{}},
		{name: "empty_wide_terminal", terminal: true, opts: Options{Format: FormatWide}, value: []testUser{}},
		{name: "empty_json_nil_slice", opts: Options{Format: FormatJSON}, value: []testUser(nil)},
		{name: "empty_yaml_nil_slice", opts: Options{Format: FormatYAML}, value: []testUser(nil)},
		{name: "empty_csv", opts: Options{Format: FormatCSV}, value: []testUser{}},
		{name: "empty_csv_no_headers", opts: Options{Format: FormatCSV, NoHeaders: true}, value: []testUser{}},
		{name: "empty_tsv", opts: Options{Format: FormatTSV}, value: []testUser{}},
		{name: "empty_name", opts: Options{Format: FormatName}, value: []testUser{}},
		{name: "empty_jq", opts: Options{JQ: ".[]"}, value: []testUser(nil)},
		{name: "empty_jq_length", opts: Options{JQ: "length"}, value: []testUser(nil)},
		{name: "empty_template", opts: Options{Template: "{{len .}} users"}, value: []testUser(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl := tt.table
			if tbl == nil {
				if users, ok := tt.value.([]testUser); ok {
					tbl = usersTable(users)
				}
			}
			p := Printer{IsTerminal: tt.terminal, Color: tt.color, Options: tt.opts}
			golden(t, tt.name, run(t, p, tt.value, tbl))
		})
	}
}

// Colour must not shift any column: without its escape sequences a coloured
// table is exactly the plain one.
func TestColorKeepsAlignment(t *testing.T) {
	ansi := ansiSGR
	for _, format := range []Format{FormatTable, FormatWide} {
		t.Run(string(format), func(t *testing.T) {
			users := testUsers()
			plain := run(t, Printer{IsTerminal: true, Options: Options{Format: format}}, users, usersTable(users))
			colored := run(t, Printer{IsTerminal: true, Color: true, Options: Options{Format: format}}, users, usersTable(users))
			if bytes.Equal(plain, colored) {
				t.Fatal("colour on printed no escape sequences")
			}
			if stripped := ansi.ReplaceAll(colored, nil); !bytes.Equal(stripped, plain) {
				t.Errorf("coloured table without escapes:\n%s\nplain table:\n%s", stripped, plain)
			}
		})
	}
}

// A value from the server must not be able to drive the terminal.
func TestTerminalTableNeutralisesControlCharacters(t *testing.T) {
	tbl := &Table{
		Columns: []Column{{Name: "email", Header: "EMAIL"}},
		Rows:    [][]string{{"evil\x1b]0;pwned\x07\x1b[2J\u009b@example.com"}},
	}
	got := run(t, Printer{IsTerminal: true}, nil, tbl)
	if bytes.ContainsAny(got, "\x1b\x07") || bytes.Contains(got, []byte("\u009b")) {
		t.Errorf("control characters reached the terminal: %q", got)
	}
	if !bytes.Contains(got, []byte("evil\uFFFD]0;pwned\uFFFD\uFFFD[2J\uFFFD@example.com")) {
		t.Errorf("cell not shown with replacement characters: %q", got)
	}
}

// A short row is padded rather than panicking or shifting columns.
func TestShortRow(t *testing.T) {
	tbl := &Table{Columns: testColumns(), Rows: [][]string{{"a@b.io"}}}
	for _, p := range []Printer{{IsTerminal: true}, {}, {Options: Options{Format: FormatCSV}}} {
		got := run(t, p, nil, tbl)
		if !bytes.Contains(got, []byte("a@b.io")) {
			t.Errorf("%+v: %q", p.Options, got)
		}
	}
}

func TestStyle(t *testing.T) {
	tests := []struct {
		style Style
		want  string
	}{
		{None, "x"},
		{Bold, "\x1b[1mx\x1b[0m"},
		{Red, "\x1b[31mx\x1b[0m"},
		{Bold | Red, "\x1b[1;31mx\x1b[0m"},
		{Red | Green, "\x1b[33mx\x1b[0m"},
		{Red | Blue, "\x1b[35mx\x1b[0m"},
		{Green | Blue, "\x1b[36mx\x1b[0m"},
		{Dim | Italic | Underline | Cyan, "\x1b[2;3;4;36mx\x1b[0m"},
	}
	for _, tt := range tests {
		if got := tt.style.Paint("x"); got != tt.want {
			t.Errorf("Style(%d).Paint(\"x\") = %q, want %q", tt.style, got, tt.want)
		}
	}
	if Red|Green != Yellow || Red|Blue != Magenta || Green|Blue != Cyan {
		t.Error("mixing colours does not give the named colour")
	}
	if got := (Bold | Red).Paint(""); got != "" {
		t.Errorf("an empty cell got escape sequences: %q", got)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		columns []Column
		want    string // "" for no error
	}{
		{name: "zero value", opts: Options{}},
		{name: "every format", opts: Options{Format: FormatName}},
		{name: "jq with default format", opts: Options{JQ: ".[]"}},
		{name: "jq with json", opts: Options{Format: FormatJSON, JQ: ".[]"}},
		{name: "template with json", opts: Options{Format: FormatJSON, Template: "{{.}}"}},
		{name: "columns known", opts: Options{Columns: []string{"EMAIL", " accountRole "}}, columns: testColumns()},
		{name: "columns not checked without columns", opts: Options{Format: FormatCSV, Columns: []string{"nope"}}},
		{name: "no headers with json is ignored", opts: Options{Format: FormatJSON, NoHeaders: true}},
		{name: "unknown format", opts: Options{Format: "xml"},
			want: `unknown output format "xml"; valid formats: table, wide, json, yaml, csv, tsv, name`},
		{name: "format is case sensitive", opts: Options{Format: "JSON"},
			want: `unknown output format "JSON"; valid formats: table, wide, json, yaml, csv, tsv, name`},
		{name: "jq with table", opts: Options{Format: FormatTable, JQ: "."},
			want: `--jq works only with --output json, not "table"`},
		{name: "jq with yaml", opts: Options{Format: FormatYAML, JQ: "."},
			want: `--jq works only with --output json, not "yaml"`},
		{name: "template with csv", opts: Options{Format: FormatCSV, Template: "x"},
			want: `--template works only with --output json, not "csv"`},
		{name: "jq and template", opts: Options{JQ: ".", Template: "x"},
			want: "--jq and --template cannot be used together"},
		{name: "jq parse error", opts: Options{JQ: ".[] | {email, role: }"},
			want: "invalid --jq expression: unexpected token \"}\" at line 1, column 21\n    .[] | {email, role: }\n                        ^"},
		{name: "jq parse error on second line", opts: Options{JQ: ".[]\n| select(.x ==)"},
			want: "invalid --jq expression: unexpected token \")\" at line 2, column 15\n    | select(.x ==)\n                  ^"},
		{name: "jq parse error at end", opts: Options{JQ: ".[] | "},
			want: "invalid --jq expression: unexpected EOF at line 1, column 7\n    .[] | \n          ^"},
		{name: "jq parse error after wide runes", opts: Options{JQ: `"日本" | )`},
			want: "invalid --jq expression: unexpected token \")\" at line 1, column 10\n    \"日本\" | )\n             ^"},
		{name: "jq unknown function", opts: Options{JQ: "nosuch(1)"},
			want: "invalid --jq expression: function not defined: nosuch/1"},
		{name: "bad template", opts: Options{Template: "{{.email"},
			want: `invalid template: --template:1: unclosed action`},
		{name: "template unknown function", opts: Options{Template: "{{lower .email}}"},
			want: `invalid template: --template:1: function "lower" not defined`},
		{name: "unknown column", opts: Options{Columns: []string{"email", "rolle"}}, columns: testColumns(),
			want: `unknown column "rolle" for --columns; valid columns: email, accountRole, dataDomainRoles, displayName`},
		{name: "columns by header", opts: Options{Columns: []string{"ROLE", "data-domain-roles", "display_name"}}, columns: testColumns()},
		{name: "columns with json", opts: Options{Format: FormatJSON, Columns: []string{"email"}},
			want: "--columns works only with --output table, wide, csv or tsv"},
		{name: "columns with name", opts: Options{Format: FormatName, Columns: []string{"email"}},
			want: "--columns works only with --output table, wide, csv or tsv"},
		{name: "columns with jq", opts: Options{JQ: ".", Columns: []string{"email"}},
			want: "--columns works only with --output table, wide, csv or tsv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate(tt.columns...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var usage *UsageError
			if !errors.As(err, &usage) {
				t.Fatalf("Validate() = %#v, want a *UsageError", err)
			}
			if err.Error() != tt.want {
				t.Errorf("Validate() message:\n%s\nwant:\n%s", err, tt.want)
			}
		})
	}
}

func TestJQParseErrorUnwraps(t *testing.T) {
	err := Options{JQ: ".["}.Validate()
	var pe *gojq.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v does not wrap a *gojq.ParseError", err)
	}
}

// Print refuses bad options before writing anything, and reports run-time
// failures as plain errors, which the caller maps to a runtime exit code.
func TestPrintErrors(t *testing.T) {
	users := testUsers()
	tests := []struct {
		name      string
		opts      Options
		table     *Table
		wantUsage bool
		want      string
	}{
		{name: "unknown column", opts: Options{Columns: []string{"nope"}}, table: usersTable(users), wantUsage: true,
			want: `unknown column "nope"`},
		{name: "jq runtime error", opts: Options{JQ: ".[] | .email + 1"},
			want: "running --jq: cannot add: string"},
		{name: "jq halt_error", opts: Options{JQ: `"stop\n" | halt_error`},
			want: "running --jq: stop"},
		{name: "template runtime error", opts: Options{Template: `{{index . 10}}`},
			want: "running --template: template: --template:1:2: executing"},
		{name: "join without list", opts: Options{Template: `{{join .x .y}}`},
			want: "join: separator must be a string"},
		{name: "table format without table", opts: Options{}, want: `output: format "table" needs a table`},
		{name: "name column out of range", opts: Options{Format: FormatName}, table: &Table{Columns: testColumns(), NameColumn: 9},
			want: "output: NameColumn 9 is out of range for 4 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			p := Printer{Out: &out, Options: tt.opts}
			value := any(users)
			if strings.Contains(tt.name, "join") {
				value = map[string]any{"x": []string{"a"}, "y": 1}
			}
			err := p.Print(context.Background(), value, tt.table)
			if err == nil {
				t.Fatal("Print() = nil, want an error")
			}
			var usage *UsageError
			if got := errors.As(err, &usage); got != tt.wantUsage {
				t.Errorf("Print() = %v; usage error %v, want %v", err, got, tt.wantUsage)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Print() = %q, want it to contain %q", err, tt.want)
			}
			if tt.wantUsage && out.Len() > 0 {
				t.Errorf("a usage error still printed %q", out.String())
			}
		})
	}
}

func TestWriteYAMLKeepsJSONTypes(t *testing.T) {
	var b bytes.Buffer
	value := struct {
		B    string         `json:"b"`
		A    string         `json:"a"`
		Num  string         `json:"num"`
		Null string         `json:"null"`
		Big  uint64         `json:"big"`
		F    float64        `json:"f"`
		M    map[string]int `json:"m"`
		E    map[string]int `json:"e"`
		L    []string       `json:"l"`
		Ptr  *int           `json:"ptr"`
		Yes  bool           `json:"yes"`
	}{B: "true", A: "multi\nline", Num: "0123", Null: "null", Big: 18446744073709551615, F: 1.5, M: map[string]int{"z": 1, "a": 2}, E: map[string]int{}, L: []string{"x", "- y"}, Yes: true}
	if err := WriteYAML(&b, value); err != nil {
		t.Fatal(err)
	}
	want := `b: "true"
a: |-
  multi
  line
num: "0123"
"null": "null"
big: 18446744073709551615
f: 1.5
m:
  a: 2
  z: 1
e: {}
l:
- x
- '- y'
ptr: null
yes: true
`
	if b.String() != want {
		t.Errorf("WriteYAML:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteJSONNil(t *testing.T) {
	tests := []struct {
		value any
		want  string
	}{
		{[]string(nil), "[]\n"},
		{[]testUser{}, "[]\n"},
		{nil, "null\n"},
		{map[string]any{"html": "<a&b>"}, "{\n  \"html\": \"<a&b>\"\n}\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := WriteJSON(&b, tt.value); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("WriteJSON(%#v) = %q, want %q", tt.value, b.String(), tt.want)
		}
	}
}

func TestFormatsIsACopy(t *testing.T) {
	f := Formats()
	f[0] = "changed"
	if Formats()[0] != FormatTable {
		t.Error("Formats() shares its slice between calls")
	}
}

// manyUsers builds n small users and their table for the benchmarks.
func manyUsers(n int) ([]testUser, *Table) {
	users := make([]testUser, n)
	for i := range users {
		users[i] = testUser{
			Email:           fmt.Sprintf("user%06d@example.com", i),
			AccountRole:     "operator",
			DataDomainRoles: map[string]string{"(default)": "editor"},
			Logins:          int64(i),
		}
	}
	return users, usersTable(users)
}

func BenchmarkPrintJSON100k(b *testing.B) {
	users, _ := manyUsers(100_000)
	p := Printer{Out: discard{}, Options: Options{Format: FormatJSON}}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Print(context.Background(), users, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrintPipedTable100k(b *testing.B) {
	users, tbl := manyUsers(100_000)
	p := Printer{Out: discard{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Print(context.Background(), users, tbl); err != nil {
			b.Fatal(err)
		}
	}
}

// discard is io.Discard without its io.ReaderFrom, which would hide the cost
// of buffering from the benchmarks.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// selfEncoding has a pointer-receiver MarshalJSON, which encoding/json uses
// for slice elements because they are addressable.
type selfEncoding struct{ n int }

func (s *selfEncoding) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{ "n" : %d, "list": [ ] }`, s.n), nil
}

// sortedList encodes itself, so a slice of it must not be split.
type sortedList []string

func (l sortedList) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

// WriteJSON's own indenting must give exactly what encoding/json gives.
func TestWriteJSONMatchesEncodingJSON(t *testing.T) {
	values := []any{
		testUsers(),
		testUsers()[0],
		[]any{},
		map[string]any{},
		[]any{[]any{}, map[string]any{}, []any{[]any{1}}, nil, true, 1.5e300},
		map[string]any{"a": `quote " backslash \ brackets [{}] comma , colon : tab` + "\t", "b": []int{1, 2}, "\\\"": "x"},
		[]selfEncoding{{1}, {2}},
		sortedList{"a"},
		[]*testUser{nil, {Email: "a@b.io"}},
		json.RawMessage(`{"raw" : [1, {}]}`),
		"just a string",
		42,
		[]byte("base64"),
		[]uint8{},
	}
	for _, v := range values {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := WriteJSON(&got, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("WriteJSON(%#v):\n%s\nencoding/json:\n%s", v, got.String(), want.String())
		}
	}
}

// YAML must read back as the very data JSON reads back as.
func TestWriteYAMLRoundTrips(t *testing.T) {
	users := testUsers()
	var b bytes.Buffer
	if err := WriteYAML(&b, users); err != nil {
		t.Fatal(err)
	}
	var fromYAML any
	if err := yaml.Unmarshal(b.Bytes(), &fromYAML); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(users)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var fromJSON any
	if err := dec.Decode(&fromJSON); err != nil {
		t.Fatal(err)
	}
	// YAML reads numbers as int and JSON's form keeps json.Number; compare
	// through JSON text.
	y, _ := json.Marshal(fromYAML)
	j, _ := json.Marshal(fromJSON)
	if !bytes.Equal(y, j) {
		t.Errorf("YAML read back as\n%s\nJSON as\n%s", y, j)
	}
}
