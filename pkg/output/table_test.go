package output

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

func TestCapCell(t *testing.T) {
	long := strings.Repeat("a", 150)
	wide := strings.Repeat("例", 80) // 160 columns
	tests := []struct{ in, want string }{
		{"short@example.com", "short@example.com"},
		{strings.Repeat("a", 100), strings.Repeat("a", 100)},
		{strings.Repeat("a", 101), strings.Repeat("a", 99) + "…"},
		{long, strings.Repeat("a", 99) + "…"},
		// A wide character that would straddle the cap is left out whole.
		{wide, strings.Repeat("例", 49) + "…"},
		{strings.Repeat("é", 100), strings.Repeat("é", 100)},
	}
	for _, tt := range tests {
		got := capCell(tt.in)
		if got != tt.want {
			t.Errorf("capCell(%d bytes) = %q, want %q", len(tt.in), got, tt.want)
		}
		if w := twwidth.Width(got); w > maxCellWidth {
			t.Errorf("capCell(%d bytes) is %d columns wide", len(tt.in), w)
		}
	}
}

// One huge value in a long list makes neither the terminal table huge nor
// the machine formats lose it.
func TestTerminalTableCapsCells(t *testing.T) {
	huge := strings.Repeat("x", 100_000) + "@example.com"
	tbl := &Table{Columns: testColumns()}
	for i := range 2000 {
		tbl.Rows = append(tbl.Rows, []string{fmt.Sprintf("user%04d@example.com", i), "viewer", "", ""})
	}
	tbl.Rows[1000][0] = huge
	var out bytes.Buffer
	if err := (&Printer{Out: &out, IsTerminal: true}).Print(context.Background(), nil, tbl); err != nil {
		t.Fatal(err)
	}
	if out.Len() > 2001*200 {
		t.Errorf("a terminal table of 2000 short lines took %d bytes", out.Len())
	}
	if !strings.Contains(out.String(), strings.Repeat("x", 99)+"…") {
		t.Error("the huge cell is not shown cut with an ellipsis")
	}
	for _, p := range []Printer{{}, {Options: Options{Format: FormatCSV}}, {Options: Options{Format: FormatName}}} {
		out.Reset()
		p.Out = &out
		if err := p.Print(context.Background(), nil, tbl); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), huge) {
			t.Errorf("%+v lost the huge cell", p.Options)
		}
	}
}
