package sandbox

import (
	"net/http"
	"net/url"
	"strings"
)

// principal is the caller, as the authentication step found it.
type principal struct {
	email string
	role  string
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
