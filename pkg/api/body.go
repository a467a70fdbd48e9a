package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// readBody reads a response body whole, but never more than limit bytes:
// a larger body is tooLarge, found from its Content-Length (length, -1 when
// unknown) before anything is read when the server announces it. The body
// is read by files.ReadAll, in one piece of the announced length, else in
// pieces whose memory stays near the size actually read. A body that stops
// early is a *CutOffError.
func readBody(r io.Reader, length, limit int64, tooLarge error) ([]byte, error) {
	if length > limit {
		return nil, tooLarge
	}
	counted := &countingReader{r: r}
	data, err := files.ReadAll(counted, limit, "the body", max(length, 0))
	switch {
	case errors.As(err, new(*files.TooLargeError)):
		return nil, tooLarge
	case err != nil || counted.err != nil || int64(len(data)) < length:
		return nil, &CutOffError{Read: counted.n, Expected: length, Err: cmp.Or(counted.err, err, io.ErrUnexpectedEOF)}
	}
	return data, nil
}

// countingReader counts the bytes read, and keeps the error that ended
// them, for the message of a body cut off: files.ReadAll takes
// io.ErrUnexpectedEOF, the end of a chunked body cut off, for the end.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// decodeBody decodes a JSON body into out, turning every failure into a
// sentence that says what came instead of a bare decoder message.
func decodeBody(data []byte, contentType, what string, out any) error {
	if contentType != "" && !isJSONType(contentType) {
		return fmt.Errorf("expected JSON (%s), got %s", what, describeContent(contentType, data))
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return fmt.Errorf("expected JSON (%s), got an empty body", what)
	}
	err := json.Unmarshal(data, out)
	if err == nil {
		return nil
	}
	if trimmed[0] == '<' {
		return fmt.Errorf("expected JSON (%s), got %s", what, describeContent("text/html", data))
	}
	var syntax *json.SyntaxError
	// Only the decoder's own type error describes the body; one from inside
	// User.UnmarshalJSON describes a field.
	typeErr, direct := err.(*json.UnmarshalTypeError)
	switch {
	case errors.As(err, &syntax):
		return invalidJSON(syntax.Error(), syntax.Offset, int64(len(data)), data)
	case direct && typeErr.Field != "":
		return fmt.Errorf("the body is JSON but not %s: field %q holds a %s",
			what, typeErr.Field, typeErr.Value)
	case direct:
		return fmt.Errorf("the body is JSON but not %s: it holds %s", what, article(typeErr.Value))
	}
	return fmt.Errorf("the body is JSON but not %s: %v", what, err)
}

// invalidJSON describes a syntax error at offset of a body of total bytes
// (-1 when unknown) that starts with head.
func invalidJSON(msg string, offset, total int64, head []byte) error {
	of := ""
	if total >= 0 {
		of = fmt.Sprintf(" of %d", total)
	}
	return fmt.Errorf("the body is not valid JSON (%s at byte %d%s; it starts %s)", msg, offset, of, quoteStart(head))
}

func article(kind string) string {
	switch kind {
	case "array", "object":
		return "an " + kind
	}
	return "a " + kind
}

var htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// describeContent names a body that is not the expected JSON, e.g. "an HTML
// page titled "Sign in" (text/html)".
func describeContent(contentType string, data []byte) string {
	mt := typeName(contentType)
	trimmed := bytes.TrimSpace(data)
	looksHTML := strings.Contains(mt, "html") || bytes.HasPrefix(bytes.ToLower(trimmed), []byte("<!doctype html")) ||
		bytes.HasPrefix(bytes.ToLower(trimmed), []byte("<html"))
	if looksHTML {
		if m := htmlTitle.FindSubmatch(data); m != nil {
			title := strings.Join(strings.Fields(string(m[1])), " ")
			if title != "" {
				return fmt.Sprintf("an HTML page titled %q (%s): a login page or a proxy's error page", truncateRunes(title, 80), mt)
			}
		}
		return fmt.Sprintf("an HTML page (%s): a login page or a proxy's error page", mt)
	}
	if len(trimmed) == 0 {
		return fmt.Sprintf("an empty body (%s)", mt)
	}
	return fmt.Sprintf("a %s body of %d bytes starting %s", mt, len(data), quoteStart(data))
}

// quoteStart quotes the first 40 characters of a body, made printable.
func quoteStart(data []byte) string {
	// 40 characters take at most 160 bytes: one more tells whether more follow.
	start := truncateRunes(string(data[:min(len(data), 161)]), 40)
	return fmt.Sprintf("%q", strings.Map(func(r rune) rune {
		if r == utf8.RuneError || text.Unsafe(r) {
			return '.'
		}
		return r
	}, start))
}

// truncateRunes cuts s after max characters, marking the cut with "...".
func truncateRunes(s string, max int) string {
	for i := range s {
		if max == 0 {
			return s[:i] + "..."
		}
		max--
	}
	return s
}
