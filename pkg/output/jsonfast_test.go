package output

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

type shapedRole string

// zeroer decides for itself what omitzero leaves out.
type zeroer string

func (z zeroer) IsZero() bool { return z == "x" }

type shapedInner struct {
	Name  string            `json:"name"`
	Roles map[string]string `json:"roles,omitempty"`
}

// shapedUser has every kind of field a jsonShape covers.
type shapedUser struct {
	Email           string                    `json:"email"`
	AccountRole     shapedRole                `json:"accountRole"`
	DataDomainRoles map[string]shapedRole     `json:"dataDomainRoles"`
	Pinned          *map[string]shapedRole    `json:"pinned,omitempty"`
	Tags            []string                  `json:"tags,omitempty"`
	Logins          int64                     `json:"logins,omitempty"`
	Small           int8                      `json:"small"`
	Count           uint16                    `json:"count,omitempty"`
	Big             uint64                    `json:"big"`
	Admin           bool                      `json:"admin,omitempty"`
	Next            *shapedInner              `json:"next"`
	Groups          map[string][]shapedInner  `json:"groups,omitempty"`
	Nested          map[string]map[string]int `json:"nested,omitempty"`
	Granted         map[string]shapedRole     `json:"granted,omitzero"` // nil left out, {} kept
	Zero            int                       `json:"zero,omitzero"`
	ZeroNext        *shapedInner              `json:"zeroNext,omitzero"`
	NoTag           string
	Skipped         string `json:"-"`
	hidden          string
}

func genShapedUsers(rng *rand.Rand, n int, words []string) []shapedUser {
	pick := func() string {
		if rng.IntN(3) == 0 {
			return words[rng.IntN(len(words))]
		}
		return "ana@example.com"
	}
	users := make([]shapedUser, n)
	for i := range users {
		u := shapedUser{Email: pick(), AccountRole: shapedRole(pick()), Small: int8(rng.IntN(256) - 128),
			Big: rng.Uint64(), NoTag: pick(), Skipped: pick(), hidden: pick()}
		if rng.IntN(4) > 0 {
			u.DataDomainRoles = map[string]shapedRole{}
			for range rng.IntN(4) {
				u.DataDomainRoles[pick()] = shapedRole(pick())
			}
		}
		if rng.IntN(3) == 0 {
			m := map[string]shapedRole{}
			for range rng.IntN(3) {
				m[pick()] = shapedRole(pick())
			}
			u.Pinned = &m
		}
		switch rng.IntN(3) {
		case 0:
			u.Granted = map[string]shapedRole{}
		case 1:
			u.Granted = map[string]shapedRole{pick(): shapedRole(pick())}
		}
		if rng.IntN(2) == 0 {
			u.Zero, u.ZeroNext = rng.IntN(2), &shapedInner{}
		}
		switch rng.IntN(3) {
		case 0:
			u.Tags = []string{}
		case 1:
			for range 1 + rng.IntN(3) {
				u.Tags = append(u.Tags, pick())
			}
		}
		if rng.IntN(2) == 0 {
			u.Logins, u.Count, u.Admin = rng.Int64()-math.MaxInt64/2, uint16(rng.IntN(3)), rng.IntN(2) == 0
		}
		if rng.IntN(2) == 0 {
			u.Next = &shapedInner{Name: pick()}
			if rng.IntN(2) == 0 {
				u.Next.Roles = map[string]string{pick(): pick()}
			}
		}
		if rng.IntN(4) == 0 {
			u.Groups = map[string][]shapedInner{pick(): {{Name: pick()}}, pick(): nil}
			u.Nested = map[string]map[string]int{pick(): {pick(): rng.IntN(100)}, pick(): {}}
		}
		users[i] = u
	}
	return users
}

// encodingJSON is what WriteJSON wrote before it had shapes: encoding/json,
// compact or indented, with the characters Safe replaces escaped.
func encodingJSON(t *testing.T, x any, indent bool, depth int) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		t.Fatal(err)
	}
	src := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if !indent {
		return string(src)
	}
	in := indenter{depth: depth}
	return string(in.append(nil, appendJSONSafe(nil, src)))
}

