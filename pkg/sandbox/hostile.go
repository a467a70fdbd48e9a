package sandbox

import (
	"io"
	"net/http"
	"strings"
)

// The answers of a hostile or broken server, for the faults other-user,
// echo, echo-html, echo-auth and control-chars: what a client must never
// act on, print raw, or leak a secret from.

// madeUpEmail is the user an "other-user" fault names when the sandbox has
// no other user to name.
const madeUpEmail = "someone-else@example.com"

// controlCharEmails are the emails of a "control-chars" answer: terminal
// escape sequences and other characters of Unicode categories Cc, Cf, Zl and
// Zp (every email has at least one), which a client must never print raw.
var controlCharEmails = []string{
	"red\x1b[31m@example.com",                                   // ESC [ 31 m: text turns red
	"bell\a@example.com",                                        // BEL
	"admin@example.com\rmallory@example.com",                    // CR: overwrites what came before
	"csi\u009b2J@example.com",                                   // U+009B, the 8-bit CSI: clear screen
	"clip\x1b]52;c;ZWNobyBwd25lZA==\a@example.com",              // OSC 52: write the clipboard
	"rlo\u202emoc.elpmaxe@example.com",                          // U+202E right-to-left override
	"zero\u200bwidth@example.com",                               // U+200B zero-width space (Cf)
	"line\u2028separator@example.com",                           // U+2028 (Zl)
	"paragraph\u2029separator@example.com",                      // U+2029 (Zp)
	"del\x7f\x00nul@example.com",                                // DEL and NUL (Cc)
	"title\x1b]0;pwned\a\x1b[2J\x1b[H@example.com",              // OSC 0 window title, clear, home
	"bom\ufeff\u2066isolate\u2069@example.com",                  // U+FEFF, bidi isolates (Cf)
	"\x1b[8mhidden\x1b[0m@example.com",                          // concealed text
	"c1\u0085next\u0090dcs\u009dosc@example.com",                // C1 controls NEL, DCS, OSC
	"tab\tand\nnewline@example.com",                             // TAB and LF
	"sales\x1b[2K\u202e@example.com",                            // erase line and override together
	"\x1b]8;;https://evil.example/\ahere\x1b]8;;\a@example.com", // OSC 8 hyperlink
}

// ControlCharEmails returns the emails a "control-chars" fault answers
// with, so a test can look for each of them (raw) in what a client printed.
func ControlCharEmails() []string {
	return append([]string(nil), controlCharEmails...)
}

// controlCharDomain is the data domain of the grant every control-chars
// user has; an instance with data domains shows it.
const controlCharDomain = "sales\x1b[31m\u202e"

// pathEmail returns the email of a /api/users/{email}[/...] path, or "".
func pathEmail(r *http.Request) string {
	segs, err := pathSegments(r.URL.EscapedPath())
	if err != nil || len(segs) < 3 || segs[0] != "api" || segs[1] != "users" {
		return ""
	}
	return segs[2]
}

// serveOtherUser answers 200 with the model of a user other than the one in
// the path: the first listed whose email differs from it other than by
// letter case, else a made-up editor.
func (s *Server) serveOtherUser(w http.ResponseWriter, r *http.Request) {
	requested := pathEmail(r)
	for _, rec := range s.store.list() {
		if !strings.EqualFold(rec.user.Email, requested) {
			writeJSON(w, http.StatusOK, appendUserJSON(nil, rec, &s.view))
			return
		}
	}
	email := madeUpEmail
	if strings.EqualFold(email, requested) {
		email = "someone-else-again@example.com"
	}
	rec := newRecord(User{Email: email, AccountRole: RoleEditor}, "", "")
	writeJSON(w, http.StatusOK, appendUserJSON(nil, rec, &s.view))
}

// serveControlChars answers a get (a path with an email) with one user, and
// anything else with the list, every email carrying control characters.
func (s *Server) serveControlChars(w http.ResponseWriter, r *http.Request) {
	roles := [...]string{RoleEditor, RoleOperator, RoleViewer, RoleNone, RoleAdmin}
	recs := make([]*record, len(controlCharEmails))
	for i, email := range controlCharEmails {
		u := User{Email: email, AccountRole: roles[i%len(roles)]}
		if s.view.field {
			u.DataDomainRoles = map[string]string{controlCharDomain: RoleEditor}
		}
		recs[i] = newRecord(u, "", "")
	}
	if pathEmail(r) != "" {
		writeJSON(w, http.StatusOK, appendUserJSON(nil, recs[0], &s.view))
		return
	}
	writeJSON(w, http.StatusOK, appendUsersJSON(nil, recs, &s.view))
}

// requestBody reads the request body, up to maxBodyBytes.
func requestBody(r *http.Request) []byte {
	data, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	return data
}

// echoPage is the error page of an "echo-html" fault: a web application
// firewall that quotes the request it refused, unescaped.
func echoPage(body []byte) []byte {
	page := []byte("<html>\n<head><title>502 Bad Gateway: request refused: ")
	page = append(page, body...)
	page = append(page, "</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<p>The request was refused:</p>\n<pre>"...)
	page = append(page, body...)
	return append(page, "</pre>\n<hr><center>waf</center>\n</body>\n</html>\n"...)
}

// echoAuth is the body of an "echo-auth" fault: a proxy that quotes the
// key it did not like, altered: its first 8 characters and a lower-cased
// copy.
func echoAuth(r *http.Request) []byte {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		return []byte("400 Bad Request: no Authorization header\n")
	}
	key, ok := bearerKey(values[0])
	if !ok {
		key = strings.TrimSpace(values[0])
	}
	prefix := key
	if runes := []rune(key); len(runes) > 8 {
		prefix = string(runes[:8])
	}
	return []byte("400 Bad Request: Authorization rejected\n" +
		"key starts with: " + prefix + "...\n" +
		"normalised key: " + strings.ToLower(key) + "\n")
}
