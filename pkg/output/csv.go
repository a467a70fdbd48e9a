package output

import (
	"encoding/csv"
	"strings"
)

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

// delimitedSink prints csv or tsv with encoding/csv's quoting: a cell
// holding the separator, a quote or a line break is quoted, so values come
// back intact through any csv reader, those holding a character that
// csvCell replaces aside. A csv cell that a spreadsheet would take for a
// formula is neutralised (see NeutraliseCSVCell); tsv stays exact. The
// header row is written with the first row, or at the end of an empty list,
// so that a list that fails before its first row prints nothing.
type delimitedSink struct {
	out     *itemBuffer
	cw      *csv.Writer
	columns []Column
	cols    []int
	headers bool // a header row is still to be written
	record  []string
}

func newDelimitedSink(out *itemBuffer, columns []Column, cols []int, comma rune, headers bool) *delimitedSink {
	cw := csv.NewWriter(out)
	cw.Comma = comma
	return &delimitedSink{out: out, cw: cw, columns: columns, cols: cols, headers: headers, record: make([]string, len(cols))}
}

func (s *delimitedSink) add(_ any, row []string) error {
	if err := s.writeHeader(); err != nil {
		return err
	}
	for i, c := range s.cols {
		s.record[i] = csvCell(cell(row, c))
		if s.cw.Comma == ',' {
			s.record[i] = NeutraliseCSVCell(s.record[i])
		}
	}
	if err := s.cw.Write(s.record); err != nil {
		return err
	}
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return err
	}
	return s.out.endItem()
}

func (s *delimitedSink) writeHeader() error {
	if !s.headers {
		return nil
	}
	s.headers = false
	for i, c := range s.cols {
		s.record[i] = csvCell(s.columns[c].Name)
	}
	return s.cw.Write(s.record)
}

func (s *delimitedSink) finish() error {
	if err := s.writeHeader(); err != nil {
		return err
	}
	s.cw.Flush()
	return s.cw.Error()
}
