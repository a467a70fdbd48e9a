package users

import (
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// citeError is the message of an error that quotes a value, as
// api.ValidateEmail's and api.ParseRole's do, with the value cited as
// text.Cite does: the first quoted string in the message is taken to be the
// value.
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
	rest := msg[i+len(q):]
	// A message that cited the value already shows its length after it.
	if strings.HasPrefix(rest, "... (") {
		if end := strings.IndexByte(rest, ')'); end >= 0 {
			rest = rest[end+1:]
		}
	}
	return msg[:i] + text.Cite(value) + rest
}
