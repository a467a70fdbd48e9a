package users

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
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

// A megabyte of aliases is refused with one short problem, found without
// expanding them (BenchmarkParseAliasBomb measures the memory it takes).
func TestParseRefusesALargeAliasBomb(t *testing.T) {
	_, err := Parse("bomb.yaml", aliasBomb(1<<20), FormatYAML)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Omitted != 0 {
		t.Fatalf("got %v, want one problem", err)
	}
	want := regexp.MustCompile(`^bomb\.yaml:\d+: YAML aliases expand to far more values than the file holds: refusing to expand them$`)
	if !want.MatchString(err.Error()) {
		t.Errorf("got %q, want %s", err, want)
	}
}

// A long scalar repeated by aliases counts by its length: checking it as an
// email once per alias would read it (and quote it) thousands of times.
func TestParseRefusesALongScalarRepeatedByAliases(t *testing.T) {
	var b strings.Builder
	fmt.Fprintf(&b, "- email: &e %s@x.io\n  accountRole: editor\n", strings.Repeat("a", 100_000))
	for range 2000 {
		b.WriteString("- {email: *e, accountRole: editor}\n")
	}
	_, err := Parse("u.yaml", []byte(b.String()), FormatYAML)
	if err == nil || !strings.Contains(err.Error(), "aliases expand") {
		t.Fatalf("got %.300v..., want the alias expansion refused", err)
	}
	checkSafeMessage(t, err.Error(), 200)
}

// Thousands of users can share a set of data-domain roles through an alias,
// but a set that would make the roles of every user take many times the
// file's memory is refused.
func TestParseSharedDomainRoles(t *testing.T) {
	shared := func(users, domains int) []byte {
		return sharedRolesYAML(domains, func(b *bytes.Buffer, i int) bool { return i < users })
	}
	f, err := Parse("u.yaml", shared(3000, 5), FormatYAML)
	if err != nil {
		t.Fatalf("3,000 users sharing 5 roles: %v", err)
	}
	if last := f.Entries[len(f.Entries)-1]; len(last.DataDomainRoles) != 5 || last.Line != 3003 {
		t.Errorf("last user %+v, want 5 roles, line 3003", last)
	}
	f, err = Parse("u.yaml", shared(300, 100), FormatYAML)
	if err != nil || len(f.Entries[300].DataDomainRoles) != 100 {
		t.Fatalf("300 users sharing 100 roles: %v", err)
	}
	_, err = Parse("u.yaml", shared(10_000, 50), FormatYAML)
	if err == nil || !strings.Contains(err.Error(), "aliases expand") {
		t.Fatalf("10,000 users sharing 50 roles: got %.300v, want the alias expansion refused", err)
	}
}

// An alias inside its own anchor is a loop, not a value.
func TestParseAliasLoop(t *testing.T) {
	_, err := Parse("u.yaml", []byte("users: &a\n- *a\n"), FormatYAML)
	want := "u.yaml:2: a YAML alias refers to a value that contains the alias itself"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// yaml.v3 quotes an unknown anchor's name, which may be as long as the file
// (or, in a configuration file, an API key that lost its quotes): the one
// YAML reader never shows it, and finds its line.
func TestParseUnknownLongAnchor(t *testing.T) {
	_, err := Parse("u.yaml", []byte("users:\n- *"+strings.Repeat("x", 1<<20)+"\n"), FormatYAML)
	want := `u.yaml:2: not valid YAML: an alias (*name) refers to an anchor (&name) that is not defined: a value that begins with * or & must be quoted`
	if err == nil || err.Error() != want {
		t.Errorf("got %.300v, want %s", err, want)
	}
}

// aliasBomb is about size bytes of YAML whose aliases nest six levels deep,
// each level ten copies of the one below, and whose users list refers to
// the deepest level over and over: each line of the list stands for a
// million values.
func aliasBomb(size int) []byte {
	var b bytes.Buffer
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	b.WriteString("users:\n")
	for b.Len() < size {
		b.WriteString("- *a5\n")
	}
	return b.Bytes()
}

// usersYAML is about size bytes of ordinary users, for comparison with the
// alias bomb of the same size.
func usersYAML(size int) []byte {
	var b bytes.Buffer
	b.WriteString("users:\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "- email: user%d@example.com\n  accountRole: editor\n  dataDomainRoles: {sales: viewer}\n", i)
	}
	return b.Bytes()
}

// sharedRolesYAML is a file of users that share one set of data-domain
// roles through an alias; more tells whether to add user i.
func sharedRolesYAML(domains int, more func(b *bytes.Buffer, i int) bool) []byte {
	var b bytes.Buffer
	b.WriteString("- email: u@x.io\n  accountRole: editor\n  dataDomainRoles: &r {")
	for i := range domains {
		fmt.Fprintf(&b, "d%d: editor, ", i)
	}
	b.WriteString("}\n")
	for i := 0; more(&b, i); i++ {
		fmt.Fprintf(&b, "- {email: u%d@x.io, accountRole: editor, dataDomainRoles: *r}\n", i)
	}
	return b.Bytes()
}

func BenchmarkParseAliasBomb(b *testing.B) {
	benchmarkParse(b, aliasBomb(6<<20))
}

func BenchmarkParseUsersYAML(b *testing.B) {
	benchmarkParse(b, usersYAML(6<<20))
}

// BenchmarkParseSharedRoles measures the most that aliases may make of a
// 6 MB file: every user has 7 data-domain roles, the most the limit allows
// at that size, through one alias.
func BenchmarkParseSharedRoles(b *testing.B) {
	data := sharedRolesYAML(7, func(b *bytes.Buffer, _ int) bool { return b.Len() < 6<<20 })
	if _, err := Parse("bench.yaml", data, FormatYAML); err != nil {
		b.Fatal(err)
	}
	benchmarkParse(b, data)
}

func benchmarkParse(b *testing.B, data []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, _ = Parse("bench.yaml", data, FormatYAML)
	}
}
