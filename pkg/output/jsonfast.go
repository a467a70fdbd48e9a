package output

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// jsonShape is how the package writes values of one type itself, with the
// bytes encoding/json writes for them, several times faster: a list of a
// million users spends most of its time encoding them. It covers the
// shapes the tool prints: structs of strings, booleans, integers, maps with
// string keys, pointers and slices of those. A type with anything else (a
// float, an interface, an embedded field, a MarshalJSON method, a tag
// option other than omitempty or omitzero, an IsZero method) has no shape,
// and encoding/json writes it.
type jsonShape struct {
	kind   reflect.Kind
	fields []jsonField // of a struct
	elem   *jsonShape  // of a map's values, a pointer's target, a slice's elements
}

// jsonField is a struct field that encoding/json writes.
type jsonField struct {
	index     int
	name      string
	key       string // the quoted name and its colon: "email":
	omitEmpty bool
	omitZero  bool // of a type without an IsZero method
	shape     *jsonShape
}

// omitted reports whether encoding/json leaves out the field of value v.
func (f *jsonField) omitted(v reflect.Value) bool {
	return (f.omitEmpty && isEmpty(v)) || (f.omitZero && v.IsZero())
}

// jsonShapes caches the shape of each type seen, nil for a type that has
// none.
var jsonShapes sync.Map // reflect.Type -> *jsonShape

// shapeOf returns the shape of t, or nil when encoding/json must write it.
func shapeOf(t reflect.Type) *jsonShape {
	if s, ok := jsonShapes.Load(t); ok {
		return s.(*jsonShape)
	}
	s := buildShape(t, map[reflect.Type]bool{})
	jsonShapes.Store(t, s)
	return s
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
)

// buildShape works out the shape of t; seen holds the types being worked
// out, so that a recursive type gets none rather than recursing forever.
func buildShape(t reflect.Type, seen map[reflect.Type]bool) *jsonShape {
	if seen[t] || t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return nil
	}
	seen[t] = true
	defer delete(seen, t)
	s := &jsonShape{kind: t.Kind()}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return s
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil
		}
		s.elem = buildShape(t.Elem(), seen)
	case reflect.Pointer:
		s.elem = buildShape(t.Elem(), seen)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // base64, as encoding/json writes []byte
			return nil
		}
		s.elem = buildShape(t.Elem(), seen)
	case reflect.Struct:
		if !s.addFields(t, seen) {
			return nil
		}
		return s
	default:
		return nil
	}
	if s.elem == nil {
		return nil
	}
	return s
}

// addFields gives a struct's shape its fields, and reports whether every
// field is one whose JSON it can write.
func (s *jsonShape) addFields(t reflect.Type, seen map[reflect.Type]bool) bool {
	names := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return false // promoted fields follow rules of their own
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := cutComma(tag)
		if opts != "" && opts != "omitempty" && opts != "omitzero" {
			return false
		}
		omitZero := opts == "omitzero"
		if omitZero && (f.Type.Implements(isZeroerType) || reflect.PointerTo(f.Type).Implements(isZeroerType)) {
			return false
		}
		if name == "" {
			name = f.Name
		}
		if !plainKey(name) || names[name] {
			return false
		}
		names[name] = true
		shape := buildShape(f.Type, seen)
		if shape == nil {
			return false
		}
		key := appendJSONString(nil, name, false)
		s.fields = append(s.fields, jsonField{index: i, name: name, key: string(key) + ":", omitEmpty: opts == "omitempty", omitZero: omitZero, shape: shape})
	}
	return true
}

