package output

import (
	"bytes"
	"context"
	"encoding/csv"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestNeutraliseCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"'=1", "''=1"},
		{"'quoted", "''quoted"},
		{"#x@example.com", "'#x@example.com"},
		{"ana@example.com", "ana@example.com"},
		{"a#b", "a#b"},
		{"a=b", "a=b"},
		{" =1", " =1"},
		{"", ""},
	}
	for _, tt := range tests {
		got := NeutraliseCSVCell(tt.in)
		if got != tt.want {
			t.Errorf("NeutraliseCSVCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := RestoreCSVCell(got); back != tt.in {
			t.Errorf("RestoreCSVCell(%q) = %q, want %q", got, back, tt.in)
		}
	}
	// A cell written by hand with a quote before a harmless character keeps it.
	for _, s := range []string{"'", "'abc", "o'neil@example.com"} {
		if got := RestoreCSVCell(s); got != s {
			t.Errorf("RestoreCSVCell(%q) = %q, want it unchanged", s, got)
		}
	}
}

// Whatever the cell, restoring its neutralised form gives it back, and the
// neutralised form never begins with a character a spreadsheet acts on.
func TestCSVCellRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"=", "+", "-", "@", "\t", "\r", "'", "a", " ", "\"", ",", "#"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		n := NeutraliseCSVCell(s)
		if RestoreCSVCell(n) != s {
			t.Fatalf("RestoreCSVCell(NeutraliseCSVCell(%q)) = %q", s, RestoreCSVCell(n))
		}
		if n != "" && strings.IndexByte("=+-@\t\r#", n[0]) >= 0 {
			t.Fatalf("NeutraliseCSVCell(%q) = %q begins with a formula character", s, n)
		}
	}
}

// -o csv neutralises formulas, and a leading #, in every cell; tsv, name
// and piped tables print them exactly (-o name with its white space
// replaced).
func TestCSVFormulasOnlyInCSV(t *testing.T) {
	tbl := &Table{
		Columns: []Column{{Name: "email"}, {Name: "accountRole"}},
		Rows: [][]string{
			{"=cmd|' /C calc'!A0@example.com", "@admin"},
			{"+x@example.com", "-1"},
			{"'q@example.com", "=1+1"},
			{"#x@example.com", "#admin"},
		},
	}
	var out bytes.Buffer
	if err := (&Printer{Out: &out, Options: Options{Format: FormatCSV}}).Print(context.Background(), nil, tbl); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range tbl.Rows {
		for j, want := range row {
			got := records[i+1][j]
			if got != "'"+want {
				t.Errorf("csv cell %q, want %q", got, "'"+want)
			}
			if RestoreCSVCell(got) != want {
				t.Errorf("csv cell %q does not restore to %q", got, want)
			}
		}
	}
	for _, format := range []Format{FormatTSV, FormatName, FormatTable} {
		out.Reset()
		if err := (&Printer{Out: &out, Options: Options{Format: format}}).Print(context.Background(), nil, tbl); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "'=") || strings.Contains(out.String(), "'+") {
			t.Errorf("%s neutralised a cell:\n%s", format, out.String())
		}
		want := "=cmd|' /C calc'!A0@example.com"
		if format == FormatName {
			want = strings.ReplaceAll(want, " ", "\uFFFD")
		}
		if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "#x@example.com") {
			t.Errorf("%s did not print the cell exactly:\n%s", format, out.String())
		}
	}
}
