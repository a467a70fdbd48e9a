package users

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkFoldSet measures what export pays to find case twins among a
// million users.
func BenchmarkFoldSet(b *testing.B) {
	emails := make([]string, 1_000_000)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%07d@example.com", i)
	}
	twins := 0
	for b.Loop() {
		f := newFoldSet()
		for _, e := range emails {
			f.add(strings.ToLower(e), func(string) { twins++ })
		}
		f.flush(func(string) { twins++ })
	}
	if twins != 0 {
		b.Fatalf("%d twins among distinct emails", twins)
	}
}
