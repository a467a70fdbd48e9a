package output

import (
	"strconv"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// yamlItem writes one item of a YAML list from its compact JSON, as
// encoding/json writes it, with exactly the bytes yaml.v3 writes for it (an
// indent of 2, the compact sequence indent, no line folding), about six
// times faster. It covers what this tool prints: mappings and lists of
// scalars, strings written plain, numbers, booleans and null. Anything it
// cannot prove it writes as yaml.v3 does (a string that needs quotes, a
// number yaml.v3 would tag, a list of lists) makes it give up, and the
// item goes to yaml.v3.
type yamlItem struct {
	src  []byte
	pos  int
	dst  []byte
	str  []byte // the string just read, unescaped
	flow bool   // mappings and lists inside the item are written in flow style
	// scratch holds the entries of the objects being written from a value,
	// one list for each level of nesting, level deep (appendShapedItem).
	scratch [][]shapedEntry
	level   int
}

// appendYAMLItem appends item src as an element of a top-level block
// sequence, and reports whether it could; when it could not, dst is
// returned as it was. e keeps its buffer from one item to the next.
func (e *yamlItem) appendYAMLItem(dst, src []byte, flowFields bool) ([]byte, bool) {
	e.src, e.pos, e.dst, e.flow = src, 0, dst, flowFields
	start := len(dst)
	e.dst = append(e.dst, '-')
	if !e.element(0, 0) || e.pos != len(src) {
		return dst[:start], false
	}
	return e.dst, true
}

// element writes a sequence element after its "-", the dash at column
// indent, and depth levels below the item.
func (e *yamlItem) element(indent, depth int) bool {
	switch e.peek() {
	case '{':
		if e.empty() {
			e.dst = append(e.dst, " {}\n"...)
			return true
		}
		e.dst = append(e.dst, ' ')
		return e.mapping(indent+2, true, depth)
	case '[':
		if e.empty() {
			e.dst = append(e.dst, " []\n"...)
			return true
		}
		return false // "- - x": rare, left to yaml.v3
	}
	e.dst = append(e.dst, ' ')
	return e.scalar(false, false) && e.newline()
}

// mapping writes a block mapping whose keys are at column indent; the first
// key's line is already begun when prefixed ("- " of a sequence element).
func (e *yamlItem) mapping(indent int, prefixed bool, depth int) bool {
	e.pos++ // {
	for first := true; ; first = false {
		if !first || !prefixed {
			e.spaces(indent)
		}
		if !e.scalar(false, true) || !e.expect(':') {
			return false
		}
		e.dst = append(e.dst, ':')
		if !e.value(indent, depth) {
			return false
		}
		switch e.next() {
		case ',':
		case '}':
			return true
		default:
			return false
		}
	}
}

// value writes the value of a block mapping's key, the key at column
// indent, from the ':' on.
func (e *yamlItem) value(indent, depth int) bool {
	switch e.peek() {
	case '{', '[':
		open := e.peek()
		if e.empty() {
			e.dst = append(e.dst, ' ', open, open+2, '\n') // {} or []
			return true
		}
		if e.flow && depth == 0 {
			e.dst = append(e.dst, ' ')
			return e.flowCollection() && e.newline()
		}
		e.dst = append(e.dst, '\n')
		if open == '{' {
			return e.mapping(indent+2, false, depth+1)
		}
		// With the compact sequence indent, "- " is at the key's column.
		return e.sequence(indent, depth+1)
	}
	e.dst = append(e.dst, ' ')
	return e.scalar(false, false) && e.newline()
}

// sequence writes a block sequence whose dashes are at column indent.
func (e *yamlItem) sequence(indent, depth int) bool {
	e.pos++ // [
	for {
		e.spaces(indent)
		e.dst = append(e.dst, '-')
		if !e.element(indent, depth) {
			return false
		}
		switch e.next() {
		case ',':
		case ']':
			return true
		default:
			return false
		}
	}
}

// flowCollection writes a non-empty mapping or list of scalars in flow
// style: {a: b, c: d} or [a, b].
func (e *yamlItem) flowCollection() bool {
	open := e.next()
	e.dst = append(e.dst, open)
	for {
		if open == '{' {
			if !e.scalar(true, true) || !e.expect(':') {
				return false
			}
			e.dst = append(e.dst, ':', ' ')
		}
		if c := e.peek(); c == '{' || c == '[' || !e.scalar(true, false) {
			return false
		}
		switch c := e.next(); c {
		case ',':
			e.dst = append(e.dst, ',', ' ')
		case open + 2: // } or ]
			e.dst = append(e.dst, c)
			return true
		default:
			return false
		}
	}
}

// scalar writes the JSON scalar at e.pos, as a key when key is set, in a
// flow collection when flow is set.
func (e *yamlItem) scalar(flow, key bool) bool {
	switch c := e.peek(); {
	case c == '"':
		if !e.readString() {
			return false
		}
		switch {
		case len(e.str) == 0:
			// yaml.v3 quotes it, since empty plain reads as null.
			e.dst = append(e.dst, '"', '"')
			return true
		case key && len(e.str) > 128:
			return false // yaml.v3 writes a long key as "? key"
		case !plainYAML(e.str, flow) || !readsAsString(e.str):
			return false
		}
		e.dst = append(e.dst, e.str...)
		return true
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if len(e.src)-e.pos >= len(lit) && string(e.src[e.pos:e.pos+len(lit)]) == lit {
				e.pos += len(lit)
				e.dst = append(e.dst, lit...)
				return !key
			}
		}
		return false
	case c == '-' || c >= '0' && c <= '9':
		return !key && e.number()
	}
	return false
}

