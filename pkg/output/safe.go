package output

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// appendSafe appends JSON or YAML text src to dst with every character that
// text.Unsafe names and the encoders leave raw written as a \u escape:
// encoding/json and gojq escape the C0 controls, U+2028 and U+2029, but
// leave DEL, the C1 controls and the format characters raw, and yaml.v3
// leaves the format characters raw. It is the one escaper that the writers
// add to the libraries. The escapes read back as the same string, so the
// output stays exact. Outside strings JSON text is ASCII, so src need not
// be parsed; YAML must have every scalar holding such a character
// double-quoted (see quoteUnsafe), the one style with escapes. A character
// beyond U+FFFF is a UTF-16 pair in JSON, and one \U escape in YAML.
func appendSafe(dst, src []byte, yaml bool) []byte {
	for {
		i, r, n := nextUnsafeByte(src)
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		switch {
		case r <= 0xffff:
			dst = fmt.Appendf(dst, `\u%04x`, r)
		case yaml:
			dst = fmt.Appendf(dst, `\U%08x`, r)
		default:
			hi, lo := utf16.EncodeRune(r)
			dst = fmt.Appendf(dst, `\u%04x\u%04x`, hi, lo)
		}
		src = src[i+n:]
	}
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
