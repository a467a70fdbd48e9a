package text

import "strings"

// Suggest returns the candidate that word most likely means, or "" when
// none is near enough to be a typo: the one "did you mean" of every
// message that names a key, a role, a data domain or a command. Words
// compare ignoring letter case and the separators '_', '-', '.' and ' '
// (apiKey, api-key and API_KEY are one word); synonyms maps what people
// write from other tools' habits (normalised the same way) to a
// candidate. A candidate is near enough at an edit distance of at most one
// in four of its characters, plus one; a word of one or two characters
// must match exactly once normalised.
func Suggest(word string, candidates []string, synonyms map[string]string) string {
	w := Normalize(word)
	if w == "" || len(w) > 64 {
		return ""
	}
	for _, c := range candidates {
		if Normalize(c) == w {
			return c
		}
	}
	if s, ok := synonyms[w]; ok {
		for _, c := range candidates {
			if c == s {
				return s
			}
		}
	}
	if len([]rune(w)) < 3 {
		return ""
	}
	best, bestDistance := "", 0
	for _, c := range candidates {
		target := Normalize(c)
		d := Distance(w, target)
		if d <= len([]rune(target))/4+1 && (best == "" || d < bestDistance) {
			best, bestDistance = c, d
		}
	}
	return best
}

// Normalize folds what does not matter to a guess: letter case and the
// word separators '_', '-', '.' and ' '.
func Normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r != '_' && r != '-' && r != ' ' && r != '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Distance is the optimal string alignment distance between a and b, in
// characters: insertions, deletions, substitutions and swaps of neighbours
// each count one.
func Distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
