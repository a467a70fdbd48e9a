package output

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// yamlListByJSON is yamlList with every item taking the way through JSON.
func yamlListByJSON(t *testing.T, items []any, opts YAMLListOptions) string {
	t.Helper()
	var b bytes.Buffer
	l := NewYAMLList(&b, opts)
	l.viaJSON = true
	for _, item := range items {
		if err := l.Add(item); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Items written straight from their values are what the way through JSON
// writes, for awkward and hostile strings in every place; and, the hostile
// characters aside, what yaml.v3 writes.
func TestShapedYAMLMatchesJSONWay(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	words := append([]string{"\xff", "a\xc3", "\u2028", "\x00", "\x7f", "<&>"}, awkward...)
	for _, h := range hostile {
		words = append(words, h.s, "a"+h.s+"b")
	}
	layouts := []YAMLListOptions{{}, {Key: "users", FlowFields: true}, {FlowFields: true}}
	for round := range 1500 {
		hostileToo := round%2 == 0
		ws := awkward
		if hostileToo {
			ws = words
		}
		users := genShapedUsers(rng, 1+rng.IntN(5), ws)
		items := make([]any, len(users))
		for i := range users {
			items[i] = users[i]
			if i%2 == 1 {
				items[i] = &users[i]
			}
		}
		opts := layouts[round%3]
		got := yamlList(t, items, opts)
		if want := yamlListByJSON(t, items, opts); got != want {
			t.Fatalf("%+v:\n%s\nthrough JSON:\n%s", opts, got, want)
		}
		if !hostileToo {
			if want := yamlV3Document(t, items, opts.Key, opts.FlowFields); got != want {
				t.Fatalf("%+v:\n%s\nyaml.v3:\n%s", opts, got, want)
			}
		}
	}
}

// The users list and export print take the straight way.
func TestShapedYAMLTakesCommonUsers(t *testing.T) {
	roles := map[string]shapedRole{"(default)": "admin", "sales": "editor"}
	none := map[string]shapedRole{}
	for _, u := range []shapedUser{
		{Email: "ana@example.com", AccountRole: "admin", DataDomainRoles: roles, Pinned: &roles},
		{Email: "o'neil+tag@例え.jp", AccountRole: "none", DataDomainRoles: none, Pinned: &none, Tags: []string{"a"}},
	} {
		for _, flow := range []bool{false, true} {
			var e yamlItem
			if _, ok := e.appendShapedItem(nil, shapeOf(reflect.TypeOf(u)), reflect.ValueOf(u), flow); !ok {
				t.Errorf("%+v (flow %v) took the way through JSON", u, flow)
			}
		}
	}
}
