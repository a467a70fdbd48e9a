package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

const (
	// maxBodyBytes bounds a request body; a larger one is unreadable (400).
	maxBodyBytes = 1 << 20
	// maxDrainBytes bounds how much of an unread request body is read after
	// answering, to measure it for the request log.
	maxDrainBytes = 1 << 20
	// listChunkBytes is how much of the user list is encoded before a write.
	listChunkBytes = 64 << 10
)

// ServeHTTP answers a request as the imitated DQOps server would, after the
// configured latency and faults, and logs it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	body := &countingBody{ReadCloser: r.Body}
	r.Body = body
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	entry := Request{
		Seq:              s.arrivals.Add(1),
		Method:           r.Method,
		Path:             r.URL.Path,
		RawPath:          r.URL.EscapedPath(),
		ContentType:      r.Header.Get("Content-Type"),
		HasAuthorization: len(r.Header.Values("Authorization")) > 0,
	}
	// Deferred so a request aborted by panic(http.ErrAbortHandler) is logged too.
	defer func() {
		entry.Status = sw.status
		if !sw.abandoned {
			// The body is measured whole, even when the answer did not need it.
			_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrainBytes))
			if entry.Status == 0 {
				entry.Status = http.StatusOK // what net/http sends for a silent handler
			}
		}
		entry.BodyLength = body.n
		s.record(entry)
	}()

	if s.latency > 0 && !sleepContext(r.Context(), s.latency) {
		sw.abandoned = true
		return
	}
	if rule := s.faults.take(r.Method, r.URL.Path); rule != nil {
		entry.Fault = rule.text
		if s.injectFault(sw, r, rule) {
			return
		}
	}
	s.handle(sw, r)
}

// handle answers a request: authentication, routing, content negotiation,
// permissions, then the operation. The order is the real server's: its
// security filter runs first (401, 303), Spring's handler mapping gives 404,
// 405, 415 and 406 next, then the @Secured permission and the licence give
// 403. The one difference: Spring reads the body before @Secured runs, so
// the real server answers an unreadable body from a viewer 400, the sandbox
// 403.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	segs, err := pathSegments(r.URL.EscapedPath())
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	underAPI := len(segs) > 0 && segs[0] == "api"

	caller, status := s.authenticate(r)
	switch status {
	case authInvalid:
		w.WriteHeader(http.StatusUnauthorized)
		return
	case authMissing:
		switch {
		case s.noAuth:
			caller = s.localAdmin()
		case underAPI:
			w.WriteHeader(http.StatusUnauthorized)
			return
		default:
			w.Header().Set("Location", cloudLoginURL(r))
			w.WriteHeader(http.StatusSeeOther)
			return
		}
	}
	if !underAPI {
		// The web UI is no part of the sandbox.
		w.WriteHeader(http.StatusNotFound)
		return
	}

	op, email, allow := route(r.Method, segs[1:], s.api)
	if op == opNone {
		if allow != "" {
			w.Header().Set("Allow", allow)
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if want := consumes(op); want != "" && !hasMediaType(r.Header.Get("Content-Type"), want) {
		w.WriteHeader(http.StatusUnsupportedMediaType)
		return
	}
	if !acceptsJSON(r.Header.Values("Accept")) {
		w.WriteHeader(http.StatusNotAcceptable)
		return
	}
	if roleRank(caller.role) < roleRank(requiredRole(op)) || (s.unlicensed && op != opProfile && op != opDomains) {
		w.WriteHeader(http.StatusForbidden)
		return
	}

	switch op {
	case opList:
		s.serveList(w)
	case opGet:
		s.serveGet(w, email)
	case opCreate:
		s.serveCreate(w, r)
	case opUpdate:
		s.serveUpdate(w, r, email)
	case opDelete:
		s.serveDelete(w, r, email)
	case opUserPassword:
		s.servePassword(w, r, email)
	case opMyPassword:
		s.servePassword(w, r, caller.email)
	case opProfile:
		s.serveProfile(w, caller)
	case opDomains:
		s.serveDomains(w)
	}
}

// springErrorPayload is the swagger document's SpringErrorPayload, with the
// timestamp in its documented form, epoch milliseconds.
type springErrorPayload struct {
	Timestamp int64  `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Path      string `json:"path"`
}

func (s *Server) springError(w http.ResponseWriter, r *http.Request, status int, message string) {
	data, err := json.Marshal(springErrorPayload{
		Timestamp: s.now().UnixMilli(),
		Status:    status,
		Error:     http.StatusText(status),
		Message:   message,
		Path:      r.URL.Path,
	})
	if err != nil {
		panic(fmt.Sprintf("sandbox: encoding an error: %v", err)) // plain structs always encode
	}
	writeJSON(w, status, data)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	writeBody(w, status, "application/json", body)
}

// writeBody answers status with a body of the given content type.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// sleepContext waits d, and reports false if ctx ended first.
func sleepContext(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// statusWriter remembers the status sent. It has Unwrap, not Hijack or
// Flush, so http.ResponseController reaches the connection through it.
type statusWriter struct {
	http.ResponseWriter
	status int
	// abandoned means the client gets no (further) answer: the connection was
	// closed, or the client went away before the handler answered.
	abandoned bool
}

func (sw *statusWriter) WriteHeader(code int) {
	if sw.status == 0 {
		sw.status = code
	}
	sw.ResponseWriter.WriteHeader(code)
}

func (sw *statusWriter) Write(p []byte) (int, error) {
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	return sw.ResponseWriter.Write(p)
}

func (sw *statusWriter) Unwrap() http.ResponseWriter { return sw.ResponseWriter }

// countingBody counts the request body bytes read.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}
