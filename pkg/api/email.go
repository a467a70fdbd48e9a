package api

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// ValidateEmail checks that s is one plain email address as DQOps
// identifies users: no display name, no angle brackets, and none of the
// characters that would change the meaning of a URL path (/ ? # %).
func ValidateEmail(s string) error {
	if s == "" {
		return fmt.Errorf("empty email address")
	}
	if strings.ContainsAny(s, "/?#%") {
		return fmt.Errorf("invalid email %s: it may not contain '/', '?', '#' or '%%'", text.Cite(s))
	}
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return fmt.Errorf("invalid email %s: give one plain address such as ana@example.com", text.Cite(s))
	}
	// RFC 5321's limits: 64 bytes before the @, 254 in all.
	if at := strings.LastIndexByte(s, '@'); at > 64 || len(s) > 254 {
		return fmt.Errorf("invalid email %s: too long (at most 64 characters before the @ and 254 in all)", text.Cite(s))
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return fmt.Errorf("invalid email %s: give one plain address such as ana@example.com", text.Cite(s))
	}
	if addr.Name != "" || addr.Address != s {
		return fmt.Errorf("invalid email %s: give the address alone, without a display name", text.Cite(s))
	}
	return nil
}

// ErrLocalDomain is the cause of a ValidateNewEmail error for a domain
// without a dot (ana@examplecom), which private deployments may use on
// purpose.
var ErrLocalDomain = errors.New("the domain has no dot")

// ValidateNewEmail checks the email of a user about to be created: the
// rules of ValidateEmail; no character of the Unicode categories Cc, Cf, Zl
// or Zp (controls, bidirectional overrides, zero-width and other invisible
// format characters, line and paragraph separators), which would make two
// users look alike or an email print as something else; and a domain with
// a dot (ana@examplecom is a typo more often than a name), unless it is
// localhost, an address literal ([192.0.2.1]) or allowLocalDomain is set.
func ValidateNewEmail(email string, allowLocalDomain bool) error {
	pos := 0
	for i, r := range email {
		pos++
		if what := invisibleKind(r); what != "" {
			return fmt.Errorf("invalid email %s: character %d is U+%04X, %s", strconv.QuoteToASCII(email), pos, r, what)
		}
		if r == utf8.RuneError && strings.HasPrefix(email[i:], "\uFFFD") {
			// What this tool (and others) print in place of a character
			// that must not reach a terminal: an email holding it was most
			// likely copied from such output, and creating it would make a
			// user other than the one meant.
			return fmt.Errorf("invalid email %s: character %d is U+FFFD, which stands in for a character that could not be shown; "+
				"take the email from -o json, which keeps every character", strconv.QuoteToASCII(email), pos)
		}
	}
	if err := ValidateEmail(email); err != nil {
		return err
	}
	domain := email[strings.LastIndexByte(email, '@')+1:]
	if !allowLocalDomain && !strings.Contains(domain, ".") && !strings.EqualFold(domain, "localhost") &&
		!strings.HasPrefix(domain, "[") {
		return fmt.Errorf("invalid email %q: %w (%q); give the full domain, such as example.com", email, ErrLocalDomain, domain)
	}
	return nil
}

// invisibleKind names a character that text.Unsafe refuses (of the
// categories Cc, Cf, Zl and Zp), or returns "".
func invisibleKind(r rune) string {
	switch {
	case !text.Unsafe(r):
		return ""
	case unicode.Is(unicode.Cf, r):
		return "an invisible format character (such as a bidirectional override or a zero-width character)"
	case r == '\u2028':
		return "a line separator"
	case r == '\u2029':
		return "a paragraph separator"
	}
	return "a control character"
}

// maxEscapedEmail bounds an email in a request path, once escaped: four
// times RFC 5321's 254 bytes, and far below the request-line limits of
// servers and proxies (8 KiB and more).
const maxEscapedEmail = 1024

// UnreachableEmailError is an email that cannot name a user in a request
// path (Reachable says why): no request about such a user is sent. A server
// may still list one, created by other means; such a user can be neither
// read, nor changed, nor deleted through the API.
type UnreachableEmailError struct {
	// Email is the email as it was given, which may hold any character:
	// make it safe before printing it.
	Email string
	msg   string
}

func (e *UnreachableEmailError) Error() string { return e.msg }

// Reachable returns nil when a request about the user with this email can
// be sent: the one check of every request path the client builds from an
// email (GetUser, UpdateUser, DeleteUser, ChangeUserPassword, and
// CreateUser, whose outcome may need a GetUser). Otherwise it returns an
// *UnreachableEmailError. Any email a user can have is reachable, so that a
// user created with an odd address elsewhere can still be read and
// deleted; only what cannot name a user in a request path is refused:
//   - an empty email, "." and ".." (a server takes them as path steps);
//   - an email with a '/' (or a '\', which some servers take for one) whose
//     parts around it include an empty one, "." or "..": the client escapes
//     '/' as %2F, which keeps the email one path segment, but a server or
//     proxy that decodes %2F before it routes (Tomcat refuses it, others
//     do not) would read "/../x" or "//ana@x.io" as path steps to another
//     resource or user. "a/b@x.io" stays reachable: decoded, it names no
//     other user;
//   - a NUL character, bytes that are not UTF-8 (the server's emails are
//     JSON text), and an email longer than 1,024 bytes once escaped.
//
// Messages show the email with every non-ASCII character escaped.
func Reachable(email string) error {
	unreachable := func(format string, args ...any) error {
		return &UnreachableEmailError{Email: email, msg: fmt.Sprintf(format, args...)}
	}
	switch email {
	case "":
		return unreachable("empty email address")
	case ".", "..":
		return unreachable("invalid email %q: it would be read as a step in the request's path", email)
	}
	if n := len(url.PathEscape(email)); n > maxEscapedEmail {
		return unreachable("invalid email: %d bytes once escaped for the request's path, more than %d", n, maxEscapedEmail)
	}
	pos := 0
	for i, r := range email {
		pos++
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(email[i:], "\uFFFD"):
			return unreachable("invalid email %s: byte %d is not UTF-8", strconv.QuoteToASCII(email), i+1)
		case r == 0:
			return unreachable("invalid email %s: character %d is U+0000 (NUL)", strconv.QuoteToASCII(email), pos)
		}
	}
	for part := range strings.SplitSeq(strings.ReplaceAll(email, `\`, "/"), "/") {
		step := "an empty step"
		switch part {
		case ".", "..":
			step = fmt.Sprintf("the step %q", part)
		case "":
		default:
			continue
		}
		return unreachable("invalid email %s: a server that decodes its '/' would read %s in the request's path",
			strconv.QuoteToASCII(email), step)
	}
	return nil
}

// SameEmail compares two emails as the tool does everywhere: ignoring ASCII
// letter case, and nothing else. ſ (U+017F) is not s, and K (U+212A, the
// Kelvin sign) is not k: such emails are other users, which look like these
// (LookAlike), and which no command takes for one another.
func SameEmail(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// FoldEmail gives the key by which emails are matched ignoring ASCII case:
// FoldEmail(a) == FoldEmail(b) exactly when SameEmail(a, b). It is the
// email with its ASCII letters in lower case and every other byte as it is
// (strings.ToLower would also change İ, Σ and others, and so make two
// users one).
func FoldEmail(email string) string {
	for i := 0; i < len(email); i++ {
		if c := email[i]; 'A' <= c && c <= 'Z' {
			b := []byte(email)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return email
}
