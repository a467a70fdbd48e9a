package output

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Column describes one column of a Table.
type Column struct {
	// Name identifies the column in --columns and heads it in csv and tsv.
	// Use the JSON field name of the value it shows, e.g. "email",
	// "accountRole", "dataDomainRoles", so that the csv header, --columns
	// and --jq all speak of the same thing.
	Name string
	// Header heads the column in a terminal table, e.g. "EMAIL".
	Header string
	// Wide hides the column in -o table unless --columns names it; -o wide,
	// csv and tsv show every column.
	Wide bool
	// Style, if set, picks the colour of a cell from its value, e.g. bold
	// red for the admin role. It is used only in a terminal table with
	// colour on.
	Style func(value string) Style
}

// Table is the row-and-column view of a value, built by the command.
type Table struct {
	// Columns lists every column the command knows, wide ones included.
	Columns []Column
	// Rows holds one cell per column, in the order of Columns. A short row
	// is padded with empty cells.
	Rows [][]string
	// NameColumn is the index in Columns of the cell that -o name prints.
	NameColumn int
	// Empty is said on ErrOut when a terminal table has no rows, e.g.
	// "no users". Nothing is said when output is piped.
	Empty string
}

// ColumnNames returns the Name of each column, for --columns help and shell
// completion.
func ColumnNames(columns []Column) []string {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = c.Name
	}
	return names
}

