package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// awkward are strings that YAML may have to quote, or that read back as
// something else when written plain.
var awkward = []string{
	"", " ", " a", "a ", "a  b", "a b c", "plain", "ana@example.com", "(default)", "o'neil@example.com",
	`say "hi"`, `"quoted"`, "'single'", "a'b", `back\slash`, "<a&b>",
	"a:b", "a: b", "a:", ":a", ": a", "a::b", "http://x.io/a?b=c#d",
	"a#b", "a #b", "#a", "a# b",
	"-", "-a", "- a", "- x@y.io", "-@a", "--", "---", "--- a", "...", "....", "a-",
	"?", "?a", "? a", "a?", "*a", "a*", "&a", "a&", "!a", "a!", "%a", "a%", "@a", "a@", "`a", "a`", "|a", ">a", "{a}", "a{", "[a]", "a]", "a,b", ",a",
	"yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "true", "True", "TRUE", "false", "null", "Null", "NULL", "~", "<<", "<", "tRue", "nil", "None",
	"0", "00", "012", "1", "-1", "+1", "1.5", "1.", ".5", "1e3", "1E3", "1e400", "-0", "0x1F", "0o17", "0b101", "1_000", "1:20", "12:30:45",
	".inf", "-.inf", "+.INF", ".nan", ".NaN", ".5e3", ".x", "..a", "+", "+a", "-.", "1a", "1@example.com", "2024-01-02", "2001-12-14t21:59:43.10-05:00",
	"2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z", "2001-13-45", "1-2-3",
	"zoë", "例え", "Ｆｕｌｌ", "a\u00a0b", "\u00a0", "e\u0301", "😀", "a😀", "\ufffd",
	"tab\there", "line\nbreak", "trailing\n", "\n", "a\r\nb",
	strings.Repeat("long ", 40), strings.Repeat("x", 200), strings.Repeat("k", 129), strings.Repeat("k", 128),
}

// genUser is a user with the fields list -o yaml and export print, and a
// few shapes more.
type genUser struct {
	Email           string            `json:"email"`
	AccountRole     string            `json:"accountRole"`
	DataDomainRoles map[string]string `json:"dataDomainRoles"`
	Tags            []string          `json:"tags,omitempty"`
	Logins          any               `json:"logins,omitempty"`
	Extra           map[string]any    `json:"extra,omitempty"`
}

// genNumbers are the numbers and other scalars of genUsers; the last two
// make yaml.v3 write a tag (!!float 1e400), which it cannot read back.
var genNumbers = []any{0, -1, 12345678901234567, uint64(18446744073709551615), 1.5, 1e21, 1e-7, true, false, nil,
	json.Number("123456789012345678901234567890"), json.Number("1e400")}

func genUsers(rng *rand.Rand, n int, words []string, numbers []any) []any {
	// Mostly ordinary words, so that an item often holds one awkward
	// string among plain ones and the emitter has to judge that one.
	plain := []string{"ana@example.com", "admin", "editor", "(default)", "sales", "zoë@例え.jp", "x"}
	pick := func() string {
		if rng.IntN(5) == 0 {
			return words[rng.IntN(len(words))]
		}
		return plain[rng.IntN(len(plain))]
	}
	users := make([]any, n)
	for i := range users {
		u := genUser{Email: pick(), AccountRole: pick(), DataDomainRoles: map[string]string{}}
		for range rng.IntN(4) {
			u.DataDomainRoles[pick()] = pick()
		}
		for range rng.IntN(3) {
			u.Tags = append(u.Tags, pick())
		}
		if rng.IntN(3) == 0 {
			u.Logins = numbers[rng.IntN(len(numbers))]
		}
		if rng.IntN(4) == 0 {
			u.Extra = map[string]any{pick(): map[string]any{pick(): pick()}, "list": []any{}, "n": numbers[rng.IntN(len(numbers))]}
		}
		users[i] = u
	}
	return users
}

// The writer gives yaml.v3's own bytes for every list of users built from
// awkward strings, in both layouts, top-level list and export file.
func TestYAMLListMatchesYAMLv3(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	layouts := []YAMLListOptions{{}, {Key: "users", FlowFields: true}}
	for round := range 3000 {
		users := genUsers(rng, 1+rng.IntN(8), awkward, genNumbers)
		opts := layouts[round%2]
		got := yamlList(t, users, opts)
		if want := yamlV3Document(t, users, opts.Key, opts.FlowFields); got != want {
			b, _ := json.Marshal(users)
			t.Fatalf("%+v for %s:\n%s\nyaml.v3:\n%s", opts, b, got, want)
		}
	}
}

