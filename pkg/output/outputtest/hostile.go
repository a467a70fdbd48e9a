// Package outputtest holds what the tests of every writer of server text
// feed through it: the hostile strings a server could send, with the
// escaping table of JSON and YAML, the one place that says how
// output.WriteJSON and output.WriteYAML write each of them. Only tests
// import it.
package outputtest

import (
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// Hostile is a string a server could put in an email or a domain name to
// act on a terminal or mislead the reader, with how the machine formats
// write it inside a string.
type Hostile struct {
	// Name says what it does.
	Name string
	// S is the string.
	S string
	// JSON is S inside a JSON string: escaped by encoding/json (the C0
	// controls, U+2028, U+2029) or by the tool (DEL, C1, format
	// characters; beyond U+FFFF as a UTF-16 pair).
	JSON string
	// YAML is S inside a double-quoted YAML scalar: escaped by yaml.v3
	// (controls, as \e, \a, \x7F, \x9B, \L, \P, ...; the byte order mark
	// and beyond the BMP) or by the tool (the other format characters, as
	// \u, or \U beyond U+FFFF).
	YAML string
}

// Hostiles are the hostile strings, each with its escapes.
var Hostiles = []Hostile{
	{Name: "ESC colour", S: "\x1b[31m", JSON: `\u001b[31m`, YAML: `\e[31m`},
	{Name: "BEL", S: "\x07", JSON: `\u0007`, YAML: `\a`},
	{Name: "NUL", S: "\x00", JSON: `\u0000`, YAML: `\0`},
	{Name: "CR", S: "\r", JSON: `\r`, YAML: `\r`},
	{Name: "C1 CSI", S: "\u009b", JSON: `\u009b`, YAML: `\x9B`},
	{Name: "C1 NEL", S: "\u0085", JSON: `\u0085`, YAML: `\N`},
	{Name: "OSC 52 clipboard write", S: "\x1b]52;c;SGVsbG8=\x07", JSON: `\u001b]52;c;SGVsbG8=\u0007`, YAML: `\e]52;c;SGVsbG8=\a`},
	{Name: "right-to-left override", S: "\u202e", JSON: `\u202e`, YAML: `\u202e`},
	{Name: "left-to-right isolate", S: "\u2066", JSON: `\u2066`, YAML: `\u2066`},
	{Name: "pop directional isolate", S: "\u2069", JSON: `\u2069`, YAML: `\u2069`},
	{Name: "zero-width space", S: "\u200b", JSON: `\u200b`, YAML: `\u200b`},
	{Name: "line separator", S: "\u2028", JSON: `\u2028`, YAML: `\L`},
	{Name: "paragraph separator", S: "\u2029", JSON: `\u2029`, YAML: `\P`},
	{Name: "DEL", S: "\x7f", JSON: `\u007f`, YAML: `\x7F`},
	{Name: "soft hyphen", S: "\u00ad", JSON: `\u00ad`, YAML: `\u00ad`},
	{Name: "byte order mark", S: "\ufeff", JSON: `\ufeff`, YAML: `\uFEFF`},
	{Name: "language tag", S: "\U000e0001", JSON: `\udb40\udc01`, YAML: `\U000E0001`},
}

// Raw returns the characters of s that must never reach a terminal raw:
// those that text.Safe replaces.
func Raw(s string) []string {
	var raw []string
	for _, r := range s {
		if text.Unsafe(r) {
			raw = append(raw, string(r))
		}
	}
	return raw
}

// RawIn returns the first character of a hostile string found raw in out,
// or "".
func RawIn(out string) string {
	for _, h := range Hostiles {
		for _, c := range Raw(h.S) {
			if strings.Contains(out, c) {
				return c
			}
		}
	}
	return ""
}
