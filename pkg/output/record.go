package output

// recordSink shows a Record table on a terminal: one line a column, its
// header then its value, aligned by tablewriter as a table of two columns,
// so that a record of many fields (whoami -o wide) fits a terminal where
// one row of them all would not. Without headers only the values are
// shown, one a line. Several rows are blocks of lines one after another.
type recordSink struct {
	table   *termTable
	columns []Column
	cols    []int
}

func newRecordSink(out *itemBuffer, columns []Column, cols []int, headers, color bool) *recordSink {
	pair := []Column{{Header: "FIELD", Style: func(string) Style { return Bold }}, {Header: "VALUE"}}
	shown := []int{1}
	if headers {
		shown = []int{0, 1}
	}
	return &recordSink{table: newTermTable(out, pair, shown, false, color), columns: columns, cols: cols}
}

func (s *recordSink) add(_ any, row []string) error {
	for _, c := range s.cols {
		s.table.columns[1].Style = s.columns[c].Style
		if err := s.table.add(nil, []string{s.columns[c].Header, cell(row, c)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *recordSink) finish() error { return s.table.finish() }
