package output

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// WriteJSON writes v as JSON indented by two spaces, followed by a newline.
// A nil slice is written as [] rather than null, so that an empty list reads
// the same whichever way the caller built it. '<', '>' and '&' are written as
// they are: the output is read by people and jq, never embedded in HTML.
//
// The bytes are those of a json.Encoder with SetIndent("", "  "), produced
// faster: a list is encoded one element at a time, which spares building
// the whole compact form and then a whole indented copy, and indenting uses
// a scanner that trusts encoding/json's output, where json.Indent validates
// byte by byte. For 100,000 users that is about 115 ms instead of 300 ms.
// If an element of a list cannot be encoded, the ones before it may already
// have been written.
func WriteJSON(w io.Writer, v any) error {
	v = orEmpty(v)
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	var indented []byte
	// encode writes x indented at depth, without the newline that
	// Encoder.Encode adds.
	encode := func(x any, depth int) error {
		compact.Reset()
		if err := enc.Encode(x); err != nil {
			return fmt.Errorf("writing JSON: %w", err)
		}
		in := indenter{depth: depth}
		indented = in.append(indented[:0], bytes.TrimSuffix(compact.Bytes(), []byte("\n")))
		bw.Write(indented)
		return nil
	}
	rv := reflect.ValueOf(v)
	// A []byte is one base64 string, not a list.
	whole := rv.Kind() != reflect.Slice || rv.Len() == 0 ||
		encodesItself(rv.Type()) || rv.Type().Elem().Kind() == reflect.Uint8
	if whole {
		if err := encode(v, 0); err != nil {
			return err
		}
	} else {
		bw.WriteString("[\n")
		for i := range rv.Len() {
			bw.WriteString("  ")
			// The address keeps pointer-receiver MarshalJSON methods in
			// play, as they are for the elements of a slice encoded whole.
			if err := encode(rv.Index(i).Addr().Interface(), 1); err != nil {
				return err
			}
			if i < rv.Len()-1 {
				bw.WriteByte(',')
			}
			bw.WriteByte('\n')
		}
		bw.WriteByte(']')
	}
	bw.WriteByte('\n')
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// encodesItself reports whether encoding/json hands values of type t to
// their own MarshalJSON or MarshalText, in which case a list of them must be
// encoded whole.
func encodesItself(t reflect.Type) bool {
	for _, m := range []reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return true
		}
	}
	return false
}

// indenter indents compact JSON as encoding/json writes it (no blank outside
// strings) by two spaces per level, giving the same bytes as json.Indent
// with indent "  ". It keeps its state between calls, so the input may be
// fed in pieces cut anywhere.
type indenter struct {
	depth    int
	inString bool
	escaped  bool // the previous byte in a string was a backslash
	open     byte // '{' or '[' held back until the next byte shows if it is empty
}

func (in *indenter) append(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if in.inString {
			// Copy up to the next quote or backslash in one go.
			j := i
			if !in.escaped {
				for j < len(src) && src[j] != '"' && src[j] != '\\' {
					j++
				}
				dst = append(dst, src[i:j]...)
				if j == len(src) {
					return dst
				}
				c = src[j]
			}
			switch {
			case in.escaped:
				in.escaped = false
			case c == '\\':
				in.escaped = true
			case c == '"':
				in.inString = false
			}
			dst = append(dst, c)
			i = j
			continue
		}
		if in.open != 0 {
			open := in.open
			in.open = 0
			if c == '}' || c == ']' {
				dst = append(dst, open, c)
				continue
			}
			in.depth++
			dst = in.newline(append(dst, open))
		}
		switch c {
		case '"':
			in.inString = true
			dst = append(dst, c)
		case '{', '[':
			in.open = c
		case '}', ']':
			in.depth--
			dst = append(in.newline(dst), c)
		case ',':
			dst = in.newline(append(dst, c))
		case ':':
			dst = append(dst, c, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func (in *indenter) newline(dst []byte) []byte {
	dst = append(dst, '\n')
	for range in.depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}

// WriteYAML writes v as YAML whose keys are v's JSON field names, in the
// order JSON encoding gives them (struct field order; sorted for maps). A nil
// or empty slice is written as [].
func WriteYAML(w io.Writer, v any) error {
	b, err := json.Marshal(orEmpty(v))
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
// the node themselves (to choose styles). A long list, at the top or as the
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
	for _, part := range parts {
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		// "- item" level with its parent key, as kubectl prints it.
		enc.CompactSeqIndent()
		if err := enc.Encode(part); err != nil {
			return fmt.Errorf("writing YAML: %w", err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("writing YAML: %w", err)
		}
	}
	return nil
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

// jsonForm returns v as encoding/json would read back its JSON: maps,
// slices, strings, bools, nil and json.Number. --jq and --template work on
// this form so that they see the same keys and numbers as -o json.
func jsonForm(v any) (any, error) {
	b, err := json.Marshal(orEmpty(v))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// orEmpty replaces a nil slice with an empty one, which encodes as [] rather
// than null.
func orEmpty(v any) any {
	rv := reflect.ValueOf(v)
	// A nil []byte stays: encoding/json writes byte slices as base64 strings.
	if rv.Kind() == reflect.Slice && rv.IsNil() && rv.Type().Elem().Kind() != reflect.Uint8 {
		return reflect.MakeSlice(rv.Type(), 0, 0).Interface()
	}
	return v
}
