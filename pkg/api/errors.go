package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// StatusError is a response the client did not expect: the operation, the
// HTTP status and what came back. The body is kept short and never holds a
// secret: DQOps echoes no request data in its error bodies, and the client
// removes its API key from whatever a proxy might have echoed.
type StatusError struct {
	Op          string // what was being done, e.g. "listing users"
	Method      string
	Path        string // request path, without host
	StatusCode  int
	ContentType string
	Location    string // for redirects
	Body        string // the first bytes of the body, for messages
	// Withheld means the answer had a body or Location that is not kept:
	// the request was a password, which a proxy may have echoed.
	Withheld bool
	// Attempts is how many times the request was sent (1 without retries).
	Attempts int
	// KeySource says where the API key sent with the request came from
	// (Options.KeySource), "" when the request carried no key: a 401 is
	// then "no key", else "this key was rejected".
	KeySource string

	// retryAfter is the server's Retry-After, already capped; hasRetryAfter
	// tells whether there was one.
	retryAfter    time.Duration
	hasRetryAfter bool
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: server answered %d %s", e.Op, e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case e.StatusCode >= 300 && e.StatusCode < 400 && e.Location != "":
		msg += fmt.Sprintf(" (a redirect to %s, likely a login page)", displayLocation(e.Location))
	case e.StatusCode >= 300 && e.StatusCode < 400:
		msg += " (a redirect, not an answer of the DQOps API)"
	case e.ContentType != "" && !isJSONType(e.ContentType) && e.Body != "":
		msg += " with " + describeContent(e.ContentType, []byte(e.Body)) + ", not the DQOps API"
	case e.Withheld:
		msg += fmt.Sprintf(" (%s; its content is not shown, as it may repeat the password)", typeName(e.ContentType))
	}
	return msg + attemptsSuffix(e.Attempts)
}

// displayLocation shows a redirect target without its query and fragment,
// which may carry a login state token and only make the message long.
func displayLocation(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Scheme == "" && u.Host == "" && u.Path == "" {
		return fmt.Sprintf("%q", truncateRunes(loc, 120))
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", nil
	return u.String()
}

// BodyError is a response whose status was right but whose body could not be
// read as the expected model: not JSON, JSON of another shape, cut off, or
// too large. Its message names the status and content type that came back.
type BodyError struct {
	Op          string
	StatusCode  int
	ContentType string
	Err         error
	// Attempts is how many times the request was sent (1 without retries).
	Attempts int
}

func (e *BodyError) Error() string {
	return fmt.Sprintf("%s: unreadable response (%d %s, %s): %v%s", e.Op, e.StatusCode,
		http.StatusText(e.StatusCode), typeName(e.ContentType), e.Err, attemptsSuffix(e.Attempts))
}

func (e *BodyError) Unwrap() error { return e.Err }

// ErrBodyTooLarge is the cause of a BodyError for a body over MaxBodySize
// (errors.Is finds it in a *BodyTooLargeError, which names the cap).
var ErrBodyTooLarge = &BodyTooLargeError{Limit: MaxBodySize}

// BodyTooLargeError is a body over the client's cap (Options.MaxBodySize).
type BodyTooLargeError struct{ Limit int64 }

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("the body is larger than %s: reading stopped there", files.SizeText(e.Limit))
}

// Is makes every BodyTooLargeError ErrBodyTooLarge, whatever its cap.
func (e *BodyTooLargeError) Is(target error) bool { return target == ErrBodyTooLarge }

// CutOffError is the cause of a BodyError for a body that ended early: the
// connection closed before the length the server announced, or mid-stream.
type CutOffError struct {
	Read     int64 // bytes received
	Expected int64 // the announced Content-Length, -1 when none
	Err      error // what the connection reported
}

func (e *CutOffError) Error() string {
	if e.Expected >= 0 {
		return fmt.Sprintf("the body was cut off after %d of %d bytes (the connection closed early)", e.Read, e.Expected)
	}
	return fmt.Sprintf("the body was cut off after %d bytes (%s)", e.Read, describeCause(e.Err))
}

func (e *CutOffError) Unwrap() error { return e.Err }

// TransportError is a request that got no (complete) HTTP answer: connection
// refused or broken, TLS failure, timeout, cancellation.
type TransportError struct {
	Op      string
	Method  string
	URL     string
	Err     error
	Timeout time.Duration
	// TimedOut means the request's own --timeout ran out (not Ctrl-C).
	TimedOut bool
	// Reading means the answer's status came and its body did not.
	Reading bool
	// Attempts is how many times the request was sent (1 without retries).
	Attempts int
}

func (e *TransportError) Error() string {
	if e.TimedOut {
		what := "no answer"
		if e.Reading {
			what = "the answer did not finish arriving"
		}
		return fmt.Sprintf("%s: %s %s timed out: %s within %s%s", e.Op, e.Method, e.URL, what, e.Timeout, attemptsSuffix(e.Attempts))
	}
	if errors.Is(e.Err, context.Canceled) {
		return fmt.Sprintf("%s: %s %s was cancelled", e.Op, e.Method, e.URL)
	}
	_, what := causeOf(e.Err)
	return fmt.Sprintf("%s: %s%s", e.Op, what, attemptsSuffix(e.Attempts))
}

func (e *TransportError) Unwrap() error { return e.Err }

// OtherUserError is an answer about one user that names another: the
// server, or a proxy in front of it, answered for the wrong user.
type OtherUserError struct {
	Op       string
	Asked    string // the email in the request
	Answered string // the email in the answer
}

func (e *OtherUserError) Error() string {
	return fmt.Sprintf("%s: the server answered with another user (%s)", e.Op, strconv.QuoteToASCII(truncateRunes(e.Answered, 80)))
}

