package api

import (
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
// an array of user models, each at most MaxUserSize) as it is read.
//
// A failure before fn has seen a user is retried as any GET is. Once fn has
// seen one, the request is not sent again (fn would see users twice): a
// failure is then a *PartialListError telling how many users fn saw. An
// error from fn stops the list and is returned as it is. The time spent in
// fn does not count against Options.Timeout, so a consumer that blocks (a
// pager) does not time the request out.
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

// MaxUserSize bounds the JSON of one user, in a list or alone: a user is a
// few hundred bytes, some tens of kilobytes with thousands of data domains,
// and one of hundreds of megabytes would be decoded whole, at ten times its
// size in memory.
const MaxUserSize = 1 << 20

// ErrUserTooLarge is the cause of a BodyError for a user whose JSON is
// larger than MaxUserSize. Reading stops there.
var ErrUserTooLarge = fmt.Errorf("a user's JSON is larger than %d MiB: reading stopped there", MaxUserSize>>20)

// decodeList passes every user of the JSON array body to fn as it arrives,
// holding one user, never the list. length is the announced length of the
// body, -1 when unknown; one over limit is refused before anything is
// read. A body that is not an array is described as
// decodeBody describes it (null is no users), and a syntax error as
// encoding/json describes it in the whole body.
func decodeList(body io.Reader, length, limit int64, what string, fn func(User) error) error {
	if length > limit {
		return &BodyTooLargeError{Limit: limit}
	}
	lr := &listReader{r: body, length: length, limit: limit}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		if lr.err != nil && lr.err != io.EOF {
			return lr.err
		}
		return lr.notAList(what, fn)
	}
	var w listedUser
	// A null element sets the pointer to nil: nothing else tells it from {}.
	var target *listedUser
	for n := 0; ; n++ {
		// Each user may take MaxUserSize bytes from the end of the one before
		// (its separator included), wherever the decoder's reads fall.
		start := dec.InputOffset()
		lr.userEnd = start + MaxUserSize
		lr.keepFrom(start)
		c, at, err := nextByte(dec)
		switch {
		case err != nil:
			return lr.failed(err, n, start)
		case c == ']':
			lr.userEnd = 0
			if _, err := dec.Token(); err != nil {
				return lr.failed(err, n, start)
			}
			c, at, err := nextByte(dec)
			switch {
			case err == io.EOF:
				return nil
			case err != nil:
				return err
			}
			return lr.syntaxError(fmt.Sprintf("invalid character %q after top-level value", rune(c)), at)
		case n > 0 && c != ',':
			return lr.syntaxError(fmt.Sprintf("invalid character %q after array element", rune(c)), at)
		case n > 0:
			at++ // the element starts after its comma
		}
		w.reset()
		target = &w
		err = dec.Decode(&target)
		switch {
		case errors.As(err, new(*json.SyntaxError)):
			return lr.elementSyntaxError(dec)
		case err != nil && lr.err != nil && (err == lr.err || err == io.EOF || err == io.ErrUnexpectedEOF):
			// The body failed, not a user model the decoder could not fit
			// into a listedUser.
			return lr.failed(err, n, start)
		}
		u, ok := User{}, false
		if target != nil {
			u, ok = w.user(err)
		}
		if !ok {
			// Anything but the plain model (a field this client does not
			// know, a key in another case, a value of another type) is
			// decoded again, from its bytes, by User.UnmarshalJSON, which
			// keeps every field or says what is wrong.
			if u, err = decodeUser(lr.kept(at, dec.InputOffset())); err != nil {
				return fmt.Errorf("the body is JSON but not %s: %v", what, err)
			}
		}
		if err := fn(u); err != nil {
			return err
		}
	}
}

