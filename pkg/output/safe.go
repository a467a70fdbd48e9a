package output

import (
	"strings"
	"unicode"
	"unicode/utf16"
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
// stdin goes through Safe (or SafeText) before it is printed; the writers
// of this package do it themselves.
//
// A string that holds none of them is returned as it is, without copying.
func Safe(s string) string { return sanitise(s, 0) }

// SafeText is Safe for text of several lines, such as an error message:
// '\n' stays, every other character that Safe replaces is replaced.
func SafeText(s string) string { return sanitise(s, keepNewline) }

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

// appendJSONSafe appends JSON text src to dst with every character that
// unsafeRune names written as a \u escape: encoding/json and gojq escape
// the C0 controls but leave DEL, the C1 controls and the format characters
// raw. The escapes read back as the same string, so the output stays exact.
// Outside strings JSON text is ASCII, so src need not be parsed.
func appendJSONSafe(dst, src []byte) []byte {
	return appendEscaped(dst, src, func(dst []byte, r rune) []byte {
		if r > 0xffff {
			hi, lo := utf16.EncodeRune(r)
			return appendHex(appendHex(dst, `\u`, uint32(hi), 4), `\u`, uint32(lo), 4)
		}
		return appendHex(dst, `\u`, uint32(r), 4)
	})
}

// appendYAMLSafe is appendJSONSafe for YAML whose every scalar holding such
// a character is double-quoted (see quoteUnsafe), whose escapes are those of
// JSON except that a character beyond U+FFFF is one \U escape.
func appendYAMLSafe(dst, src []byte) []byte {
	return appendEscaped(dst, src, func(dst []byte, r rune) []byte {
		if r > 0xffff {
			return appendHex(dst, `\U`, uint32(r), 8)
		}
		return appendHex(dst, `\u`, uint32(r), 4)
	})
}

// appendEscaped appends src to dst with every character that
// nextUnsafeByte finds written by escape.
func appendEscaped(dst, src []byte, escape func(dst []byte, r rune) []byte) []byte {
	for {
		i, r, n := nextUnsafeByte(src)
		if i < 0 {
			return append(dst, src...)
		}
		dst = escape(append(dst, src[:i]...), r)
		src = src[i+n:]
	}
}

// appendHex appends prefix and v in digits lower-case hexadecimal digits.
func appendHex(dst []byte, prefix string, v uint32, digits int) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, prefix...)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		dst = append(dst, hex[v>>shift&15])
	}
	return dst
}

// nextUnsafeByte returns the index, the character and its size of the first
// character of src that is DEL or not ASCII and that Safe replaces, or -1.
// The C0 controls are left to the encoders, which escape them their way.
func nextUnsafeByte(src []byte) (int, rune, int) {
	for i := 0; i < len(src); {
		if src[i] < 0x7f {
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		if !(n == 1 && r == utf8.RuneError) && unsafeRune(r) {
			return i, r, n
		}
		i += n
	}
	return -1, 0, 0
}
