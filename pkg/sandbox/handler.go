package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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

// principal is the caller, as the authentication step found it.
type principal struct {
	email string
	role  string
}

// operation is one of the users API's operations.
type operation int

const (
	opNone operation = iota
	opList
	opCreate
	opGet
	opUpdate
	opDelete
	opUserPassword
	opMyPassword
	opProfile
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

	op, email, allow := route(r.Method, segs[1:])
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
	if roleRank(caller.role) < roleRank(requiredRole(op)) || (s.unlicensed && op != opProfile) {
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
	}
}

// pathSegments splits an escaped path into decoded segments, without the
// leading empty one. Splitting before decoding keeps an escaped '/' (%2F)
// inside its segment, as an email in the path needs.
func pathSegments(escaped string) ([]string, error) {
	segs := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	for i, seg := range segs {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return nil, err
		}
		segs[i] = dec
	}
	return segs, nil
}

// route maps the segments after "api" and the method to an operation and
// the email in the path. For a known path with another method it returns
// opNone and the Allow header's value; for an unknown path, opNone and "".
func route(method string, segs []string) (op operation, email, allow string) {
	// HEAD is answered like GET, as Spring does.
	get := method == http.MethodGet || method == http.MethodHead
	switch {
	case len(segs) == 1 && segs[0] == "users":
		switch {
		case get:
			return opList, "", ""
		case method == http.MethodPost:
			return opCreate, "", ""
		}
		return opNone, "", "GET, HEAD, POST"
	case len(segs) == 2 && segs[0] == "users" && segs[1] != "":
		switch {
		case get:
			return opGet, segs[1], ""
		case method == http.MethodPut:
			return opUpdate, segs[1], ""
		case method == http.MethodDelete:
			return opDelete, segs[1], ""
		}
		return opNone, "", "GET, HEAD, PUT, DELETE"
	case len(segs) == 3 && segs[0] == "users" && segs[1] != "" && segs[2] == "password":
		if method == http.MethodPut {
			return opUserPassword, segs[1], ""
		}
		return opNone, "", "PUT"
	case len(segs) == 1 && segs[0] == "mypassword":
		if method == http.MethodPut {
			return opMyPassword, "", ""
		}
		return opNone, "", "PUT"
	case len(segs) == 2 && segs[0] == "environment" && segs[1] == "profile":
		if get {
			return opProfile, "", ""
		}
		return opNone, "", "GET, HEAD"
	}
	return opNone, "", ""
}

// consumes returns the media type an operation's body must have, or "" for
// an operation without a body.
func consumes(op operation) string {
	switch op {
	case opCreate, opUpdate:
		return "application/json"
	case opUserPassword, opMyPassword:
		return "text/plain"
	}
	return ""
}

// requiredRole returns the weakest role with the operation's permission:
// VIEW (viewer) or MANAGE_ACCOUNT (admin).
func requiredRole(op operation) string {
	switch op {
	case opCreate, opUpdate, opDelete, opUserPassword:
		return RoleAdmin
	}
	return RoleViewer
}

type authStatus int

const (
	authOK authStatus = iota
	authMissing
	authInvalid
)

// authenticate finds the caller from the Authorization header. The caller's
// role is read from the store on every request, so a demotion or deletion
// takes effect at once.
func (s *Server) authenticate(r *http.Request) (principal, authStatus) {
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0:
		return principal{}, authMissing
	case len(values) > 1:
		return principal{}, authInvalid
	}
	key, ok := bearerKey(values[0])
	if !ok {
		return principal{}, authInvalid
	}
	rec := s.store.byAPIKey(key)
	if rec == nil {
		return principal{}, authInvalid
	}
	return principal{email: rec.user.Email, role: rec.user.AccountRole}, authOK
}

// bearerKey extracts the key from "Bearer <key>"; the key may be quoted.
func bearerKey(header string) (string, bool) {
	scheme, key, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	key = strings.TrimSpace(key)
	if len(key) >= 2 && key[0] == '"' && key[len(key)-1] == '"' {
		key = key[1 : len(key)-1]
	}
	return key, key != ""
}

