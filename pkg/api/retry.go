package api

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// MaxRetryAfter caps how long the client honours a server's Retry-After.
	MaxRetryAfter = 30 * time.Second
	// backoffBase is the first retry's delay before jitter; each retry doubles it.
	backoffBase = 200 * time.Millisecond
	// backoffCap bounds a retry's delay before jitter.
	backoffCap = 5 * time.Second
)

// DefaultBackoff is the delay before retry number n (1 for the first
// retry): 200ms doubling per retry up to 5s, of which a random half is
// taken off ("equal jitter") so that clients failing together do not
// retry together.
func DefaultBackoff(n int) time.Duration {
	// The shift stops at the sixth retry, already past the cap, so that it
	// cannot overflow.
	d := min(backoffBase<<(min(max(n, 1), 6)-1), backoffCap)
	half := d / 2
	return half + rand.N(half+1)
}

// failure tells whether a failed attempt may be tried again.
type failure int

const (
	// failPermanent: trying again gives the same answer (4xx, a certificate
	// problem, a body that is not JSON, Ctrl-C).
	failPermanent failure = iota
	// failSafe: the server certainly did not act on the request (the
	// connection was refused, the server answered 429), so even a create may
	// be sent again.
	failSafe
	// failAmbiguous: the request may have been acted on (the connection broke
	// after it was sent, a timeout, 502/503/504). An idempotent request may be
	// sent again; a create must first check whether it happened.
	failAmbiguous
)

// classifyFailure says whether err may be retried, and the delay the server
// asked for (Retry-After) when it gave one, else -1. ctx is the caller's
// context, not the attempt's: once it is done nothing is retried.
func classifyFailure(ctx context.Context, err error) (failure, time.Duration) {
	if ctx.Err() != nil {
		return failPermanent, -1
	}
	var te *TransportError
	if errors.As(err, &te) {
		switch {
		case te.TimedOut:
			return failAmbiguous, -1
		case errors.Is(te.Err, context.Canceled):
			return failPermanent, -1
		}
		switch te.Cause() {
		case CauseTLSHostname, CauseTLSExpired, CauseTLSUntrusted, CauseTLSOther,
			CausePlainHTTP, CauseBadRequest, CauseNoHost:
			return failPermanent, -1
		case CauseProxy, CauseRefused, CauseDial:
			// Nothing reached the server.
			return failSafe, -1
		}
		return failAmbiguous, -1
	}
	var se *StatusError
	if errors.As(err, &se) {
		wait := time.Duration(-1)
		if se.hasRetryAfter {
			wait = se.retryAfter
		}
		switch se.StatusCode {
		case http.StatusTooManyRequests:
			return failSafe, wait
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return failAmbiguous, wait
		}
		return failPermanent, -1
	}
	if errors.As(err, new(*CutOffError)) {
		return failAmbiguous, -1
	}
	return failPermanent, -1
}

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date. The
// delay is capped at MaxRetryAfter.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		// Capped in seconds: a huge count would overflow a Duration.
		secs = min(secs, int64(MaxRetryAfter/time.Second))
		return time.Duration(max(secs, 0)) * time.Second, secs >= 0
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), MaxRetryAfter), true
}

// sleepContext waits d and reports false when ctx ended first.
func sleepContext(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return ctx.Err() == nil
	}
}
