package output

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// appendShapedItem appends v, a value of shape s, as an element of a
// top-level block sequence, with the bytes appendYAMLItem writes for its
// JSON, without writing and reading that JSON: the same walk over the same
// structure, made over the value itself. It gives up, returning dst as it
// was, where appendYAMLItem would (a string yaml.v3 quotes, a list of
// lists), and then the item takes the way through JSON.
func (e *yamlItem) appendShapedItem(dst []byte, s *jsonShape, v reflect.Value, flowFields bool) ([]byte, bool) {
	e.dst, e.flow, e.level = dst, flowFields, 0
	start := len(dst)
	e.dst = append(e.dst, '-')
	if !e.shapedElement(s, v, 0, 0) {
		return dst[:start], false
	}
	return e.dst, true
}

// yamlValueKind is what a value is in JSON.
type yamlValueKind uint8

const (
	yamlNull yamlValueKind = iota
	yamlScalar
	yamlObject
	yamlArray
)

// resolve follows pointers and says what the value is in JSON.
func resolve(s *jsonShape, v reflect.Value) (*jsonShape, reflect.Value, yamlValueKind) {
	for s.kind == reflect.Pointer {
		if v.IsNil() {
			return s, v, yamlNull
		}
		s, v = s.elem, v.Elem()
	}
	switch s.kind {
	case reflect.Struct:
		return s, v, yamlObject
	case reflect.Map:
		if v.IsNil() {
			return s, v, yamlNull
		}
		return s, v, yamlObject
	case reflect.Slice:
		if v.IsNil() {
			return s, v, yamlNull
		}
		return s, v, yamlArray
	}
	return s, v, yamlScalar
}

// shapedEntry is one key and value of an object.
type shapedEntry struct {
	key   string
	shape *jsonShape
	value reflect.Value
}

// entries lists an object's keys and values in JSON's order: a struct's
// fields as encoding/json writes them, a map's keys sorted. The list is
// scratch space of the item's current level, taken until done is called.
func (e *yamlItem) entries(s *jsonShape, v reflect.Value) []shapedEntry {
	if e.level == len(e.scratch) {
		e.scratch = append(e.scratch, nil)
	}
	out := e.scratch[e.level][:0]
	e.level++
	if s.kind == reflect.Struct {
		for _, f := range s.fields {
			fv := v.Field(f.index)
			if f.omitted(fv) {
				continue
			}
			out = append(out, shapedEntry{key: f.name, shape: f.shape, value: fv})
		}
	} else if v.Len() > 0 {
		key := reflect.New(v.Type().Key()).Elem()
		iter := v.MapRange()
		for iter.Next() {
			key.SetIterKey(iter)
			out = append(out, shapedEntry{key: key.String(), shape: s.elem})
		}
		slices.SortFunc(out, func(a, b shapedEntry) int { return strings.Compare(a.key, b.key) })
		for i := range out {
			key.SetString(out[i].key)
			out[i].value = v.MapIndex(key)
		}
	}
	e.scratch[e.level-1] = out
	return out
}

// done gives back the scratch space of the last entries.
func (e *yamlItem) done() { e.level-- }

// shapedElement is element for a value.
func (e *yamlItem) shapedElement(s *jsonShape, v reflect.Value, indent, depth int) bool {
	s, v, kind := resolve(s, v)
	switch kind {
	case yamlObject:
		fields := e.entries(s, v)
		defer e.done()
		if len(fields) == 0 {
			e.dst = append(e.dst, " {}\n"...)
			return true
		}
		e.dst = append(e.dst, ' ')
		return e.shapedMapping(fields, indent+2, true, depth)
	case yamlArray:
		if v.Len() == 0 {
			e.dst = append(e.dst, " []\n"...)
			return true
		}
		return false // "- - x": rare, left to yaml.v3
	}
	e.dst = append(e.dst, ' ')
	return e.shapedScalar(s, v, kind, false) && e.newline()
}