// For the characters Safe replaces, yaml.v3 writes some raw; the writer
// escapes every one, and the values read back the same.
func TestYAMLListEscapesUnsafeCharacters(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	words := append([]string{}, awkward...)
	for _, h := range hostile {
		words = append(words, h.s, "a"+h.s+"b", h.s+"@example.com")
	}
	for round := range 1000 {
		users := genUsers(rng, 1+rng.IntN(6), words, genNumbers[:len(genNumbers)-2])
		opts := YAMLListOptions{Key: "users", FlowFields: round%2 == 0}
		got := yamlList(t, users, opts)
		for _, c := range rawHostile {
			if strings.Contains(got, c) {
				t.Fatalf("%q written raw:\n%q", c, got)
			}
		}
		var gotValue, wantValue any
		if err := yaml.Unmarshal([]byte(got), &gotValue); err != nil {
			t.Fatalf("%v:\n%s", err, got)
		}
		if err := yaml.Unmarshal([]byte(yamlV3Document(t, users, opts.Key, opts.FlowFields)), &wantValue); err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(gotValue)
		w, _ := json.Marshal(wantValue)
		if !bytes.Equal(g, w) {
			t.Fatalf("read back as\n%s\nyaml.v3's as\n%s", g, w)
		}
	}
}

// The shapes this tool prints take the fast way, not yaml.v3's.
func TestYAMLItemTakesCommonUsers(t *testing.T) {
	roles := map[string]string{"(default)": "admin", "sales": "editor", "hr-eu": "viewer"}
	for _, u := range []any{
		genUser{Email: "ana@example.com", AccountRole: "admin", DataDomainRoles: roles},
		genUser{Email: "o'neil+tag@例え.jp", AccountRole: "none", DataDomainRoles: map[string]string{}},
		genUser{Email: "tom.nguyen@example.com", AccountRole: "operator", Tags: []string{"a", "b"}, Logins: 3},
		map[string]any{"email": "yes", "n": 1.5, "ok": true, "none": nil},
	} {
		src, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		for _, flow := range []bool{false, true} {
			var e yamlItem
			if _, ok := e.appendYAMLItem(nil, src, flow); !ok {
				t.Errorf("appendYAMLItem(%s, flow %v) left it to yaml.v3", src, flow)
			}
		}
	}
}

func TestReadsAsString(t *testing.T) {
	for _, s := range awkward {
		if s == "" {
			continue
		}
		var v any
		// What yaml.v3 reads from the plain scalar; only when it reads
		// back as the same string may readsAsString say so.
		if err := yaml.Unmarshal([]byte("k: "+s), &v); err != nil {
			continue
		}
		str, isString := v.(map[string]any)["k"].(string)
		if readsAsString([]byte(s)) && (!isString || str != s) && plainYAML([]byte(s), false) {
			t.Errorf("readsAsString(%q) is true, but yaml.v3 reads %#v", s, v)
		}
	}
}

// manyGenUsers is n users shaped as list -o yaml prints them.
func manyGenUsers(n int) []genUser {
	users := make([]genUser, n)
	for i := range users {
		users[i] = genUser{Email: fmt.Sprintf("user%06d@example.com", i), AccountRole: "operator", DataDomainRoles: map[string]string{"(default)": "editor"}}
	}
	return users
}

func BenchmarkWrite100k(b *testing.B) {
	users := manyGenUsers(100_000)
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := WriteJSON(discard{}, users); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := WriteYAML(discard{}, users); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml-v3", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := WriteYAMLNode(discard{}, yamlV3Node(b, users)); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, format := range []Format{FormatJSON, FormatYAML} {
		b.Run("list-"+string(format), func(b *testing.B) {
			b.ReportAllocs()
			p := Printer{Out: discard{}, Options: Options{Format: format}}
			for b.Loop() {
				l, err := p.List(b.Context(), nil, 0, "")
				if err != nil {
					b.Fatal(err)
				}
				for _, u := range users {
					if err := l.Add(u, nil); err != nil {
						b.Fatal(err)
					}
				}
				if err := l.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("export-yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			l := NewYAMLList(discard{}, YAMLListOptions{Key: "users", FlowFields: true})
			for _, u := range users {
				if err := l.Add(u); err != nil {
					b.Fatal(err)
				}
			}
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// yamlV3Node is the node WriteYAML built before it had its own emitter.
func yamlV3Node(b *testing.B, v any) *yaml.Node {
	j, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	n, err := yamlNode(dec)
	if err != nil {
		b.Fatal(err)
	}
	return n
}
