package output

import (
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// Cells measure as tablewriter's twwidth measures them, which the tables
// used before: printable text of every script, with and without East Asian
// widths.
func TestWidthMatchesTwwidth(t *testing.T) {
	texts := append([]string{"ana@example.com", "例え", "Ｆｕｌｌ", "zoë", "e\u0301", "😀", "👩‍💻", "°±×", "Привет", "αβγ",
		"─│┌", "\u00a0", "\u200d", "ｱｲｳ", "한국어", "\ufffd", ellipsis, strings.Repeat("x", 120)}, awkward...)
	for _, h := range hostile {
		texts = append(texts, printable("a"+h.s+"b"))
	}
	for _, s := range texts {
		s = printable(s)
		for _, ea := range []bool{false, true} {
			if got, want := widthOf(s, ea), twwidth.WidthWithOptions(s, twwidth.Options{EastAsianWidth: ea}); got != want {
				t.Errorf("width of %q (East Asian %v) = %d, twwidth says %d", s, ea, got, want)
			}
		}
	}
}

// The East Asian decision is twwidth's, for every mix of the variables it
// reads.
func TestEastAsianMatchesTwwidth(t *testing.T) {
	for _, name := range []string{"TERM_PROGRAM_WSL", "ALACRITTY_LOG", "LC_CTYPE", "WT_PROFILE_ID", "ConEmuANSI"} {
		t.Setenv(name, "")
	}
	for _, override := range []string{"", "1", "0", "yes", "OFF", "maybe"} {
		for _, program := range []string{"", "vscode", "Apple_Terminal", "WezTerm"} {
			for _, term := range []string{"", "xterm-256color", "linux", "screen", "xterm-mono", "vt100", "wezterm", "tmux-256color"} {
				for _, lang := range []string{"", "C", "POSIX", "zh_CN.UTF-8", "ja_JP", "en_US.UTF-8", "en_HK.UTF-8", "ko_KR.eucKR@x", "Chinese"} {
					for _, lcAll := range []string{"", "ja_JP.UTF-8"} {
						for _, vte := range []string{"", "6003"} {
							env := map[string]string{"RUNEWIDTH_EASTASIAN": override, "TERM_PROGRAM": program, "TERM": term,
								"LANG": lang, "LC_ALL": lcAll, "VTE_VERSION": vte}
							for k, v := range env {
								t.Setenv(k, v)
							}
							mode := twwidth.EastAsianMode()
							want := mode == "override_on" || mode == "locale_cjk"
							if got := eastAsianFrom(func(k string) string { return env[k] }); got != want {
								t.Errorf("%v: East Asian %v, twwidth says %v (%s)", env, got, want, mode)
							}
						}
					}
				}
			}
		}
	}
}
