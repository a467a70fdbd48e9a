package apply

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlLine finds the line number in yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func parseYAML(data []byte) (*node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &node{kind: kindNull, line: 1}, nil
		}
		return nil, yamlProblem(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Problem{Line: extra.Line, Message: "a second YAML document: the file must hold one"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlProblem(err)
	}
	conv := yamlConverter{budget: 2*len(data) + 10000}
	root := conv.node(&doc, 0)
	if conv.budget < 0 {
		return nil, &Problem{Line: 1, Message: "YAML aliases expand to far more values than the file holds: refusing to expand them"}
	}
	return root, nil
}

// yamlAnchor finds the one yaml.v3 message that quotes the file: an alias
// to an anchor that does not exist. Anchor names are letters, digits, '-'
// and '_', but of any length.
var yamlAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// yamlParserErrors are libyaml's parser (not scanner) messages, whose line
// yaml.v3 reports 0-based: one less than the line of the problem.
var yamlParserErrors = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found undefined tag handle",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

func yamlProblem(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	// Without a line, the problem is on the first one (line 0 is not shown).
	line := 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		for _, p := range yamlParserErrors {
			if strings.HasPrefix(msg, p) {
				line++
				break
			}
		}
	}
	if m := yamlAnchor.FindStringSubmatch(msg); m != nil {
		msg = "unknown anchor " + cite(m[1]) + " referenced"
	}
	return &Problem{Line: line, Message: "not valid YAML: " + msg}
}

// yamlConverter turns yaml.v3 nodes into the parser's nodes. Aliases are
// expanded, so a few bytes of nested aliases could stand for billions of
// values (a "billion laughs" file): the budget, proportional to the file's
// size, bounds how many nodes the expansion may make, and the depth bounds
// recursion.
type yamlConverter struct {
	budget int
}

func (c *yamlConverter) node(y *yaml.Node, depth int) *node {
	c.budget--
	if c.budget < 0 || depth > 64 {
		return &node{kind: kindNull, line: y.Line}
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: kindNull, line: max(y.Line, 1)}
		}
		return c.node(y.Content[0], depth+1)
	case yaml.AliasNode:
		n := c.node(y.Alias, depth+1)
		n.line = y.Line
		return n
	case yaml.MappingNode:
		n := &node{kind: kindMap, line: y.Line}
		for i := 0; i+1 < len(y.Content) && c.budget >= 0; i += 2 {
			n.keys = append(n.keys, c.node(y.Content[i], depth+1))
			n.values = append(n.values, c.node(y.Content[i+1], depth+1))
		}
		return n
	case yaml.SequenceNode:
		n := &node{kind: kindSeq, line: y.Line}
		for _, item := range y.Content {
			if c.budget < 0 {
				break
			}
			n.items = append(n.items, c.node(item, depth+1))
		}
		return n
	}
	if y.ShortTag() == "!!null" {
		return &node{kind: kindNull, line: y.Line}
	}
	return &node{kind: kindScalar, line: y.Line, value: y.Value}
}
