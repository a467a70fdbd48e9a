package output

import (
	"fmt"
	"io"
)

// WriteJSONLine writes v as compact JSON on one line, as error objects and
// other records meant for line-by-line reading are written, with the same
// escaping of control and format characters as WriteJSON.
func WriteJSONLine(w io.Writer, v any) error {
	var e jsonEncoder
	b, err := e.encode(v, "", "")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Count says how many of a thing there are: "1 user", "2 users".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// JSONErrors reports whether the user asked for machine output (-o json or
// yaml), in which case errors are written as JSON objects too.
func (o Options) JSONErrors() bool {
	return o.Format == FormatJSON || o.Format == FormatYAML
}
