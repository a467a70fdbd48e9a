package users

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCiteValue(t *testing.T) {
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
			if got := citeValue(tt.in, tt.bare); got != tt.want {
				t.Errorf("citeValue(%.80q, %v) = %.200q, want %.200q", tt.in, tt.bare, got, tt.want)
			}
		})
	}
}

// An error that quotes a value whole (as the api package's do) is shown
// with the value cited.
func TestCiteError(t *testing.T) {
	value := strings.Repeat("x", 1000) + "\x1b"
	err := errors.New(`unknown role "` + strings.Repeat("x", 1000) + `\x1b": use one of admin`)
	want := `unknown role "` + strings.Repeat("x", 64) + `"... (1,001 bytes): use one of admin`
	if got := citeError(err, value); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// checkSafeMessage fails when msg is longer than limit bytes, or holds a
// character that a terminal could act on (other than the newlines between
// problems) or invalid UTF-8.
func checkSafeMessage(t *testing.T, msg string, limit int) {
	t.Helper()
	if len(msg) > limit {
		t.Errorf("message of %d bytes, want at most %d: %.300q...", len(msg), limit, msg)
	}
	if !utf8.ValidString(msg) {
		t.Errorf("message holds invalid UTF-8: %.300q", msg)
	}
	for _, r := range msg {
		if r != '\n' && unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			t.Errorf("message holds %U raw: %.300q", r, msg)
			return
		}
	}
}
