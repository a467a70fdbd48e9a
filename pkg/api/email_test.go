package api

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateEmail(t *testing.T) {
	tests := []struct {
		email   string
		wantErr string // "" when valid
	}{
		{"ana@example.com", ""},
		{"Ana.Smith+dqops@sub.example.co.uk", ""},
		{"a@b", ""},
		{strings.Repeat("a", 64) + "@example.com", ""},
		{"", "empty"},
		{"Ana <ana@example.com>", "plain address"},
		{"ana@example.com(Ana)", "without a display name"},
		{"ana@example.com, bo@example.com", "plain address"},
		{"a/b@example.com", "may not contain"},
		{"a%40b@example.com", "may not contain"},
		{"a?b@example.com", "may not contain"},
		{"a#b@example.com", "may not contain"},
		{" ana@example.com", "plain address"},
		{"ana", "plain address"},
		{"ana@", "plain address"},
		{strings.Repeat("a", 65) + "@example.com", "too long"},
		{"a@" + strings.Repeat("b", 253), "too long"},
	}
	for _, tt := range tests {
		err := ValidateEmail(tt.email)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tt.email, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q: error %v, want one containing %q", tt.email, err, tt.wantErr)
		}
	}
}

func TestValidateNewEmail(t *testing.T) {
	tests := []struct {
		email   string
		local   bool
		wantErr string // "" when valid
	}{
		{"ana@example.com", false, ""},
		{"ana@localhost", false, ""},
		{"ana@LocalHost", false, ""},
		{"ana@[192.0.2.1]", false, ""},
		{"ana@examplecom", false, `the domain has no dot ("examplecom")`},
		{"ana@examplecom", true, ""},
		{"ana@dqops", true, ""},
		{"ana\u202e@example.com", false, `invalid email "ana\u202e@example.com": character 4 is U+202E, an invisible format character`},
		{"a\u200bna@example.com", false, "character 2 is U+200B, an invisible format character"},
		{"ana@exa\u00admple.com", false, "character 8 is U+00AD, an invisible format character"},
		{"ana\x1b[31m@example.com", false, "character 4 is U+001B, a control character"},
		{"ana\u0085@example.com", false, "character 4 is U+0085, a control character"},
		{"ana\u2028@example.com", false, "character 4 is U+2028, a line separator"},
		{"ana\u2029@example.com", false, "character 4 is U+2029, a paragraph separator"},
		{"ana\u2029@examplecom", true, "a paragraph separator"},
		{"Ana <ana@example.com>", true, "plain address"},
		{"ä@ü.de", false, ""},
		{"tab\uFFFDand@example.com", false, "character 4 is U+FFFD, which stands in for a character that could not be shown"},
		{"a\xff@example.com", false, "invalid email"},
	}
	for _, tt := range tests {
		err := ValidateNewEmail(tt.email, tt.local)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tt.email, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q: error %v, want one containing %q", tt.email, err, tt.wantErr)
		case err != nil && strings.ContainsFunc(err.Error(), func(r rune) bool { return invisibleKind(r) != "" }):
			t.Errorf("%q: the message holds the character raw: %q", tt.email, err)
		}
	}
	if err := ValidateNewEmail("ana@examplecom", false); !errors.Is(err, ErrLocalDomain) {
		t.Errorf("a dotless domain: %v, want ErrLocalDomain", err)
	}
}

func TestValidateExistingEmail(t *testing.T) {
	tests := []struct {
		email   string
		wantErr string // "" when valid
	}{
		{"ana@example.com", ""},
		{"ana@examplecom", ""},
		{"ana\u202e@example.com", ""},
		{"Ana Smith <ana@example.com>", ""},
		{"a/b@example.com", ""},
		{"\uFFFD@example.com", ""},
		{strings.Repeat("a", 1000), ""},
		{"", "empty"},
		{".", "a step in the request's path"},
		{"..", "a step in the request's path"},
		{"ana\x00@example.com", `invalid email "ana\x00@example.com": character 4 is U+0000 (NUL)`},
		{"ana\xff@example.com", "byte 4 is not UTF-8"},
		{strings.Repeat("é", 200), "1200 bytes once escaped for the request's path, more than 1024"},
	}
	for _, tt := range tests {
		err := ValidateExistingEmail(tt.email)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tt.email, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q: error %v, want one containing %q", tt.email, err, tt.wantErr)
		}
	}
}

// FoldEmail keys emails exactly as SameEmail compares them, where
// strings.ToLower would keep ſ and s, or ẞ and ß… apart or not.
func TestFoldEmail(t *testing.T) {
	pairs := []struct {
		a, b string
		same bool
	}{
		{"Ana@Example.com", "ana@example.com", true},
		{"ſam@x.io", "sam@x.io", true},      // long s
		{"SAM@x.io", "ſam@x.io", true},      // and upper case S
		{"\u212Aim@x.io", "kim@x.io", true}, // Kelvin sign
		{"\u1E9E@x.io", "ß@x.io", true},     // capital and small sharp s
		{"ΟΔΟΣ@x.io", "οδος@x.io", true},
		{"οδοσ@x.io", "οδος@x.io", true}, // final sigma
		{"ana@x.io", "anа@x.io", false},  // Cyrillic а
		{"i@x.io", "İ@x.io", false},      // dotted capital I has no simple fold to i
		{"ss@x.io", "ß@x.io", false},
	}
	for _, p := range pairs {
		if got := SameEmail(p.a, p.b); got != p.same {
			t.Errorf("SameEmail(%q, %q) = %v", p.a, p.b, got)
		}
		if got := FoldEmail(p.a) == FoldEmail(p.b); got != p.same {
			t.Errorf("FoldEmail(%q) = %q, FoldEmail(%q) = %q", p.a, FoldEmail(p.a), p.b, FoldEmail(p.b))
		}
	}
	if got := FoldEmail("Ana.Bo@Example.COM"); got != "ana.bo@example.com" {
		t.Errorf("FoldEmail of ASCII = %q", got)
	}
}

func FuzzFoldEmail(f *testing.F) {
	f.Add("Ana@x.io", "ana@X.IO")
	f.Add("ſ", "S")
	f.Add("\u212A", "k")
	f.Fuzz(func(t *testing.T, a, b string) {
		if SameEmail(a, b) != (FoldEmail(a) == FoldEmail(b)) {
			t.Fatalf("SameEmail(%q, %q) = %v, but FoldEmail gives %q and %q", a, b, SameEmail(a, b), FoldEmail(a), FoldEmail(b))
		}
		if !SameEmail(a, FoldEmail(a)) {
			t.Fatalf("FoldEmail(%q) = %q, another email", a, FoldEmail(a))
		}
	})
}
