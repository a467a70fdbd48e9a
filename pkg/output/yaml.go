package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
	"go.yaml.in/yaml/v3"
)

// WriteYAML writes v as YAML whose keys are v's JSON field names, in the
// order JSON encoding gives them (struct field order; sorted for maps). A nil
// or empty slice is written as [].
//
// A string holding a character that Safe replaces (other than tab and line
// feed) is written double-quoted with that character escaped: yaml.v3
// escapes the controls but writes the format characters, such as U+202E,
// raw.
func WriteYAML(w io.Writer, v any) error {
	v = orEmpty(v)
	if rv, isList := listOf(v); isList {
		out := &itemBuffer{w: w}
		list := NewYAMLList(out, YAMLListOptions{})
		for i := range rv.Len() {
			if err := list.Add(rv.Index(i).Addr().Interface()); err != nil {
				return err
			}
			if err := out.endItem(); err != nil {
				return err
			}
		}
		if err := list.Close(); err != nil {
			return err
		}
		return out.flush()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("writing YAML: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	// Numbers stay as written; float64 would turn large ids into 1.2e+19.
	dec.UseNumber()
	node, err := yamlNode(dec)
	if err != nil {
		return fmt.Errorf("writing YAML: %w", err)
	}
	return encodeYAML(w, node, yamlBatch)
}

// yamlBatch is how many list elements go to one yaml.Encoder. The encoder's
// event queue makes a long sequence quadratic (100,000 users took 11 s);
// top-level block sequences written one after another read as one, so a
// long list is written in batches.
const yamlBatch = 256

// WriteYAMLNode writes a YAML node as WriteYAML does, for callers that build
// the node themselves (to choose styles). A scalar holding a character that
// Safe replaces is given the double-quoted style, in node itself. A long list, at the top or as the
// value of a document's only key ("users: [...]"), is written in batches.
func WriteYAMLNode(w io.Writer, node *yaml.Node) error {
	return encodeYAML(w, node, yamlBatch)
}

func encodeYAML(w io.Writer, node *yaml.Node, batch int) error {
	if node.Kind == yaml.MappingNode && len(node.Content) == 2 && node.Content[0].Kind == yaml.ScalarNode &&
		node.Content[1].Kind == yaml.SequenceNode && len(node.Content[1].Content) > batch {
		// With the compact sequence indent, "key:" followed by the list
		// written as top-level batches is the same text as the whole.
		if err := encodeYAML(w, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map",
			Content: []*yaml.Node{node.Content[0], {Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}}}, batch); err != nil {
			return err
		}
		return encodeYAML(w, node.Content[1], batch)
	}
	parts := []*yaml.Node{node}
	if node.Kind == yaml.SequenceNode && len(node.Content) > batch {
		parts = nil
		for chunk := range slices.Chunk(node.Content, batch) {
			parts = append(parts, &yaml.Node{Kind: yaml.SequenceNode, Tag: node.Tag, Content: chunk})
		}
	}
	var buf bytes.Buffer
	var escaped []byte
	for _, part := range parts {
		buf.Reset()
		quoted := quoteUnsafe(part)
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		// "- item" level with its parent key, as kubectl prints it.
		enc.CompactSeqIndent()
		if err := enc.Encode(part); err != nil {
			return fmt.Errorf("writing YAML: %w", err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("writing YAML: %w", err)
		}
		out := buf.Bytes()
		if quoted {
			escaped = appendYAMLSafe(escaped[:0], out)
			out = escaped
		}
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("writing YAML: %w", err)
		}
	}
	return nil
}

// quoteUnsafe gives every scalar under n that holds a character Safe
// replaces the double-quoted style, the only one in which YAML escapes
// characters, and reports whether it found one. Tab and line feed are left
// to yaml.v3's choice: a block scalar carries them harmlessly.
func quoteUnsafe(n *yaml.Node) bool {
	if n.Kind == yaml.ScalarNode {
		if text.SafeLines(n.Value) == n.Value {
			return false
		}
		n.Style = yaml.DoubleQuotedStyle
		return true
	}
	found := false
	for _, c := range n.Content {
		if quoteUnsafe(c) {
			found = true
		}
	}
	return found
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