// listedUser is a user model as DQOps lists it, decoded by the list's
// json.Decoder without a map: a million users cost a string each. The
// decoder refuses a field it does not know (DisallowUnknownFields), but it
// matches a key to a field ignoring case, where DQOps does not: the Other
// fields, declared before the field whose name they hold in upper case,
// take such keys (encoding/json gives a key that matches several fields
// only by case to the first), and tell that the model is to be decoded
// again exactly. Raw fields keep their buffers from one user to the next.
type listedUser struct {
	OtherEmail      json.RawMessage `json:"EMAIL"`
	Email           *string         `json:"email"`
	OtherRole       json.RawMessage `json:"ACCOUNTROLE"`
	AccountRole     json.RawMessage `json:"accountRole"`
	OtherRoles      json.RawMessage `json:"DATADOMAINROLES"`
	DataDomainRoles json.RawMessage `json:"dataDomainRoles"`

	email string // where Email points, unless the model's email is null
}

func (w *listedUser) reset() {
	w.email = ""
	w.Email = &w.email
	w.OtherEmail, w.OtherRole, w.OtherRoles = w.OtherEmail[:0], w.OtherRole[:0], w.OtherRoles[:0]
	w.AccountRole, w.DataDomainRoles = w.AccountRole[:0], w.DataDomainRoles[:0]
}

// user returns the user w holds, decoded with err, and whether w held it
// exactly as User.UnmarshalJSON would decode it.
func (w *listedUser) user(err error) (User, bool) {
	if err != nil || len(w.OtherEmail)+len(w.OtherRole)+len(w.OtherRoles) > 0 {
		return User{}, false
	}
	u := User{NoRolesField: len(w.DataDomainRoles) == 0}
	if w.Email != nil {
		u.Email = *w.Email
	}
	if len(w.AccountRole) > 0 {
		role, known := roleJSON[string(w.AccountRole)]
		if !known {
			return User{}, false
		}
		u.AccountRole = role
	}
	switch string(w.DataDomainRoles) {
	case "", "{}", "null":
	default:
		var roles map[string]Role
		if json.Unmarshal(w.DataDomainRoles, &roles) != nil {
			return User{}, false
		}
		if len(roles) > 0 {
			u.DataDomainRoles = roles
		}
	}
	return u, true
}

// decodeUser decodes one user model with User.UnmarshalJSON. A function of
// its own, so that the users of the list do not escape to the heap: only
// the one decoded here does.
func decodeUser(data []byte) (User, error) {
	var u User
	err := u.UnmarshalJSON(data)
	return u, err
}

// roleJSON maps the JSON of each role, as encoding/json writes it, to the
// role: the users of a long list share the five role names rather than
// each holding a copy.
var roleJSON = func() map[string]Role {
	m := make(map[string]Role)
	for _, r := range allRoles {
		b, _ := json.Marshal(r)
		m[string(b)] = r
	}
	return m
}()

// nextByte returns the next byte of the body that is not space, and its
// offset, without consuming it; the body's error (io.EOF at its end) when
// none comes.
func nextByte(dec *json.Decoder) (byte, int64, error) {
	// More reads until a byte other than space is buffered, or the body
	// ends; what it says of that byte is not needed.
	dec.More()
	buffered := dec.Buffered()
	for at := dec.InputOffset(); ; at++ {
		var c [1]byte
		if _, err := buffered.Read(c[:]); err != nil {
			// Nothing is buffered: the body ended, and Token says how.
			_, err := dec.Token()
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return 0, at, err
		}
		switch c[0] {
		case ' ', '\t', '\n', '\r':
		default:
			return c[0], at, nil
		}
	}
}

// listReader is the body of a list beneath its json.Decoder. It reads no
// byte past MaxBodySize, nor past userEnd while a user is read; it tells a
// body that ended short of its announced length, and keeps the body's first
// bytes for messages, and the bytes of the user being read for a second
// decoding. Its error, once it has one, is returned by every later read, as
// the decoder may read again after an error it has not yet looked at.
type listReader struct {
	r      io.Reader
	length int64 // the announced length; -1 when unknown
	limit  int64 // the body's cap
	read   int64
	// userEnd is the offset the user being read may not reach; 0 outside
	// the users.
	userEnd int64
	// buf[keep:] holds the bytes read from offset bufFrom on: the whole body
	// until it is known to be a list, then from the start of the user being
	// read (the decoder reads ahead, so it may go on past the user).
	buf     []byte
	keep    int
	bufFrom int64
	head    []byte
	err     error
}

