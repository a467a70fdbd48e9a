package yamlfile

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// Decode reads data as one YAML document and returns its root node, or nil
// when the document holds nothing (an empty file, comments alone). An error
// is a *Problem at the line where the document stops being valid: a syntax
// error, a second document, an alias to a value that contains the alias, or
// aliases that stand for far more values than the file holds (see guard).
//
// Aliases stay aliases in the tree: a caller that follows one (n.Alias) may
// do so freely, since Decode has bounded what they stand for.
func Decode(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxProblem(err, data)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		// A trailing "---" starts a document that holds nothing.
		if len(next.Content) > 0 && !isNull(next.Content[0]) {
			return nil, &Problem{Line: next.Line, Message: "a second YAML document begins here: the file must hold one"}
		}
	case !errors.Is(err, io.EOF):
		return nil, syntaxProblem(err, data)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	g := guard{limit: len(data)/4 + 1<<16, counts: map[*yaml.Node]int{}}
	g.walk(root)
	switch {
	case g.overLine > 0:
		return nil, &Problem{Line: g.overLine, Message: "YAML aliases expand to far more values than the file holds: refusing to expand them"}
	case g.cycleLine > 0:
		return nil, &Problem{Line: g.cycleLine, Message: "a YAML alias refers to a value that contains the alias itself"}
	}
	return root, nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// yamlLine finds the line number in yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// unknownAnchor is the one yaml.v3 message that quotes the file: an alias to
// an anchor that does not exist. Anchor names are letters, digits, '-' and
// '_', of any length, and may be a value that lost its quotes (an API key).
var unknownAnchor = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// parserErrors are libyaml's parser (not scanner) messages. yaml.v3 gives
// them the line where the block or flow collection around the problem
// starts, counted from 0 (parserErrorLine finds the problem's own).
var parserErrors = []string{
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

// syntaxProblem is a yaml.v3 syntax error as a problem at its real line,
// in the parser's own words, which never quote the document: the one
// message that would is replaced.
func syntaxProblem(err error, data []byte) *Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	// yaml.v3 leaves the line out when it is the first: its marks count
	// from 0, and 0 is not shown.
	line := 1
	if isReaderError(msg) {
		// Found while decoding the bytes, before any mark is set.
		line = badCharacterLine(data)
	}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if slices.ContainsFunc(parserErrors, func(p string) bool { return strings.HasPrefix(msg, p) }) {
		line = parserErrorLine(data, err.Error(), line)
	}
	switch m := unknownAnchor.FindStringSubmatch(msg); {
	case m != nil:
		line = aliasLine(data, m[1])
		msg = "an alias (*name) refers to an anchor (&name) that is not defined: a value that begins with * or & must be quoted"
	case strings.Contains(msg, "`") || !text.Printable(msg):
		// Not a message of the parser's that is known: it might quote.
		msg = "the document cannot be read"
	}
	return &Problem{Line: line, Message: "not valid YAML: " + msg}
}

// parserErrorLine finds the line of a parser error, which yaml.v3 reports
// as the 0-based line where the collection around it starts (after a
// missing key, the mapping's first line, which may be far above). The
// parser reads in order, so the document cut after the problem's line
// fails with the very same error, and cut before it does not: the line is
// the shortest such cut, found by doubling steps from the reported line,
// then halving. The search parses at most a few times the document's size;
// past that, the reported line, corrected to count from 1, stands.
func parserErrorLine(data []byte, failure string, reported int) int {
	var ends []int // ends[k-1] is the offset after line k
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	budget := 4*len(data) + 1<<20
	fails := func(k int) (bool, bool) {
		prefix := data[:ends[k-1]]
		if budget -= len(prefix); budget < 0 {
			return false, false
		}
		err := firstError(prefix)
		return err != nil && err.Error() == failure, true
	}
	from := min(reported+1, len(ends))
	lo, hi := from-1, len(ends)
	for step := 1; lo+step < hi; step *= 2 {
		same, ok := fails(lo + step)
		if !ok {
			return from
		}
		if same {
			hi = lo + step
			break
		}
		lo += step
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		same, ok := fails(mid)
		if !ok {
			return from
		}
		if same {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// firstError is the error of decoding data as Decode does, or nil.
func firstError(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for range 2 {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
	return nil
}

// readerErrors are libyaml's reader messages, which come without a line.
var readerErrors = []string{
	"invalid leading UTF-8 octet",
	"incomplete UTF-8 octet sequence",
	"invalid trailing UTF-8 octet",
	"invalid length of a UTF-8 sequence",
	"invalid Unicode character",
	"incomplete UTF-16 character",
	"unexpected low surrogate area",
	"incomplete UTF-16 surrogate pair",
	"expected low surrogate area",
	"control characters are not allowed",
	"input error",
}

func isReaderError(msg string) bool {
	return slices.ContainsFunc(readerErrors, func(p string) bool { return strings.HasPrefix(msg, p) })
}

// badCharacterLine finds the line of the first byte that YAML does not
// take: one that is not UTF-8, or a character outside YAML's printable
// set; 0 when there is none (a UTF-16 document).
func badCharacterLine(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n <= 1, !yamlPrintable(r):
			return line
		case r == '\n':
			line++
		}
		i += n
	}
	return 0
}

// yamlPrintable is YAML 1.2's c-printable.
func yamlPrintable(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7e) || r == 0x85 ||
		(r >= 0xa0 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) || (r >= 0x10000 && r <= 0x10ffff)
}

// aliasLine finds the line of the first alias *name, which yaml.v3's error
// does not give; 0 when it is not found.
func aliasLine(data []byte, name string) int {
	alias := []byte("*" + name)
	for off := 0; ; {
		i := bytes.Index(data[off:], alias)
		if i < 0 {
			return 0
		}
		end := off + i + len(alias)
		if end == len(data) || bytes.IndexByte([]byte(" \t\r\n,]}"), data[end]) >= 0 {
			return bytes.Count(data[:off+i], []byte{'\n'}) + 1
		}
		off = end
	}
}

// guard counts the values that aliases stand for. A few bytes of nested
// aliases (a "billion laughs" file) stand for billions of values: a reader
// that follows them walks every one, makes a map of data-domain roles for
// every user, and reads a long scalar again each time an alias repeats it.
// So the guard counts every value an alias stands for, a long scalar
// weighing one per scalarWeight bytes, and stops at the first alias that
// takes the count past the limit: a quarter of the file's size in bytes,
// and 65,536 more. What aliases stand for then takes about as much memory
// as the file's own nodes, however large the file, while thousands of
// users may still share a set of roles. Recursion is bounded by yaml.v3,
// which refuses documents nested more than 10,000 deep.
type guard struct {
	limit int
	// expanded is the count so far: the values that aliases stand for.
	expanded int
	// counts are the anchored nodes walked so far, with how many values
	// each stands for; -1 marks one whose walk is under way.
	counts map[*yaml.Node]int
	// overLine and cycleLine, when not 0, are the line where the count
	// passed the limit and the line of an alias inside its own anchor.
	overLine, cycleLine int
}

// scalarWeight is how many bytes of a scalar count as one value.
const scalarWeight = 16

// walk returns how many values n stands for.
func (g *guard) walk(n *yaml.Node) int {
	if g.overLine > 0 || g.cycleLine > 0 {
		return 0
	}
	if n.Kind == yaml.AliasNode {
		count, done := g.counts[n.Alias]
		switch {
		case !done:
			// Anchors come before their aliases in a document; this is
			// only for safety.
			count = g.walk(n.Alias)
		case count < 0:
			g.cycleLine = max(n.Line, 1)
			return 0
		}
		if g.expanded += count; g.expanded > g.limit {
			g.overLine = max(n.Line, 1)
		}
		return count
	}
	if n.Anchor != "" {
		g.counts[n] = -1
	}
	count := 1 + len(n.Value)/scalarWeight
	for _, c := range n.Content {
		count += g.walk(c)
	}
	if n.Anchor != "" {
		g.counts[n] = count
	}
	return count
}
