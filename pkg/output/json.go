package output

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
)

// WriteJSON writes v as JSON indented by two spaces, followed by a newline:
// what a json.Encoder writes with SetIndent("", "  ") and
// SetEscapeHTML(false), but for the escapes below. A nil slice is written as
// [] rather than null, so that an empty list reads the same whichever way
// the caller built it. '<', '>' and '&' are written as they are: the output
// is read by people and jq, never embedded in HTML.
//
// DEL, the C1 controls and the format characters (text.Unsafe), which
// encoding/json writes raw, are written as \u escapes (a character beyond
// U+FFFF as its UTF-16 pair), so that the output never carries them to a
// terminal and still reads back exactly; encoding/json itself escapes the
// C0 controls, U+2028 and U+2029, and writes invalid UTF-8 as \ufffd. The
// table of every such escape is in the tests (outputtest.Hostiles).
//
// A list is written one element at a time, which gives the bytes of the
// whole without holding its compact and its indented form at once; if an
// element cannot be encoded, the ones before it may have been written.
func WriteJSON(w io.Writer, v any) error {
	out := &itemBuffer{w: w}
	if err := writeValue(&jsonSink{out: out, layout: &Layout{}}, v); err != nil {
		return err
	}
	return out.flush()
}

// WriteJSONLine writes v as compact JSON on one line, as error objects and
// other records meant for line-by-line reading are written, with the same
// escaping of control and format characters as WriteJSON.
func WriteJSONLine(w io.Writer, v any) error {
	var e jsonEncoder
	b, err := e.encode(v, "", "")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeValue writes v through s: a list one element at a time, anything
// else whole. A list is a slice, nil and empty ones included (written as []
// rather than null), that is not a []byte, which is one base64 string, nor of
// a type that encodes itself. The address of each element keeps
// pointer-receiver methods (User, MarshalJSON) in play, as they are for the
// elements of a slice encoded whole.
func writeValue(s valueSink, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice || encodesItself(rv.Type()) || rv.Type().Elem().Kind() == reflect.Uint8 {
		return s.value(v)
	}
	for i := range rv.Len() {
		if err := s.add(rv.Index(i).Addr().Interface(), nil); err != nil {
			return err
		}
	}
	return s.finish()
}

// jsonEncoder encodes values as WriteJSON writes them, reusing its buffers.
type jsonEncoder struct {
	buf  bytes.Buffer
	enc  *json.Encoder
	safe []byte
}

// encode returns v as WriteJSON escapes it, without a final newline:
// compact when indent is empty, else indented with prefix before every line
// but the first, to be placed inside a document at that depth. The result
// is valid until the next call.
func (e *jsonEncoder) encode(v any, prefix, indent string) ([]byte, error) {
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetEscapeHTML(false)
	}
	e.enc.SetIndent(prefix, indent)
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, fmt.Errorf("writing JSON: %w", err)
	}
	b := bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))
	if i, _, _ := nextUnsafeByte(b); i >= 0 {
		e.safe = appendSafe(e.safe[:0], b, false)
		b = e.safe
	}
	return b, nil
}

// jsonSink writes a list as WriteJSON writes it whole, one element at a
// time: the list alone, or framed by its Layout as the value of a
// document's key.
type jsonSink struct {
	out    *itemBuffer
	enc    jsonEncoder
	layout *Layout
	indent string // what begins the lines of an item, set by open
	n      int
}

func (s *jsonSink) add(item any, _ []string) error {
	sep := ",\n"
	if s.n == 0 {
		if err := s.open(); err != nil {
			return err
		}
		sep = "[\n"
	}
	b, err := s.enc.encode(item, s.indent, "  ")
	if err != nil {
		return err
	}
	s.out.WriteString(sep)
	s.out.WriteString(s.indent)
	s.out.Write(b)
	s.n++
	return s.out.endItem()
}

func (s *jsonSink) value(v any) error {
	b, err := s.enc.encode(v, "", "  ")
	if err != nil {
		return err
	}
	s.out.Write(b)
	return s.out.WriteByte('\n')
}

// open writes what comes before the list: the document's head and key.
func (s *jsonSink) open() error {
	s.indent = "  "
	if s.layout.Key == "" {
		return nil
	}
	s.indent = "    "
	s.out.WriteString("{\n")
	for _, f := range s.layout.Head {
		if err := s.field(f); err != nil {
			return err
		}
		s.out.WriteString(",\n")
	}
	s.key(s.layout.Key)
	return nil
}

// key begins a key of the document: `  "key": `. A string always encodes.
func (s *jsonSink) key(k string) {
	b, _ := s.enc.encode(k, "", "")
	s.out.WriteString("  ")
	s.out.Write(b)
	s.out.WriteString(": ")
}

// field writes a key of the document other than the list's, with its value.
func (s *jsonSink) field(f Field) error {
	s.key(f.Key)
	b, err := s.enc.encode(f.Value, "  ", "  ")
	if err != nil {
		return err
	}
	s.out.Write(b)
	return nil
}

func (s *jsonSink) finish() error {
	if s.n == 0 {
		if err := s.open(); err != nil {
			return err
		}
		s.out.WriteString("[]")
	} else {
		// The bracket is indented as the key of the list.
		s.out.WriteString("\n" + s.indent[2:] + "]")
	}
	if s.layout.Key != "" {
		if s.layout.Tail != nil {
			for _, f := range s.layout.Tail(s.n) {
				s.out.WriteString(",\n")
				if err := s.field(f); err != nil {
					return err
				}
			}
		}
		s.out.WriteString("\n}")
	}
	s.out.WriteByte('\n')
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
