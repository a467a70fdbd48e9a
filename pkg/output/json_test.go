package output

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/output/outputtest"
)

// encodingJSON is what encoding/json alone writes for v, as WriteJSON is
// meant to write it: compact without HTML escaping, then json.Indent.
func encodingJSON(t testing.TB, v any) string {
	t.Helper()
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSuffix(compact.Bytes(), []byte("\n")), "", "  "); err != nil {
		t.Fatal(err)
	}
	return out.String() + "\n"
}

// listJSON writes items through a list, as list -o json does.
func listJSON(t testing.TB, items []any) string {
	t.Helper()
	got, _, err := streamItems(Printer{Options: Options{Format: FormatJSON}}, items)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// jsonEscapeFree reports whether encoding/json alone writes s as WriteJSON
// does: s holds nothing that the tool escapes and encoding/json does not.
func jsonEscapeFree(s string) bool {
	i, _, _ := nextUnsafeByte([]byte(s))
	return i < 0
}

// A list written as it arrives is encoding/json's own list, for users of
// awkward strings, Users and other values alike.
func TestJSONListMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	words := append([]string{"\xff", "a\xc3", "\u2028", "\u2029", "\x00", "\b\f", "<&>"}, awkward...)
	for range 1000 {
		users := genFixedUsers(rng, rng.IntN(5), words)
		items := make([]any, len(users))
		for i := range users {
			items[i] = &users[i]
		}
		if got, want := listJSON(t, items), encodingJSON(t, append([]fixedUser{}, users...)); got != want {
			t.Fatalf("list:\n%s\nencoding/json:\n%s", got, want)
		}
		others := randomUsers(rng, rng.IntN(4))
		others = slices.DeleteFunc(others, func(u testUser) bool {
			b, _ := json.Marshal(u)
			return !jsonEscapeFree(string(b))
		})
		items = items[:0]
		for _, u := range others {
			items = append(items, u)
		}
		if got, want := listJSON(t, items), encodingJSON(t, append([]testUser{}, others...)); got != want {
			t.Fatalf("list:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}

// FuzzJSONUser checks the JSON writers against encoding/json alone for any
// strings: the same bytes where the tool escapes nothing more, and the same
// strings read back in any case, with no hostile character raw.
func FuzzJSONUser(f *testing.F) {
	for _, s := range awkward {
		f.Add(s, "admin", "(default)")
	}
	for _, h := range outputtest.Hostiles {
		f.Add("a"+h.S+"@example.com", h.S, "sales"+h.S)
	}
	f.Fuzz(func(t *testing.T, email, role, domain string) {
		users := []fixedUser{{Email: email, AccountRole: role, DataDomainRoles: map[string]string{domain: role}}, {Email: domain}}
		listed := listJSON(t, []any{&users[0], &users[1]})
		var whole bytes.Buffer
		if err := WriteJSON(&whole, users); err != nil {
			t.Fatal(err)
		}
		if listed != whole.String() {
			t.Fatalf("list:\n%s\nWriteJSON:\n%s", listed, whole.String())
		}
		if jsonEscapeFree(email) && jsonEscapeFree(role) && jsonEscapeFree(domain) {
			if want := encodingJSON(t, users); listed != want {
				t.Fatalf("list:\n%s\nencoding/json:\n%s", listed, want)
			}
		}
		if c := outputtest.RawIn(listed); c != "" {
			t.Fatalf("%q written raw:\n%q", c, listed)
		}
		var back []fixedUser
		if err := json.Unmarshal([]byte(listed), &back); err != nil {
			t.Fatal(err)
		}
		if b, want := normalJSON(t, back), normalJSON(t, users); !bytes.Equal(b, want) {
			t.Fatalf("read back as\n%s\nwant\n%s", b, want)
		}
	})
}

// normalJSON is v's JSON as it reads back: encoding/json writes invalid
// UTF-8 as \ufffd, which reads back as the very U+FFFD it writes raw.
func normalJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var form any
	if err := json.Unmarshal(b, &form); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(form)
	return b
}
