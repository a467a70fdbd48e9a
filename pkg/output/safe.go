package output

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// appendSafe appends JSON or YAML text src to dst with every character that
// text.Unsafe names and the encoders leave raw (encoding/json and gojq: DEL,
// the C1 controls and the format characters; yaml.v3: the format
// characters) written as an escape that reads back as the same string: the
// one escaper the writers add to the libraries. JSON text is ASCII outside
// strings, so src need not be parsed; in YAML every scalar holding such a
// character must be double-quoted (quoteUnsafe). Beyond U+FFFF, JSON takes
// a UTF-16 pair and YAML one \U escape.
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
