package output

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/text"
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

// tablewriterTable renders a table in tablewriter's batch mode, which
// measures the columns itself, from cells made printable, capped and
// coloured as the terminal table makes them: what the terminal table, which
// holds its rows compactly, measures the columns itself and streams the rows
// through tablewriter, must print.
func tablewriterTable(t *testing.T, tbl *Table, cols []int, headers, color bool) string {
	t.Helper()
	var buf bytes.Buffer
	table := newTablewriter(&buf)
	if headers {
		hs := make([]string, len(cols))
		for i, c := range cols {
			hs[i] = text.Safe(tbl.Columns[c].Header)
			if color {
				hs[i] = Bold.Paint(hs[i])
			}
		}
		table.Header(hs)
	}
	for _, row := range tbl.Rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = capCell(text.Safe(cell(row, c)))
			if style := tbl.Columns[c].Style; color && style != nil {
				cells[i] = style(cell(row, c)).Paint(cells[i])
			}
		}
		if err := table.Append(cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := table.Render(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for line := range bytes.Lines(buf.Bytes()) {
		out.Write(trimPadding(bytes.TrimSuffix(line, []byte("\n"))))
		out.WriteByte('\n')
	}
	return out.String()
}

func TestTerminalTableMatchesTablewriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	cells := []string{"", "a", "ana@example.com", "例え", "zoë", "e\u0301", "😀", "☺\ufe0f", "  lead", "trail  ", "admin", "none",
		"editor", "Ａ全角", "x\ty", strings.Repeat("w", 120), strings.Repeat("例", 70), "ab\u0300\u0301c"}
	for range 300 {
		tbl := &Table{Columns: testColumns()}
		for range 1 + rng.IntN(6) {
			row := make([]string, len(tbl.Columns))
			for i := range row {
				row[i] = cells[rng.IntN(len(cells))]
			}
			if rng.IntN(4) == 0 {
				row[2] = "" // often an empty column
			}
			tbl.Rows = append(tbl.Rows, row)
		}
		headers, color := rng.IntN(2) == 0, rng.IntN(2) == 0
		opts := Options{Format: FormatWide, NoHeaders: !headers}
		var out bytes.Buffer
		if err := (&Printer{Out: &out, IsTerminal: true, Color: color, Options: opts}).Print(context.Background(), nil, tbl); err != nil {
			t.Fatal(err)
		}
		want := tablewriterTable(t, tbl, []int{0, 1, 2, 3}, headers, color)
		if out.String() != want {
			t.Fatalf("headers %v, colour %v, rows %q:\ngot\n%s\ntablewriter\n%s", headers, color, tbl.Rows, out.String(), want)
		}
	}
}

// An OmitEmpty column shows in -o table only when some row has a value in
// it, or when --columns names it; other formats always show it.
func TestOmitEmpty(t *testing.T) {
	columns := []Column{{Name: "email", Header: "EMAIL"}, {Name: "roles", Header: "ROLES", OmitEmpty: true}}
	empty := &Table{Columns: columns, Rows: [][]string{{"a@b.io", ""}, {"c@d.io", ""}}}
	filled := &Table{Columns: columns, Rows: [][]string{{"a@b.io", ""}, {"c@d.io", "sales=editor"}}}
	tests := []struct {
		name  string
		p     Printer
		tbl   *Table
		roles bool // whether the ROLES header or column shows
	}{
		{"table, all empty", Printer{IsTerminal: true}, empty, false},
		{"table, one filled", Printer{IsTerminal: true}, filled, true},
		{"table, named", Printer{IsTerminal: true, Options: Options{Columns: []string{"email", "roles"}}}, empty, true},
		{"wide", Printer{IsTerminal: true, Options: Options{Format: FormatWide}}, empty, true},
		{"csv", Printer{Options: Options{Format: FormatCSV}}, empty, true},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		tt.p.Out = &out
		if err := tt.p.Print(context.Background(), nil, tt.tbl); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(strings.ToUpper(out.String()), "ROLES"); got != tt.roles {
			t.Errorf("%s: ROLES shown %v, want %v:\n%s", tt.name, got, tt.roles, out.String())
		}
	}
}

// A record is one line a column on a terminal, header then value; piped and
// in csv it stays one row.
func TestRecordTable(t *testing.T) {
	tbl := &Table{Columns: []Column{{Name: "user", Header: "USER"}, {Name: "role", Header: "ROLE"},
		{Name: "server", Header: "SERVER", Wide: true}}, Rows: [][]string{{"ana@x.io", "admin", "http://h\x1b[2J"}}, Record: true}
	for _, tt := range []struct {
		opts     Options
		terminal bool
		want     string
	}{
		{Options{}, true, "USER   ana@x.io\nROLE   admin\n"},
		{Options{Format: FormatWide}, true, "USER     ana@x.io\nROLE     admin\nSERVER   http://h\uFFFD[2J\n"},
		{Options{Format: FormatWide, NoHeaders: true}, true, "ana@x.io\nadmin\nhttp://h\uFFFD[2J\n"},
		{Options{Columns: []string{"role"}}, true, "ROLE   admin\n"},
		{Options{}, false, "ana@x.io\tadmin\thttp://h\uFFFD[2J\n"},
		{Options{Format: FormatCSV}, false, "user,role,server\nana@x.io,admin,http://h\uFFFD[2J\n"},
	} {
		var out bytes.Buffer
		if err := (&Printer{Out: &out, IsTerminal: tt.terminal, Options: tt.opts}).Print(context.Background(), nil, tbl); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("%+v, terminal %v:\n%q\nwant\n%q", tt.opts, tt.terminal, out.String(), tt.want)
		}
	}
}

// -o name prints each name as one word: white space of any kind is
// replaced as Safe replaces controls, so that xargs never splits an email;
// Null ends each with NUL instead of a line break.
func TestNameIsOneWord(t *testing.T) {
	tbl := &Table{Columns: []Column{{Name: "email"}}, Rows: [][]string{
		{"x@contractor.example u0001@example.com"},
		{"nbsp\u00a0em\u2003ideo\u3000nnbsp\u202f@x.io"},
		{"tab\tlf\ncr\rvt\vff\fnel\u0085ls\u2028@x.io"},
		{"plain@x.io"},
	}}
	words := "x@contractor.example\uFFFDu0001@example.com\n" +
		"nbsp\uFFFDem\uFFFDideo\uFFFDnnbsp\uFFFD@x.io\n" +
		"tab\uFFFDlf\uFFFDcr\uFFFDvt\uFFFDff\uFFFDnel\uFFFDls\uFFFD@x.io\n" +
		"plain@x.io\n"
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Format: FormatName}, words},
		{Options{Format: FormatName, Null: true}, strings.ReplaceAll(words, "\n", "\x00")},
	} {
		var out bytes.Buffer
		if err := (&Printer{Out: &out, Options: tt.opts}).Print(context.Background(), nil, tbl); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want {
			t.Errorf("%+v:\n%q\nwant\n%q", tt.opts, out.String(), tt.want)
		}
	}
	for _, opts := range []Options{{Null: true}, {Format: FormatJSON, Null: true}, {Format: FormatName, JQ: ".", Null: true}} {
		var usage *UsageError
		if err := opts.Validate(); !errors.As(err, &usage) {
			t.Errorf("%+v: Validate() = %v, want a usage error", opts, err)
		}
	}
}
