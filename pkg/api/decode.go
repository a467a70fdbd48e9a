package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// decodeUser reads one user object. Lists of 100,000 users are common in
// benchmarks and large tenants, so the known fields are read directly from
// the bytes; only data-domain roles and unknown fields go through
// encoding/json. The input has already been checked as valid JSON by the
// caller's decoder, but every index is still bounds-checked.
func decodeUser(data []byte, u *User) error {
	*u = User{}
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
		return nil
	}
	for {
		s.space()
		key, err := s.str()
		if err != nil {
			return err
		}
		s.space()
		if !s.consume(':') {
			return errors.New("malformed user object: missing ':'")
		}
		s.space()
		start := s.pos
		if err := s.skipValue(); err != nil {
			return err
		}
		value := data[start:s.pos]
		// A key given twice takes its last value, whole, as a map of the
		// fields would: a later null or {} is not merged into an earlier value.
		switch key {
		case "email":
			u.Email = ""
			err = decodeString(value, &u.Email)
		case "accountRole":
			var r string
			err = decodeString(value, &r)
			u.AccountRole = Role(r)
		case "dataDomainRoles":
			u.DataDomainRoles = nil
			err = decodeOptional(value, &u.DataDomainRoles)
			if len(u.DataDomainRoles) == 0 {
				u.DataDomainRoles = nil
			}
		default:
			if u.Extra == nil {
				u.Extra = make(map[string]json.RawMessage)
			}
			u.Extra[key] = append(json.RawMessage(nil), value...)
		}
		if err != nil {
			return fmt.Errorf("field %q: %w", key, err)
		}
		s.space()
		if s.consume('}') {
			return nil
		}
		if !s.consume(',') {
			return errors.New("malformed user object: missing ','")
		}
	}
}

// decodeString reads a JSON string or null.
func decodeString(value []byte, into *string) error {
	s := scanner{data: value}
	if s.literal("null") {
		return nil
	}
	v, err := s.str()
	if err != nil {
		return err
	}
	*into = v
	return nil
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

// str reads a string; one without escapes is taken as it is.
func (s *scanner) str() (string, error) {
	if !s.consume('"') {
		return "", errors.New("expected a string")
	}
	start := s.pos
	escaped := false
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\\':
			escaped = true
			s.pos += 2
			continue
		case '"':
			s.pos++
			// encoding/json turns invalid UTF-8 into U+FFFD; so must this, or a
			// user read and written back would change.
			if !escaped && utf8.Valid(s.data[start:s.pos-1]) {
				return string(s.data[start : s.pos-1]), nil
			}
			var v string
			if err := json.Unmarshal(s.data[start-1:s.pos], &v); err != nil {
				return "", err
			}
			return v, nil
		}
		s.pos++
	}
	return "", errors.New("unterminated string")
}

// skipValue moves past one value of any kind.
func (s *scanner) skipValue() error {
	if s.pos >= len(s.data) {
		return errors.New("missing value")
	}
	switch s.data[s.pos] {
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
		depth := 0
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case '"':
				if _, err := s.str(); err != nil {
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
