package output

import (
	"bytes"
	"fmt"
	"io"
	"slices"
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
	budget := maxCellWidth - textWidth(ellipsis)
	width, cut := 0, -1
	for i, r := range s {
		w := runeWidth(r)
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

// termTable prints aligned columns with upper-case headers, like kubectl:
// no borders, so that copying a cell copies only the cell. It holds the
// rows as they will be shown (printable, cut, coloured), one byte slice for
// all cells, and the width of every column, and aligns them at the end.
type termTable struct {
	out       *itemBuffer
	errOut    io.Writer // where the empty message goes; nil drops it
	empty     string    // said when there are no rows
	columns   []Column
	cols      []int // the columns shown, indexes in columns
	headers   bool
	color     bool
	omitEmpty bool // Column.OmitEmpty applies

	text      []byte  // every cell shown, one after another
	ends      []int   // where each cell ends in text
	cellWidth []uint8 // the display width of each cell, at most maxCellWidth
	widths    []int   // the widest cell of each shown column
	filled    []bool  // whether some row has a value in each shown column
	rows      int
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
		text := capCell(printable(value))
		w := textWidth(text)
		t.widths[i] = max(t.widths[i], w)
		t.filled[i] = t.filled[i] || value != ""
		if style := t.columns[c].Style; t.color && style != nil {
			text = style(value).Paint(text)
		}
		t.text = append(t.text, text...)
		t.ends = append(t.ends, len(t.text))
		t.cellWidth = append(t.cellWidth, uint8(w))
	}
	t.rows++
	return nil
}

func (t *termTable) finish() error {
	if t.rows == 0 {
		if t.errOut != nil && t.empty != "" {
			fmt.Fprintln(t.errOut, Safe(t.empty))
		}
		return nil
	}
	var shown []int // indexes in t.cols
	for i, c := range t.cols {
		if !t.omitEmpty || !t.columns[c].OmitEmpty || t.filled[i] {
			shown = append(shown, i)
		}
	}
	widths := slices.Clone(t.widths)
	var line []byte
	if t.headers {
		texts := make([]string, len(t.cols))
		for _, i := range shown {
			texts[i] = printable(t.columns[t.cols[i]].Header)
			widths[i] = max(widths[i], textWidth(texts[i]))
		}
		line = t.line(line[:0], shown, widths, func(i int) ([]byte, int) {
			w := textWidth(texts[i])
			if t.color {
				return []byte(Bold.Paint(texts[i])), w
			}
			return []byte(texts[i]), w
		})
		t.out.Write(line)
	}
	n := len(t.cols)
	for r := range t.rows {
		line = t.line(line[:0], shown, widths, func(i int) ([]byte, int) {
			k := r*n + i
			start := 0
			if k > 0 {
				start = t.ends[k-1]
			}
			return t.text[start:t.ends[k]], int(t.cellWidth[k])
		})
		t.out.Write(line)
		if err := t.out.flushFull(); err != nil {
			return err
		}
	}
	t.out.pending += t.rows
	return nil
}

// line appends one line of the table: each shown cell padded to its
// column's width and followed by the gap, a reset after a coloured cell so
// that its colour cannot run into the padding, and no blanks at the end.
func (t *termTable) line(dst []byte, shown []int, widths []int, cell func(i int) (text []byte, width int)) []byte {
	start := len(dst)
	for _, i := range shown {
		text, w := cell(i)
		dst = append(dst, text...)
		for range widths[i] - w {
			dst = append(dst, ' ')
		}
		dst = append(dst, columnGap...)
		if bytes.IndexByte(text, '\x1b') >= 0 {
			dst = append(dst, reset...)
		}
	}
	return append(append(dst[:start], trimPadding(dst[start:])...), '\n')
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
