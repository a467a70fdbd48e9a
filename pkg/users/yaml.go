package users

import (
	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// parseYAML reads a YAML document through the one YAML reader
// (yamlfile.Decode: lines corrected, aliases bounded) into the parser's
// nodes.
func parseYAML(data []byte) (*node, error) {
	root, err := yamlfile.Decode(data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return &node{kind: kindNull, line: 1}, nil
	}
	conv := yamlConverter{anchors: map[*yaml.Node]*node{}}
	return conv.node(root), nil
}

// yamlConverter turns yaml.v3 nodes into the parser's nodes. An alias
// becomes a copy of its anchor's converted node (with the alias's line)
// that shares the anchor's children, so conversion makes no more nodes than
// the file holds; what the aliases stand for, yamlfile.Decode has bounded.
type yamlConverter struct {
	// anchors are the anchored nodes converted so far. Anchors come before
	// their aliases, and Decode refused an alias inside its own anchor.
	anchors map[*yaml.Node]*node
}

func (c *yamlConverter) node(y *yaml.Node) *node {
	if y.Kind == yaml.AliasNode {
		a, done := c.anchors[y.Alias]
		if !done {
			a = c.node(y.Alias)
		}
		n := *a
		n.line = y.Line
		return &n
	}
	n := c.convert(y)
	if y.Anchor != "" {
		c.anchors[y] = n
	}
	return n
}

func (c *yamlConverter) convert(y *yaml.Node) *node {
	switch y.Kind {
	case yaml.MappingNode:
		n := &node{kind: kindMap, line: y.Line}
		for i := 0; i+1 < len(y.Content); i += 2 {
			n.keys = append(n.keys, c.node(y.Content[i]))
			n.values = append(n.values, c.node(y.Content[i+1]))
		}
		return n
	case yaml.SequenceNode:
		n := &node{kind: kindSeq, line: y.Line}
		for _, item := range y.Content {
			n.items = append(n.items, c.node(item))
		}
		return n
	}
	if y.ShortTag() == "!!null" {
		return &node{kind: kindNull, line: y.Line}
	}
	return &node{kind: kindScalar, line: y.Line, value: y.Value}
}