// keepFrom lets go of the bytes before offset from. They leave buf once
// they are half of it, so that each byte is moved about once.
func (lr *listReader) keepFrom(from int64) {
	drop := min(from-lr.bufFrom, int64(len(lr.buf)-lr.keep))
	lr.keep += int(drop)
	lr.bufFrom += drop
	if lr.keep >= len(lr.buf)/2 {
		lr.buf = lr.buf[:copy(lr.buf, lr.buf[lr.keep:])]
		lr.keep = 0
	}
}

// kept returns the bytes of the body from offset from to offset to.
func (lr *listReader) kept(from, to int64) []byte {
	return lr.buf[lr.keep+int(from-lr.bufFrom) : lr.keep+int(to-lr.bufFrom)]
}

func (lr *listReader) Read(p []byte) (int, error) {
	if lr.err != nil {
		return 0, lr.err
	}
	// One byte past the cap tells that the body goes on.
	end := lr.limit + 1
	if lr.userEnd > 0 && lr.userEnd < end {
		end = lr.userEnd
	}
	if lr.read >= end {
		lr.err = ErrUserTooLarge
		return 0, lr.err
	}
	p = p[:min(int64(len(p)), end-lr.read)]
	n, err := lr.r.Read(p)
	lr.read += int64(n)
	if lr.read > lr.limit {
		lr.err = &BodyTooLargeError{Limit: lr.limit}
		return n - 1, lr.err
	}
	if len(lr.head) < 256 {
		lr.head = append(lr.head, p[:min(n, 256-len(lr.head))]...)
	}
	lr.buf = append(lr.buf, p[:n]...)
	switch {
	case err == io.EOF && lr.length >= 0 && lr.read < lr.length:
		lr.err = &CutOffError{Read: lr.read, Expected: lr.length, Err: io.ErrUnexpectedEOF}
	case err != nil && err != io.EOF:
		lr.err = &CutOffError{Read: lr.read, Expected: lr.length, Err: err}
	case err != nil:
		lr.err = err
	}
	return n, lr.err
}

// notAList lets decodeBody say what a body that is not an array is, or
// decode it: null is no users.
func (lr *listReader) notAList(what string, fn func(User) error) error {
	if _, err := io.Copy(io.Discard, lr); err != nil {
		return err
	}
	var users []User
	if err := decodeBody(lr.buf[lr.keep:], "", what, &users); err != nil {
		return err
	}
	for _, u := range users {
		if err := fn(u); err != nil {
			return err
		}
	}
	return nil
}

// failed explains why the list stopped at user n, which started at start:
// the body ended, was cut off or was too large, or the user was.
func (lr *listReader) failed(err error, n int, start int64) error {
	switch {
	case err == ErrUserTooLarge:
		return fmt.Errorf("user number %d of the list, from byte %d: %w", n+1, start, err)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return invalidJSON("unexpected end of JSON input", lr.read, lr.length, lr.head)
	}
	return err
}

// elementSyntaxError explains an element the decoder found not to be
// JSON. The element is still in the decoder's buffer, from the place it
// started (after its comma) through the byte that broke it: encoding/json,
// reading it again, names the fault as it would in the whole body.
func (lr *listReader) elementSyntaxError(dec *json.Decoder) error {
	start := dec.InputOffset()
	rest, _ := io.ReadAll(dec.Buffered())
	var syntax *json.SyntaxError
	if err := json.Unmarshal(rest, new(json.RawMessage)); errors.As(err, &syntax) {
		return invalidJSON(syntax.Error(), start+syntax.Offset, lr.length, lr.head)
	}
	return invalidJSON("invalid JSON", start+1, lr.length, lr.head)
}

// syntaxError is a fault at the byte at offset at, counted as encoding/json
// counts it (the bytes read up to and with the faulty one).
func (lr *listReader) syntaxError(msg string, at int64) error {
	return invalidJSON(msg, at+1, lr.length, lr.head)
}
