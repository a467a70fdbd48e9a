package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/output/outputtest"
	"github.com/dqops-users/dqo-users/pkg/text"
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
	"2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z", "2001-13-45", "1-2-3", "_a", "(a", "a(b)c", "a.b+c-d_e",
	"zoë", "例え", "Ｆｕｌｌ", "a\u00a0b", "\u00a0", "e\u0301", "😀", "a😀", "\ufffd", "\uffef", "\ufffe",
	"tab\there", "line\nbreak", "trailing\n", "\n", "a\r\nb",
	strings.Repeat("long ", 40), strings.Repeat("x", 200), strings.Repeat("k", 129), strings.Repeat("k", 128),
}

// fixedUser is a User, shaped as list -o yaml shows one.
type fixedUser struct {
	Email           string            `json:"email" yaml:"email"`
	AccountRole     string            `json:"accountRole" yaml:"accountRole"`
	DataDomainRoles map[string]string `json:"dataDomainRoles,omitzero" yaml:"dataDomainRoles"` // nil: no field
}

func (u *fixedUser) UserFields(f *UserFields) {
	f.Email, f.AccountRole, f.HasDomainRoles = u.Email, u.AccountRole, u.DataDomainRoles != nil
	for d, r := range u.DataDomainRoles {
		f.DomainRoles = append(f.DomainRoles, DomainRole{d, r})
	}
}

// genFixedUsers builds n users from words, mostly ordinary ones, so that a
// user often holds one awkward string among plain ones.
func genFixedUsers(rng *rand.Rand, n int, words []string) []fixedUser {
	plain := []string{"ana@example.com", "admin", "editor", "(default)", "sales", "zoë@例え.jp", "x"}
	pick := func() string {
		if rng.IntN(5) == 0 {
			return words[rng.IntN(len(words))]
		}
		return plain[rng.IntN(len(plain))]
	}
	users := make([]fixedUser, n)
	for i := range users {
		u := fixedUser{Email: pick(), AccountRole: pick()}
		if rng.IntN(4) > 0 {
			u.DataDomainRoles = map[string]string{}
			for range rng.IntN(4) {
				u.DataDomainRoles[pick()] = pick()
			}
		}
		users[i] = u
	}
	return users
}

// yamlV3Users is what yaml.v3 alone writes for the JSON form of users: a
// node of each value's JSON form (strings tagged !!str, keys in JSON's
// order), in a list under key when given, dataDomainRoles in flow style
// when flow is set, encoded with an indent of 2 and the compact sequence
// indent. It is the reference for users whose strings need no escape that
// yaml.v3 leaves out.
func yamlV3Users(t testing.TB, users []fixedUser, key string, flow bool) string {
	t.Helper()
	doc := yamlV3UsersNode(users, flow)
	if key != "" {
		doc = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{yamlStr(key), doc}}
	}
	return yamlV3Encode(t, doc)
}

func yamlStr(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// yamlV3UsersNode is the sequence node of yamlV3Users.
func yamlV3UsersNode(users []fixedUser, flow bool) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if len(users) == 0 {
		seq.Style = yaml.FlowStyle
	}
	for _, u := range users {
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{yamlStr("email"), yamlStr(u.Email), yamlStr("accountRole"), yamlStr(u.AccountRole)}}
		if u.DataDomainRoles != nil {
			roles := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if flow || len(u.DataDomainRoles) == 0 {
				roles.Style = yaml.FlowStyle
			}
			for _, d := range slices.Sorted(maps.Keys(u.DataDomainRoles)) {
				roles.Content = append(roles.Content, yamlStr(d), yamlStr(u.DataDomainRoles[d]))
			}
			m.Content = append(m.Content, yamlStr("dataDomainRoles"), roles)
		}
		seq.Content = append(seq.Content, m)
	}
	return seq
}

