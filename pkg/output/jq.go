package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/itchyny/gojq"
)

// writeJQ runs expr over the JSON form of value and prints its results.
func writeJQ(ctx context.Context, out *itemBuffer, expr string, value any) error {
	code, err := compileJQ(expr)
	if err != nil {
		return err
	}
	data, err := jsonForm(value)
	if err != nil {
		return fmt.Errorf("preparing --jq input: %w", err)
	}
	_, err = runJQ(ctx, out, code, serverForm(data))
	return err
}

// runJQ prints each result of code run over data on its own line: strings
// raw, as gh does, so that `--jq '.[].email'` feeds a shell loop, with
// their tabs and line breaks (@tsv makes them on purpose) and nothing else
// Safe replaces; anything else as compact JSON, escaped as WriteJSON
// escapes. halted reports a `halt`: nothing more is to be run.
func runJQ(ctx context.Context, out *itemBuffer, code *gojq.Code, data any) (halted bool, err error) {
	iter := code.RunWithContext(ctx, data)
	var buf []byte
	for {
		v, ok := iter.Next()
		if !ok {
			return false, nil
		}
		if err, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) {
				if halt.Value() == nil {
					return true, nil // plain `halt` stops without an error
				}
				// halt_error's message is the user's own; show it as jq
				// does, without gojq's "halt error: " prefix.
				msg, ok := halt.Value().(string)
				if !ok {
					b, _ := gojq.Marshal(halt.Value())
					msg = string(b)
				}
				return true, &runError{what: "--jq", msg: strings.TrimSuffix(msg, "\n")}
			}
			return false, &runError{what: "--jq", err: err}
		}
		if s, isString := v.(string); isString {
			out.WriteString(text.SafeLines(s))
		} else {
			b, err := gojq.Marshal(v)
			if err != nil {
				return false, &runError{what: "--jq", err: err}
			}
			buf = appendSafe(buf[:0], b, false)
			out.Write(buf)
		}
		out.WriteByte('\n')
		// An expression may print without end (repeat); hand its output
		// on rather than hold it.
		if err := out.flushFull(); err != nil {
			return false, err
		}
	}
}

// runError is a --jq or --template that failed while running. Its message
// quotes data (gojq shows the value it could not work on, halt_error shows
// what the expression made of it), so it is made safe as SafeText does.
type runError struct {
	what string // "--jq" or "--template"
	msg  string // shown instead of err's message when set
	err  error
}

func (e *runError) Error() string {
	msg := e.msg
	if msg == "" {
		msg = e.err.Error()
	}
	return "running " + e.what + ": " + text.SafeText(msg)
}

// Unwrap returns the error of gojq, text/template or the context, if any.
func (e *runError) Unwrap() error { return e.err }

// jqSink runs --jq over a list. An expression that begins by iterating the
// list (`.[] | f`, `.[].email`) runs on each item as it comes, so that
// memory does not grow with the list; any other sees the whole list, held
// as JSON until the list is complete.
type jqSink struct {
	ctx     context.Context
	out     *itemBuffer
	code    *gojq.Code // run on each item, or on the whole list when held
	held    *heldItems // nil when run on each item
	stopped bool       // halt was run: the rest of the list is ignored
}

func newJQSink(ctx context.Context, out *itemBuffer, expr string) (*jqSink, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, &UsageError{msg: jqParseMessage(expr, err), err: err}
	}
	s := &jqSink{ctx: ctx, out: out}
	if each := perItem(q); each != nil {
		q = each
	} else {
		s.held = &heldItems{}
	}
	if s.code, err = gojq.Compile(q); err != nil {
		return nil, &UsageError{msg: "invalid --jq expression: " + err.Error(), err: err}
	}
	return s, nil
}

func (s *jqSink) add(item any, _ []string) error {
	if s.stopped {
		return nil
	}
	if s.held != nil {
		return s.held.add(item)
	}
	data, err := elementForm(item)
	if err != nil {
		return fmt.Errorf("preparing --jq input: %w", err)
	}
	s.stopped, err = runJQ(s.ctx, s.out, s.code, serverForm(data))
	if err != nil {
		return err
	}
	return s.out.endItem()
}

