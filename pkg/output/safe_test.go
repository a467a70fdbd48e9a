package output

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/text"
	"go.yaml.in/yaml/v3"
)

// hostile are characters a server could put in an email or a domain name to
// act on the terminal or mislead the reader, each with what it does.
var hostile = []struct{ name, s string }{
	{"ESC colour", "\x1b[31m"},
	{"BEL", "\x07"},
	{"CR", "\r"},
	{"C1 CSI", "\u009b"},
	{"OSC 52 clipboard write", "\x1b]52;c;SGVsbG8=\x07"},
	{"right-to-left override", "\u202e"},
	{"zero-width space", "\u200b"},
	{"line separator", "\u2028"},
	{"paragraph separator", "\u2029"},
	{"DEL", "\x7f"},
	{"soft hyphen", "\u00ad"},
	{"byte order mark", "\ufeff"},
	{"language tag", "\U000e0001"},
}

// rawHostile are the characters that must never reach the output raw.
var rawHostile = []string{"\x1b", "\x07", "\r", "\u009b", "\u202e", "\u200b", "\u2028", "\u2029", "\x7f", "\u00ad", "\ufeff", "\U000e0001"}

// hostileUsers carries every hostile string in every field a format shows,
// keys of a map included.
func hostileUsers() []testUser {
	var users []testUser
	for _, h := range hostile {
		users = append(users, testUser{
			Email:           "a" + h.s + "@example.com",
			AccountRole:     h.s + "admin",
			DataDomainRoles: map[string]string{"sales" + h.s: "editor" + h.s},
			DisplayName:     h.s,
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
			for _, c := range rawHostile {
				if strings.Contains(got, c) {
					t.Errorf("%q reached the output raw:\n%q", c, got)
				}
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
