package api

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
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

func TestReachable(t *testing.T) {
	tests := []struct {
		email   string
		wantErr string // "" when valid
	}{
		{"ana@example.com", ""},
		{"ana@examplecom", ""},
		{"ana\u202e@example.com", ""},
		{"Ana Smith <ana@example.com>", ""},
		{"a/b@example.com", ""},
		{`a\b@example.com`, ""},
		{"a/.b/c..@example.com", ""},
		{"\uFFFD@example.com", ""},
		{strings.Repeat("a", 1000), ""},
		{"", "empty"},
		{".", "a step in the request's path"},
		{"..", "a step in the request's path"},
		{"ana\x00@example.com", `invalid email "ana\x00@example.com": character 4 is U+0000 (NUL)`},
		{"ana\xff@example.com", "byte 4 is not UTF-8"},
		{strings.Repeat("é", 200), "1200 bytes once escaped for the request's path, more than 1024"},
		{"../admin", `invalid email "../admin": a server that decodes its '/' would read the step ".." in the request's path`},
		{"victim@x.io/..", `would read the step ".."`},
		{"a/./b@x.io", `would read the step "."`},
		{`..\admin`, `would read the step ".."`},
		{"/victim@x.io", "would read an empty step"},
		{"victim@x.io/", "would read an empty step"},
		{"a//b@x.io", "would read an empty step"},
	}
	for _, tt := range tests {
		for name, check := range map[string]func(string) error{"Reachable": Reachable} {
			err := check(tt.email)
			var ue *UnreachableEmailError
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("%s(%q): %v", name, tt.email, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("%s(%q): error %v, want one containing %q", name, tt.email, err, tt.wantErr)
			case err != nil && (!errors.As(err, &ue) || ue.Email != tt.email):
				t.Errorf("%s(%q): error %#v, want an *UnreachableEmailError", name, tt.email, err)
			}
		}
	}
}

// Matching ignores ASCII case and nothing else; what Unicode case folding,
// NFKC or the confusables skeleton would make equal are other users, which
// look alike.
func TestSameEmailAndLookAlike(t *testing.T) {
	tests := []struct {
		a, b            string
		same, lookAlike bool
	}{
		{"Ana@Example.com", "ana@example.com", true, false},
		{"ana@x.io", "ana@x.io", true, false},
		{"ANA@X.IO", "ana@x.io", true, false},
		{"ſam@x.io", "sam@x.io", false, true},      // long s, folds and NFKC to s
		{"SAM@x.io", "ſam@x.io", false, true},      // and upper case S
		{"\u212Aim@x.io", "kim@x.io", false, true}, // Kelvin sign
		{"\u212Aim@x.io", "Kim@x.io", false, true},
		{"ｓａｍ@x.io", "sam@x.io", false, true}, // full-width
		{"ＳＡＭ@ｘ.ｉｏ", "sam@x.io", false, true},
		{"\u0430na@x.io", "ana@x.io", false, true}, // Cyrillic а
		{"an\u0430@x.io", "ANA@x.io", false, true},
		{"\u1E9E@x.io", "ß@x.io", false, true}, // capital and small sharp s
		{"ΟΔΟΣ@x.io", "οδος@x.io", false, true},
		{"οδοσ@x.io", "οδος@x.io", false, true}, // final sigma
		{"biII@x.io", "bill@x.io", false, true}, // capital I, which looks like l
		{"a1ice@x.io", "Alice@x.io", false, true},
		{"j0hn@x.io", "JOHN@x.io", false, true},
		{"ſam@x.io", "fam@x.io", false, true},       // ſ also looks like f
		{"ana@x.io", "ana\u200b@x.io", false, true}, // an invisible character
		{"ana@x.io", "an\u00ada@x.io", false, true},
		// Different emails that do not look alike.
		{"sam@x.io", "fam@x.io", false, false},
		{"ana@x.io", "anna@x.io", false, false},
		{"bob@x.io", "bob@y.io", false, false},
		{"kim@x.io", "kin@x.io", false, false},
		{"user1@x.io", "user2@x.io", false, false},
		{"ss@x.io", "ß@x.io", false, false},
		{"i@x.io", "İ@x.io", false, false},
	}
	for _, tt := range tests {
		for _, p := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
			if got := SameEmail(p[0], p[1]); got != tt.same {
				t.Errorf("SameEmail(%q, %q) = %v", p[0], p[1], got)
			}
			if got := FoldEmail(p[0]) == FoldEmail(p[1]); got != tt.same {
				t.Errorf("FoldEmail(%q) = %q, FoldEmail(%q) = %q", p[0], FoldEmail(p[0]), p[1], FoldEmail(p[1]))
			}
			if got := LookAlike(p[0], p[1]); got != tt.lookAlike {
				t.Errorf("LookAlike(%q, %q) = %v (keys %q and %q)", p[0], p[1], got, LookAlikeKeys(p[0]), LookAlikeKeys(p[1]))
			}
		}
	}
	if got := FoldEmail("Ana.Bo@Example.COM"); got != "ana.bo@example.com" {
		t.Errorf("FoldEmail of ASCII = %q", got)
	}
	if got := FoldEmail("ÅSA.\u212Aim@X.io"); got != "Åsa.\u212Aim@x.io" {
		t.Errorf("FoldEmail changed more than ASCII letters: %q", got)
	}
}

