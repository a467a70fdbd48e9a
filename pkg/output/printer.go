package output

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/template"

	"github.com/itchyny/gojq"
)

// Printer prints command results in the form the user asked for.
type Printer struct {
	// Out receives the results.
	Out io.Writer
	// ErrOut receives the Table.Empty message on a terminal; nil drops it.
	ErrOut io.Writer
	// IsTerminal says whether Out is a terminal. It switches table and wide
	// between aligned columns with headers and tab-separated rows without.
	IsTerminal bool
	// Color allows ANSI colours in a terminal table. The caller decides it
	// (NO_COLOR, --color, CI); piped tables are never coloured regardless.
	Color bool
	// Options are the user's choices.
	Options Options
}

// Print writes value, or t for the formats that print rows and columns, to
// p.Out. value is what -o json shows (a slice for lists, a single object for
// one item); t shows the same data as rows and may be nil only when the
// format is json or yaml or --jq or --template is given.
//
// An invalid option gives a *UsageError before anything is written. A
// failing --jq or --template at run time, or a failed write, gives a plain
// error; output already produced by --jq by then has been written.
//
// ctx bounds --jq: a runaway expression such as `def f: f; f` ends when ctx
// is cancelled, and Print returns an error that wraps ctx.Err().
func (p *Printer) Print(ctx context.Context, value any, t *Table) error {
	var columns []Column
	if t != nil {
		columns = t.Columns
	}
	if err := p.Options.Validate(columns...); err != nil {
		return err
	}
	// One buffer for the whole result: many small writes straight to a pipe
	// or terminal cost a system call each.
	w := bufio.NewWriterSize(p.Out, 64<<10)
	err := p.print(ctx, w, value, t)
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("writing output: %w", ferr)
	}
	return err
}

func (p *Printer) print(ctx context.Context, w *bufio.Writer, value any, t *Table) error {
	o := p.Options
	switch {
	case o.JQ != "":
		return writeJQ(ctx, w, o.JQ, value)
	case o.Template != "":
		return writeTemplate(w, o.Template, value)
	}
	format := o.format()
	switch format {
	case FormatJSON:
		return WriteJSON(w, value)
	case FormatYAML:
		return WriteYAML(w, value)
	}
	if t == nil {
		return fmt.Errorf("output: format %q needs a table, and none was given", format)
	}
	if format == FormatName {
		return writeNames(w, t)
	}
	// Machines get every column, so that the shape never depends on the data:
	// only a table on a terminal hides Wide columns (e.g. one that is empty).
	cols := defaultColumns(t.Columns, format != FormatTable || !p.IsTerminal)
	if names := o.columnNames(); len(names) > 0 {
		var err error
		if cols, err = selectColumns(t.Columns, names); err != nil {
			return err
		}
	}
	switch format {
	case FormatCSV:
		return writeDelimited(w, t, cols, ',', !o.NoHeaders)
	case FormatTSV:
		return writeDelimited(w, t, cols, '\t', !o.NoHeaders)
	}
	// Table or Wide.
	if len(t.Rows) == 0 {
		if p.IsTerminal && t.Empty != "" && p.ErrOut != nil {
			fmt.Fprintln(p.ErrOut, Safe(t.Empty))
		}
		return nil
	}
	if p.IsTerminal {
		return writeTerminalTable(w, t, cols, !o.NoHeaders, p.Color)
	}
	// Piped, colour only when forced (--color always).
	return writePipedTable(w, t, cols, p.Color)
}

// writeJQ prints each result of expr on its own line: strings raw, as gh
// does, so that `--jq '.[].email'` feeds a shell loop; anything else as
// compact JSON. A string result keeps its tabs and line breaks (@tsv and
// join("\n") make them on purpose) and has every other character that Safe
// replaces replaced; compact JSON escapes them as WriteJSON does.
func writeJQ(ctx context.Context, w *bufio.Writer, expr string, value any) error {
	code, err := compileJQ(expr)
	if err != nil {
		return err
	}
	data, err := jsonForm(value)
	if err != nil {
		return fmt.Errorf("preparing --jq input: %w", err)
	}
	iter := code.RunWithContext(ctx, data)
	var buf []byte
	for {
		v, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) {
				if halt.Value() == nil {
					return nil // plain `halt` stops without an error
				}
				// halt_error's message is the user's own; show it as jq
				// does, without gojq's "halt error: " prefix.
				msg, ok := halt.Value().(string)
				if !ok {
					b, _ := gojq.Marshal(halt.Value())
					msg = string(b)
				}
				return &runError{what: "--jq", msg: strings.TrimSuffix(msg, "\n")}
			}
			return &runError{what: "--jq", err: err}
		}
		if s, isString := v.(string); isString {
			w.WriteString(sanitise(s, keepNewline|keepTab))
		} else {
			b, err := gojq.Marshal(v)
			if err != nil {
				return &runError{what: "--jq", err: err}
			}
			buf = appendJSONSafe(buf[:0], b)
			w.Write(buf)
		}
		if err := w.WriteByte('\n'); err != nil {
			return err
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
	return "running " + e.what + ": " + SafeText(msg)
}

// Unwrap returns the error of gojq or text/template, if any.
func (e *runError) Unwrap() error { return e.err }

// writeTemplate executes text over the JSON form of value. It adds no
// trailing newline: the template says where lines end. Output is held back
// until the template has run, so a failing template prints nothing. Like a
// string of --jq, the output keeps its tabs and line breaks and has every
// other character that Safe replaces replaced, whether the template or the
// data wrote it: the data itself is left as it is, so that comparisons in
// the template see the true values.
func writeTemplate(w *bufio.Writer, text string, value any) error {
	tpl, err := parseTemplate(text)
	if err != nil {
		return err
	}
	data, err := jsonForm(value)
	if err != nil {
		return fmt.Errorf("preparing --template input: %w", err)
	}
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, data); err != nil {
		return &runError{what: "--template", err: err}
	}
	_, err = w.WriteString(sanitise(buf.String(), keepNewline|keepTab))
	return err
}

// templateFuncs are the helpers available to --template.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"json":  templateJSON,
		"join":  templateJoin,
		"upper": func(v any) string { return strings.ToUpper(templateString(v)) },
	}
}

// templateJSON returns v as compact JSON.
func templateJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// templateJoin joins a list with a separator. It takes them in either order,
// so both `{{join .xs ", "}}` and gh's pipeline form `{{.xs | join ", "}}`
// work.
func templateJoin(a, b any) (string, error) {
	list, sep := a, b
	if _, ok := a.(string); ok {
		list, sep = b, a
	}
	s, ok := sep.(string)
	if !ok {
		return "", fmt.Errorf("join: separator must be a string, not %T", sep)
	}
	switch l := list.(type) {
	case nil:
		return "", nil
	case []string:
		return strings.Join(l, s), nil
	case []any:
		parts := make([]string, len(l))
		for i, v := range l {
			switch v.(type) {
			case map[string]any, []any:
				j, err := templateJSON(v)
				if err != nil {
					return "", err
				}
				parts[i] = j
			default:
				parts[i] = templateString(v)
			}
		}
		return strings.Join(parts, s), nil
	}
	return "", fmt.Errorf("join: cannot join %T; want a list", list)
}

// templateString formats a scalar of the JSON form; null becomes "" rather
// than fmt's "<nil>".
func templateString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
