package apply

import (
	"fmt"
	"strings"
	"testing"
)

// A few hundred bytes of nested aliases would expand to billions of values;
// the parser refuses them at once instead of exhausting memory.
func TestParseRefusesAliasBombs(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [x,x,x,x,x,x,x,x,x]\n")
	for i := 1; i < 9; i++ {
		prev, cur := string(rune('a'+i-1)), string(rune('a'+i))
		fmt.Fprintf(&b, "%s: &%s [%s]\n", cur, cur, strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ","))
	}
	b.WriteString("users: *i\n")
	_, err := Parse("bomb.yaml", []byte(b.String()), FormatYAML)
	if err == nil || !strings.Contains(err.Error(), "aliases expand") {
		t.Fatalf("got %v, want the alias expansion refused", err)
	}
}

// Aliases of ordinary size still work: one set of domain roles shared.
func TestParseSmallAliases(t *testing.T) {
	data := `- email: a@x.io
  accountRole: viewer
  dataDomainRoles: &r {sales: editor}
- email: b@x.io
  accountRole: viewer
  dataDomainRoles: *r
`
	f, err := Parse("u.yaml", []byte(data), FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 2 || f.Entries[1].DataDomainRoles["sales"] != "editor" {
		t.Fatalf("got %+v, want two users with sales=editor", f.Entries)
	}
}

// yaml.v3 quotes an unknown anchor's name, which may be as long as the file.
func TestParseUnknownLongAnchor(t *testing.T) {
	_, err := Parse("u.yaml", []byte("users: *"+strings.Repeat("x", 1<<20)+"\n"), FormatYAML)
	want := `u.yaml:1: not valid YAML: unknown anchor "` + strings.Repeat("x", 64) + `"... (1,048,576 bytes) referenced`
	if err == nil || err.Error() != want {
		t.Errorf("got %.300v, want %s", err, want)
	}
}
