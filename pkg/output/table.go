package output

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
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
	// OmitEmpty hides the column in an aligned -o table when no row has
	// a value in it, unless --columns names it: a column that would say
	// nothing, decided from the rows themselves, so that a list printed as
	// it arrives need not know them beforehand. Other formats show it.
	OmitEmpty bool
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
	// Empty is said on ErrOut when an aligned table (see FormatTable) has
	// no rows, e.g. "no users". Nothing is said for tab-separated rows or
	// the other formats.
	Empty string
	// Record marks a table of one row with many columns, such as a
	// profile: an aligned table shows it as one line a column, header then
	// value, so that -o wide fits a terminal. Tab-separated rows, csv and
	// tsv keep one line a row.
	Record bool
}

// selectColumns maps --columns names to indexes in columns, in the order the
// user gave them. Without names, it gives the format's default set: every
// column, but for the Wide ones when narrow.
func selectColumns(columns []Column, names []string, narrow bool) ([]int, error) {
	idx := make([]int, 0, max(len(names), len(columns)))
	if len(names) == 0 {
		for i, c := range columns {
			if !narrow || !c.Wide {
				idx = append(idx, i)
			}
		}
		return idx, nil
	}
	for _, n := range names {
		found := slices.IndexFunc(columns, func(c Column) bool {
			// The JSON field name, or the header as the table shows it
			// ("role" for ROLE, "domain-roles" for DOMAIN ROLES).
			return strings.EqualFold(c.Name, n) || (c.Header != "" && columnKey(c.Header) == columnKey(n))
		})
		if found < 0 {
			valid := make([]string, len(columns))
			for i, c := range columns {
				valid[i] = c.Name
			}
			return nil, usageErrorf("unknown column %q for --columns; valid columns: %s",
				n, strings.Join(valid, ", "))
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

func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// pipedSink prints one tab-separated line per row and no header, like
// gh, so that scripts can split rows with `read` or `cut`. Cells are Safe:
// a tab, CR or line break from the server becomes U+FFFD, never a space,
// which `| xargs` would split a value at.
type pipedSink struct {
	out     *itemBuffer
	columns []Column
	cols    []int
	color   bool
}

func (s *pipedSink) add(_ any, row []string) error {
	for i, c := range s.cols {
		if i > 0 {
			s.out.WriteByte('\t')
		}
		text := text.Safe(cell(row, c))
		if style := s.columns[c].Style; s.color && style != nil {
			text = style(cell(row, c)).Paint(text)
		}
		s.out.WriteString(text)
	}
	s.out.WriteByte('\n')
	return s.out.endItem()
}

func (s *pipedSink) finish() error { return nil }

// nameSink prints the name cell of each row, one per line, or ended by NUL
// (Options.Null) for `xargs -0`. A name is Safe with every white space
// replaced too, so that `-o name | xargs` reads one word a line: a server's
// email "x@contractor.example u0001@example.com" must not make xargs act on
// u0001@example.com.
type nameSink struct {
	out    *itemBuffer
	column int
	end    byte // '\n', or 0 for --null
}

func (s *nameSink) add(_ any, row []string) error {
	s.out.WriteString(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return utf8.RuneError
		}
		return r
	}, text.Safe(cell(row, s.column))))
	s.out.WriteByte(s.end)
	return s.out.endItem()
}

func (s *nameSink) finish() error { return nil }