// selectColumns maps --columns names to indexes in columns, in the order the
// user gave them.
func selectColumns(columns []Column, names []string) ([]int, error) {
	idx := make([]int, 0, len(names))
	for _, n := range names {
		found := -1
		for i, c := range columns {
			// The JSON field name, or the header as the table shows it
			// ("role" for ROLE, "domain-roles" for DOMAIN ROLES).
			if strings.EqualFold(c.Name, n) || (c.Header != "" && columnKey(c.Header) == columnKey(n)) {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, usageErrorf("unknown column %q for --columns; valid columns: %s",
				n, strings.Join(ColumnNames(columns), ", "))
		}
		idx = append(idx, found)
	}
	return idx, nil
}

// columnKey folds a column header or name for matching: case, spaces, '-'
// and '_' do not matter.
func columnKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_':
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// defaultColumns returns the indexes shown when --columns is not given.
func defaultColumns(columns []Column, wide bool) []int {
	idx := make([]int, 0, len(columns))
	for i, c := range columns {
		if wide || !c.Wide {
			idx = append(idx, i)
		}
	}
	return idx
}

// cell returns row[i], or "" for a short row.
func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// printable keeps a cell on one line and in one field of a tab-separated
// row (tabs and line breaks become spaces), so that `while IFS=$'\t' read`
// sees one row per record, and replaces every other character that Safe
// replaces, so that a value from the server cannot move the cursor, change
// colours or retitle the window of the terminal it ends up on, piped or not.
func printable(s string) string { return sanitise(s, breaksToSpace) }

// csvCell is printable for a csv or tsv cell, which encoding/csv quotes when
// it holds a tab or a line break: those stay, so that such a value comes
// back intact through a csv reader, and every other character that Safe
// replaces is replaced.
func csvCell(s string) string { return sanitise(s, keepNewline|keepTab) }

// csvFormulaLeads are the first characters that make a spreadsheet read a
// cell as a formula (=, +, -, @), or that hide one (TAB, CR), plus the
// quote itself, so that neutralising can always be undone.
const csvFormulaLeads = "=+-@\t\r'"

// NeutraliseCSVCell returns s with a ' in front when it begins with =, +,
// -, @, TAB, CR or ', as OWASP advises against formula injection: a
// spreadsheet then shows "=HYPERLINK(...)" as text instead of running it.
// -o csv and exported csv files write every cell through it; tsv, -o name
// and piped tables stay exact, since scripts cut and xargs them.
func NeutraliseCSVCell(s string) string {
	if s != "" && strings.IndexByte(csvFormulaLeads, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// RestoreCSVCell undoes NeutraliseCSVCell: it strips one leading ' when one
// of the characters that NeutraliseCSVCell guards follows it, so that a csv
// file written by the tool reads back as the values that were exported.
// A reader of csv files calls it on every cell.
func RestoreCSVCell(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.IndexByte(csvFormulaLeads, s[1]) >= 0 {
		return s[1:]
	}
	return s
}

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

// writeTerminalTable prints aligned columns with upper-case headers, like
// kubectl: no borders, so that copying a cell copies only the cell.
func writeTerminalTable(w io.Writer, t *Table, cols []int, headers, color bool) error {
	var buf bytes.Buffer
	table := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.SeparatorsNone,
				Lines:      tw.LinesNone,
			},
		})),
		// Headers come upper-case from the caller; auto-format would also
		// turn "_" and "." into spaces.
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithPadding(tw.Padding{Left: tw.Empty, Right: columnGap, Overwrite: true}),
		// Leading spaces in a value are data; keep them visible.
		tablewriter.WithTrimSpace(tw.Off),
	)
	if headers {
		hs := make([]string, len(cols))
		for i, c := range cols {
			hs[i] = printable(t.Columns[c].Header)
			if color {
				hs[i] = Bold.Paint(hs[i])
			}
		}
		table.Header(hs)
	}
	for _, row := range t.Rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			v := capCell(printable(cell(row, c)))
			if style := t.Columns[c].Style; color && style != nil {
				v = style(cell(row, c)).Paint(v)
			}
			cells[i] = v
		}
		if err := table.Append(cells); err != nil {
			return fmt.Errorf("rendering table: %w", err)
		}
	}
	if err := table.Render(); err != nil {
		return fmt.Errorf("rendering table: %w", err)
	}
	bw := bufio.NewWriter(w)
	for line := range bytes.Lines(buf.Bytes()) {
		bw.Write(trimPadding(bytes.TrimSuffix(line, []byte("\n"))))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// trimPadding drops the blanks after the last cell, which tablewriter pads
// like the others and may follow with a redundant reset; they only make
// copied lines and golden files noisy. A reset right after text closes that
// text's colour and stays.
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

// writePipedTable prints one tab-separated line per row and no header, like
// gh, so that scripts can split rows with `read` or `cut`.
func writePipedTable(w *bufio.Writer, t *Table, cols []int, color bool) error {
	for _, row := range t.Rows {
		for i, c := range cols {
			if i > 0 {
				w.WriteByte('\t')
			}
			text := printable(cell(row, c))
			if style := t.Columns[c].Style; color && style != nil {
				text = style(cell(row, c)).Paint(text)
			}
			w.WriteString(text)
		}
		if err := w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

// writeDelimited prints csv or tsv with encoding/csv's quoting: a cell
// holding the separator, a quote or a line break is quoted, so values come
// back intact through any csv reader, those holding a character that
// csvCell replaces aside. A csv cell that a spreadsheet would take for a
// formula is neutralised (see NeutraliseCSVCell); tsv stays exact.
func writeDelimited(w io.Writer, t *Table, cols []int, comma rune, headers bool) error {
	cw := csv.NewWriter(w)
	cw.Comma = comma
	record := make([]string, len(cols))
	if headers {
		for i, c := range cols {
			record[i] = csvCell(t.Columns[c].Name)
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	for _, row := range t.Rows {
		for i, c := range cols {
			record[i] = csvCell(cell(row, c))
			if comma == ',' {
				record[i] = NeutraliseCSVCell(record[i])
			}
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeNames prints the NameColumn cell of each row, one per line.
func writeNames(w *bufio.Writer, t *Table) error {
	if t.NameColumn < 0 || t.NameColumn >= len(t.Columns) {
		return fmt.Errorf("output: NameColumn %d is out of range for %d columns", t.NameColumn, len(t.Columns))
	}
	for _, row := range t.Rows {
		w.WriteString(printable(cell(row, t.NameColumn)))
		if err := w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}
