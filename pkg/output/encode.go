package output

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// WriteJSON writes v as JSON indented by two spaces, followed by a newline.
// A nil slice is written as [] rather than null, so that an empty list reads
// the same whichever way the caller built it. '<', '>' and '&' are written as
// they are: the output is read by people and jq, never embedded in HTML.
// DEL, the C1 controls, U+2028, U+2029 and the format characters (see Safe)
// are written as \u escapes, which encoding/json leaves raw, so that the
// output never carries them to a terminal and still reads back exactly.
//
// Those escapes aside, the bytes are those of a json.Encoder with
// SetIndent("", "  "), produced faster: a list is encoded one element at a time, which spares building
// the whole compact form and then a whole indented copy, and indenting uses
// a scanner that trusts encoding/json's output, where json.Indent validates
// byte by byte. For 100,000 users that is about 115 ms instead of 300 ms.
// If an element of a list cannot be encoded, the ones before it may already
// have been written.
func WriteJSON(w io.Writer, v any) error {
	v = orEmpty(v)
	out := &itemBuffer{w: w}
	rv, isList := listOf(v)
	if !isList {
		var enc jsonEncoder
		b, err := enc.indent(v, 0)
		if err != nil {
			return err
		}
		out.Write(b)
		out.WriteByte('\n')
	} else {
		list := jsonSink{out: out}
		for i := range rv.Len() {
			// The address keeps pointer-receiver MarshalJSON methods in
			// play, as they are for the elements of a slice encoded whole.
			if err := list.add(rv.Index(i).Addr().Interface(), nil); err != nil {
				return err
			}
		}
		list.finish()
	}
	return out.flush()
}

// jsonSink writes a list as WriteJSON does, one element at a time: the
// list alone, or as the value of a document's only key when key is set.
type jsonSink struct {
	out *itemBuffer
	enc jsonEncoder
	key string
	n   int
}

func (s *jsonSink) add(item any, _ []string) error {
	depth := 1
	if s.key != "" {
		depth = 2
	}
	b, err := s.enc.indent(item, depth)
	if err != nil {
		return err
	}
	if s.n == 0 {
		s.open()
		s.out.WriteByte('[')
	} else {
		s.out.WriteByte(',')
	}
	s.out.WriteString("\n    "[:1+2*depth])
	s.out.Write(b)
	s.n++
	return s.out.endItem()
}

// open writes what comes before the list: the document's key.
func (s *jsonSink) open() {
	if s.key != "" {
		s.out.WriteString("{\n  ")
		s.out.Write(appendJSONString(nil, s.key, true))
		s.out.WriteString(": ")
	}
}

func (s *jsonSink) finish() error {
	switch {
	case s.n == 0:
		s.open()
		s.out.WriteString("[]")
	case s.key != "":
		s.out.WriteString("\n  ]")
	default:
		s.out.WriteString("\n]")
	}
	if s.key != "" {
		s.out.WriteString("\n}")
	}
	s.out.WriteByte('\n')
	return nil
}

// encode returns x as compact JSON, as encoding/json writes it but for
// '<', '>' and '&', which are left as they are. The result is valid until
// the next call.
func (e *jsonEncoder) encode(x any) ([]byte, error) {
	if b, ok := e.shaped(x, false, 0); ok {
		return b, nil
	}
	return e.encodeJSON(x)
}

// encodeJSON is encode by encoding/json.
func (e *jsonEncoder) encodeJSON(x any) ([]byte, error) {
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.compact)
		e.enc.SetEscapeHTML(false)
	}
	e.compact.Reset()
	if err := e.enc.Encode(x); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(e.compact.Bytes(), []byte("\n")), nil
}

// jsonEncoder encodes values as WriteJSON writes them, reusing its buffers.
type jsonEncoder struct {
	enc               *json.Encoder
	compact           bytes.Buffer
	escaped, indented []byte
	writer            jsonWriter
	shapedBuf         []byte
	// lastType and lastShape spare a list of one type the cache's look-up.
	lastType  reflect.Type
	lastShape *jsonShape
}