func (s *jqSink) finish() error {
	if s.held == nil || s.stopped {
		return nil
	}
	data, err := s.held.form()
	if err != nil {
		return fmt.Errorf("preparing --jq input: %w", err)
	}
	_, err = runJQ(s.ctx, s.out, s.code, data)
	s.out.pending += s.held.n
	return err
}

// perItem returns the part of q that, run on each element of a list,
// prints what q prints for the whole list: rest, when q is `.[] | rest` or
// `.[]rest`; else nil. Equivalent forms are left alone: `.[] as $x | f`
// runs f on the whole list, and in `.[].a?` the ? ends the whole iteration
// at the first error, not only that element's.
func perItem(q *gojq.Query) *gojq.Query {
	if q.Meta != nil || len(q.Imports) > 0 || len(q.FuncDefs) > 0 || len(q.Patterns) > 0 {
		return nil
	}
	if q.Op == gojq.OpPipe && isIterate(q.Left) {
		return q.Right
	}
	if q.Term == nil || q.Term.Type != gojq.TermTypeIdentity || len(q.Term.SuffixList) == 0 || !iterates(q.Term.SuffixList[0]) {
		return nil
	}
	rest := q.Term.SuffixList[1:]
	for _, s := range rest {
		if s.Optional {
			return nil
		}
	}
	if len(rest) > 0 && rest[0].Index != nil {
		// `.[].email` goes on as `.email`, the term that parses so.
		return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeIndex, Index: rest[0].Index, SuffixList: rest[1:]}}
	}
	return &gojq.Query{Term: &gojq.Term{Type: gojq.TermTypeIdentity, SuffixList: rest}}
}

// isIterate reports whether q is exactly `.[]`.
func isIterate(q *gojq.Query) bool {
	return q != nil && q.Meta == nil && len(q.Imports) == 0 && len(q.FuncDefs) == 0 && len(q.Patterns) == 0 &&
		q.Left == nil && q.Right == nil && q.Term != nil && q.Term.Type == gojq.TermTypeIdentity &&
		len(q.Term.SuffixList) == 1 && iterates(q.Term.SuffixList[0])
}

// iterates reports whether s is a plain `[]`.
func iterates(s *gojq.Suffix) bool { return s.Iter && !s.Optional && s.Index == nil }

// heldItems holds the items of a list as one JSON array, the most compact
// form that gives back exactly what jsonForm gives for the whole list.
type heldItems struct {
	buf []byte
	n   int
}

func (h *heldItems) add(item any) error {
	b, err := json.Marshal(item)
	if err != nil {
		return fmt.Errorf("preparing the list: %w", err)
	}
	sep := byte(',')
	if h.n == 0 {
		sep = '['
	}
	h.buf = append(append(h.buf, sep), b...)
	h.n++
	return nil
}

// form returns the list in the JSON form as --jq and --template see it
// (serverForm).
func (h *heldItems) form() (any, error) {
	if h.n == 0 {
		return []any{}, nil
	}
	data, err := decodeForm(append(h.buf, ']'))
	return serverForm(data), err
}

// jsonForm returns v as encoding/json would read back its JSON: maps,
// slices, strings, bools, nil and json.Number. --jq and --template work on
// this form so that they see the same keys and numbers as -o json.
func jsonForm(v any) (any, error) { return elementForm(orEmpty(v)) }

// serverForm is the JSON form as --jq and --template see it, changed in
// place: every tab, line break and carriage return in a string or a key is
// U+FFFD. Their output keeps those the expression or template writes on
// purpose (@tsv, "\n"), so a value from the server must not bring its own:
// an email holding "\nadmin@example.com" would print as a second line that
// `| xargs dqo-users delete` reads as another user.
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

// flatten replaces tabs, line breaks and carriage returns by U+FFFD; a
// string without them is returned as it is.
var flatten = strings.NewReplacer("\t", "\uFFFD", "\n", "\uFFFD", "\r", "\uFFFD").Replace

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
