package api

import (
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
