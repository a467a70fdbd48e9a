package api

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// LookAlike reports whether a and b are look-alikes: two users (not
// SameEmail, so letter case in ASCII is never a look-alike) whose emails
// are equal under Unicode case folding (ſ and s, the Kelvin sign K and k),
// under NFKC (full-width ｓ and s, the ligature ﬁ and fi), or under the
// confusables skeleton of Unicode TS #39 (Cyrillic а and Latin a, I and l,
// 0 and O, rn and m), or under these one after another, invisible
// characters left out (a zero-width space, a soft hyphen). Such an email
// names another user than the one it seems to, so one is never taken for
// the other, and creating one beside the other is refused.
func LookAlike(a, b string) bool { return LooksLike(a)(b) }

// LooksLike is LookAlike with its first email given, whose keys it works
// out once: for checking one email against many.
func LooksLike(email string) func(other string) bool {
	keys := LookAlikeKeys(email)
	return func(other string) bool {
		return !SameEmail(email, other) &&
			slices.ContainsFunc(LookAlikeKeys(other), func(k string) bool { return slices.Contains(keys, k) })
	}
}

// LookAlikeKeys returns the keys under which an email meets the emails
// that look like it: a and b are look-alikes (LookAlike) exactly when they
// are not SameEmail and share a key. An index of many users by each of
// their keys finds the look-alikes of an email in as many look-ups as it
// has keys (one to three), rather than by comparing it with every user.
//
// Look-alike is not one key because it is not transitive: ſam looks like
// sam (case folding) and like fam (its skeleton), and sam does not look
// like fam. So each key starts from one of the three readings of the email
// (as it is, its NFKC form, its skeleton) and repeats case folding, NFKC
// and the skeleton from there until nothing changes; emails equal under
// one of the readings reach the same key from it.
//
// The confusables data is Unicode 13's, carried by
// github.com/mtibben/confusables (golang.org/x/text has no skeleton).
func LookAlikeKeys(email string) []string {
	starts := []string{email}
	for _, s := range [...]string{norm.NFKC.String(email), confusables.Skeleton(email)} {
		if !slices.Contains(starts, s) {
			starts = append(starts, s)
		}
	}
	keys := make([]string, 0, len(starts))
	for _, s := range starts {
		if k := lookAlikeForm(s); !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// lookAlikeForm applies case folding, NFKC and the skeleton to s, without
// its invisible characters, until nothing changes: the skeleton may give
// letters that fold (Cyrillic А is Latin A, 0 is O), and folding letters
// the skeleton maps (M folds to m, whose skeleton is rn). The bound is
// never reached by Unicode's data; it only keeps a change of that data from
// looping.
func lookAlikeForm(s string) string {
	for range 8 {
		next := confusables.Skeleton(norm.NFKC.String(strings.Map(foldVisible, s)))
		if next == s {
			break
		}
		s = next
	}
	return s
}

// foldVisible is foldRune for a character that shows, and leaves out one
// that does not: a format character (Cf: zero-width, bidirectional and
// other controls of layout), a variation selector, or another default
// ignorable code point (Hangul fillers, for one).
func foldVisible(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(lowerASCII(byte(r)))
	}
	if unicode.In(r, unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point) {
		return -1
	}
	return foldRune(r)
}

// foldRune gives the one character of r's case-folding orbit (the
// characters that unicode.SimpleFold links, which strings.EqualFold takes
// for one) that stands for the orbit: the lower case of the least, unless
// that is outside the orbit (İ, whose lower case is i, yet which does not
// fold to it).
func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	lower := unicode.ToLower(least)
	for f := unicode.SimpleFold(least); f != least; f = unicode.SimpleFold(f) {
		if f == lower {
			return lower
		}
	}
	return least
}
