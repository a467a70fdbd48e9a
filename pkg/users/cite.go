package users

import (
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// citeLimit is how many characters of a value from a file a message shows.
const citeLimit = 64

// citeValue is how every value from a file appears in a message. A file
// is hostile input: a value may be 30 MB long, or hold escape sequences that
// move the cursor, recolour the terminal or write to its clipboard. So a
// message shows the first citeLimit characters of a value, then, when there
// are more, how long the value is, and shows it quoted with Go's escapes for
// every character that is not printable (controls, bidirectional overrides,
// invisible and format characters, line and paragraph separators, invalid
// UTF-8). With bare set, a value whose shown characters are all printable
// is shown without the quotes, as a message that begins with an email does;
// a value that needs an escape is quoted all the same, so that a backslash
// in an unquoted value is always the file's own.
func citeValue(s string, bare bool) string {
	cut := runeOffset(s, citeLimit)
	shown := s[:cut]
	if !bare || shown == "" || !text.Printable(shown) {
		shown = strconv.Quote(shown)
	}
	if cut < len(s) {
		shown += "... (" + thousands(len(s)) + " bytes)"
	}
	return shown
}

// cite is a value from a file, quoted, for a message.
func cite(s string) string { return citeValue(s, false) }

// citeBare is a value from a file for a message, without quotes when it
// needs none.
func citeBare(s string) string { return citeValue(s, true) }

// runeOffset is the byte offset of the n-th character of s, or len(s).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// citeError is the message of an error that quotes a value whole, as
// api.ValidateEmail's and api.ParseRole's do, with the value cited instead:
// the first quoted string in the message is taken to be the value.
func citeError(err error, value string) string {
	msg := err.Error()
	i := strings.IndexByte(msg, '"')
	if i < 0 {
		return msg
	}
	q, qerr := strconv.QuotedPrefix(msg[i:])
	if qerr != nil {
		return msg
	}
	return msg[:i] + cite(value) + msg[i+len(q):]
}
