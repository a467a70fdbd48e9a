package sandbox

import (
	"net/http"
	"net/url"
	"strings"
)

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
	opDomains
)

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

// route maps the segments after "api" and the method to an operation of
// the API release and the email in the path. For a known path with another
// method it returns opNone and the Allow header's value; for an unknown
// path, opNone and "".
func route(method string, segs []string, api string) (op operation, email, allow string) {
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
	case len(segs) == 2 && segs[0] == "domains" && segs[1] == "" && api == API113:
		// The documented path ends in '/'; like Spring's handler mapping, the
		// sandbox does not match /api/domains without it.
		if get {
			return opDomains, "", ""
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