// shaped writes x itself when its type has a jsonShape, compact or
// indented from depth on, and reports whether it could.
func (e *jsonEncoder) shaped(x any, indent bool, depth int) ([]byte, bool) {
	v := reflect.ValueOf(x)
	if !v.IsValid() {
		return nil, false
	}
	if t := v.Type(); t != e.lastType {
		e.lastType, e.lastShape = t, shapeOf(t)
	}
	shape := e.lastShape
	if shape == nil {
		return nil, false
	}
	e.writer.indent, e.writer.depth = indent, depth
	e.shapedBuf = e.writer.value(e.shapedBuf[:0], shape, v)
	return e.shapedBuf, true
}

// indent returns x as indented JSON for depth levels of nesting, without a
// final newline. The result is valid until the next call.
func (e *jsonEncoder) indent(x any, depth int) ([]byte, error) {
	if b, ok := e.shaped(x, true, depth); ok {
		return b, nil
	}
	src, err := e.encodeJSON(x)
	if err != nil {
		return nil, fmt.Errorf("writing JSON: %w", err)
	}
	if i, _, _ := nextUnsafeByte(src); i >= 0 {
		e.escaped = appendJSONSafe(e.escaped[:0], src)
		src = e.escaped
	}
	in := indenter{depth: depth}
	e.indented = in.append(e.indented[:0], src)
	return e.indented, nil
}

// listOf returns v as a reflect.Value and whether it is a list that can be
// written one element at a time: a non-empty slice that is not a []byte,
// which is one base64 string, nor of a type that encodes itself.
func listOf(v any) (reflect.Value, bool) {
	rv := reflect.ValueOf(v)
	isList := rv.Kind() == reflect.Slice && rv.Len() > 0 &&
		!encodesItself(rv.Type()) && rv.Type().Elem().Kind() != reflect.Uint8
	return rv, isList
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

// jsonForm returns v as encoding/json would read back its JSON: maps,
// slices, strings, bools, nil and json.Number. --jq and --template work on
// this form so that they see the same keys and numbers as -o json.
func jsonForm(v any) (any, error) { return elementForm(orEmpty(v)) }

// serverForm is the JSON form as --jq and --template see it: every tab,
// line break and carriage return inside a string or a key is replaced by
// U+FFFD. Their output keeps those characters, which the expression or the
// template writes on purpose (@tsv, "\n"), and replaces every other one
// that Safe replaces; a value from the server must not bring its own, or
// an email holding "\nadmin@example.com" would print as a second line that
// `| xargs dqo-users delete` reads as another user. The form is changed in
// place.
func serverForm(v any) any {
	switch v := v.(type) {
	case string:
		return flatten(v)
	case []any:
		for i := range v {
			v[i] = serverForm(v[i])
		}
	case map[string]any:
		var renamed map[string]any
		for k, e := range v {
			v[k] = serverForm(e)
			if f := flatten(k); f != k {
				if renamed == nil {
					renamed = map[string]any{}
				}
				renamed[f] = v[k]
				delete(v, k)
			}
		}
		for k, e := range renamed {
			v[k] = e
		}
	}
	return v
}

// breaks replaces tabs, line breaks and carriage returns by U+FFFD.
var breaks = strings.NewReplacer("\t", "\uFFFD", "\n", "\uFFFD", "\r", "\uFFFD")

// flatten replaces the tabs, line breaks and carriage returns of s by
// U+FFFD.
func flatten(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	return breaks.Replace(s)
}

// elementForm is jsonForm for an element of a list, which encoding/json
// writes as null when it is a nil slice.
func elementForm(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeForm(b)
}

// decodeForm reads JSON text into the JSON form.
func decodeForm(b []byte) (any, error) {
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
