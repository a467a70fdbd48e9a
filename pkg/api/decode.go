package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// decodeUser reads one user object. Lists of a million users are read
// user by user, so the known fields are read directly from the bytes; only
// data-domain roles and unknown fields go through encoding/json. It checks
// the JSON itself (a list read as it arrives has been checked by nothing
// else), and every index is bounds-checked.
func decodeUser(data []byte, u *User) error {
	*u = User{NoRolesField: true}
	s := scanner{data: data}
	s.space()
	if s.literal("null") {
		return errors.New("user model is null")
	}
	if !s.consume('{') {
		return fmt.Errorf("user model is not an object")
	}
	s.space()
	if s.consume('}') {
		return s.end()
	}
	for {
		s.space()
		key, err := s.key()
		if err != nil {
			return err
		}
		s.space()
		if !s.consume(':') {
			return errors.New("malformed user object: missing ':'")
		}
		s.space()
		// A key given twice takes its last value, whole, as a map of the
		// fields would: a later null or {} is not merged into an earlier value.
		switch string(key) {
		case "email":
			u.Email, err = s.stringOrNull()
		case "accountRole":
			u.AccountRole, err = s.role()
		case "dataDomainRoles":
			u.NoRolesField = false
			// A variable of this branch alone, so that only a user with
			// data-domain roles pays for the pointer encoding/json needs.
			var roles map[string]Role
			start := s.pos
			if err = s.skip(); err == nil {
				// {} (every user of an instance without data domains)
				// and null need no decoder.
				switch string(data[start:s.pos]) {
				case "{}", "null":
				default:
					err = decodeOptional(data[start:s.pos], &roles)
				}
			}
			u.DataDomainRoles = nil
			if len(roles) > 0 {
				u.DataDomainRoles = roles
			}
		default:
			start := s.pos
			if err = s.skipValue(); err == nil {
				if u.Extra == nil {
					u.Extra = make(map[string]json.RawMessage)
				}
				u.Extra[string(key)] = append(json.RawMessage(nil), data[start:s.pos]...)
			}
		}
		if err != nil {
			return fmt.Errorf("field %q: %w", key, err)
		}
		s.space()
		if s.consume('}') {
			return s.end()
		}
		if !s.consume(',') {
			return errors.New("malformed user object: missing ','")
		}
	}
}

type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// end checks that nothing but space follows.
func (s *scanner) end() error {
	s.space()
	if s.pos != len(s.data) {
		return fmt.Errorf("unexpected %q after the value", s.data[s.pos])
	}
	return nil
}

func (s *scanner) consume(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) literal(word string) bool {
	if len(s.data)-s.pos >= len(word) && string(s.data[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return true
	}
	return false
}

// stringOrNull reads a string, or null as "". What follows a null is
// checked by the caller, as after any value.
func (s *scanner) stringOrNull() (string, error) {
	if s.literal("null") {
		return "", nil
	}
	return s.str()
}

// role reads an account role, or null as "". The five role names are
// shared rather than copied for each user of a long list.
func (s *scanner) role() (Role, error) {
	start := s.pos
	if raw, plain, err := s.rawStr(); err == nil && plain {
		switch string(raw) {
		case "admin":
			return RoleAdmin, nil
		case "editor":
			return RoleEditor, nil
		case "operator":
			return RoleOperator, nil
		case "viewer":
			return RoleViewer, nil
		case "none":
			return RoleNone, nil
		}
	}
	s.pos = start
	r, err := s.stringOrNull()
	return Role(r), err
}

// rawStr moves past a string and returns its bytes between the quotes, and
// whether it has escapes or bytes outside ASCII (then it needs decoding).
// It refuses the control characters JSON does not allow in a string; the
// escapes themselves are checked by whoever decodes them.
func (s *scanner) rawStr() (raw []byte, plain bool, err error) {
	if !s.consume('"') {
		return nil, false, errors.New("expected a string")
	}
	start := s.pos
	plain = true
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '\\':
			plain = false
			s.pos += 2
			continue
		case c == '"':
			s.pos++
			return s.data[start : s.pos-1], plain, nil
		case c < 0x20:
			return nil, false, errors.New("a control character in a string")
		case c >= utf8.RuneSelf:
			plain = false
		}
		s.pos++
	}
	return nil, false, errors.New("unterminated string")
}

// str reads a string; one without escapes is taken as it is. encoding/json
// turns invalid UTF-8 into U+FFFD; so must this, or a user read and written
// back would change.
func (s *scanner) str() (string, error) {
	start := s.pos
	raw, plain, err := s.rawStr()
	if err != nil {
		return "", err
	}
	if plain || (utf8.Valid(raw) && !hasEscape(raw)) {
		return string(raw), nil
	}
	var v string
	if err := json.Unmarshal(s.data[start:s.pos], &v); err != nil {
		return "", err
	}
	return v, nil
}

// key reads an object's key, without a copy when it needs no decoding.
func (s *scanner) key() ([]byte, error) {
	start := s.pos
	raw, plain, err := s.rawStr()
	if err != nil || plain {
		return raw, err
	}
	v, err := (&scanner{data: s.data[start:s.pos]}).str()
	return []byte(v), err
}

func hasEscape(raw []byte) bool {
	for _, c := range raw {
		if c == '\\' {
			return true
		}
	}
	return false
}

// skipValue moves past one value of any kind and checks it is valid JSON.
func (s *scanner) skipValue() error {
	start := s.pos
	if err := s.skip(); err != nil {
		return err
	}
	if s.data[start] != '"' && !json.Valid(s.data[start:s.pos]) {
		return fmt.Errorf("invalid JSON value %s", quoteStart(s.data[start:s.pos]))
	}
	return nil
}

// skip moves past one value of any kind, finding where it ends by its
// brackets and strings alone; a string is checked whole, anything else is
// left to the caller to check.
func (s *scanner) skip() error {
	if s.pos >= len(s.data) {
		return errors.New("missing value")
	}
	switch s.data[s.pos] {
	case '"':
		start := s.pos
		raw, plain, err := s.rawStr()
		if err == nil && !plain && hasEscape(raw) && !json.Valid(s.data[start:s.pos]) {
			err = errors.New("invalid escape in a string")
		}
		return err
	case '{', '[':
		depth := 0
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case '"':
				if _, _, err := s.rawStr(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.pos++
					return nil
				}
			}
			s.pos++
		}
		return errors.New("unterminated value")
	}
	start := s.pos
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if s.pos == start {
				return errors.New("missing value")
			}
			return nil
		}
		s.pos++
	}
	if s.pos == start {
		return errors.New("missing value")
	}
	return nil
}
