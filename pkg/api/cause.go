package api

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
)

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
	CauseDNS                // the name lookup failed for another reason
	CauseDial               // the connection could not be opened
	CauseClosed             // the connection was closed before an answer
)

// causeOf sorts an error of http.Client.Do. The *url.Error wrapper is
// dropped first: its text quotes the URL, whose path may hold any word.
func causeOf(err error) Cause {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var unknownCA x509.UnknownAuthorityError
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	var alert tls.AlertError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	msg := err.Error()
	isOp := errors.As(err, &opErr)
	switch {
	case errors.As(err, &hostErr):
		return CauseTLSHostname
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return CauseTLSExpired
	case errors.As(err, &unknownCA), errors.As(err, &certErr), errors.As(err, &invalid),
		strings.Contains(msg, "certificate"):
		return CauseTLSUntrusted
	case errors.As(err, &recordErr), strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return CausePlainHTTP
	case errors.As(err, &alert):
		return CauseTLSOther
	case strings.Contains(msg, "invalid header field"), strings.Contains(msg, "unsupported protocol scheme"):
		return CauseBadRequest
	case isOp && opErr.Op == "proxyconnect", strings.Contains(msg, "proxyconnect"):
		return CauseProxy
	case errors.Is(err, syscall.ECONNREFUSED), strings.Contains(msg, "connection refused"):
		return CauseRefused
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound, strings.Contains(msg, "no such host"):
		return CauseNoHost
	case errors.As(err, &dnsErr):
		return CauseDNS
	case isOp && opErr.Op == "dial":
		return CauseDial
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return CauseClosed
	}
	return CauseOther
}

// Cause tells why the request got no answer.
func (e *TransportError) Cause() Cause {
	return causeOf(e.Err)
}
