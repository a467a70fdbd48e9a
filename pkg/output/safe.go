package output

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// appendJSONSafe appends JSON text src to dst with every character that
// text.Unsafe names and encoding/json leaves raw written as a \u escape:
// encoding/json and gojq escape the C0 controls, U+2028 and U+2029, but
// leave DEL, the C1 controls and the format characters raw. It is the one
// escaper that the JSON writers add to encoding/json. The escapes read back
// as the same string, so the output stays exact. Outside strings JSON text
// is ASCII, so src need not be parsed.
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
		if !(n == 1 && r == utf8.RuneError) && text.Unsafe(r) {
			return i, r, n
		}
		i += n
	}
	return -1, 0, 0
}
