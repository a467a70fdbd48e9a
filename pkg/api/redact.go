package api

import (
	"math/bits"
	"strings"
)

// Redacted is what a secret is replaced with in messages and traces.
const Redacted = "[redacted]"

// minKeyRun is the shortest run of an API key's characters that is hidden
// wherever it appears: a proxy that echoes the Authorization header may cut
// the key or change its case, and eight characters of a key are already a
// start for guessing it.
const minKeyRun = 8

// keyRedactor hides an API key in text: any run of minKeyRun or more
// consecutive characters of the key, in any letter case (the whole key when
// it is shorter). It looks each window of the text up in a small hash table
// of the key's windows, updated a byte at a time, so a trace of many
// requests stays cheap. A nil *keyRedactor hides nothing.
type keyRedactor struct {
	n     int      // window length: minKeyRun, or the key's length if shorter
	mask  uint64   // the low n bytes
	shift uint     // 64 - log2(len(table))
	table []uint64 // the key's windows, lower-cased and packed; 0 is empty
}

func newKeyRedactor(key string) *keyRedactor {
	if key == "" {
		return nil
	}
	r := &keyRedactor{n: min(len(key), minKeyRun)}
	r.mask = ^uint64(0) >> (64 - 8*r.n)
	log2 := bits.Len(uint(4 * (len(key) - r.n + 1)))
	r.shift = uint(64 - log2)
	r.table = make([]uint64, 1<<log2)
	var w uint64
	for i := 0; i < len(key); i++ {
		w = (w<<8 | uint64(lowerASCII(key[i]))) & r.mask
		if i >= r.n-1 {
			r.table[r.find(w)] = w
		}
	}
	return r
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// find returns the slot of window w in the table, or the empty slot where
// it would go.
func (r *keyRedactor) find(w uint64) uint64 {
	i := (w * 0x9E3779B97F4A7C15) >> r.shift
	for r.table[i] != w && r.table[i] != 0 {
		i = (i + 1) & uint64(len(r.table)-1)
	}
	return i
}

// redact returns s with every run of the key's characters replaced by
// Redacted. Overlapping and adjacent runs become one.
func (r *keyRedactor) redact(s string) string {
	if r == nil || len(s) < r.n {
		return s
	}
	var b strings.Builder
	done := 0           // s[:done] is written to b
	start, end := 0, -1 // the run being covered, s[start:end]
	var w uint64
	for i := 0; i < len(s); i++ {
		w = (w<<8 | uint64(lowerASCII(s[i]))) & r.mask
		if i < r.n-1 || r.table[r.find(w)] != w {
			continue
		}
		from := i - r.n + 1
		if from > end {
			if end >= 0 {
				b.WriteString(s[done:start])
				b.WriteString(Redacted)
				done = end
			}
			start = from
		}
		end = i + 1
	}
	if end < 0 {
		return s
	}
	b.WriteString(s[done:start])
	b.WriteString(Redacted)
	b.WriteString(s[end:])
	return b.String()
}

// redactedError hides the API key in the text of an error it wraps, so that
// an error from the HTTP library that quotes a header never shows it.
// Unwrap keeps errors.Is and errors.As working.
type redactedError struct {
	err error
	r   *keyRedactor
}

func (e *redactedError) Error() string { return e.r.redact(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr wraps err when its text shows any of the key.
func redactErr(err error, r *keyRedactor) error {
	if err == nil || r == nil {
		return err
	}
	if msg := err.Error(); r.redact(msg) == msg {
		return err
	}
	return &redactedError{err: err, r: r}
}