// number writes a JSON number when yaml.v3 writes it plain: when it reads
// back as the number it is, an int as an int and a float as a float.
func (e *yamlItem) number() bool {
	start := e.pos
	isFloat := false
	for ; e.pos < len(e.src); e.pos++ {
		c := e.src[e.pos]
		if c == '.' || c == 'e' || c == 'E' {
			isFloat = true
		} else if c != '-' && c != '+' && (c < '0' || c > '9') {
			break
		}
	}
	n := string(e.src[start:e.pos])
	var err error
	if isFloat {
		_, err = strconv.ParseFloat(n, 64)
	} else if _, err = strconv.ParseInt(n, 10, 64); err != nil {
		_, err = strconv.ParseUint(n, 10, 64)
	}
	e.dst = append(e.dst, n...)
	return err == nil
}

// readString reads the JSON string at e.pos into e.str. It gives up on an
// escape other than \" and \\: encoding/json escapes only controls and
// U+2028/U+2029 otherwise, which no plain scalar holds.
func (e *yamlItem) readString() bool {
	e.str = e.str[:0]
	e.pos++ // "
	for e.pos < len(e.src) {
		c := e.src[e.pos]
		switch {
		case c == '"':
			e.pos++
			return true
		case c == '\\':
			if e.pos+1 >= len(e.src) || e.src[e.pos+1] != '"' && e.src[e.pos+1] != '\\' {
				return false
			}
			e.str = append(e.str, e.src[e.pos+1])
			e.pos += 2
		default:
			e.str = append(e.str, c)
			e.pos++
		}
	}
	return false
}

// plainYAML reports whether yaml.v3's emitter writes s, not empty, as a
// plain scalar: the conditions of yaml_emitter_analyze_scalar, in block or
// flow context. A character that Safe replaces is never plain, so that
// yaml.v3's escaping, completed by quoteUnsafe, takes it.
func plainYAML(s []byte, flow bool) bool {
	if len(s) >= 3 && (string(s[:3]) == "---" || string(s[:3]) == "...") {
		return false
	}
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '?', ':', ' ':
		return false
	case '-':
		if len(s) == 1 || s[1] == ' ' {
			return false
		}
	}
	if s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(s[i:])
			// yaml.v3 quotes what its is_printable rejects: C1, the byte
			// order mark, U+FFFE and up, beyond the BMP; and breaks lines
			// at U+2028 and U+2029, which unsafeRune names.
			if r < 0xa0 || r >= 0xfffe || r == 0xfeff || text.Unsafe(r) {
				return false
			}
			i += n
			continue
		}
		switch {
		case c < ' ' || c == 0x7f:
			return false
		case flow && (c == ',' || c == '?' || c == '[' || c == ']' || c == '{' || c == '}' || c == ':'):
			return false
		case c == ':' && (i+1 == len(s) || s[i+1] == ' '):
			return false
		case c == '#' && s[i-1] == ' ':
			return false
		}
		i++
	}
	return true
}

// readsAsString reports whether s, written plain, reads back as a string
// by yaml.v3's resolve rather than as null, a boolean, a number or a time:
// exactly for the first characters that cannot start anything else, by
// resolve's own table for the words, and conservatively for numbers and
// times, which are made only of the characters of numericLike.
func readsAsString(s []byte) bool {
	switch c := s[0]; {
	case c >= '0' && c <= '9' || c == '-' || c == '+':
		if yamlWords[string(s)] {
			return false
		}
		for _, c := range s {
			if !numericLike[c] {
				return true
			}
		}
		return false
	case c == '.':
		if yamlWords[string(s)] {
			return false
		}
		_, err := strconv.ParseFloat(string(s), 64)
		return err != nil
	case c == '~' || c == '<' || yamlWordStart[c]:
		return !yamlWords[string(s)]
	}
	return true
}

// yamlWords are the plain scalars that yaml.v3 resolves from its table.
var yamlWords = map[string]bool{
	"true": true, "True": true, "TRUE": true, "false": true, "False": true, "FALSE": true,
	"~": true, "null": true, "Null": true, "NULL": true, "<<": true,
	".nan": true, ".NaN": true, ".NAN": true, ".inf": true, ".Inf": true, ".INF": true,
	"+.inf": true, "+.Inf": true, "+.INF": true, "-.inf": true, "-.Inf": true, "-.INF": true,
}

// yamlWordStart are the letters that make yaml.v3 look a scalar up in its
// table.
var yamlWordStart = [256]bool{'y': true, 'Y': true, 'n': true, 'N': true, 't': true, 'T': true, 'f': true, 'F': true, 'o': true, 'O': true}

// numericLike are the characters of yaml.v3's ints (decimal, 0x, 0o, 0b,
// with _), floats and timestamps (2006-1-2T15:04:05.9Z07:00).
var numericLike = func() (t [256]bool) {
	for _, c := range []byte("0123456789abcdefABCDEFxXoObBtTzZ_+-.: ") {
		t[c] = true
	}
	return t
}()

func (e *yamlItem) peek() byte {
	if e.pos < len(e.src) {
		return e.src[e.pos]
	}
	return 0
}

func (e *yamlItem) next() byte {
	c := e.peek()
	e.pos++
	return c
}

func (e *yamlItem) expect(c byte) bool { return e.next() == c }

// empty reports whether the object or array at e.pos is empty, and if so
// steps over it.
func (e *yamlItem) empty() bool {
	if e.pos+1 < len(e.src) && e.src[e.pos+1] == e.src[e.pos]+2 {
		e.pos += 2
		return true
	}
	return false
}

func (e *yamlItem) newline() bool {
	e.dst = append(e.dst, '\n')
	return true
}

func (e *yamlItem) spaces(n int) {
	for range n {
		e.dst = append(e.dst, ' ')
	}
}
