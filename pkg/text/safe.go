// Package text holds the rules for text that dqo-users shows but did not
// write (from a server, a file or stdin): which characters may reach a
// terminal, and which known word a mistyped one most likely meant. Every
// check of either kind in the tool is one of these functions.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Safe returns s with every character of Unicode category Cc, Cf, Zl or Zp
// replaced by U+FFFD, and every byte that is not UTF-8 too. Those are the
// characters that act on a terminal or on the reader rather than show: ESC
// and the one-byte CSI U+009B start escape sequences (colours, cursor moves,
// window titles, OSC 52 clipboard writes), BEL rings, CR returns to the
// start of the line and so overwrites what was shown, bidirectional
// overrides such as U+202E reorder the text around them, zero-width
// characters hide a difference between two emails, and U+2028 breaks a line
// where no line break is seen. Text that came from a server, a file or
// stdin goes through Safe (or SafeText) before it is printed.
//
// A string that holds none of them is returned as it is, without copying.
func Safe(s string) string { return sanitise(s, 0) }

// SafeText is Safe for text of several lines, such as an error message:
// '\n' stays, every other character that Safe replaces is replaced.
func SafeText(s string) string { return sanitise(s, keepNewline) }

// SafeLines is Safe for text the tool lays out itself in lines and
// tab-separated fields (--jq and --template output): '\n' and '\t' stay.
func SafeLines(s string) string { return sanitise(s, keepNewline|keepTab) }

// Printable reports whether s is UTF-8 and holds no character that Safe
// replaces.
func Printable(s string) bool { return firstUnsafe(s, 0) < 0 }

// Unsafe reports whether r is of category Cc, Cf, Zl or Zp: the one
// predicate of what must not reach a terminal raw. Invalid UTF-8 decodes
// to utf8.RuneError, which callers test on its own.
func Unsafe(r rune) bool {
	if r < utf8.RuneSelf {
		return r < 0x20 || r == 0x7f
	}
	return unsafeRune(r)
}

// keep says which harmless controls a writer lets through.
type keep uint8

const (
	// keepNewline keeps '\n', which ends lines and moves nothing else.
	keepNewline keep = 1 << iota
	// keepTab keeps '\t', which only moves to the next tab stop.
	keepTab
)

// sanitise replaces the characters of Safe, letting through what k keeps.
func sanitise(s string, k keep) string {
	i := firstUnsafe(s, k)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i >= 0 {
		b.WriteString(s[:i])
		_, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(utf8.RuneError)
		s = s[i+n:]
		i = firstUnsafe(s, k)
	}
	b.WriteString(s)
	return b.String()
}

// firstUnsafe returns the index of the first character of s that sanitise
// replaces, or -1. ASCII, the common case, costs a comparison per byte.
func firstUnsafe(s string, k keep) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f || c == '\n' && k&keepNewline != 0 || c == '\t' && k&keepTab != 0 {
				i++
				continue
			}
			return i
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			return i
		}
		i += n
	}
	return -1
}

// unsafeRune reports whether r, not ASCII, is of category Cc, Cf, Zl or
// Zp. It answers the common scripts without a table look-up.
func unsafeRune(r rune) bool {
	switch {
	case r < 0xa0:
		return r >= 0x7f // DEL and the C1 controls
	case r < 0x600:
		return r == 0xad // soft hyphen, the only format character here
	case r == 0x2028 || r == 0x2029:
		return true
	case r > 0x206f && r < 0xfeff:
		return false // CJK and most other scripts
	}
	return unicode.Is(unicode.Cf, r)
}
