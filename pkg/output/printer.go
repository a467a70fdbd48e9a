package output

import (
	"context"
	"fmt"
	"io"
)

// Printer prints command results in the form the user asked for.
type Printer struct {
	// Out receives the results.
	Out io.Writer
	// ErrOut receives the Table.Empty message of an aligned table; nil
	// drops it.
	ErrOut io.Writer
	// IsTerminal says whether Out is a terminal. It switches the default
	// table between aligned columns with headers and tab-separated rows
	// without; -o table and wide, asked for by name, are aligned anyway.
	IsTerminal bool
	// Color allows ANSI colours in a table. The caller decides it (NO_COLOR,
	// --color, CI, whether Out is a terminal).
	Color bool
	// Options are the user's choices.
	Options Options
	// Layout frames a list that List writes as a document of its own, such
	// as an export file. Print, --jq and --template ignore it.
	Layout Layout
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
// ctx bounds --jq and --template: a runaway expression such as `def f: f;
// f`, or a template such as `{{range 1000000000}}{{end}}`, ends when ctx is
// cancelled, and Print returns an error that wraps ctx.Err().
func (p *Printer) Print(ctx context.Context, value any, t *Table) error {
	out := &itemBuffer{w: p.Out}
	sink, err := p.newSink(ctx, out, t, false)
	if err != nil {
		return err
	}
	if s, ok := sink.(valueSink); ok {
		err = writeValue(s, value)
	} else {
		for _, row := range t.Rows {
			if err = sink.add(nil, row); err != nil {
				break
			}
		}
		if err == nil {
			err = sink.finish()
		}
	}
	// What --jq printed before failing stays printed.
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	return err
}

// newSink checks the options and returns the writer of a list in the form
// they ask for. t gives the columns, NameColumn and Empty; its rows are not
// looked at. For List, the Layout frames json and yaml, and a jq expression
// that begins by iterating the list runs on each item; Print ignores both.
func (p *Printer) newSink(ctx context.Context, out *itemBuffer, t *Table, list bool) (listSink, error) {
	o := p.Options
	var columns []Column
	if t != nil {
		columns = t.Columns
	}
	if err := o.Validate(columns...); err != nil {
		return nil, err
	}
	if o.JQ != "" || o.Template != "" {
		return o.program(ctx, out, list)
	}
	layout := &Layout{}
	if list {
		layout = &p.Layout
	}
	format := o.format()
	switch format {
	case FormatJSON:
		return &jsonSink{out: out, layout: layout}, nil
	case FormatYAML:
		return &yamlSink{out: out, layout: layout}, nil
	}
	if t == nil {
		return nil, fmt.Errorf("output: format %q needs a table, and none was given", format)
	}
	if format == FormatName {
		if t.NameColumn < 0 || t.NameColumn >= len(t.Columns) {
			return nil, fmt.Errorf("output: NameColumn %d is out of range for %d columns", t.NameColumn, len(t.Columns))
		}
		end := byte('\n')
		if o.Null {
			end = 0
		}
		return &nameSink{out: out, column: t.NameColumn, end: end}, nil
	}
	// A table is aligned, with headers, on a terminal and wherever -o table
	// or wide was asked for by name; only the default table, piped, is
	// tab-separated lines for scripts.
	aligned := p.IsTerminal || o.Format != ""
	// Machines get every column, so that the shape never depends on the data:
	// only an aligned -o table hides Wide columns (e.g. one that is empty).
	terminalTable := format == FormatTable && aligned
	names := o.columnNames()
	cols, err := selectColumns(t.Columns, names, terminalTable)
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatCSV:
		s := newDelimitedSink(out, t.Columns, cols, ',', !o.NoHeaders)
		s.head, s.tail = layout.CSVHead, layout.CSVTail
		return s, nil
	case FormatTSV:
		return newDelimitedSink(out, t.Columns, cols, '\t', !o.NoHeaders), nil
	}
	if aligned && t.Record {
		return newRecordSink(out, t.Columns, cols, !o.NoHeaders, p.Color), nil
	}
	if aligned {
		tt := newTermTable(out, t.Columns, cols, !o.NoHeaders, p.Color)
		tt.omitEmpty = terminalTable && len(names) == 0
		tt.errOut, tt.empty = p.ErrOut, t.Empty
		return tt, nil
	}
	// Piped, colour only when forced (--color always).
	return &pipedSink{out: out, columns: t.Columns, cols: cols, color: p.Color}, nil
}

// Layout frames a list as a document of its own, such as an export file: in
// json and yaml the list is the value of one key of a document that has
// other keys before and after it, and in csv rows come before the header
// and after the last row. What comes after the list is written by Close
// alone, never by Abort nor after an error, so that a document cut short
// lacks it. The zero Layout is a list alone.
type Layout struct {
	// Key, when set, makes a json or yaml list the value of this key of a
	// document: {"users": [...]}, or "users:" with the items below it.
	Key string
	// Comment, yaml only, is a comment line (without its "# ") that opens
	// the document. It needs Key.
	Comment string
	// Head are the keys of the document before Key, with their values, in
	// order. It needs Key.
	Head []Field
	// Tail, when set, gives the keys of the document after the list, from
	// the number of items in it. It needs Key.
	Tail func(items int) []Field
	// FlowFields writes the mappings and lists inside each yaml item, and
	// the values of Head and Tail, in flow style, on the line of their key:
	// "dataDomainRoles: {sales: editor}".
	FlowFields bool
	// CSVHead is a csv row before the header row, and CSVTail gives one
	// after the last row from the number of rows, when set. Their cells are
	// written as they are, not neutralised (NeutraliseCSVCell): a reader
	// recognises them by their exact content.
	CSVHead []string
	CSVTail func(rows int) []string
}

// Field is one key of a document with its value, which is written as
// encoding/json encodes it (in yaml too, as WriteYAML writes values).
type Field struct {
	Key   string
	Value any
}
