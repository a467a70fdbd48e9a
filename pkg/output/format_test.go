package output

import (
	"strings"
	"testing"
)

// Every -o and --format is read by ParseFormat: in any letter case, yml for
// yaml, and an error naming the formats accepted.
func TestParseFormat(t *testing.T) {
	files := []Format{FormatYAML, FormatJSON, FormatCSV}
	for in, want := range map[string]Format{"yaml": FormatYAML, "YML": FormatYAML, "json": FormatJSON, " CSV ": FormatCSV} {
		if got, err := ParseFormat(in, files...); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %s, %v", in, got, err)
		}
	}
	for _, tt := range []struct {
		in       string
		accepted []Format
		want     string
	}{
		{"toml", files, `unknown format "toml": use yaml, json or csv`},
		{"csv", []Format{FormatJSON, FormatYAML}, `unknown format "csv": use json or yaml`},
		{"yml", []Format{FormatJSON}, `unknown format "yml": use json`},
		{"", files, `unknown format "": use yaml, json or csv`},
	} {
		if _, err := ParseFormat(tt.in, tt.accepted...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFormat(%q): %v, want %q", tt.in, err, tt.want)
		}
	}
}
