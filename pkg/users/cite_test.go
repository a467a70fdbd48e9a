package users

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

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
