package text

import (
	"strings"
	"testing"
)

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

func TestSuggest(t *testing.T) {
	roles := []string{"admin", "editor", "operator", "viewer", "none"}
	keys := []string{"url", "api_key", "api_key_command", "ca_cert"}
	domains := []string{"(default)", "sales", "hr", "marketing"}
	synonyms := map[string]string{"token": "api_key", "default": "(default)"}
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"edtor", roles, "editor"},
		{"EDITOR", roles, "editor"},
		{"viwer", roles, "viewer"},
		{"king", roles, ""},
		{"apiKey", keys, "api_key"},
		{"API-KEY", keys, "api_key"},
		{"token", keys, "api_key"},
		{"slaes", domains, "sales"},
		{"salse", domains, "sales"},
		{"default", domains, "(default)"},
		{"HR", domains, "hr"},
		{"hq", domains, ""}, // two characters: only an exact match
		{"mrketing", domains, "marketing"},
		{"", roles, ""},
		{strings.Repeat("a", 100), roles, ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.word, tt.candidates, synonyms); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
