package output

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// maxCellWidth caps the display width of a cell in a terminal table. A
// table pads every cell of a column to the widest one, so a single 100 KB
// value would make every line 100 KB wide; a person reads 100 columns of
// one cell at most, and the machine formats carry the whole value.
const maxCellWidth = 100

// ellipsis ends a cell that capCell cut.
const ellipsis = "…"

// capCell shortens s, a cell made printable, to at most maxCellWidth
// display columns, ellipsis included, measured as the table measures them.
func capCell(s string) string {
	// No character is wider than its UTF-8 bytes (tabs are gone).
	if len(s) <= maxCellWidth {
		return s
	}
	opts := twwidth.Options{EastAsianWidth: twwidth.IsEastAsian()}
	budget := maxCellWidth - twwidth.WidthWithOptions(ellipsis, opts)
	width, cut := 0, -1
	for i, r := range s {
		w := twwidth.WidthWithOptions(s[i:i+utf8.RuneLen(r)], opts)
		if cut < 0 && width+w > budget {
			cut = i
		}
		if width += w; width > maxCellWidth {
			return s[:cut] + ellipsis
		}
	}
	return s
}

// columnGap separates terminal table columns; three spaces, as kubectl does,
// keep columns apart without any box drawing to copy along with the data.
const columnGap = "   "

// termTable prints aligned columns with upper-case headers, like kubectl,
// without borders, so that copying a cell copies only the cell. Until it
// draws them at the end, it holds the cells as shown (printable, cut,
// coloured) in one byte slice, and the width of every column.
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
	ends   []int  // where each cell ends in text
	widths []int  // the widest cell of each shown column
	filled []bool // whether some row has a value in each shown column
	rows   int
}

func newTermTable(out *itemBuffer, columns []Column, cols []int, headers, color bool) *termTable {
	return &termTable{
		out: out, columns: columns, cols: cols, headers: headers, color: color,
		widths: make([]int, len(cols)), filled: make([]bool, len(cols)),
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
		t.ends = append(t.ends, len(t.text))
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
	widths := make([]int, len(shown))
	cells := make([]string, len(shown))
	for j, i := range shown {
		widths[j] = t.widths[i]
		if t.headers {
			h := text.Safe(t.columns[t.cols[i]].Header)
			widths[j] = max(widths[j], twwidth.Width(h))
			if t.color {
				h = Bold.Paint(h)
			}
			cells[j] = h
		}
	}
	// A table of users is mostly distinct emails, which twwidth's cache of
	// recent widths only churns: measuring without it is a quarter faster.
	twwidth.SetCacheCapacity(0)
	var line []byte
	writeLine := func() error {
		line = line[:0]
		for j, c := range cells {
			line = append(line, c...)
			for range widths[j] - twwidth.Width(c) + len(columnGap) {
				line = append(line, ' ')
			}
			// A coloured cell is closed again after its padding, as
			// tablewriter (the tests' reference) closes it.
			if strings.Contains(c, "\x1b") {
				line = append(line, reset...)
			}
		}
		t.out.Write(trimPadding(line))
		t.out.WriteByte('\n')
		return t.out.flushFull()
	}
	if t.headers {
		if err := writeLine(); err != nil {
			return err
		}
	}
	n := len(t.cols)
	for r := range t.rows {
		for j, i := range shown {
			k := r*n + i
			start := 0
			if k > 0 {
				start = t.ends[k-1]
			}
			cells[j] = string(t.text[start:t.ends[k]])
		}
		if err := writeLine(); err != nil {
			return err
		}
	}
	t.out.pending += t.rows
	return nil
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

// recordSink shows a Record table on a terminal as a table of two columns,
// a line a field, header then value (values alone without headers), so
// that a record of many fields (whoami -o wide) fits a terminal.
type recordSink struct {
	out     *itemBuffer
	table   *termTable
	records int
	columns []Column
	cols    []int
	pair    []string
}

func newRecordSink(out *itemBuffer, columns []Column, cols []int, headers, color bool) *recordSink {
	bold := func(string) Style { return Bold }
	pair := []Column{{Header: "FIELD", Style: bold}, {Header: "VALUE"}}
	shown := []int{1}
	if headers {
		shown = []int{0, 1}
	}
	return &recordSink{out: out, columns: columns, cols: cols, pair: make([]string, 2),
		table: newTermTable(out, pair, shown, false, color)}
}

func (s *recordSink) add(_ any, row []string) error {
	for _, c := range s.cols {
		s.pair[0], s.pair[1] = s.columns[c].Header, cell(row, c)
		s.table.columns[1].Style = s.columns[c].Style
		if err := s.table.add(nil, s.pair); err != nil {
			return err
		}
	}
	s.records++
	return nil
}

// finish draws the lines; the items written are the records, not the
// lines the table counts.
func (s *recordSink) finish() error {
	err := s.table.finish()
	s.out.pending += s.records - s.table.rows
	return err
}