// localAdmin is the caller of a request without a key on an instance that
// does not authenticate: the built-in admin, with its current role.
func (s *Server) localAdmin() principal {
	if rec := s.store.get(AdminEmail); rec != nil {
		return principal{email: rec.user.Email, role: rec.user.AccountRole}
	}
	return principal{email: AdminEmail, role: RoleAdmin}
}

// cloudLoginURL is the DQOps Cloud login page a browser is sent to, with the
// address to come back to.
func cloudLoginURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := url.Values{
		"returnBaseUrl": {scheme + "://" + r.Host},
		"returnPath":    {r.URL.RequestURI()},
	}
	return CloudLoginURL + "?" + q.Encode()
}

// hasMediaType tells whether a Content-Type header names want (parameters
// such as charset allowed).
func hasMediaType(header, want string) bool {
	mt, _, err := mime.ParseMediaType(header)
	return (err == nil || errors.Is(err, mime.ErrInvalidMediaParameter)) && mt == want
}

// acceptsJSON tells whether the Accept header values admit application/json:
// the most specific range that matches it decides, and q=0 refuses. No
// header, or an empty one, accepts anything.
func acceptsJSON(values []string) bool {
	best, bestQ, ranges := -1, 0.0, 0
	for _, value := range values {
		for part := range strings.SplitSeq(value, ",") {
			if strings.TrimSpace(part) == "" {
				continue
			}
			ranges++
			mt, params, err := mime.ParseMediaType(part)
			if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
				continue
			}
			specificity := jsonSpecificity(mt)
			if specificity < 0 {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(v, 64); err != nil {
					q = 0
				}
			}
			if specificity > best || (specificity == best && q > bestQ) {
				best, bestQ = specificity, q
			}
		}
	}
	return ranges == 0 || (best >= 0 && bestQ > 0)
}

// jsonSpecificity ranks how specifically a media range matches
// application/json; -1 when it does not.
func jsonSpecificity(mediaRange string) int {
	switch mediaRange {
	case "*/*":
		return 0
	case "application/*":
		return 1
	case "application/*+json":
		return 2
	case "application/json":
		return 3
	}
	return -1
}

// userInput is a user model read from a request body.
type userInput struct {
	email   string
	role    string
	domains map[string]string
}

// readUser decodes a user model; false means an unreadable body (400).
// Fields are matched by exact name and unknown ones ignored, as Jackson does;
// dataDomainRoles is read only in 1.13 mode (in 1.0 it is an unknown field).
// A role outside the enum makes the body unreadable, as Jackson's enum
// mapping does; an empty or null role reads as none given.
func (s *Server) readUser(w http.ResponseWriter, r *http.Request) (userInput, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return userInput{}, false
	}
	// A Decoder, not Unmarshal, because Jackson ignores trailing content.
	var fields map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&fields); err != nil || fields == nil {
		return userInput{}, false
	}
	var in userInput
	var ok bool
	if in.email, ok = stringField(fields, "email"); !ok {
		return userInput{}, false
	}
	if in.role, ok = stringField(fields, "accountRole"); !ok {
		return userInput{}, false
	}
	if in.role != "" && !validRole(in.role) {
		return userInput{}, false
	}
	if raw, present := fields["dataDomainRoles"]; present && s.api == API113 {
		if err := json.Unmarshal(raw, &in.domains); err != nil {
			return userInput{}, false
		}
		for _, role := range in.domains {
			if !validRole(role) {
				return userInput{}, false
			}
		}
	}
	return in, true
}

// stringField returns a string field of a JSON object ("" when absent or
// null); false when it holds something else.
func stringField(fields map[string]json.RawMessage, name string) (string, bool) {
	raw, present := fields[name]
	if !present {
		return "", true
	}
	var v *string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", false
	}
	if v == nil {
		return "", true
	}
	return *v, true
}

func (s *Server) serveList(w http.ResponseWriter) {
	recs := s.store.list()
	withDomains := s.api == API113
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	buf := make([]byte, 0, listChunkBytes+1024)
	buf = append(buf, '[')
	for i, rec := range recs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendUserJSON(buf, rec.user, withDomains)
		if len(buf) >= listChunkBytes {
			if _, err := w.Write(buf); err != nil {
				return // the client went away (or this is HEAD)
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, ']')
	_, _ = w.Write(buf)
}

func (s *Server) serveGet(w http.ResponseWriter, email string) {
	rec := s.store.get(email)
	if rec == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, appendUserJSON(nil, rec.user, s.api == API113))
}

