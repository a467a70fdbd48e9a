package api

import (
	"context"
	"errors"
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
