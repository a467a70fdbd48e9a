package api

import (
	"fmt"
	"net/mail"
	"strings"
)

// ValidateEmail checks that s is one plain email address as DQOps
// identifies users: no display name, no angle brackets, and none of the
// characters that would change the meaning of a URL path (/ ? # %).
func ValidateEmail(s string) error {
	if s == "" {
		return fmt.Errorf("empty email address")
	}
	if strings.ContainsAny(s, "/?#%") {
		return fmt.Errorf("invalid email %q: it may not contain '/', '?', '#' or '%%'", s)
	}
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return fmt.Errorf("invalid email %q: give one plain address such as ana@example.com", s)
	}
	// RFC 5321's limits: 64 bytes before the @, 254 in all.
	if at := strings.LastIndexByte(s, '@'); at > 64 || len(s) > 254 {
		return fmt.Errorf("invalid email %q: too long (at most 64 characters before the @ and 254 in all)", s)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return fmt.Errorf("invalid email %q: give one plain address such as ana@example.com", s)
	}
	if addr.Name != "" || addr.Address != s {
		return fmt.Errorf("invalid email %q: give the address alone, without a display name", s)
	}
	return nil
}

// SameEmail compares two emails as the tool does everywhere: ignoring case.
func SameEmail(a, b string) bool {
	return strings.EqualFold(a, b)
}
