package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// YAMLListOptions say how a YAMLList lays out its document.
type YAMLListOptions struct {
	// Key, when set, makes the document a mapping whose only key it is,
	// with the list as its value, as in an export file: "users:" and the
	// items below it, at the same indentation.
	Key string
	// FlowFields writes the mappings and lists inside each item in flow
	// style, on the line of their key: "dataDomainRoles: {sales: editor}".
	FlowFields bool
}

// YAMLList writes a YAML list one item at a time, so that memory does not
// grow with the list. The output is byte for byte what yaml.v3 writes for
// the whole document with an indent of 2 and the compact sequence indent
// ("- " level with its parent key, as kubectl prints it), but for the
// characters that Safe replaces, which are always escaped (see WriteYAML).
type YAMLList struct {
	w    io.Writer
	opts YAMLListOptions
	n    int
	enc  jsonEncoder
	item yamlItem
	buf  []byte
	// lastType and lastShape spare a list of one type the cache's look-up.
	lastType  reflect.Type
	lastShape *jsonShape
	viaJSON   bool // every item goes through JSON (tests)
}

// NewYAMLList starts a YAML list on w.
func NewYAMLList(w io.Writer, opts YAMLListOptions) *YAMLList {
	return &YAMLList{w: w, opts: opts}
}

// Add writes one item as its JSON form reads: the keys of a struct are its
// JSON field names, in the order JSON encoding gives them. The item is
// written by the package's own emitter when it can prove the bytes are
// yaml.v3's, which is most of the time and several times faster, and by
// yaml.v3 otherwise.
func (l *YAMLList) Add(item any) error {
	if l.n == 0 && l.opts.Key != "" {
		if err := l.writeKey(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}); err != nil {
			return err
		}
	}
	l.n++
	if v := reflect.ValueOf(item); v.IsValid() && !l.viaJSON {
		if t := v.Type(); t != l.lastType {
			l.lastType, l.lastShape = t, shapeOf(t)
		}
		if l.lastShape != nil {
			var ok bool
			if l.buf, ok = l.item.appendShapedItem(l.buf[:0], l.lastShape, v, l.opts.FlowFields); ok {
				return l.write(l.buf)
			}
		}
	}
	return l.addJSON(item)
}

// addJSON writes an item from its JSON, by the package's emitter when it
// can, else by yaml.v3.
func (l *YAMLList) addJSON(item any) error {
	b, err := l.enc.encode(item)
	if err != nil {
		return fmt.Errorf("writing YAML: %w", err)
	}
	var ok bool
	if l.buf, ok = l.item.appendYAMLItem(l.buf[:0], b, l.opts.FlowFields); ok {
		return l.write(l.buf)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	node, err := yamlNode(dec)
	if err != nil {
		return fmt.Errorf("writing YAML: %w", err)
	}
	if l.opts.FlowFields && node.Kind == yaml.MappingNode {
		for i := 1; i < len(node.Content); i += 2 {
			if v := node.Content[i]; v.Kind != yaml.ScalarNode {
				v.Style = yaml.FlowStyle
			}
		}
	}
	// With the compact sequence indent, a list written one item at a time
	// reads, and is, the same text as the whole, after "key:" too.
	return encodeYAML(l.w, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{node}}, yamlBatch)
}

func (l *YAMLList) write(b []byte) error {
	if _, err := l.w.Write(b); err != nil {
		return fmt.Errorf("writing YAML: %w", err)
	}
	return nil
}

// Close ends the document: an empty list is written as [], after the key
// when there is one.
func (l *YAMLList) Close() error {
	if l.n > 0 {
		return nil
	}
	empty := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	if l.opts.Key != "" {
		return l.writeKey(empty)
	}
	return encodeYAML(l.w, empty, yamlBatch)
}

// writeKey writes the document's key with value, as yaml.v3 writes them.
func (l *YAMLList) writeKey(value *yaml.Node) error {
	key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: l.opts.Key}
	return encodeYAML(l.w, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{key, value}}, yamlBatch)
}

// yamlSink writes a list for Printer as WriteYAML does.
type yamlSink struct {
	out  *itemBuffer
	list *YAMLList
}

func (s *yamlSink) add(item any, _ []string) error {
	if err := s.list.Add(item); err != nil {
		return err
	}
	return s.out.endItem()
}

func (s *yamlSink) finish() error { return s.list.Close() }
