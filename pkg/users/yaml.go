package users

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
	conv := yamlConverter{limit: len(data)/4 + 1<<16, anchors: map[*yaml.Node]anchored{}}
	root, _ := conv.node(&doc, 0)
	switch {
	case conv.overLine > 0:
		return nil, &Problem{Line: conv.overLine, Message: "YAML aliases expand to far more values than the file holds: refusing to expand them"}
	case conv.cycleLine > 0:
		return nil, &Problem{Line: conv.cycleLine, Message: "a YAML alias refers to a value that contains the alias itself"}
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

// yamlConverter turns yaml.v3 nodes into the parser's nodes.
//
// An alias becomes a copy of its anchor's converted node (with the alias's
// line) that shares the anchor's children, so conversion makes no more nodes
// than the file holds. What aliases stand for can still be far more: a few
// bytes of nested aliases (a "billion laughs" file) stand for billions of
// values, reading the users walks every one and makes a map of data-domain
// roles for every user, and checking a long scalar reads every byte of it
// each time an alias repeats it. So the converter counts the values that
// aliases stand for, a long scalar weighing one per scalarWeight bytes, and
// stops at the first alias that takes the count past the limit: a quarter of
// the file's size in bytes, and 65,536 more. So the roles that aliases give
// users take about as much memory as the file's own nodes, however large the
// file, while thousands of users may still share a set of roles. The depth
// bounds recursion.
type yamlConverter struct {
	limit int
	// expanded is the count so far: the values that aliases stand for.
	expanded int
	// anchors are the anchored nodes converted so far, with their counts;
	// a nil node marks one whose conversion is under way.
	anchors map[*yaml.Node]anchored
	// overLine and cycleLine, when not 0, are the line where the count
	// passed the limit and the line of an alias inside its own anchor.
	overLine, cycleLine int
}

// anchored is an anchored node's conversion: the node, and how many values
// it stands for.
type anchored struct {
	n     *node
	count int
}

// scalarWeight is how many bytes of a scalar count as one value.
const scalarWeight = 16

// node converts y and returns, with it, the count of values it stands for.
func (c *yamlConverter) node(y *yaml.Node, depth int) (*node, int) {
	if c.overLine > 0 || depth > 64 {
		return &node{kind: kindNull, line: y.Line}, 0
	}
	if y.Kind == yaml.AliasNode {
		return c.alias(y, depth)
	}
	if y.Anchor != "" {
		c.anchors[y] = anchored{}
	}
	n, count := c.convert(y, depth)
	if y.Anchor != "" {
		c.anchors[y] = anchored{n: n, count: count}
	}
	return n, count
}

// alias converts an alias: its anchor was converted before it, in file
// order, unless it lay deeper than the depth bound.
func (c *yamlConverter) alias(y *yaml.Node, depth int) (*node, int) {
	a, done := c.anchors[y.Alias]
	switch {
	case !done:
		a.n, a.count = c.node(y.Alias, depth+1)
	case a.n == nil:
		c.cycleLine = y.Line
		return &node{kind: kindNull, line: y.Line}, 0
	default:
		c.expanded += a.count
		if c.expanded > c.limit {
			c.overLine = max(y.Line, 1)
		}
	}
	n := *a.n
	n.line = y.Line
	return &n, a.count
}

func (c *yamlConverter) convert(y *yaml.Node, depth int) (*node, int) {
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: kindNull, line: max(y.Line, 1)}, 0
		}
		return c.node(y.Content[0], depth+1)
	case yaml.MappingNode:
		n, count := &node{kind: kindMap, line: y.Line}, 1
		for i := 0; i+1 < len(y.Content) && c.overLine == 0; i += 2 {
			k, kc := c.node(y.Content[i], depth+1)
			v, vc := c.node(y.Content[i+1], depth+1)
			n.keys = append(n.keys, k)
			n.values = append(n.values, v)
			count += kc + vc
		}
		return n, count
	case yaml.SequenceNode:
		n, count := &node{kind: kindSeq, line: y.Line}, 1
		for _, item := range y.Content {
			if c.overLine > 0 {
				break
			}
			v, vc := c.node(item, depth+1)
			n.items = append(n.items, v)
			count += vc
		}
		return n, count
	}
	count := 1 + len(y.Value)/scalarWeight
	if y.ShortTag() == "!!null" {
		return &node{kind: kindNull, line: y.Line}, count
	}
	return &node{kind: kindScalar, line: y.Line, value: y.Value}, count
}
