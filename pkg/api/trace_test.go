package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// lockedBuffer is a bytes.Buffer safe for the trace's writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestDebugTraceRedactsSecrets(t *testing.T) {
	sb := startTestSandbox(t, "GET /api/users 503 x1")
	key := sb.AdminKey()
	const password = "pa55-W0RD-never-shown"
	var trace lockedBuffer
	c := newTestClient(t, sb.URL, key, func(o *Options) { o.Debug = &trace })
	ctx := context.Background()
	if _, err := c.ListUsers(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateUser(ctx, User{Email: "ana@x.io", AccountRole: RoleViewer}); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeUserPassword(ctx, "ana@x.io", []byte(password)); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeMyPassword(ctx, []byte(password)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Profile(ctx); err != nil {
		t.Fatal(err)
	}
	out := trace.String()
	for _, secret := range []string{key, password} {
		if strings.Contains(out, secret) {
			t.Errorf("the trace shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		"debug: #1 > GET " + sb.URL + "/api/users\n",
		"> Accept: application/json\n",
		"> Authorization: [redacted]\n",
		"> User-Agent: dqo-users/test\n",
		"< HTTP/1.1 503 Service Unavailable in ",
		"debug: * listing users: server answered 503 Service Unavailable; retry 1 of 3 in 1ms\n",
		"< HTTP/1.1 200 OK in ",
		"< Content-Type: application/json\n",
		`< [{"email":"admin@example.com","accountRole":"admin","dataDomainRoles":{}}`,
		"> POST " + sb.URL + "/api/users\n",
		"> Content-Type: application/json\n",
		`> {"email":"ana@x.io","accountRole":"viewer"}` + "\n",
		"< HTTP/1.1 201 Created in ",
		"> PUT " + sb.URL + "/api/users/ana@x.io/password\n",
		"> PUT " + sb.URL + "/api/mypassword\n",
		"> Content-Type: text/plain\n",
		"> [redacted]\n",
		"< HTTP/1.1 204 No Content in ",
		`< {"user":"admin@example.com"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	// Both password bodies are redacted, and their lengths not shown.
	if n := strings.Count(out, "> [redacted]\n"); n != 2 {
		t.Errorf("%d redacted request bodies, want 2", n)
	}
	if strings.Contains(out, fmt.Sprintf("Content-Length: %d", len(password))) {
		t.Error("the trace shows the password's length")
	}
}

func TestDebugTraceCutsLargeBodiesAndHidesEchoedKeys(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{SeedUsers: 500})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()
	var trace lockedBuffer
	c := newTestClient(t, srv.URL, sb.AdminKey(), func(o *Options) { o.Debug = &trace })
	if _, err := c.ListUsers(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := trace.String()
	if !strings.Contains(out, "[... body cut in the trace at 4096 bytes;") {
		t.Errorf("a large body was not cut:\n%.2000s", out)
	}
	if len(out) > 8000 {
		t.Errorf("trace of %d bytes for one request", len(out))
	}

	const key = "ECHOED-KEY-42"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen-Authorization", r.Header.Get("Authorization"))
		w.Header().Set("Set-Cookie", "session=abc")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"user":%q}`, r.Header.Get("Authorization"))
	}))
	defer echo.Close()
	var trace2 lockedBuffer
	c = newTestClient(t, echo.URL, key, func(o *Options) { o.Debug = &trace2 })
	if _, err := c.Profile(context.Background()); err != nil {
		t.Fatal(err)
	}
	out = trace2.String()
	if strings.Contains(out, key) || strings.Contains(out, "session=abc") {
		t.Errorf("the trace shows an echoed secret:\n%s", out)
	}
	if !strings.Contains(out, `< {"user":"Bearer [redacted]"}`) {
		t.Errorf("trace:\n%s", out)
	}
}

// Each of the two reasons to hide a body works alone: the client's mark,
// and a password path without the mark.
func TestHasSecretBody(t *testing.T) {
	req := func(path string, marked bool) *http.Request {
		r := httptest.NewRequest(http.MethodPut, "http://dqops"+path, nil)
		if marked {
			r = r.WithContext(context.WithValue(r.Context(), secretBodyKey{}, true))
		}
		return r
	}
	tests := []struct {
		path   string
		marked bool
		want   bool
	}{
		{"/api/mypassword", false, true},
		{"/dqops/api/mypassword", false, true},
		{"/api/users/a@x.io/password", false, true},
		{"/api/users/a@x.io", true, true},
		{"/api/users/a@x.io", false, false},
		{"/api/users", false, false},
	}
	for _, tt := range tests {
		if got := hasSecretBody(req(tt.path, tt.marked)); got != tt.want {
			t.Errorf("%s (marked %v): %v, want %v", tt.path, tt.marked, got, tt.want)
		}
	}
}
