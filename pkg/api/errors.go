package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// StatusError is a response the client did not expect: the operation, the
// HTTP status and what came back. The body is kept short and never holds a
// secret: DQOps echoes no request data in its error bodies.
type StatusError struct {
	Op          string // what was being done, e.g. "listing users"
	Method      string
	Path        string // request path, without host
	StatusCode  int
	ContentType string
	Location    string // for redirects
	Body        string // the first bytes of the body, for messages
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: server answered %d %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case e.StatusCode >= 300 && e.StatusCode < 400 && e.Location != "":
		msg += fmt.Sprintf(" (a redirect to %s, likely a login page)", e.Location)
	case e.ContentType != "" && !strings.Contains(e.ContentType, "json") && e.Body != "":
		msg += fmt.Sprintf(" with a %s body, not the DQOps API", mediaType(e.ContentType))
	}
	return msg
}

// BodyError is a response whose status was right but whose body could not be
// read as the expected model.
type BodyError struct {
	Op          string
	StatusCode  int
	ContentType string
	Err         error
}

func (e *BodyError) Error() string {
	ct := e.ContentType
	if ct == "" {
		ct = "no content type"
	}
	return fmt.Sprintf("%s: unreadable response (status %d, %s): %v", e.Op, e.StatusCode, mediaType(ct), e.Err)
}

func (e *BodyError) Unwrap() error { return e.Err }

func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(ct)
}

// Status returns the HTTP status carried by err, or 0 when there is none.
func Status(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.StatusCode
	}
	var be *BodyError
	if errors.As(err, &be) {
		return be.StatusCode
	}
	return 0
}

// IsStatus reports whether err carries the given HTTP status.
func IsStatus(err error, code int) bool {
	return Status(err) == code
}
