package output

import (
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// User is a DQOps user as list, get and export show it: a value whose JSON
// form is {"email", "accountRole", "dataDomainRoles"} and nothing else. The
// YAML writers write a list of users in that fixed shape themselves, with
// the bytes yaml.v3 writes for the JSON form and several times faster
// (list -o yaml of a million users would otherwise spend most of its time
// in yaml.v3); any other value, and a user with a string the writer cannot
// prove yaml.v3 writes plain, is written by yaml.v3.
type User interface {
	// UserFields fills f with the fields of the user's JSON form. f comes
	// zeroed but for DomainRoles, which is empty with room to append to.
	UserFields(f *UserFields)
}

// UserFields are the fields of a User's JSON form.
type UserFields struct {
	Email       string
	AccountRole string
	// DomainRoles are the entries of dataDomainRoles, in any order.
	DomainRoles []DomainRole
	// HasDomainRoles is whether the JSON form has dataDomainRoles at all
	// ({} when DomainRoles is empty); DQOps 1.0's users do not.
	HasDomainRoles bool
}

// DomainRole is one entry of a user's dataDomainRoles.
type DomainRole struct {
	Domain, Role string
}

// appendYAMLUser appends u as an item of a top-level block sequence, with
// an indent of 2 and the compact sequence indent ("- email: ...", its other
// keys below it), its dataDomainRoles a block mapping or, when flow is set,
// "dataDomainRoles: {sales: editor}", as export writes it. The bytes are
// yaml.v3's for the user's JSON form (the tests check them against yaml.v3
// alone). It reports false, and appends nothing, when a string of u is not
// one that plainYAML vouches for.
func appendYAMLUser(dst []byte, u *UserFields, flow bool) ([]byte, bool) {
	if !plainYAML(u.Email, false) || !plainYAML(u.AccountRole, false) {
		return dst, false
	}
	for _, r := range u.DomainRoles {
		if !plainYAML(r.Domain, true) || !plainYAML(r.Role, false) {
			return dst, false
		}
	}
	dst = appendPlain(append(dst, "- email: "...), u.Email)
	dst = appendPlain(append(dst, "\n  accountRole: "...), u.AccountRole)
	if u.HasDomainRoles {
		dst = append(dst, "\n  dataDomainRoles:"...)
		// JSON's order: encoding/json sorts a map's keys.
		slices.SortFunc(u.DomainRoles, func(a, b DomainRole) int { return strings.Compare(a.Domain, b.Domain) })
		// Block style has no way to write an empty map.
		open, sep, end := "\n    ", "\n    ", ""
		if flow || len(u.DomainRoles) == 0 {
			open, sep, end = " {", ", ", "}"
		}
		dst = append(dst, open...)
		for i, r := range u.DomainRoles {
			if i > 0 {
				dst = append(dst, sep...)
			}
			dst = appendPlain(append(appendPlain(dst, r.Domain), ": "...), r.Role)
		}
		dst = append(dst, end...)
	}
	return append(dst, '\n'), true
}

// appendPlain appends s, which plainYAML vouches for, as yaml.v3 writes it:
// as it is, or "" when empty, since an empty plain scalar reads as null.
func appendPlain(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, `""`...)
	}
	return append(dst, s...)
}

// plainYAML reports whether yaml.v3 surely writes s, a !!str, plain in
// block and flow context alike, or s is empty. It vouches, conservatively,
// for what users are made of, rather than repeat yaml.v3's rules: a string
// that begins with a letter, '(' or '_', holds only letters, digits,
// "@._+-()'" and characters beyond ASCII that yaml.v3 counts printable and
// Safe keeps (yaml.v3 quotes the C1 controls, the byte order mark and
// U+FFFE up, so all beyond the BMP), and is no boolean or null. Such a
// string starts no number, time or indicator, holds no flow indicator,
// comment or ": ", and needs no escape. A key over 128 bytes is refused:
// yaml.v3 writes it as "? key".
func plainYAML(s string, key bool) bool {
	switch {
	case s == "":
		return true
	case key && len(s) > 128:
		return false
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return false
	}
	if c := s[0]; c < utf8.RuneSelf && !isLetter(c) && c != '(' && c != '_' {
		return false
	}
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if !isLetter(byte(r)) && !('0' <= r && r <= '9') && !strings.ContainsRune("@._+-()'", r) {
				return false
			}
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"), r < 0xa0, r >= 0xfffe, r == 0xfeff, text.Unsafe(r):
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isNilPointer reports whether v is a nil pointer, whose methods a User
// may not answer: it is written as null.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
