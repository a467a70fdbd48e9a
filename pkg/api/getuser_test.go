package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// An answer about another user than the one asked for is an error, never
// that user: a write that follows would change the wrong account. Letter
// case alone is the same user.
func TestGetUserRefusesAnAnswerNamingAnotherUser(t *testing.T) {
	tests := []struct {
		name   string
		faults string
		ask    string
		other  bool
	}{
		{name: "the user asked for", ask: "admin@example.com"},
		{name: "the same user in another case", ask: "ADMIN@example.com"},
		{name: "another user", faults: "GET /api/users/* other-user", ask: "admin@example.com", other: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := startTestSandbox(t, tt.faults)
			c := newTestClient(t, sb.URL, sb.AdminKey())
			u, err := c.GetUser(context.Background(), tt.ask)
			var oe *OtherUserError
			if got := errors.As(err, &oe); got != tt.other {
				t.Fatalf("OtherUserError %v, want %v (err %v)", got, tt.other, err)
			}
			if !tt.other {
				if err != nil || !SameEmail(u.Email, tt.ask) {
					t.Fatalf("GetUser(%q) = %+v, %v", tt.ask, u, err)
				}
				return
			}
			if u != nil || oe.Asked != tt.ask || SameEmail(oe.Answered, tt.ask) {
				t.Errorf("user %+v, error %+v", u, oe)
			}
			if !strings.Contains(err.Error(), "the server answered with another user") {
				t.Errorf("message %q", err)
			}
		})
	}
}

// Only ASCII case makes an answer name the user asked for: a look-alike
// (ſ for s, the Kelvin sign for k) is another user.
func TestGetUserRefusesALookAlikeAnswer(t *testing.T) {
	tests := []struct {
		ask, answer string
		other       bool
	}{
		{"sam@x.io", "SAM@x.io", false},
		{"sam@x.io", "ſam@x.io", true},
		{"kim@x.io", "\u212Aim@x.io", true},
		{"ana@x.io", "\u0430na@x.io", true},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"email":%q,"accountRole":"admin"}`, tt.answer)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, "")
			_, err := c.GetUser(context.Background(), tt.ask)
			var oe *OtherUserError
			if errors.As(err, &oe) != tt.other || !tt.other && err != nil {
				t.Errorf("GetUser(%q) answered %q: %v", tt.ask, tt.answer, err)
			}
		})
	}
}