// shapedMapping is mapping for an object's entries.
func (e *yamlItem) shapedMapping(fields []shapedEntry, indent int, prefixed bool, depth int) bool {
	for i, f := range fields {
		if i > 0 || !prefixed {
			e.spaces(indent)
		}
		if !e.stringScalar(f.key, false, true) {
			return false
		}
		e.dst = append(e.dst, ':')
		if !e.shapedValue(f.shape, f.value, indent, depth) {
			return false
		}
	}
	return true
}

// shapedValue is value for a value.
func (e *yamlItem) shapedValue(s *jsonShape, v reflect.Value, indent, depth int) bool {
	s, v, kind := resolve(s, v)
	if kind == yamlScalar || kind == yamlNull {
		e.dst = append(e.dst, ' ')
		return e.shapedScalar(s, v, kind, false) && e.newline()
	}
	var fields []shapedEntry
	empty := false
	if kind == yamlObject {
		fields = e.entries(s, v)
		defer e.done()
		empty = len(fields) == 0
	} else {
		empty = v.Len() == 0
	}
	switch {
	case empty && kind == yamlObject:
		e.dst = append(e.dst, " {}\n"...)
		return true
	case empty:
		e.dst = append(e.dst, " []\n"...)
		return true
	case e.flow && depth == 0:
		e.dst = append(e.dst, ' ')
		return e.shapedFlow(s, v, fields) && e.newline()
	}
	e.dst = append(e.dst, '\n')
	if kind == yamlObject {
		return e.shapedMapping(fields, indent+2, false, depth+1)
	}
	// With the compact sequence indent, "- " is at the key's column.
	for i := range v.Len() {
		e.spaces(indent)
		e.dst = append(e.dst, '-')
		if !e.shapedElement(s.elem, v.Index(i), indent, depth+1) {
			return false
		}
	}
	return true
}

// shapedFlow is flowCollection for a non-empty object (its entries given)
// or list of scalars.
func (e *yamlItem) shapedFlow(s *jsonShape, v reflect.Value, fields []shapedEntry) bool {
	open, end := byte('{'), byte('}')
	n := len(fields)
	if fields == nil {
		open, end, n = '[', ']', v.Len()
	}
	e.dst = append(e.dst, open)
	for i := range n {
		if i > 0 {
			e.dst = append(e.dst, ',', ' ')
		}
		es, ev := s.elem, reflect.Value{}
		if fields != nil {
			if !e.stringScalar(fields[i].key, true, true) {
				return false
			}
			e.dst = append(e.dst, ':', ' ')
			es, ev = fields[i].shape, fields[i].value
		} else {
			ev = v.Index(i)
		}
		es, ev, kind := resolve(es, ev)
		if kind != yamlScalar && kind != yamlNull || !e.shapedScalar(es, ev, kind, true) {
			return false
		}
	}
	e.dst = append(e.dst, end)
	return true
}

// shapedScalar is scalar for a value that is null or a scalar (not a key).
func (e *yamlItem) shapedScalar(s *jsonShape, v reflect.Value, kind yamlValueKind, flow bool) bool {
	if kind == yamlNull {
		e.dst = append(e.dst, "null"...)
		return true
	}
	switch s.kind {
	case reflect.String:
		return e.stringScalar(v.String(), flow, false)
	case reflect.Bool:
		e.dst = strconv.AppendBool(e.dst, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.dst = strconv.AppendInt(e.dst, v.Int(), 10)
	default:
		e.dst = strconv.AppendUint(e.dst, v.Uint(), 10)
	}
	return true
}

// stringScalar writes a string as scalar writes a JSON string: plain when
// yaml.v3 writes it plain, "" when empty. A string that is not UTF-8, or
// holds a character JSON escapes, is given up on, as readString gives up
// on the escape.
func (e *yamlItem) stringScalar(str string, flow, key bool) bool {
	switch {
	case str == "":
		e.dst = append(e.dst, '"', '"')
		return true
	case key && len(str) > 128:
		return false
	}
	b := e.str[:0]
	b = append(b, str...)
	e.str = b
	if !utf8.Valid(b) || !plainYAML(b, flow) || !readsAsString(b) {
		return false
	}
	e.dst = append(e.dst, b...)
	return true
}