func cutComma(s string) (before, after string, found bool) {
	for i := range len(s) {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// plainKey reports whether name is a field name that encoding/json takes
// from a tag as it is: letters, digits and underscores.
func plainKey(name string) bool {
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return name != ""
}

// jsonWriter appends values of a shape as JSON: compact, as encoding/json
// writes them with HTML escaping off, or indented by two spaces from depth
// on and with the characters that Safe replaces escaped, as WriteJSON
// writes them.
type jsonWriter struct {
	indent bool
	depth  int
	keys   []string // scratch for a map's sorted keys
}

func (w *jsonWriter) value(dst []byte, s *jsonShape, v reflect.Value) []byte {
	switch s.kind {
	case reflect.String:
		return appendJSONString(dst, v.String(), w.indent)
	case reflect.Bool:
		return strconv.AppendBool(dst, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(dst, v.Uint(), 10)
	case reflect.Pointer:
		if v.IsNil() {
			return append(dst, "null"...)
		}
		return w.value(dst, s.elem, v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return append(dst, "null"...)
		}
		if v.Len() == 0 {
			return append(dst, "[]"...)
		}
		dst = append(dst, '[')
		w.depth++
		for i := range v.Len() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = w.value(w.newline(dst), s.elem, v.Index(i))
		}
		w.depth--
		return append(w.newline(dst), ']')
	case reflect.Map:
		return w.mapValue(dst, s, v)
	}
	return w.structValue(dst, s, v)
}

func (w *jsonWriter) structValue(dst []byte, s *jsonShape, v reflect.Value) []byte {
	open := len(dst)
	dst = append(dst, '{')
	w.depth++
	for _, f := range s.fields {
		fv := v.Field(f.index)
		if f.omitted(fv) {
			continue
		}
		if len(dst) > open+1 {
			dst = append(dst, ',')
		}
		dst = append(w.newline(dst), f.key...)
		if w.indent {
			dst = append(dst, ' ')
		}
		dst = w.value(dst, f.shape, fv)
	}
	w.depth--
	if len(dst) == open+1 {
		return append(dst, '}')
	}
	return append(w.newline(dst), '}')
}

func (w *jsonWriter) mapValue(dst []byte, s *jsonShape, v reflect.Value) []byte {
	if v.IsNil() {
		return append(dst, "null"...)
	}
	if v.Len() == 0 {
		return append(dst, "{}"...)
	}
	// The key is read into, and looked up from, one Value of the key's
	// type: MapRange's Key and Convert would allocate for each.
	key := reflect.New(v.Type().Key()).Elem()
	keys := w.keys[:0]
	iter := v.MapRange()
	for iter.Next() {
		key.SetIterKey(iter)
		keys = append(keys, key.String())
	}
	slices.Sort(keys)
	w.keys = nil // a map inside would use the scratch too
	dst = append(dst, '{')
	w.depth++
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(appendJSONString(w.newline(dst), k, w.indent), ':')
		if w.indent {
			dst = append(dst, ' ')
		}
		key.SetString(k)
		dst = w.value(dst, s.elem, v.MapIndex(key))
	}
	w.depth--
	w.keys = keys[:0]
	return append(w.newline(dst), '}')
}

func (w *jsonWriter) newline(dst []byte) []byte {
	if !w.indent {
		return dst
	}
	dst = append(dst, '\n')
	for range w.depth {
		dst = append(dst, ' ', ' ')
	}
	return dst
}

// isEmpty is encoding/json's test for omitempty, for the kinds a shape has.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Map, reflect.Slice:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it with HTML escaping off; safe escapes as well every character
// that Safe replaces and encoding/json leaves raw, as appendJSONSafe does.
func appendJSONString(dst []byte, s string, safe bool) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (c != 0x7f || !safe) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(append(dst, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029' || safe && text.Unsafe(r):
			dst = append(dst, s[start:i]...)
			if r > 0xffff {
				hi, lo := utf16.EncodeRune(r)
				dst = appendHex(appendHex(dst, `\u`, uint32(hi), 4), `\u`, uint32(lo), 4)
			} else {
				dst = appendHex(dst, `\u`, uint32(r), 4)
			}
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	return append(append(dst, s[start:]...), '"')
}
