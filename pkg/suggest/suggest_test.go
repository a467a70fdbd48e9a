package suggest

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"sales", "sales", 0},
		{"salse", "sales", 1}, // a swap of neighbours is one edit
		{"profile", "profiles", 1},
		{"apikey", "api_key", 1},
		{"marketing", "sales", 7},
		{"", "abc", 3},
		{"αβγ", "αγβ", 1}, // characters, not bytes
		{"abcd", "acbd", 1},
		{"sale", "sales", 1},
		{"sales", "", 5},
		{"kitten", "sitting", 3},
		{"ca", "abc", 3}, // restricted: no edit of a swapped pair
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}
