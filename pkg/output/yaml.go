package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
	"go.yaml.in/yaml/v3"
)

// WriteYAML writes v as YAML whose keys are v's JSON field names, in the
// order JSON encoding gives them (struct field order; sorted for maps), as
// yaml.v3 writes it with an indent of 2 and the compact sequence indent
// ("- " level with its parent key, as kubectl prints it). A nil or empty
// slice is written as [].
//
// A list is written one element at a time, a User by the writer of the
// user's fixed shape (which gives yaml.v3's bytes, several times faster),
// anything else by yaml.v3.
//
// A string holding a character that Safe replaces (other than tab and line
// feed) is written double-quoted with that character escaped: yaml.v3
// escapes the controls (as \e, \x7f, \x9b, \L, ...) but writes the format
// characters, such as U+202E, raw; they are written as \u escapes (\U
// beyond U+FFFF). The table of every such escape is in the tests
// (outputtest.Hostiles).
func WriteYAML(w io.Writer, v any) error {
	out := &itemBuffer{w: w}
	if err := writeValue(&yamlSink{out: out, layout: &Layout{}}, v); err != nil {
		return err
	}
	return out.flush()
}

// yamlSink writes a list as WriteYAML does: the list alone, or framed by
// its Layout as the value of a document's key.
type yamlSink struct {
	out    *itemBuffer
	layout *Layout
	n      int
	user   UserFields
}

func (s *yamlSink) add(item any, _ []string) error {
	if s.n == 0 {
		if err := s.open(false); err != nil {
			return err
		}
	}
	s.n++
	if u, ok := item.(User); ok && !isNilPointer(item) {
		s.user = UserFields{DomainRoles: s.user.DomainRoles[:0]}
		u.UserFields(&s.user)
		var ok bool
		if s.out.buf, ok = appendYAMLUser(s.out.buf, &s.user, s.layout.FlowFields); ok {
			return s.out.endItem()
		}
	}
	node, err := yamlNodeOf(item)
	if err != nil {
		return err
	}
	if s.layout.FlowFields {
		flowValues(node)
	}
	// With the compact sequence indent, a list written one item at a time
	// reads, and is, the same text as the whole, after "key:" too.
	if err := encodeYAML(s.out, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{node}}); err != nil {
		return err
	}
	return s.out.endItem()
}

func (s *yamlSink) value(v any) error {
	node, err := yamlNodeOf(v)
	if err != nil {
		return err
	}
	return encodeYAML(s.out, node)
}

// open writes what comes before the first item, or instead of the items of
// an empty list: [] alone, or the document's comment, head and key (with []
// when empty).
func (s *yamlSink) open(empty bool) error {
	l := s.layout
	list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	if l.Key == "" {
		if empty {
			return encodeYAML(s.out, list)
		}
		return nil
	}
	if l.Comment != "" {
		s.out.WriteString("# " + l.Comment + "\n")
	}
	if !empty {
		// "users:" with the items below it.
		list = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return s.writeFields(l.Head, scalar("!!str", l.Key), list)
}

// writeFields writes a mapping of the fields and then of the keys and
// values in more, their values in flow style when the layout says so.
func (s *yamlSink) writeFields(fields []Field, more ...*yaml.Node) error {
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, f := range fields {
		value, err := yamlNodeOf(f.Value)
		if err != nil {
			return err
		}
		doc.Content = append(doc.Content, scalar("!!str", f.Key), value)
	}
	doc.Content = append(doc.Content, more...)
	if s.layout.FlowFields {
		flowValues(doc)
	}
	return encodeYAML(s.out, doc)
}

func (s *yamlSink) finish() error {
	if s.n == 0 {
		if err := s.open(true); err != nil {
			return err
		}
	}
	if s.layout.Key == "" || s.layout.Tail == nil {
		return nil
	}
	return s.writeFields(s.layout.Tail(s.n))
}

// flowValues gives the mappings and lists that are values of mapping n the
// flow style.
func flowValues(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 1; i < len(n.Content); i += 2 {
		if v := n.Content[i]; v.Kind != yaml.ScalarNode {
			v.Style = yaml.FlowStyle
		}
	}
}

// encodeYAML writes node as WriteYAML does.
func encodeYAML(out *itemBuffer, node *yaml.Node) error {
	quoteUnsafe(node)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	// "- item" level with its parent key, as kubectl prints it.
	enc.CompactSeqIndent()
	err := enc.Encode(node)
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		return fmt.Errorf("writing YAML: %w", err)
	}
	out.buf = appendSafe(out.buf, buf.Bytes(), true)
	return nil
}

// quoteUnsafe gives every scalar under n that holds a character Safe
// replaces the double-quoted style, the only one in which YAML escapes
// characters. A line feed is left to yaml.v3's choice, a block scalar
// carrying it harmlessly; a tab is not: yaml.v3 writes "\t\n" as a block
// scalar that no YAML reader takes back.
func quoteUnsafe(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && text.SafeText(n.Value) != n.Value {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		quoteUnsafe(c)
	}
}

// yamlNodeOf builds the YAML node of v's JSON form.
func yamlNodeOf(v any) (*yaml.Node, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("writing YAML: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	// Numbers stay as written; float64 would turn large ids into 1.2e+19.
	dec.UseNumber()
	node, err := yamlNode(dec)
	if err != nil {
		return nil, fmt.Errorf("writing YAML: %w", err)
	}
	return node, nil
}

// yamlNode builds the YAML node of the next JSON value in dec. Going through
// tokens rather than map[string]any keeps the keys in JSON's order.
func yamlNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if v == '{' {
			n = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, scalar("!!str", key.(string)))
			}
			child, err := yamlNode(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, child)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		if len(n.Content) == 0 {
			// Block style has no way to write an empty list or map.
			n.Style = yaml.FlowStyle
		}
		return n, nil
	case string:
		// The !!str tag makes the encoder quote strings such as "true" or
		// "123" that would otherwise read back as another type.
		return scalar("!!str", v), nil
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			return scalar("!!float", string(v)), nil
		}
		return scalar("!!int", string(v)), nil
	case bool:
		return scalar("!!bool", fmt.Sprint(v)), nil
	case nil:
		return scalar("!!null", "null"), nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}
