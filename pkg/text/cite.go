package text

import "strconv"

// CiteLimit is how many characters of a value a message shows (Cite).
const CiteLimit = 64

// Cite is how every value from outside (a file, the server, the command
// line) appears in a message. Such a value may be 30 MB long, or hold
// escape sequences that move the cursor, recolour the terminal or write to
// its clipboard. So a message shows the first 64 characters of a value,
// then, when there are more, how long the value is, and shows it quoted
// with Go's escapes for every character that is not printable (controls,
// bidirectional overrides, invisible and format characters, line and
// paragraph separators, invalid UTF-8).
func Cite(s string) string { return cite(s, false) }

// CiteBare is Cite without the quotes when the characters shown are all
// printable, as a message that begins with an email has; a value that
// needs an escape is quoted all the same, so that a backslash in an
// unquoted value is always the value's own.
func CiteBare(s string) string { return cite(s, true) }

func cite(s string, bare bool) string {
	cut := runeOffset(s, CiteLimit)
	shown := s[:cut]
	if !bare || shown == "" || !Printable(shown) {
		shown = strconv.Quote(shown)
	}
	if cut < len(s) {
		shown += "... (" + Thousands(len(s)) + " bytes)"
	}
	return shown
}

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

// Thousands writes a count as messages do, with commas between groups of
// three digits: 9,981.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