// UncertainError is a create whose outcome is unknown: the request may have
// reached the server (the connection broke, or a gateway answered 502-504),
// and checking whether the user exists now failed too.
type UncertainError struct {
	Op       string
	Err      error // the failure of the request
	CheckErr error // the failure of the check
}

func (e *UncertainError) Error() string {
	return fmt.Sprintf("%s: it may or may not have been done: %v; checking afterwards failed: %v", e.Op, trimOp(e.Op, e.Err), e.CheckErr)
}

func (e *UncertainError) Unwrap() error { return e.Err }

// trimOp removes the "op: " prefix that err repeats.
func trimOp(op string, err error) string {
	return strings.TrimPrefix(err.Error(), op+": ")
}

func attemptsSuffix(n int) string {
	if n > 1 {
		return fmt.Sprintf(" (%d attempts)", n)
	}
	return ""
}

// describeCause is the innermost useful text of a network error.
func describeCause(err error) string {
	switch {
	case err == nil:
		return "unknown cause"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "the connection closed early"
	}
	var se *net.OpError
	if errors.As(err, &se) && se.Err != nil {
		return se.Err.Error()
	}
	return err.Error()
}

func mediaType(ct string) string {
	ct, _, _ = strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(ct))
}

// typeName names a content type in a message.
func typeName(ct string) string {
	if mt := mediaType(ct); mt != "" {
		return mt
	}
	return "no content type"
}

func isJSONType(ct string) bool {
	mt := mediaType(ct)
	return strings.HasSuffix(mt, "/json") || strings.HasSuffix(mt, "+json")
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

// Cause is why a request got no HTTP answer, read once from the error's Go
// types (its text where Go gives no type), for both the retry decision and
// the hint shown to the user.
type Cause int

// The causes a TransportError can have.
const (
	CauseOther        Cause = iota
	CauseTLSHostname        // the certificate names another host
	CauseTLSExpired         // the certificate has expired
	CauseTLSUntrusted       // the certificate's authority is not trusted
	CauseTLSOther           // another TLS failure (alert, protocol)
	CausePlainHTTP          // https:// to a server speaking plain HTTP
	CauseBadRequest         // the request could not be built (header, scheme)
	CauseProxy              // the HTTP proxy is unreachable
	CauseRefused            // nothing listens at the address
	CauseNoHost             // the host name does not exist
	CauseDial               // the connection could not be opened (the name lookup failed, for one)
	CauseClosed             // the connection was closed before an answer
)

// causeOf sorts an error of http.Client.Do, and names its likely cause in
// words. The *url.Error wrapper is dropped first: its text quotes the URL,
// whose path may hold any word, and repeats the method.
func causeOf(err error) (Cause, string) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var unknownCA x509.UnknownAuthorityError
	var certErr *tls.CertificateVerificationError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	const cert = "the server's TLS certificate "
	msg := err.Error()
	isOp := errors.As(err, &opErr)
	notFound := errors.As(err, &dnsErr) && dnsErr.IsNotFound
	var cause Cause
	switch {
	case errors.As(err, &hostErr):
		return CauseTLSHostname, cert + "is for another host name (" + hostErr.Error() + ")"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return CauseTLSExpired, cert + "is not valid (" + invalid.Error() + ")"
	case errors.As(err, &unknownCA):
		return CauseTLSUntrusted,
			cert + "is signed by an authority this computer does not trust (" + unknownCA.Error() + ")"
	case errors.As(err, &invalid):
		return CauseTLSUntrusted, cert + "is not valid (" + invalid.Error() + ")"
	case errors.As(err, &certErr):
		return CauseTLSUntrusted, cert + "could not be verified (" + certErr.Err.Error() + ")"
	case strings.Contains(msg, "certificate"):
		return CauseTLSUntrusted, msg
	case errors.As(err, new(tls.RecordHeaderError)):
		return CausePlainHTTP, "the server did not answer in TLS: it may speak plain HTTP at that address"
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return CausePlainHTTP, "the server answered in plain HTTP to an HTTPS request"
	case errors.As(err, new(tls.AlertError)):
		return CauseTLSOther, msg
	case strings.Contains(msg, "invalid header field"), strings.Contains(msg, "unsupported protocol scheme"):
		return CauseBadRequest, msg
	case isOp && opErr.Op == "proxyconnect", strings.Contains(msg, "proxyconnect"):
		cause = CauseProxy
	case errors.Is(err, syscall.ECONNREFUSED), strings.Contains(msg, "connection refused"):
		cause = CauseRefused
	case notFound, strings.Contains(msg, "no such host"):
		cause = CauseNoHost
	case dnsErr != nil, isOp && opErr.Op == "dial":
		cause = CauseDial
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return CauseClosed, "the connection was closed before an answer came"
	case errors.Is(err, syscall.ECONNRESET):
		return CauseClosed, "the connection was reset before an answer came"
	default:
		return CauseOther, msg
	}
	// The connection was not opened: to the server, or to a proxy, which
	// is named by its name when that does not resolve.
	switch {
	case notFound:
		return cause, fmt.Sprintf("the host name %q was not found", dnsErr.Name)
	case cause == CauseProxy && isOp && opErr.Op == "proxyconnect":
		return cause, "cannot reach the HTTP proxy: " + msg
	case cause != CauseProxy && isOp && opErr.Op == "dial":
		addr := ""
		if opErr.Addr != nil {
			addr = " " + opErr.Addr.String()
		}
		return cause, fmt.Sprintf("cannot connect to%s: %s", addr, describeCause(opErr.Err))
	}
	return cause, msg
}

// Cause tells why the request got no answer.
func (e *TransportError) Cause() Cause {
	cause, _ := causeOf(e.Err)
	return cause
}
