package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
	"github.com/dqops-users/dqo-users/pkg/text"
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

// hostileServer answers as a hostile server or proxy would, with h in
// everything the trace shows: the reason phrase, a header, a text body
// (GET /api/users/...), a JSON body (the profile). The answers are written
// by hand, as net/http would not let a handler send such a status line.
func hostileServer(t *testing.T, h string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		// A line feed ends the status line: it carries the rest of h.
		reason := strings.ReplaceAll(h, "\n", "")
		status, ct, body := "404 Not Found"+reason, "text/plain", "no such user "+h+"\nsecond line"+h
		switch {
		case r.URL.Path == "/api/environment/profile":
			status, ct, body = "200 OK"+reason, "application/json", `{"user":"admin`+h+`@example.com","account_role":"admin"}`
		case r.Method == http.MethodPut:
			status, body = "204 No Content"+reason, ""
		}
		// net/http refuses a header with an ASCII control character (the
		// whole answer fails), so the header carries the rest of h.
		header := strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, h)
		fmt.Fprintf(buf, "HTTP/1.1 %s\r\nContent-Type: %s\r\nX-Hostile: a%sb\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			status, ct, header, len(body), body)
		buf.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Every line of the trace is printable, whatever the server sends: the
// reason phrase, header values, text and JSON bodies, and the JSON bodies
// the client sends (which carry what the server listed).
func TestDebugTraceShowsNothingRaw(t *testing.T) {
	hostile := []string{"\x1b[31m", "\x07", "\r", "\u009b", "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff", "\x7f",
		"\u2028", "\u2029", "\u0085", "\u00ad", "\U000e0001", "\x1b]52;c;SGVsbG8=\x07", "\xff"}
	hostile = append(hostile, sandbox.ControlCharEmails()...)
	for _, h := range hostile {
		t.Run(strconv.QuoteToASCII(h), func(t *testing.T) {
			srv := hostileServer(t, h)
			var trace lockedBuffer
			c := newTestClient(t, srv.URL, "", func(o *Options) { o.Debug = &trace; o.Retries = 0 })
			ctx := context.Background()
			_, getErr := c.GetUser(ctx, "ana@x.io")
			_, profileErr := c.Profile(ctx)
			// A field the server listed goes back as it came: raw inside its
			// JSON string, but for the C0 controls, which JSON escapes.
			raw := strings.Map(func(r rune) rune {
				if r < 0x20 {
					return -1
				}
				return r
			}, h)
			note, _ := json.Marshal("note" + h)
			updateErr := c.UpdateUser(ctx, User{Email: "ana@x.io", AccountRole: RoleViewer,
				Extra: map[string]json.RawMessage{"note": note, "raw": json.RawMessage(`"raw` + raw + `"`)}})
			if !IsStatus(getErr, 404) || updateErr != nil {
				t.Errorf("GetUser: %v; UpdateUser: %v", getErr, updateErr)
			}
			out := trace.String()
			for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if !text.Printable(line) {
					t.Errorf("trace line %d holds a character raw: %q", i+1, line)
				}
			}
			for _, want := range []string{"< HTTP/1.1 404 Not Found", "< X-Hostile: a", "< no such user ", `> {"email":"ana@x.io"`} {
				if !strings.Contains(out, want) {
					t.Errorf("trace lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(out, `< {"user":"admin`) || !strings.Contains(out, "< HTTP/1.1 204 No Content") {
				t.Errorf("trace lacks the profile or the update (%v):\n%s", profileErr, out)
			}
		})
	}
}

// A body cut for the trace loses at most the character the cut splits, even
// when it holds bytes that are not UTF-8 before the cut.
func TestWriteBodyCutsAtACharacter(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // the body as shown
	}{
		{"a character split by the cut", strings.Repeat("a", traceBodyLimit-1) + "é" + "tail", strings.Repeat("a", traceBodyLimit-1)},
		{"a character ending at the cut", strings.Repeat("a", traceBodyLimit-2) + "é" + "tail", strings.Repeat("a", traceBodyLimit-2) + "é"},
		{"invalid UTF-8 before the cut", "\xff" + strings.Repeat("a", traceBodyLimit+10), "\xff" + strings.Repeat("a", traceBodyLimit-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			writeBody(&b, "< ", "text/plain", []byte(tt.body), int64(len(tt.body)), true)
			shown, _, _ := strings.Cut(b.String(), "\n")
			if shown != "< "+tt.want {
				t.Errorf("shown %d bytes %q...", len(shown), shown[:min(len(shown), 20)])
			}
		})
	}
}
