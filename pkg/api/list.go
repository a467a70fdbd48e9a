package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// StreamUsers calls fn for each user of the instance, in the server's order
// (by email), as the user arrives: the list is decoded from the response
// body element by element, so memory does not grow with the number of
// users. The answer is held to what ListUsers accepts (MaxBodySize, JSON,
// an array of user models) as it is read.
//
// A failure before fn has seen a user is retried as any GET is. Once fn has
// seen one, the request is not sent again (fn would see users twice): a
// failure is then a *PartialListError telling how many users fn saw. An
// error from fn stops the list and is returned as it is.
//
// Options.Timeout bounds the time spent waiting for the server, not the
// time spent in fn, so a consumer that blocks (a pager) does not time the
// request out.
func (c *Client) StreamUsers(ctx context.Context, fn func(User) error) error {
	return c.do(ctx, &call{op: "listing users", what: "a list of users", method: http.MethodGet,
		path: "/api/users", want: http.StatusOK, each: fn})
}

// ListUsers returns every user, as the server sorts them (by email). The
// body is read whole before any user is decoded, so a broken answer is
// retried as any GET; StreamUsers holds less memory.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	users := []User{}
	err := c.do(ctx, &call{op: "listing users", what: "a list of users", method: http.MethodGet,
		path: "/api/users", want: http.StatusOK, buffered: true,
		each: func(u User) error { users = append(users, u); return nil }})
	if err != nil {
		return nil, err
	}
	return users, nil
}

// PartialListError is a list whose answer broke after some users had been
// passed to the caller: they stay passed, and the request was not sent
// again. Err is the failure: a *BodyError (cut off, too large, not JSON) or
// a *TransportError (timeout, cancellation).
type PartialListError struct {
	// Delivered is how many users the caller received before the failure.
	Delivered int
	Err       error
}

func (e *PartialListError) Error() string {
	users := "users"
	if e.Delivered == 1 {
		users = "user"
	}
	return fmt.Sprintf("%v; %d %s had been received", e.Err, e.Delivered, users)
}

func (e *PartialListError) Unwrap() error { return e.Err }

// listChunk is the first size of a list decoder's buffer: several users
// per read, and small enough to stay in cache. It grows only for a user
// larger than itself.
const listChunk = 64 << 10

// listDecoder reads a JSON array of users one element at a time, from a
// body still arriving or from one read whole. Memory holds the element
// being read, not the list.
type listDecoder struct {
	r      io.Reader // nil when buf holds the whole body
	buf    []byte
	pos    int   // the next byte to look at
	end    int   // buf[pos:end] is read and not yet consumed
	base   int64 // the body's offset of buf[0]
	length int64 // the announced length; -1 when unknown
	head   []byte
	// err is why no more bytes come: io.EOF at the end of the body, a
	// *CutOffError, ErrBodyTooLarge or the reader's failure.
	err error
}

func newListDecoder(r io.Reader, length int64) *listDecoder {
	return &listDecoder{r: io.LimitReader(r, MaxBodySize+1), buf: make([]byte, listChunk), length: length}
}

// newBufferedListDecoder decodes a body read whole.
func newBufferedListDecoder(data []byte) *listDecoder {
	return &listDecoder{buf: data, end: len(data), length: int64(len(data)), head: data[:min(len(data), 256)], err: io.EOF}
}

// fill reads once more from the body, keeping buf[pos:end]; false when
// nothing more comes (d.err says why).
func (d *listDecoder) fill() bool {
	if d.err != nil {
		return false
	}
	if d.pos > 0 {
		d.end = copy(d.buf, d.buf[d.pos:d.end])
		d.base += int64(d.pos)
		d.pos = 0
	}
	if d.end == len(d.buf) {
		// No more than the limit (and one byte) is ever held.
		d.buf = append(d.buf, make([]byte, min(len(d.buf), MaxBodySize+1-len(d.buf)))...)
	}
	n, err := d.r.Read(d.buf[d.end:])
	d.end += n
	if len(d.head) < 256 {
		d.head = append(d.head, d.buf[d.end-n : d.end][:min(n, 256-len(d.head))]...)
	}
	switch read := d.base + int64(d.end); {
	case read > MaxBodySize:
		d.err = ErrBodyTooLarge
	case err == io.EOF && d.length >= 0 && read < d.length:
		d.err = &CutOffError{Read: read, Expected: d.length, Err: io.ErrUnexpectedEOF}
	case err != nil && err != io.EOF:
		d.err = &CutOffError{Read: read, Expected: d.length, Err: err}
	case err != nil:
		d.err = err
	}
	return n > 0 || d.err == nil
}

// next skips space and returns the next byte without consuming it; false
// when the body ends first.
func (d *listDecoder) next() (byte, bool) {
	for {
		for ; d.pos < d.end; d.pos++ {
			switch c := d.buf[d.pos]; c {
			case ' ', '\t', '\n', '\r':
			default:
				return c, true
			}
		}
		if !d.fill() {
			return 0, false
		}
	}
}

