package api

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// unreachableEmails cannot name a user in a request path: a server that
// lists such users (created by other means) must never be sent a request
// built from them, such as DELETE /api/users/ or /api/users/.. during a
// prune.
var unreachableEmails = []string{"", ".", "..", "a\x00b", "a\xffb@x.io", "/victim@x.io", "../victim@x.io",
	"victim@x.io/..", `..\victim@x.io`}

// Every method that builds a request path from an email refuses an
// unreachable one before sending anything.
func TestUnreachableEmailsAreNeverSent(t *testing.T) {
	var requests lockedBuffer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(&requests, "%s %s\n", r.Method, r.URL.RawPath+r.URL.Path)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, "")
	ctx := context.Background()
	methods := []struct {
		op   string
		call func(email string) error
	}{
		{"getting user", func(e string) error { _, err := c.GetUser(ctx, e); return err }},
		{"creating user", func(e string) error { return c.CreateUser(ctx, User{Email: e, AccountRole: RoleViewer}) }},
		{"updating user", func(e string) error { return c.UpdateUser(ctx, User{Email: e, AccountRole: RoleViewer}) }},
		{"deleting user", func(e string) error { return c.DeleteUser(ctx, e) }},
		{"changing the password of user", func(e string) error { return c.ChangeUserPassword(ctx, e, []byte("pw")) }},
	}
	for _, m := range methods {
		for _, email := range unreachableEmails {
			err := m.call(email)
			var ue *UnreachableEmailError
			if !errors.As(err, &ue) || ue.Email != email || !strings.HasPrefix(err.Error(), fmt.Sprintf("%s %q: ", m.op, email)) {
				t.Errorf("%s %q: error %v, want an *UnreachableEmailError", m.op, email, err)
			}
		}
	}
	if got := requests.String(); got != "" {
		t.Errorf("requests were sent:\n%s", got)
	}
}

// A prune works from the list: users the server lists with an empty,
// missing, dot or NUL email are refused by DeleteUser, and no DELETE
// reaches the server.
func TestDeletingListedUnreachableUsersSendsNothing(t *testing.T) {
	var deletes lockedBuffer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `[{"email":"","accountRole":"viewer"},{"accountRole":"viewer"},{"email":".","accountRole":"viewer"},`+
				`{"email":"..","accountRole":"viewer"},{"email":"a\u0000b","accountRole":"viewer"},{"email":"/victim@x.io"},`+
				`{"email":"ok@x.io","accountRole":"viewer"}]`)
			return
		}
		fmt.Fprintf(&deletes, "%s %s\n", r.Method, r.RequestURI)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, "")
	users, err := c.ListUsers(context.Background())
	if err != nil || len(users) != 7 {
		t.Fatalf("%d users, %v", len(users), err)
	}
	unreachable := 0
	for _, u := range users {
		err := c.DeleteUser(context.Background(), u.Email)
		var ue *UnreachableEmailError
		switch {
		case Reachable(u.Email) == nil && err != nil:
			t.Errorf("deleting %q: %v", u.Email, err)
		case Reachable(u.Email) != nil && !errors.As(err, &ue):
			t.Errorf("deleting %q: %v, want an *UnreachableEmailError", u.Email, err)
		case err != nil:
			unreachable++
		}
	}
	if want := "DELETE /api/users/ok@x.io\n"; deletes.String() != want || unreachable != 6 {
		t.Errorf("%d unreachable, requests:\n%s\nwant only\n%s", unreachable, deletes.String(), want)
	}
}

// A reachable email is one segment of the request's path, whatever it
// holds: '/' travels as %2F (a server that decodes it before routing would
// see two segments, hence the dot and empty steps Reachable refuses), '?'
// and '#' escaped, so that nothing of the email becomes a query.
func TestUserPathIsOneSegment(t *testing.T) {
	tests := []struct{ email, uri string }{
		{"ana@x.io", "/api/users/ana@x.io"},
		{"a/b@x.io", "/api/users/a%2Fb@x.io"},
		{`a\b@x.io`, "/api/users/a%5Cb@x.io"},
		{"a?b#c@x.io", "/api/users/a%3Fb%23c@x.io"},
		{"a%2F@x.io", "/api/users/a%252F@x.io"},
		{"a b;c@x.io", "/api/users/a%20b%3Bc@x.io"},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			seen := make(chan [2]string, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen <- [2]string{r.RequestURI, r.URL.Path}
				w.WriteHeader(http.StatusNoContent)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, "")
			if err := c.DeleteUser(context.Background(), tt.email); err != nil {
				t.Fatal(err)
			}
			got := <-seen
			if got[0] != tt.uri || got[1] != "/api/users/"+tt.email {
				t.Errorf("sent %q, decoded %q; want %q", got[0], got[1], tt.uri)
			}
		})
	}
}
