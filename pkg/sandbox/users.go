package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

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
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	buf := make([]byte, 0, listChunkBytes+1024)
	buf = append(buf, '[')
	enc := newUserEncoder(&s.view)
	for i, rec := range recs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = enc.appendUser(buf, rec)
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
	writeJSON(w, http.StatusOK, appendUserJSON(nil, rec, &s.view))
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
	u := User{Email: in.email, AccountRole: in.role, DataDomainRoles: s.sentGrants(in.domains)}
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
	if in.email == "" || s.store.id(in.email) != s.store.id(email) {
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
	domains := s.sentGrants(in.domains)
	found := s.store.replace(email, func(old *record) *record {
		u := old.user // the stored email stays as first typed (when case is ignored)
		u.AccountRole = in.role
		u.DataDomainRoles = domains
		return newRecord(u, old.key, old.passwordHash)
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

// finishWrite saves the state after a successful change and answers status,
// or 500 when the state file cannot be written.
func (s *Server) finishWrite(w http.ResponseWriter, r *http.Request, status int) {
	if err := s.persist(); err != nil {
		s.springError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	w.WriteHeader(status)
}
