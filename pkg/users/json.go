package users

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// parseJSON reads JSON token by token, so that every value knows its line:
// the offset where each token ends gives it.
func parseJSON(data []byte) (*node, error) {
	p := &jsonParser{dec: json.NewDecoder(bytes.NewReader(data)), lines: newLineIndex(data)}
	p.dec.UseNumber()
	if len(bytes.TrimSpace(data)) == 0 {
		return &node{kind: kindNull, line: 1}, nil
	}
	root, err := p.value()
	if err != nil {
		return nil, p.problem(err)
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Problem{Line: p.lines.at(p.dec.InputOffset()), Message: "not valid JSON: more after the end of the document"}
	}
	return root, nil
}

type jsonParser struct {
	dec   *json.Decoder
	lines lineIndex
}

func (p *jsonParser) line() int { return p.lines.at(p.dec.InputOffset()) }

func (p *jsonParser) problem(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Problem{Line: p.lines.at(se.Offset), Message: "not valid JSON: " + se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Problem{Line: p.lines.last(), Message: "not valid JSON: the document ends too early"}
	}
	return &Problem{Line: p.line(), Message: "not valid JSON: " + err.Error()}
}

func (p *jsonParser) value() (*node, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	line := p.line()
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: kindMap, line: line}
			for p.dec.More() {
				key, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				keyLine := p.line()
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, &node{kind: kindScalar, line: keyLine, value: key.(string)})
				n.values = append(n.values, v)
			}
			_, err := p.dec.Token()
			return n, err
		case '[':
			n := &node{kind: kindSeq, line: line}
			for p.dec.More() {
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := p.dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %q", t)
	case nil:
		return &node{kind: kindNull, line: line}, nil
	case string:
		return &node{kind: kindScalar, line: line, value: t}, nil
	case json.Number:
		return &node{kind: kindScalar, line: line, value: t.String()}, nil
	case bool:
		return &node{kind: kindScalar, line: line, value: strconv.FormatBool(t)}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	var nl lineIndex
	for i, b := range data {
		if b == '\n' {
			nl = append(nl, i)
		}
	}
	return nl
}

// at is the line of the byte just before offset: a token that ends at
// offset is on that line.
func (l lineIndex) at(offset int64) int {
	return sort.SearchInts(l, int(max(offset-1, 0))) + 1
}

func (l lineIndex) last() int { return len(l) + 1 }