// each decodes the list and passes every user to fn. A body that is not an
// array is described as decodeBody describes it.
func (d *listDecoder) each(what string, fn func(User) error) error {
	// The first byte is looked for without consuming anything, so that a
	// body that is not a list is still whole in buf.
	c, ok := d.first()
	switch {
	case !ok && d.err != io.EOF:
		return d.err
	case !ok || c != '[':
		return d.notAList(what, fn)
	}
	d.pos++
	if c, ok = d.next(); ok && c == ']' {
		d.pos++
		return d.finish()
	}
	for {
		if !ok {
			return d.ended()
		}
		n, err := d.element()
		if err != nil {
			return err
		}
		var u User
		if err := decodeUser(d.buf[d.pos:d.pos+n], &u); err != nil {
			return d.elementError(n, what, err)
		}
		d.pos += n
		if err := fn(u); err != nil {
			return err
		}
		if c, ok = d.next(); !ok {
			return d.ended()
		}
		d.pos++
		switch c {
		case ']':
			return d.finish()
		case ',':
			c, ok = d.next()
		default:
			d.pos--
			return d.syntaxError(fmt.Sprintf("invalid character %s after array element", quoteChar(c)))
		}
	}
}

func (d *listDecoder) first() (byte, bool) {
	for i := 0; ; i++ {
		if i == d.end && !d.fill() {
			return 0, false
		}
		switch c := d.buf[i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			d.pos = i
			return c, true
		}
	}
}

// notAList reads the rest of a body that is not an array and lets
// decodeBody say what it is (or decode it: null is no users).
func (d *listDecoder) notAList(what string, fn func(User) error) error {
	for d.fill() {
	}
	if d.err != io.EOF {
		return d.err
	}
	var users []User
	if err := decodeBody(d.buf[:d.end], "", what, &users); err != nil {
		return err
	}
	for _, u := range users {
		if err := fn(u); err != nil {
			return err
		}
	}
	return nil
}

// element returns the length of the JSON value at d.pos once it is whole
// in buf, found by its brackets and strings; decodeUser checks the rest.
func (d *listDecoder) element() (int, error) {
	depth, k := 0, 0
	inString, escaped := false, false
	for {
		data := d.buf[d.pos:d.end]
		for ; k < len(data); k++ {
			if inString {
				if escaped {
					escaped = false
					continue
				}
				// Only a quote or a backslash matters in a string: jump to
				// the next one (IndexByte looks at many bytes at a time).
				rest := data[k:]
				end := bytes.IndexByte(rest, '"')
				if end < 0 {
					end = len(rest)
				}
				if b := bytes.IndexByte(rest[:end], '\\'); b >= 0 {
					k += b
					escaped = true
					continue
				}
				if end == len(rest) {
					k = len(data) - 1 // the string goes on in what comes next
					continue
				}
				k += end
				inString = false
				if depth == 0 {
					return k + 1, nil
				}
				continue
			}
			c := data[k]
			switch c {
			case '"':
				inString = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth == 0 {
					return d.scalar(k)
				}
				if depth--; depth == 0 {
					return k + 1, nil
				}
			case ',', ' ', '\t', '\n', '\r':
				if depth == 0 {
					return d.scalar(k)
				}
			}
		}
		if !d.fill() {
			return 0, d.ended()
		}
	}
}

// scalar ends a value that is not an object, array or string at k.
func (d *listDecoder) scalar(k int) (int, error) {
	if k == 0 {
		return 0, d.syntaxError(fmt.Sprintf("invalid character %s looking for beginning of value", quoteChar(d.buf[d.pos])))
	}
	return k, nil
}

// elementError explains an element decodeUser refused: a syntax error at
// its place in the body, or JSON that is no user.
func (d *listDecoder) elementError(n int, what string, err error) error {
	elem := d.buf[d.pos : d.pos+n]
	if json.Valid(elem) {
		return fmt.Errorf("the body is JSON but not %s: %v", what, err)
	}
	// A number or literal is judged with the byte that ended it, as a
	// decoder of the whole body would.
	if c := elem[0]; c != '{' && c != '[' && c != '"' && d.pos+n < d.end {
		elem = d.buf[d.pos : d.pos+n+1]
	}
	var syntax *json.SyntaxError
	if e := json.Unmarshal(elem, new(json.RawMessage)); e != nil && errors.As(e, &syntax) {
		return invalidJSON(syntax.Error(), d.base+int64(d.pos)+syntax.Offset, d.length, d.head)
	}
	return fmt.Errorf("the body is JSON but not %s: %v", what, err)
}

// ended explains a body that stopped inside the list.
func (d *listDecoder) ended() error {
	if d.err != io.EOF {
		return d.err
	}
	return invalidJSON("unexpected end of JSON input", d.base+int64(d.end), d.length, d.head)
}

// syntaxError is a syntax error at d.pos.
func (d *listDecoder) syntaxError(msg string) error {
	return invalidJSON(msg, d.base+int64(d.pos)+1, d.length, d.head)
}

// finish checks that only space follows the list.
func (d *listDecoder) finish() error {
	if c, ok := d.next(); ok {
		return d.syntaxError(fmt.Sprintf("invalid character %s after top-level value", quoteChar(c)))
	}
	if d.err != io.EOF {
		return d.err
	}
	return nil
}

// quoteChar quotes a byte as encoding/json's syntax errors do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := fmt.Sprintf("%q", string(c))
	return "'" + s[1:len(s)-1] + "'"
}
