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

// runJQ prints each result of code run over data on its own line: strings
// raw, as gh does, so that `--jq '.[].email'` feeds a shell loop, with
// their tabs and line breaks (@tsv makes them on purpose) and nothing else
// Safe replaces; anything else as compact JSON, escaped as WriteJSON
// escapes. halted reports a `halt`: nothing more is to be run.
func runJQ(ctx context.Context, out *itemBuffer, code *gojq.Code, data any) (halted bool, err error) {
	iter := code.RunWithContext(ctx, data)
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
				msg := strings.TrimPrefix(halt.Error(), "halt error: ")
				return true, &runError{what: "--jq", msg: strings.TrimSuffix(msg, "\n")}
			}
			return false, &runError{what: "--jq", err: err}
		}
		if s, isString := v.(string); isString {
			out.WriteString(text.SafeLines(s))
		} else {
			// An iterator's values are all of the types Marshal takes.
			b, _ := gojq.Marshal(v)
			out.buf = appendSafe(out.buf, b, false)
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

// programSink runs --jq or --template over a list. A jq expression that
// begins by iterating the list (`.[] | f`, `.[].email`) runs on each item
// as it comes, so that memory does not grow with the list; any other, and
// a template, sees the whole list, held as JSON until the list is complete.
type programSink struct {
	out     *itemBuffer
	what    string // "--jq" or "--template"
	run     func(data any) (halted bool, err error)
	each    bool   // run on each item rather than on the held list
	held    []byte // the items so far: a JSON array without its ']'
	n       int
	stopped bool // halt was run: the rest of the list is ignored
}

// program returns the sink of --jq or --template. With each, a jq
// expression that begins by iterating the list runs on each item (perItem).
func (o Options) program(ctx context.Context, out *itemBuffer, each bool) (*programSink, error) {
	if o.Template != "" {
		tpl, err := parseTemplate(o.Template)
		if err != nil {
			return nil, err
		}
		run := func(data any) (bool, error) { return false, runTemplate(ctx, out, tpl, data) }
		return &programSink{out: out, what: "--template", run: run}, nil
	}
	code, each, err := compileJQ(o.JQ, each)
	if err != nil {
		return nil, err
	}
	run := func(data any) (bool, error) { return runJQ(ctx, out, code, data) }
	return &programSink{out: out, what: "--jq", run: run, each: each}, nil
}

func (s *programSink) add(item any, _ []string) error {
	if s.stopped {
		return nil
	}
	if s.each {
		if err := s.value(item); err != nil {
			return err
		}
		return s.out.endItem()
	}
	b, err := json.Marshal(item)
	if err != nil {
		return s.inputError(err)
	}
	sep := byte(',')
	if s.n == 0 {
		sep = '['
	}
	s.held = append(append(s.held, sep), b...)
	s.n++
	return nil
}

func (s *programSink) finish() error {
	if s.each || s.stopped {
		return nil
	}
	if s.n == 0 {
		s.held = append(s.held, '[')
	}
	s.out.pending += s.n
	return s.runJSON(append(s.held, ']'))
}

func (s *programSink) value(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return s.inputError(err)
	}
	return s.runJSON(b)
}

// runJSON runs the program over JSON text b read back as encoding/json
// reads it (maps, slices, strings, bools, nil and json.Number), so that it
// sees the same keys and numbers as -o json, and made safe by serverForm.
func (s *programSink) runJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var data any
	if err := dec.Decode(&data); err != nil {
		return s.inputError(err)
	}
	var err error
	s.stopped, err = s.run(serverForm(data))
	return err
}

func (s *programSink) inputError(err error) error {
	return fmt.Errorf("preparing %s input: %w", s.what, err)
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
	// The parser gives `?` a suffix of its own: a left side that prints as
	// `.[]` is exactly that.
	if q.Op == gojq.OpPipe && q.Left.String() == ".[]" {
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

// iterates reports whether s is a plain `[]`.
func iterates(s *gojq.Suffix) bool { return s.Iter && !s.Optional && s.Index == nil }

// serverForm changes the JSON form, in place, into what --jq and --template
// see: every tab, line break and carriage return in a string or a key is
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
		// A key renamed here may come round again: serverForm changes
		// nothing the second time.
		for k, e := range v {
			e = serverForm(e)
			if f := flatten(k); f != k {
				delete(v, k)
				k = f
			}
			v[k] = e
		}
	}
	return v
}

// flatten replaces tabs, line breaks and carriage returns by U+FFFD; a
// string without them is returned as it is.
var flatten = strings.NewReplacer("\t", "\uFFFD", "\n", "\uFFFD", "\r", "\uFFFD").Replace
