package output

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/output/outputtest"
	"github.com/dqops-users/dqo-users/pkg/text"
	"go.yaml.in/yaml/v3"
)

// hostileUsers carries every hostile string in every field a format shows,
// keys of a map included.
func hostileUsers() []testUser {
	var users []testUser
	for _, h := range outputtest.Hostiles {
		users = append(users, testUser{
			Email:           "a" + h.S + "@example.com",
			AccountRole:     h.S + "admin",
			DataDomainRoles: map[string]string{"sales" + h.S: "editor" + h.S},
			DisplayName:     h.S,
		})
	}
	return users
}

// No format lets a hostile character through raw, and the machine formats
// still read back exactly.
func TestEveryFormatNeutralisesHostileText(t *testing.T) {
	users := hostileUsers()
	tests := []struct {
		name     string
		opts     Options
		terminal bool
		color    bool
	}{
		{name: "table terminal", terminal: true},
		{name: "table terminal colour", terminal: true, color: true},
		{name: "wide terminal", terminal: true, opts: Options{Format: FormatWide}},
		{name: "table piped", opts: Options{}},
		{name: "wide piped colour", color: true, opts: Options{Format: FormatWide}},
		{name: "json", opts: Options{Format: FormatJSON}},
		{name: "yaml", opts: Options{Format: FormatYAML}},
		{name: "csv", opts: Options{Format: FormatCSV}},
		{name: "tsv", opts: Options{Format: FormatTSV}},
		{name: "name", opts: Options{Format: FormatName}},
		{name: "jq strings", opts: Options{JQ: ".[] | .email, .accountRole, .displayName, (.dataDomainRoles | keys[])"}},
		{name: "jq compact JSON", opts: Options{JQ: ".[]"}},
		{name: "jq halt_error", opts: Options{JQ: ".[1].email | halt_error"}},
		{name: "template", opts: Options{Template: `{{range .}}{{.email}} {{.displayName}} {{json .dataDomainRoles}}{{"\n"}}{{end}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			p := Printer{Out: &out, ErrOut: &errOut, IsTerminal: tt.terminal, Color: tt.color, Options: tt.opts}
			err := p.Print(context.Background(), users, usersTable(users))
			if err != nil && !strings.Contains(tt.name, "halt_error") {
				t.Fatal(err)
			}
			got := out.String() + errOut.String()
			if err != nil {
				got += err.Error()
			}
			if len(got) < 20 {
				t.Fatalf("printed almost nothing: %q", got)
			}
			if tt.color {
				// The table's own colours are the only escapes allowed.
				got = ansiSGR.ReplaceAllString(got, "")
			}
			if c := outputtest.RawIn(got); c != "" {
				t.Errorf("%q reached the output raw:\n%q", c, got)
			}
		})
	}
}

// JSON and YAML escape the hostile characters but read back as the very
// strings that went in.
func TestJSONAndYAMLStayExact(t *testing.T) {
	users := hostileUsers()
	want, err := json.Marshal(users)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, users); err != nil {
		t.Fatal(err)
	}
	var fromJSON []testUser
	if err := json.Unmarshal(b.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(fromJSON); !bytes.Equal(got, want) {
		t.Errorf("JSON read back as\n%s\nwant\n%s", got, want)
	}
	b.Reset()
	if err := WriteYAML(&b, users); err != nil {
		t.Fatal(err)
	}
	var fromYAML any
	if err := yaml.Unmarshal(b.Bytes(), &fromYAML); err != nil {
		t.Fatalf("%v in\n%s", err, b.String())
	}
	// YAML has no field order of its own to keep; compare as JSON's form
	// (maps, sorted keys) sees it.
	var wantForm any
	if err := json.Unmarshal(want, &wantForm); err != nil {
		t.Fatal(err)
	}
	want, _ = json.Marshal(wantForm)
	if got, _ := json.Marshal(fromYAML); !bytes.Equal(got, want) {
		t.Errorf("YAML read back as\n%s\nwant\n%s", got, want)
	}
}

func BenchmarkSafe(b *testing.B) {
	for _, bm := range []struct{ name, s string }{
		{"ascii", "firstname.lastname@example.com"},
		{"unicode", "zoë.ßtraße@例え.jp"},
		{"hostile", "a\x1b]52;c;SGVsbG8=\x07\u202e@example.com"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bm.s)))
			for b.Loop() {
				text.Safe(bm.s)
			}
		})
	}
}

// A JSON line (error objects) escapes what WriteJSON escapes and stays one
// line.
func TestWriteJSONLineEscapes(t *testing.T) {
	var b strings.Builder
	if err := WriteJSONLine(&b, map[string]string{"message": "user \"a\x1b[31m\u202e\u2028\u009b@b.io\" <not found>"}); err != nil {
		t.Fatal(err)
	}
	want := `{"message":"user \"a\u001b[31m\u202e\u2028\u009b@b.io\" <not found>"}` + "\n"
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}
}

// JSON and YAML write each hostile string with the escapes of the table in
// outputtest, from WriteJSON and WriteYAML and from a list written as it
// arrives alike.
func TestEscapingTable(t *testing.T) {
	for _, h := range outputtest.Hostiles {
		t.Run(h.Name, func(t *testing.T) {
			value := "a" + h.S + "b"
			user := &fixedUser{Email: value, AccountRole: value, DataDomainRoles: map[string]string{value: value}}
			for _, tt := range []struct {
				format Format
				want   string
			}{
				{FormatJSON, `"a` + h.JSON + `b"`},
				{FormatYAML, `"a` + h.YAML + `b"`},
			} {
				var whole bytes.Buffer
				var err error
				if tt.format == FormatJSON {
					err = WriteJSON(&whole, map[string]string{"s": value})
				} else {
					err = WriteYAML(&whole, map[string]string{"s": value})
				}
				if err != nil {
					t.Fatal(err)
				}
				listed, _, err := streamItems(Printer{Options: Options{Format: tt.format}}, []any{user})
				if err != nil {
					t.Fatal(err)
				}
				for _, got := range []string{whole.String(), listed} {
					if !strings.Contains(got, tt.want) {
						t.Errorf("%s: %q lacks %s", tt.format, got, tt.want)
					}
					if c := outputtest.RawIn(got); c != "" {
						t.Errorf("%s: %q written raw: %q", tt.format, c, got)
					}
				}
			}
		})
	}
}
