package output

import (
	"bytes"
	"fmt"
	"io"

	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// maxCellWidth caps the display width of a cell in a terminal table. A
// table pads every cell of a column to the widest one, so a single 100 KB
// value would make every line 100 KB wide; a person reads 100 columns of
// one cell at most, and the machine formats carry the whole value.
const maxCellWidth = 100

// capCell shortens s, a cell made printable, to at most maxCellWidth
// display columns, its closing "…" included, measured as the table measures
// them.
func capCell(s string) string {
	// No character is wider than its UTF-8 bytes (tabs are gone).
	if len(s) <= maxCellWidth || twwidth.Width(s) <= maxCellWidth {
		return s
	}
	return twwidth.Truncate(s, maxCellWidth, "…")
}

// columnGap separates terminal table columns; three spaces, as kubectl does,
// keep columns apart without any box drawing to copy along with the data.
const columnGap = "   "

// termTable prints aligned columns with upper-case headers, like kubectl:
// no borders, so that copying a cell copies only the cell. It holds the
// rows as they will be shown (printable, cut, coloured) in one byte slice
// for all cells, and the width of every column; at the end tablewriter,
// told those widths, draws them one row at a time, so that nothing but the
// compact rows is held.
type termTable struct {
	out       *itemBuffer
	errOut    io.Writer // where the empty message goes; nil drops it
	empty     string    // said when there are no rows
	columns   []Column
	cols      []int // the columns shown, indexes in columns
	headers   bool
	color     bool
	omitEmpty bool // Column.OmitEmpty applies

	text   []byte // every cell shown, one after another
	bounds []int  // where each cell starts in text, and where the last ends
	widths []int  // the widest cell of each shown column
	filled []bool // whether some row has a value in each shown column
	rows   int
}

func newTermTable(out *itemBuffer, columns []Column, cols []int, headers, color bool) *termTable {
	// A table of users is mostly distinct emails, which twwidth's cache of
	// recent widths only churns: measuring without it is a quarter faster.
	// Nor does the cache keep a long cell that capCell measures whole.
	twwidth.SetCacheCapacity(0)
	return &termTable{
		out: out, columns: columns, cols: cols, headers: headers, color: color,
		widths: make([]int, len(cols)), filled: make([]bool, len(cols)), bounds: []int{0},
	}
}

func (t *termTable) add(_ any, row []string) error {
	for i, c := range t.cols {
		value := cell(row, c)
		text := capCell(text.Safe(value))
		t.widths[i] = max(t.widths[i], twwidth.Width(text))
		t.filled[i] = t.filled[i] || value != ""
		if style := t.columns[c].Style; t.color && style != nil {
			text = style(value).Paint(text)
		}
		t.text = append(t.text, text...)
		t.bounds = append(t.bounds, len(t.text))
	}
	t.rows++
	return nil
}

func (t *termTable) finish() error {
	if t.rows == 0 {
		if t.errOut != nil && t.empty != "" {
			fmt.Fprintln(t.errOut, text.Safe(t.empty))
		}
		return nil
	}
	var shown []int // indexes in t.cols
	for i, c := range t.cols {
		if !t.omitEmpty || !t.columns[c].OmitEmpty || t.filled[i] {
			shown = append(shown, i)
		}
	}
	var headers []string
	widths := tw.NewMapper[int, int]()
	for j, i := range shown {
		w := t.widths[i]
		if t.headers {
			h := text.Safe(t.columns[t.cols[i]].Header)
			w = max(w, twwidth.Width(h))
			if t.color {
				h = Bold.Paint(h)
			}
			headers = append(headers, h)
		}
		widths.Set(j, w+len(columnGap))
	}
	lines := &lineTrimmer{out: t.out}
	table := newTablewriter(lines, tablewriter.WithStreaming(tw.StreamConfig{Enable: true}), tablewriter.WithColumnWidths(widths))
	if err := table.Start(); err != nil {
		return fmt.Errorf("writing the table: %w", err)
	}
	if t.headers {
		table.Header(headers)
	}
	n := len(t.cols)
	cells := make([]string, len(shown))
	for r := range t.rows {
		for j, i := range shown {
			k := r*n + i
			cells[j] = string(t.text[t.bounds[k]:t.bounds[k+1]])
		}
		if err := table.Append(cells); err != nil {
			return fmt.Errorf("writing the table: %w", err)
		}
		if lines.err != nil {
			return lines.err
		}
	}
	if err := table.Close(); err != nil {
		return fmt.Errorf("writing the table: %w", err)
	}
	if lines.err != nil {
		return lines.err
	}
	t.out.pending += t.rows
	return nil
}

// newTablewriter is a tablewriter that draws no borders, lines or
// separators, leaves the text as given (no upper-casing, trimming or
// wrapping; cells are capped and made printable before), aligns left and
// puts columnGap after every cell.
func newTablewriter(w io.Writer, more ...tablewriter.Option) *tablewriter.Table {
	return tablewriter.NewTable(w, append([]tablewriter.Option{
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{Separators: tw.SeparatorsNone, Lines: tw.LinesNone},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithPadding(tw.Padding{Left: tw.Empty, Right: columnGap, Overwrite: true}),
		tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
	}, more...)...)
}

// lineTrimmer takes tablewriter's output, trims each line's padding
// (trimPadding) and hands the lines on as they are complete.
type lineTrimmer struct {
	out  *itemBuffer
	line []byte
	err  error
}

func (l *lineTrimmer) Write(p []byte) (int, error) {
	n := len(p)
	for l.err == nil {
		line, rest, ok := bytes.Cut(p, []byte{'\n'})
		l.line = append(l.line, line...)
		if !ok {
			break
		}
		p = rest
		l.out.Write(trimPadding(l.line))
		l.out.WriteByte('\n')
		l.line = l.line[:0]
		l.err = l.out.flushFull()
	}
	return n, l.err
}

// trimPadding drops the blanks after the last cell and a reset that follows
// them; they only make copied lines and golden files noisy. A reset right
// after text closes that text's colour and stays.
func trimPadding(line []byte) []byte {
	for {
		line = bytes.TrimRight(line, " ")
		rest, ok := bytes.CutSuffix(line, []byte(reset))
		if !ok || !bytes.HasSuffix(rest, []byte(" ")) {
			return line
		}
		line = rest
	}
}
