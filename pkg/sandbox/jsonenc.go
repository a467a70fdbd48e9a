package sandbox

import "unicode/utf8"

// The user list is encoded by hand: encoding/json's reflection costs several
// times more per user, and the list of 100,000 users is the benchmark's hot
// path. The output is what encoding/json would give with HTML escaping off.

// appendUserJSON appends the wire model of a stored user: {email,
// accountRole}, plus dataDomainRoles as view shows them.
func appendUserJSON(dst []byte, rec *record, view *domainView) []byte {
	dst = append(dst, `{"email":`...)
	dst = appendJSONString(dst, rec.user.Email)
	dst = append(dst, `,"accountRole":`...)
	dst = appendJSONString(dst, rec.user.AccountRole)
	if view.field {
		dst = append(dst, `,"dataDomainRoles":`...)
		dst = view.appendRoles(dst, rec.grants)
	}
	return append(dst, '}')
}

// appendUsersJSON appends a JSON array of the users' wire models.
func appendUsersJSON(dst []byte, recs []*record, view *domainView) []byte {
	dst = append(dst, '[')
	for i, rec := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendUserJSON(dst, rec, view)
	}
	return append(dst, ']')
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// and U+2028/U+2029 are escaped, as encoding/json does.
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
