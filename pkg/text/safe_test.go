package text

import (
	"strings"
	"testing"
	"unicode"
	"unsafe"
)

func TestSafe(t *testing.T) {
	tests := []struct {
		in, safe, text string
	}{
		{"ana@example.com", "ana@example.com", "ana@example.com"},
		{"zoë@例え.jp", "zoë@例え.jp", "zoë@例え.jp"},
		{"", "", ""},
		{"a\x1b[31mb", "a\uFFFD[31mb", "a\uFFFD[31mb"},
		{"\x1b]52;c;SGVsbG8=\x07", "\uFFFD]52;c;SGVsbG8=\uFFFD", "\uFFFD]52;c;SGVsbG8=\uFFFD"},
		{"a\r\nb\tc", "a\uFFFD\uFFFDb\uFFFDc", "a\uFFFD\nb\uFFFDc"},
		{"evil\u202egnp.exe", "evil\uFFFDgnp.exe", "evil\uFFFDgnp.exe"},
		{"ad\u200bmin\u2028x\u2029", "ad\uFFFDmin\uFFFDx\uFFFD", "ad\uFFFDmin\uFFFDx\uFFFD"},
		{"\u009b2J\u0085", "\uFFFD2J\uFFFD", "\uFFFD2J\uFFFD"},
		{"bad \xff\xfe utf-8", "bad \uFFFD\uFFFD utf-8", "bad \uFFFD\uFFFD utf-8"},
		{"tag\U000e0041", "tag\uFFFD", "tag\uFFFD"},
		// Characters that look alike but only show stay: no-break space,
		// combining accent, Hangul filler (a letter), replacement character.
		{"a\u00a0b\u0301\u3164\uFFFD", "a\u00a0b\u0301\u3164\uFFFD", "a\u00a0b\u0301\u3164\uFFFD"},
	}
	for _, tt := range tests {
		if got := Safe(tt.in); got != tt.safe {
			t.Errorf("Safe(%q) = %q, want %q", tt.in, got, tt.safe)
		}
		if got := SafeText(tt.in); got != tt.text {
			t.Errorf("SafeText(%q) = %q, want %q", tt.in, got, tt.text)
		}
	}
	// A clean string is not copied.
	s := strings.Repeat("clean@example.com ", 10)
	if got := Safe(s); unsafe.StringData(got) != unsafe.StringData(s) {
		t.Error("Safe copied a string that needed no change")
	}
}

// The fast checks of unsafeRune must name exactly the characters of the four
// categories.
func TestUnsafeRuneIsCcCfZlZp(t *testing.T) {
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		want := unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
		if got := unsafeRune(r); got != want {
			t.Errorf("unsafeRune(%U) = %v, want %v", r, got, want)
		}
	}
	for r := rune(0); r < 0x80; r++ {
		want := unicode.In(r, unicode.Cc)
		if got := firstUnsafe(string(r), 0) == 0; got != want {
			t.Errorf("firstUnsafe(%q) found it: %v, want %v", r, got, want)
		}
		if got := Unsafe(r); got != want {
			t.Errorf("Unsafe(%q) = %v, want %v", r, got, want)
		}
	}
}