// An index of users by their look-alike keys finds every look-alike with
// one look-up per key.
func TestLookAlikeKeysIndex(t *testing.T) {
	users := []string{"sam@x.io", "fam@x.io", "ana@x.io", "bill@x.io", "Kim@x.io", "bob@x.io"}
	index := map[string][]string{}
	for _, u := range users {
		for _, k := range LookAlikeKeys(u) {
			index[k] = append(index[k], u)
		}
	}
	tests := []struct {
		email string
		want  []string
	}{
		{"ſam@x.io", []string{"fam@x.io", "sam@x.io"}},
		{"SAM@x.io", nil},
		{"\u212Aim@x.io", []string{"Kim@x.io"}},
		{"\u0430na@x.io", []string{"ana@x.io"}},
		{"biII@x.io", []string{"bill@x.io"}},
		{"carol@x.io", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, k := range LookAlikeKeys(tt.email) {
			for _, u := range index[k] {
				if LookAlike(tt.email, u) && !slices.Contains(got, u) {
					got = append(got, u)
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("look-alikes of %q: %q, want %q", tt.email, got, tt.want)
		}
		for _, u := range users {
			if LookAlike(tt.email, u) != slices.Contains(tt.want, u) {
				t.Errorf("LookAlike(%q, %q) = %v, but the index says otherwise", tt.email, u, LookAlike(tt.email, u))
			}
		}
	}
}

func FuzzFoldEmail(f *testing.F) {
	f.Add("Ana@x.io", "ana@X.IO")
	f.Add("ſ", "S")
	f.Add("\u212A", "k")
	f.Add("\u0430na@x.io", "ana@x.io")
	f.Add("ｓａｍ", "SAM")
	f.Add("biII", "bill")
	f.Fuzz(func(t *testing.T, a, b string) {
		same := SameEmail(a, b)
		if same != (FoldEmail(a) == FoldEmail(b)) {
			t.Fatalf("SameEmail(%q, %q) = %v, but FoldEmail gives %q and %q", a, b, same, FoldEmail(a), FoldEmail(b))
		}
		if !SameEmail(a, FoldEmail(a)) {
			t.Fatalf("FoldEmail(%q) = %q, another email", a, FoldEmail(a))
		}
		lookAlike := LookAlike(a, b)
		if lookAlike != LookAlike(b, a) || same && lookAlike {
			t.Fatalf("LookAlike(%q, %q) = %v, LookAlike(%q, %q) = %v, SameEmail %v", a, b, lookAlike, b, a, LookAlike(b, a), same)
		}
		// Each of the three readings alone makes a look-alike.
		equal := strings.EqualFold(a, b) || norm.NFKC.String(a) == norm.NFKC.String(b) ||
			confusables.Skeleton(a) == confusables.Skeleton(b)
		if equal && !same && !lookAlike {
			t.Fatalf("%q and %q are equal under case folding, NFKC or the skeleton, but not look-alikes (keys %q and %q)",
				a, b, LookAlikeKeys(a), LookAlikeKeys(b))
		}
	})
}
