package files

import (
	"io"
	"testing"
)

// BenchmarkReadAtMost reads a 32 MiB stream (stdin piped to apply -f -)
// under the 256 MiB cap: B/op is the memory a large stdin costs.
func BenchmarkReadAtMost(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadAll(io.LimitReader(&zeros{}, 32<<20), MaxFileSize, "stdin", 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadAtMostEndless reads /dev/zero as stdin until the cap: B/op
// is the most memory an endless stdin costs before it is refused.
func BenchmarkReadAtMostEndless(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadAll(&zeros{}, MaxFileSize, "stdin", 0); err == nil {
			b.Fatal("no error")
		}
	}
}
