package text

import (
	"strings"
	"testing"
)

func TestCite(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 30_000_000) + "@example.com"
	tests := []struct {
		name, in string
		bare     bool
		want     string
	}{
		{"plain", "ana@example.com", false, `"ana@example.com"`},
		{"plain bare", "ana@example.com", true, `ana@example.com`},
		{"empty bare is quoted", "", true, `""`},
		{"escape sequence", "\x1b[2J\x1b]52;c;aGk=\x07a@x.io", false, `"\x1b[2J\x1b]52;c;aGk=\aa@x.io"`},
		{"escape sequence bare is quoted", "\x1b[31ma@x.io", true, `"\x1b[31ma@x.io"`},
		{"bidi override and zero width", "ana\u202e\u200b@x.io", true, `"ana\u202e\u200b@x.io"`},
		{"C1 control and line separator", "a\u009b\u2028b", false, `"a\u009b\u2028b"`},
		{"invalid UTF-8", "a\xffb", true, `"a\xffb"`},
		{"backslash bare stays", `a\b@x.io`, true, `a\b@x.io`},
		{"non-ASCII letters stay", "zoë@exämple.com", true, `zoë@exämple.com`},
		{"64 characters are whole", strings.Repeat("é", 64), true, strings.Repeat("é", 64)},
		{"65 are cut", strings.Repeat("é", 65), true, strings.Repeat("é", 64) + "... (130 bytes)"},
		{"30 MB", long, false, `"` + strings.Repeat("a", 64) + `"... (30,000,012 bytes)`},
		{"cut inside invalid UTF-8", strings.Repeat("\xff", 100), false, `"` + strings.Repeat(`\xff`, 64) + `"... (100 bytes)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cite(tt.in, tt.bare); got != tt.want {
				t.Errorf("cite(%.80q, %v) = %.200q, want %.200q", tt.in, tt.bare, got, tt.want)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 9981: "9,981", 30_000_012: "30,000,012", -1234: "-1,234"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %s, want %s", n, got, want)
		}
	}
}