// serveCreate checks in the order of DQOps's controller and service: an
// empty email (406) before the missing role that throws (500), before the
// DQOps Cloud call that refuses an existing user (403) or one too many (400).
func (s *Server) serveCreate(w http.ResponseWriter, r *http.Request) {
	in, ok := s.readUser(w, r)
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if in.email == "" {
		w.WriteHeader(http.StatusNotAcceptable)
		return
	}
	if in.role == "" {
		s.springError(w, r, http.StatusInternalServerError, fmt.Sprintf("Cannot create user %s: accountRole is required", in.email))
		return
	}
	u := User{Email: in.email, AccountRole: in.role, DataDomainRoles: s.keepDomainRoles(in.domains)}
	switch s.store.insert(newRecord(u, newKeys(1)[0], ""), s.usersLimit) {
	case insertExists:
		w.WriteHeader(http.StatusForbidden)
		return
	case insertOverLimit:
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.finishWrite(w, r, http.StatusCreated)
}

// serveUpdate replaces the whole model: in 1.13 a body without
// dataDomainRoles drops the user's data-domain roles.
func (s *Server) serveUpdate(w http.ResponseWriter, r *http.Request, email string) {
	in, ok := s.readUser(w, r)
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if in.email == "" || foldEmail(in.email) != foldEmail(email) {
		w.WriteHeader(http.StatusNotAcceptable)
		return
	}
	if s.store.get(email) == nil {
		s.springError(w, r, http.StatusInternalServerError, fmt.Sprintf("User %s not found", email))
		return
	}
	if in.role == "" {
		w.WriteHeader(http.StatusNotAcceptable)
		return
	}
	domains := s.keepDomainRoles(in.domains)
	found := s.store.replace(email, func(old *record) *record {
		u := old.user // the stored email stays as first typed
		u.AccountRole = in.role
		u.DataDomainRoles = domains
		return &record{user: u, fold: old.fold, key: old.key, passwordHash: old.passwordHash}
	})
	if !found { // deleted since the check above
		s.springError(w, r, http.StatusInternalServerError, fmt.Sprintf("User %s not found", email))
		return
	}
	s.finishWrite(w, r, http.StatusNoContent)
}

func (s *Server) serveDelete(w http.ResponseWriter, r *http.Request, email string) {
	if !s.store.remove(email) {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	s.finishWrite(w, r, http.StatusNoContent)
}

// servePassword sets the password of the user with that email. The body is
// the password itself (text/plain), never stored in clear.
func (s *Server) servePassword(w http.ResponseWriter, r *http.Request, email string) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if len(data) == 0 {
		w.WriteHeader(http.StatusNotAcceptable)
		return
	}
	// Hashed before taking the store's lock: hashing is the slow part.
	hash := hashPassword(string(data))
	found := s.store.replace(email, func(old *record) *record {
		rec := *old
		rec.passwordHash = hash
		return &rec
	})
	if !found {
		s.springError(w, r, http.StatusInternalServerError, fmt.Sprintf("User %s not found", email))
		return
	}
	s.finishWrite(w, r, http.StatusNoContent)
}

func (s *Server) serveProfile(w http.ResponseWriter, caller principal) {
	if s.unlicensed && s.api == API10 {
		// 1.0 has no profile for an instance not paired with DQOps Cloud.
		w.WriteHeader(http.StatusNotFound)
		return
	}
	data, err := json.Marshal(s.profile(caller))
	if err != nil {
		panic(fmt.Sprintf("sandbox: encoding a profile: %v", err)) // plain structs always encode
	}
	writeJSON(w, http.StatusOK, data)
}

// finishWrite saves the state after a successful change and answers status,
// or 500 when the state file cannot be written.
func (s *Server) finishWrite(w http.ResponseWriter, r *http.Request, status int) {
	if err := s.persist(); err != nil {
		s.springError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.WriteHeader(status)
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
	h := w.Header()
	h.Set("Content-Type", "application/json")
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