// yamlV3Encode encodes node with an indent of 2 and the compact sequence
// indent, as the writers do.
func yamlV3Encode(t testing.TB, node *yaml.Node) string {
	t.Helper()
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(node); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// listUsers writes users through a list with the layout, as list -o yaml
// (no layout) and export (a key, flow fields) do.
func listUsers(t testing.TB, users []fixedUser, layout Layout) string {
	t.Helper()
	items := make([]any, len(users))
	for i := range users {
		items[i] = &users[i]
	}
	got, _, err := streamItems(Printer{Options: Options{Format: FormatYAML}, Layout: layout}, items)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// escapeFree reports whether yaml.v3 alone writes s as the writers do: it
// is UTF-8 and holds no character that they escape and yaml.v3 does not.
func escapeFree(s string) bool {
	return utf8.ValidString(s) && text.SafeLines(s) == s && !strings.Contains(s, "\t")
}

// The writer gives yaml.v3's own bytes for every list of users built from
// awkward strings, in both layouts: list -o yaml and an export's users.
func TestYAMLUsersMatchYAMLv3(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	layouts := []Layout{{}, {Key: "users", FlowFields: true}, {FlowFields: true}}
	for round := range 3000 {
		users := genFixedUsers(rng, rng.IntN(6), awkward)
		layout := layouts[round%len(layouts)]
		want := yamlV3Users(t, users, layout.Key, layout.FlowFields)
		if got := listUsers(t, users, layout); got != want {
			b, _ := json.Marshal(users)
			t.Fatalf("%+v for %s:\n%s\nyaml.v3:\n%s", layout, b, got, want)
		}
		if layout.Key == "" && !layout.FlowFields {
			var whole bytes.Buffer
			if err := WriteYAML(&whole, users); err != nil {
				t.Fatal(err)
			}
			if whole.String() != want {
				t.Fatalf("WriteYAML:\n%s\nyaml.v3:\n%s", whole.String(), want)
			}
		}
	}
}

// For ordinary users the writer's bytes are those of yaml.v3's Marshal of
// plain Go values, no node built by hand.
func TestYAMLUsersMatchYAMLv3Marshal(t *testing.T) {
	type blockUser struct {
		Email           string             `yaml:"email"`
		AccountRole     string             `yaml:"accountRole"`
		DataDomainRoles *map[string]string `yaml:"dataDomainRoles,omitempty"`
	}
	type flowUser struct {
		Email           string             `yaml:"email"`
		AccountRole     string             `yaml:"accountRole"`
		DataDomainRoles *map[string]string `yaml:"dataDomainRoles,omitempty,flow"`
	}
	type exportFile struct {
		Users []flowUser `yaml:"users"`
	}
	marshal := func(v any) string {
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		enc.CompactSeqIndent()
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	rng := rand.New(rand.NewPCG(15, 16))
	ordinary := []string{"ana@example.com", "o'neil+tag@例え.jp", "tom.nguyen@example.com", "(default)", "sales", "hr-eu", "admin", "none", "zoë"}
	for range 300 {
		users := genFixedUsers(rng, 1+rng.IntN(5), ordinary)
		var block []blockUser
		var flow []flowUser
		for i := range users {
			u := &users[i]
			var roles *map[string]string
			if u.DataDomainRoles != nil {
				roles = &u.DataDomainRoles
			}
			block = append(block, blockUser{u.Email, u.AccountRole, roles})
			flow = append(flow, flowUser{u.Email, u.AccountRole, roles})
		}
		if got, want := listUsers(t, users, Layout{}), marshal(block); got != want {
			t.Fatalf("list:\n%s\nyaml.v3:\n%s", got, want)
		}
		if got, want := listUsers(t, users, Layout{Key: "users", FlowFields: true}), marshal(exportFile{flow}); got != want {
			t.Fatalf("export:\n%s\nyaml.v3:\n%s", got, want)
		}
	}
}

// Users of the strings users are made of take the writer's way, not
// yaml.v3's: the speed of list -o yaml and export depends on it.
func TestYAMLUserTakesCommonUsers(t *testing.T) {
	for _, u := range []UserFields{
		{Email: "ana@example.com", AccountRole: "admin", HasDomainRoles: true, DomainRoles: []DomainRole{{"(default)", "admin"}, {"sales", "editor"}}},
		{Email: "o'neil+tag@例え.jp", AccountRole: "none", HasDomainRoles: true},
		{Email: "Tom.Nguyen_2@example.co.uk", AccountRole: "operator"},
		{Email: "", AccountRole: ""},
	} {
		for _, flow := range []bool{false, true} {
			if _, ok := appendYAMLUser(nil, &u, flow); !ok {
				t.Errorf("%+v (flow %v) is left to yaml.v3", u, flow)
			}
		}
	}
}

// What plainYAML vouches for, yaml.v3 writes plain, as a value and as a
// key, in block and flow style, and reads back as the same string.
func TestPlainYAML(t *testing.T) {
	words := slices.Clone(awkward)
	for _, h := range outputtest.Hostiles {
		words = append(words, h.S, "a"+h.S+"b")
	}
	for _, s := range words {
		for _, key := range []bool{false, true} {
			if !plainYAML(s, key) || s == "" {
				continue
			}
			k, v := "k", s
			if key {
				k, v = s, "v"
			}
			pair := []*yaml.Node{yamlStr(k), yamlStr(v)}
			block := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: pair}
			flow := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Content: pair}
			for node, want := range map[*yaml.Node]string{block: k + ": " + v + "\n", flow: "{" + k + ": " + v + "}\n"} {
				b, err := yaml.Marshal(node)
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != want {
					t.Errorf("plainYAML(%q, %v), but yaml.v3 writes %q", s, key, b)
				}
				var back map[string]string
				if err := yaml.Unmarshal(b, &back); err != nil || back[k] != v {
					t.Errorf("%q reads back as %v (%v)", b, back, err)
				}
			}
		}
	}
}

// A list with hostile strings in every place reads back as the very
// strings, with none of them raw.
func TestYAMLUsersEscapeHostileStrings(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	words := slices.Clone(awkward)
	for _, h := range outputtest.Hostiles {
		words = append(words, h.S, "a"+h.S+"b", h.S+"@example.com")
	}
	for round := range 1000 {
		users := genFixedUsers(rng, 1+rng.IntN(6), words)
		got := listUsers(t, users, Layout{Key: "users", FlowFields: round%2 == 0})
		if c := outputtest.RawIn(got); c != "" {
			t.Fatalf("%q written raw:\n%q", c, got)
		}
		var back struct{ Users []fixedUser }
		if err := yaml.Unmarshal([]byte(got), &back); err != nil {
			t.Fatalf("%v:\n%s", err, got)
		}
		// As the JSON form has them: invalid UTF-8 is U+FFFD there.
		if b, want := normalJSON(t, back.Users), normalJSON(t, users); !bytes.Equal(b, want) {
			t.Fatalf("read back as\n%s\nwant\n%s", b, want)
		}
	}
}

// FuzzYAMLUser checks the writer of the user's fixed shape against yaml.v3
// alone for any strings: the same bytes where yaml.v3 needs no help with
// escapes, and the same strings read back in any case.
func FuzzYAMLUser(f *testing.F) {
	for _, s := range awkward {
		f.Add(s, "admin", "(default)", "editor", false)
	}
	for _, h := range outputtest.Hostiles {
		f.Add("a"+h.S+"@example.com", h.S, "sales"+h.S, "viewer", true)
	}
	f.Fuzz(func(t *testing.T, email, role, domain, domainRole string, flow bool) {
		users := []fixedUser{
			{Email: email, AccountRole: role, DataDomainRoles: map[string]string{domain: domainRole, "(default)": role}},
			{Email: domain, AccountRole: domainRole},
		}
		layout := Layout{}
		if flow {
			layout = Layout{Key: "users", FlowFields: true}
		}
		got := listUsers(t, users, layout)
		if escapeFree(email) && escapeFree(role) && escapeFree(domain) && escapeFree(domainRole) {
			if want := yamlV3Users(t, users, layout.Key, flow); got != want {
				t.Fatalf("got\n%q\nyaml.v3:\n%q", got, want)
			}
		}
		if c := outputtest.RawIn(got); c != "" {
			t.Fatalf("%q written raw:\n%q", c, got)
		}
		var back []fixedUser
		var doc struct{ Users []fixedUser }
		var err error
		if flow {
			err = yaml.Unmarshal([]byte(got), &doc)
			back = doc.Users
		} else {
			err = yaml.Unmarshal([]byte(got), &back)
		}
		if err != nil {
			t.Fatalf("%v:\n%s", err, got)
		}
		if b, want := normalJSON(t, back), normalJSON(t, users); !bytes.Equal(b, want) {
			t.Fatalf("read back as\n%s\nwant\n%s", b, want)
		}
	})
}

// manyFixedUsers is n users shaped as list -o yaml prints them.
func manyFixedUsers(n int) []fixedUser {
	users := make([]fixedUser, n)
	for i := range users {
		users[i] = fixedUser{Email: fmt.Sprintf("user%06d@example.com", i), AccountRole: "operator", DataDomainRoles: map[string]string{"(default)": "editor"}}
	}
	return users
}

func BenchmarkWrite100k(b *testing.B) {
	users := manyFixedUsers(100_000)
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
			yamlV3Users(b, users, "", false)
		}
	})
	layouts := map[string]Printer{
		"list-json":   {Options: Options{Format: FormatJSON}},
		"list-yaml":   {Options: Options{Format: FormatYAML}},
		"export-yaml": {Options: Options{Format: FormatYAML}, Layout: Layout{Key: "users", FlowFields: true}},
		"export-json": {Options: Options{Format: FormatJSON}, Layout: Layout{Key: "users"}},
	}
	for _, name := range slices.Sorted(maps.Keys(layouts)) {
		p := layouts[name]
		p.Out = discard{}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l, err := p.List(b.Context(), nil, 0, "")
				if err != nil {
					b.Fatal(err)
				}
				for i := range users {
					if err := l.Add(&users[i], nil); err != nil {
						b.Fatal(err)
					}
				}
				if err := l.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