// The package's own JSON is encoding/json's, byte for byte, compact and
// indented, for values with awkward and hostile strings in every place.
func TestShapedJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	words := append([]string{"\xff", "a\xc3", "\u2028", "\u2029", "\x00", "\b\f", "\x7f", "<&>"}, awkward...)
	for _, h := range hostile {
		words = append(words, h.s, "a"+h.s+"b")
	}
	var e jsonEncoder
	for range 2000 {
		for _, u := range genShapedUsers(rng, 3, words) {
			for _, x := range []any{u, &u} {
				got, ok := e.shaped(x, false, 0)
				if !ok {
					t.Fatalf("%T has no shape", x)
				}
				if want := encodingJSON(t, x, false, 0); string(got) != want {
					t.Fatalf("compact:\n%s\nencoding/json:\n%s", got, want)
				}
				depth := rng.IntN(3)
				got, _ = e.shaped(x, true, depth)
				if want := encodingJSON(t, x, true, depth); string(got) != want {
					t.Fatalf("indented from depth %d:\n%s\nencoding/json:\n%s", depth, got, want)
				}
			}
		}
	}
}

// A type with anything a shape does not cover is left to encoding/json,
// and its output stays encoding/json's.
func TestShapelessTypesGoToEncodingJSON(t *testing.T) {
	type recursive struct {
		Name string     `json:"name"`
		Next *recursive `json:"next"`
	}
	type embedded struct {
		shapedInner
		Email string `json:"email"`
	}
	// Two fields of one name, which encoding/json both leaves out (built
	// at run time, since vet rightly refuses such a tag in source).
	duplicate := reflect.New(reflect.StructOf([]reflect.StructField{
		{Name: "A", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
		{Name: "B", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
	})).Elem().Interface()
	values := map[string]any{
		"float":     struct{ F float64 }{1.5},
		"interface": struct{ V any }{"x"},
		"embedded":  embedded{Email: "a@b.io"},
		"string option": struct {
			N int `json:"n,string"`
		}{1},
		"omitzero with IsZero": struct {
			Z zeroer `json:"z,omitzero"`
		}{"x"},
		"both options": struct {
			N int `json:"n,omitempty,omitzero"`
		}{1},
		"dash name": struct {
			D string `json:"-,"`
		}{"x"},
		"quoted name": struct {
			Q string `json:"a-b"`
		}{"x"},
		"bytes":          struct{ B []byte }{[]byte("hi")},
		"int keys":       map[int]string{1: "a"},
		"array":          [2]string{"a", "b"},
		"marshaler":      struct{ T time.Time }{time.Unix(0, 0).UTC()},
		"recursive":      recursive{Name: "a", Next: &recursive{Name: "b"}},
		"duplicate":      duplicate,
		"self-encoding":  []selfEncoding{{n: 1}},
		"nil":            nil,
		"top-level time": time.Unix(0, 0).UTC(),
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			if v != nil && shapeOf(reflect.TypeOf(v)) != nil {
				t.Errorf("%T has a shape", v)
			}
			var e jsonEncoder
			got, err := e.indent(v, 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := encodingJSON(t, v, true, 0); string(got) != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// The shapes of the list benchmarks: how much writing a user costs.
func BenchmarkShapedJSON(b *testing.B) {
	users := manyGenUsers(1000)
	type user struct {
		Email           string            `json:"email"`
		AccountRole     string            `json:"accountRole"`
		DataDomainRoles map[string]string `json:"dataDomainRoles"`
	}
	plain := make([]user, len(users))
	for i, u := range users {
		plain[i] = user{u.Email, u.AccountRole, map[string]string{}}
	}
	for _, indent := range []bool{false, true} {
		name := "compact"
		if indent {
			name = "indented"
		}
		b.Run(name+"/encoding-json", func(b *testing.B) {
			var e jsonEncoder
			for b.Loop() {
				for i := range plain {
					src, err := e.encodeJSON(&plain[i])
					if err != nil {
						b.Fatal(err)
					}
					if indent {
						in := indenter{depth: 1}
						e.indented = in.append(e.indented[:0], appendJSONSafe(e.escaped[:0], src))
					}
				}
			}
		})
		b.Run(name+"/shaped", func(b *testing.B) {
			var e jsonEncoder
			for b.Loop() {
				for i := range plain {
					e.shaped(&plain[i], indent, 1)
				}
			}
		})
	}
}
