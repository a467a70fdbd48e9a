package output

import (
	"bytes"
	"encoding/json"
	"testing"

	"go.yaml.in/yaml/v3"
)

// fileUser is shaped like an export file's user.
type fileUser struct {
	Email           string             `json:"email"`
	AccountRole     string             `json:"accountRole"`
	DataDomainRoles *map[string]string `json:"dataDomainRoles,omitempty"`
}

// yamlV3Document is what yaml.v3 writes for the whole document of items,
// under key when given, with flow-style fields when flow is set: the bytes
// a YAMLList must give.
func yamlV3Document(t *testing.T, items []any, key string, flow bool) string {
	t.Helper()
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if len(items) == 0 {
		seq.Style = yaml.FlowStyle
	}
	for _, item := range items {
		b, err := json.Marshal(item)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		n, err := yamlNode(dec)
		if err != nil {
			t.Fatal(err)
		}
		if flow && n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				if n.Content[i].Kind != yaml.ScalarNode {
					n.Content[i].Style = yaml.FlowStyle
				}
			}
		}
		seq.Content = append(seq.Content, n)
	}
	doc := seq
	if key != "" {
		doc = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, seq}}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// yamlList writes items through a YAMLList.
func yamlList(t *testing.T, items []any, opts YAMLListOptions) string {
	t.Helper()
	var b bytes.Buffer
	l := NewYAMLList(&b, opts)
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

func TestYAMLListLayouts(t *testing.T) {
	roles := map[string]string{"sales": "editor", "(default)": "viewer"}
	none := map[string]string{}
	users := []any{
		fileUser{Email: "ana@example.com", AccountRole: "admin", DataDomainRoles: &roles},
		fileUser{Email: "bo@example.com", AccountRole: "none", DataDomainRoles: &none},
		fileUser{Email: "true", AccountRole: "viewer"},
	}
	for _, opts := range []YAMLListOptions{{}, {Key: "users"}, {Key: "users", FlowFields: true}, {FlowFields: true}, {Key: "true"}} {
		for _, items := range [][]any{nil, users[:1], users} {
			got := yamlList(t, items, opts)
			if want := yamlV3Document(t, items, opts.Key, opts.FlowFields); got != want {
				t.Errorf("%+v, %d items:\n%s\nyaml.v3:\n%s", opts, len(items), got, want)
			}
		}
	}
}
