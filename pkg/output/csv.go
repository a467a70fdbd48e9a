package output

import (
	"encoding/csv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// csvFormulaLeads are the first characters that make a spreadsheet read a
// cell as a formula (=, +, -, @), or that hide one (TAB, CR); '#', which
// makes a csv reader that skips comments skip the row, or take it for one
// of an export's marker rows; and the quote itself, so that neutralising
// can always be undone.
const csvFormulaLeads = "=+-@\t\r#'"

// NeutraliseCSVCell returns s with a ' in front when it begins with =, +,
// -, @, TAB, CR, # or ', as OWASP advises against formula injection: a
// spreadsheet then shows "=HYPERLINK(...)" as text instead of running it,
// and a user "#x@example.com" is not a comment. -o csv and exported csv
// files write every cell through it; tsv, -o name and piped tables stay
// exact, since scripts cut and xargs them.
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

// delimitedSink prints csv with encoding/csv's quoting, so values come back
// intact through any csv reader, and cells a spreadsheet would take for a
// formula neutralised (NeutraliseCSVCell); or tsv, whose cells are written
// as they are. Every cell is Safe, tabs and line breaks too: a value from
// the server never makes a line or a field of its own, for grep and cut as
// for csv readers, and no email that apply takes holds one. The header
// rows come with the first row, or at the end of an empty list, so that a
// list that fails before its first row prints nothing.
type delimitedSink struct {
	out     *itemBuffer
	cw      *csv.Writer
	columns []Column
	cols    []int
	headers bool // a header row is wanted
	started bool // the head and header rows are written
	record  []string
	n       int
	head    []string                // Layout.CSVHead
	tail    func(rows int) []string // Layout.CSVTail
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
		s.record[i] = text.Safe(cell(row, c))
		if s.cw.Comma == ',' {
			s.record[i] = NeutraliseCSVCell(s.record[i])
		}
	}
	if err := s.write(s.record); err != nil {
		return err
	}
	s.n++
	return s.out.endItem()
}

// write writes the record: csv through encoding/csv, tsv as its cells
// joined by tabs, which no cell holds, without quoting a cell that holds a
// quote or begins with a space (so bob,"jr"@example.com stays as it is).
func (s *delimitedSink) write(record []string) error {
	if s.cw.Comma == '\t' {
		for i, c := range record {
			if i > 0 {
				s.out.WriteByte('\t')
			}
			s.out.WriteString(c)
		}
		s.out.WriteByte('\n')
		return nil
	}
	if err := s.cw.Write(record); err != nil {
		return err
	}
	s.cw.Flush()
	return s.cw.Error()
}

// writeHeader writes, once, what comes before the first row: the
// Layout's CSVHead and the header row.
func (s *delimitedSink) writeHeader() error {
	if s.started {
		return nil
	}
	s.started = true
	if s.head != nil {
		if err := s.write(safeCells(s.head)); err != nil {
			return err
		}
	}
	if !s.headers {
		return nil
	}
	for i, c := range s.cols {
		s.record[i] = text.Safe(s.columns[c].Name) // a name, never a formula
	}
	return s.write(s.record)
}

// finish writes the header rows of an empty list and the Layout's CSVTail;
// write has flushed every row.
func (s *delimitedSink) finish() error {
	err := s.writeHeader()
	if err == nil && s.tail != nil {
		err = s.write(safeCells(s.tail(s.n)))
	}
	return err
}

func safeCells(cells []string) []string {
	safe := make([]string, len(cells))
	for i, c := range cells {
		safe[i] = text.Safe(c)
	}
	return safe
}
