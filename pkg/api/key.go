package api

import (
	"fmt"
	"unicode/utf8"
)

// ValidateAPIKey checks that key can travel in an Authorization header as
// DQOps expects it: visible ASCII characters only. A line break, space,
// control or non-ASCII character means the key was copied with something
// else; the HTTP library would refuse it, or send it mangled. The error
// names the kind and position of the character, never the key.
func ValidateAPIKey(key string) error {
	pos := 0
	for i := 0; i < len(key); {
		r, size := utf8.DecodeRuneInString(key[i:])
		i += size
		pos++
		var what string
		switch {
		case r == '\n' || r == '\r':
			what = "a line break"
		case r == ' ' || r == '\t':
			what = "a space"
		case r < 0x20 || r == 0x7f:
			what = "a control character"
		case r == utf8.RuneError && size == 1:
			what = "a byte that is not UTF-8"
		case r > 0x7e:
			what = "a non-ASCII character"
		default:
			continue
		}
		return fmt.Errorf("the API key contains %s (character %d of %d): it cannot be sent in an HTTP header; was it copied whole, and alone?",
			what, pos, utf8.RuneCountInString(key))
	}
	return nil
}
