package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// testSandbox is a sandbox served over loopback HTTP.
type testSandbox struct {
	*sandbox.Server
	URL string
}

func startTestSandbox(t *testing.T, faults string) *testSandbox {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	ts := &testSandbox{Server: sb, URL: srv.URL}
	return ts
}

// calls lists the requests the server received as "METHOD PATH STATUS" (0
// for a connection closed without an answer), in the order they arrived,
// once each has been answered (or 5s passed).
func (s *testSandbox) calls() []string {
	var out []string
	for _, r := range s.RequestsByArrival(5 * time.Second) {
		out = append(out, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
	}
	return out
}

// noWait is a backoff that does not slow tests down.
func noWait(int) time.Duration { return time.Millisecond }

func newTestClient(t *testing.T, url, key string, change ...func(*Options)) *Client {
	t.Helper()
	opts := Options{BaseURL: url, APIKey: key, UserAgent: "dqo-users/test", Timeout: 5 * time.Second,
		Retries: 3, Backoff: noWait}
	for _, c := range change {
		c(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetryIdempotentRequests(t *testing.T) {
	tests := []struct {
		faults   string
		retries  int
		wantErr  string // "" for success
		attempts int
	}{
		{"GET /api/users 503 x2", 3, "", 3},
		{"GET /api/users 502 x3", 3, "", 4},
		{"GET /api/users 504", 3, "server answered 504 Gateway Timeout (4 attempts)", 4},
		{"GET /api/users 503", 1, "server answered 503 Service Unavailable (2 attempts)", 2},
		{"GET /api/users 503", 0, "server answered 503 Service Unavailable", 1},
		{"GET /api/users 429 x2", 3, "", 3},
		{"GET /api/users 500 x1", 3, "server answered 500 Internal Server Error", 1},
		{"GET /api/users 404 x1", 3, "server answered 404 Not Found", 1},
		{"GET /api/users drop x2", 3, "", 3},
		{"GET /api/users drop-after x1", 3, "", 2},
		{"GET /api/users truncated x1", 3, "", 2},
		{"GET /api/users truncated", 2, "the body was cut off after", 3},
		{"GET /api/users html x1", 3, "", 2},
		{"GET /api/users html", 1, `an HTML page titled "502 Bad Gateway"`, 2},
		{"GET /api/users notjson", 3, "the body is not valid JSON", 1},
		{"GET /api/users redirect", 3, "303 See Other (a redirect to https://cloud.dqops.com/login, likely a login page)", 1},
	}
	for _, tt := range tests {
		t.Run(tt.faults, func(t *testing.T) {
			sb := startTestSandbox(t, tt.faults)
			c := newTestClient(t, sb.URL, sb.AdminKey(), func(o *Options) { o.Retries = tt.retries })
			users, err := c.ListUsers(context.Background())
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if len(users) != 2 {
					t.Errorf("got %d users, want 2", len(users))
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if got := len(sb.calls()); got != tt.attempts {
				t.Errorf("%d requests, want %d:\n%s", got, tt.attempts, strings.Join(sb.calls(), "\n"))
			}
		})
	}
}

func TestRetryUpdateDeleteAndPasswords(t *testing.T) {
	sb := startTestSandbox(t, "PUT /api/users/ana@x.io 502 x1; PUT /api/users/ana@x.io/password 502 x1; DELETE /api/users/* drop-after x1; PUT /api/mypassword 503 x1")
	if err := sb.AddUser(sandbox.User{Email: "ana@x.io", AccountRole: "viewer"}); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, sb.URL, sb.AdminKey())
	ctx := context.Background()
	if err := c.UpdateUser(ctx, User{Email: "ana@x.io", AccountRole: RoleEditor}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if err := c.ChangeUserPassword(ctx, "ana@x.io", []byte("pw-1")); err != nil {
		t.Fatalf("password: %v", err)
	}
	if err := c.ChangeMyPassword(ctx, []byte("pw-2")); err != nil {
		t.Fatalf("my password: %v", err)
	}
	if !sb.PasswordMatches("ana@x.io", "pw-1") || !sb.PasswordMatches(sandbox.AdminEmail, "pw-2") {
		t.Error("passwords not set")
	}
	// The first DELETE deletes and loses its answer; the retry gets 404,
	// which means the first one did it.
	if err := c.DeleteUser(ctx, "ana@x.io"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	want := []string{
		"PUT /api/users/ana@x.io 502", "PUT /api/users/ana@x.io 204",
		"PUT /api/users/ana@x.io/password 502", "PUT /api/users/ana@x.io/password 204",
		"PUT /api/mypassword 503", "PUT /api/mypassword 204",
		"DELETE /api/users/ana@x.io 0", "DELETE /api/users/ana@x.io 404",
	}
	if got := sb.calls(); !slices.Equal(got, want) {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A plain 404 on the first attempt is still "not found".
	if err := c.DeleteUser(ctx, "ana@x.io"); !IsStatus(err, 404) {
		t.Errorf("second delete: %v, want 404", err)
	}
}

func TestRetryCreateIsNeverBlind(t *testing.T) {
	const email = "new@x.io"
	tests := []struct {
		name    string
		faults  string
		retries int
		wantErr string
		calls   []string
		created bool
	}{
		{"connection dropped before handling", "POST /api/users drop x1", 3, "",
			[]string{"POST /api/users 0", "GET /api/users/new@x.io 404", "POST /api/users 201"}, true},
		{"created, answer lost", "POST /api/users drop-after x1", 3, "",
			[]string{"POST /api/users 0", "GET /api/users/new@x.io 200"}, true},
		{"gateway error", "POST /api/users 503 x1", 3, "",
			[]string{"POST /api/users 503", "GET /api/users/new@x.io 404", "POST /api/users 201"}, true},
		{"gateway error to the limit", "POST /api/users 502", 2, "server answered 502 Bad Gateway (3 attempts)",
			[]string{"POST /api/users 502", "GET /api/users/new@x.io 404", "POST /api/users 502",
				"GET /api/users/new@x.io 404", "POST /api/users 502", "GET /api/users/new@x.io 404"}, false},
		{"rate limited", "POST /api/users 429 x1", 3, "",
			[]string{"POST /api/users 429", "POST /api/users 201"}, true},
		{"server error is not retried", "POST /api/users 500 x1", 3, "server answered 500",
			[]string{"POST /api/users 500"}, false},
		{"check fails too", "POST /api/users drop x1; GET /api/users/* 500", 3, "it may or may not have been done",
			[]string{"POST /api/users 0", "GET /api/users/new@x.io 500"}, false},
		{"no retries", "POST /api/users drop x1", 0, "the connection was closed before an answer came",
			[]string{"POST /api/users 0", "GET /api/users/new@x.io 404"}, false},
		{"no retries, created, answer lost", "POST /api/users drop-after x1", 0, "",
			[]string{"POST /api/users 0", "GET /api/users/new@x.io 200"}, true},
		{"created on the last attempt, answer lost", "POST /api/users drop x2; POST /api/users drop-after x1", 2, "",
			[]string{"POST /api/users 0", "GET /api/users/new@x.io 404", "POST /api/users 0",
				"GET /api/users/new@x.io 404", "POST /api/users 0", "GET /api/users/new@x.io 200"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := startTestSandbox(t, tt.faults)
			c := newTestClient(t, sb.URL, sb.AdminKey(), func(o *Options) { o.Retries = tt.retries })
			err := c.CreateUser(context.Background(), User{Email: email, AccountRole: RoleViewer})
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			if got := sb.calls(); !slices.Equal(got, tt.calls) {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.calls, "\n"))
			}
			n := 0
			for _, u := range sb.Users() {
				if strings.EqualFold(u.Email, email) {
					n++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tt.created]; n != want {
				t.Errorf("%d users %s, want %d", n, email, want)
			}
		})
	}
}

func TestRetryConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var waits atomic.Int32
	c := newTestClient(t, "http://"+addr, "", func(o *Options) {
		o.Backoff = func(int) time.Duration { waits.Add(1); return time.Millisecond }
	})
	// Refused before anything was sent: even a create is retried blindly.
	err = c.CreateUser(context.Background(), User{Email: "a@x.io", AccountRole: RoleViewer})
	var te *TransportError
	if !errors.As(err, &te) || te.Attempts != 4 {
		t.Fatalf("error %#v, want a TransportError after 4 attempts", err)
	}
	if !strings.Contains(err.Error(), "cannot connect to "+addr+": connection refused (4 attempts)") {
		t.Errorf("message: %v", err)
	}
	if waits.Load() != 3 {
		t.Errorf("%d waits, want 3", waits.Load())
	}
}

func TestRetryStopsOnCancellation(t *testing.T) {
	sb := startTestSandbox(t, "GET /api/users 503")
	ctx, cancel := context.WithCancel(context.Background())
	c := newTestClient(t, sb.URL, sb.AdminKey(), func(o *Options) {
		o.Backoff = func(int) time.Duration { cancel(); return time.Minute }
	})
	start := time.Now()
	_, err := c.ListUsers(ctx)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %s", err, time.Since(start))
	}
	if n := len(sb.calls()); n != 1 {
		t.Errorf("%d requests after Ctrl-C, want 1", n)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	sb := startTestSandbox(t, "GET /api/users 429 retry-after=1 x1")
	var backoffs atomic.Int32
	c := newTestClient(t, sb.URL, sb.AdminKey(), func(o *Options) {
		o.Backoff = func(int) time.Duration { backoffs.Add(1); return 0 }
	})
	start := time.Now()
	if _, err := c.ListUsers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("retried after %s, before Retry-After's 1s", waited)
	}
	if backoffs.Load() != 0 {
		t.Errorf("backoff used %d times despite Retry-After", backoffs.Load())
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"1", time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"30", 30 * time.Second, true},
		{"3600", MaxRetryAfter, true},
		{"99999999999999999999", 0, false},
		{"-1", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{now.Add(time.Hour).Format(http.TimeFormat), MaxRetryAfter, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Thursday, 02-Jan-25 03:04:15 UTC", 10 * time.Second, true},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRetryBackoffIsBoundedAndJittered(t *testing.T) {
	for n := -1; n < 100; n++ {
		d := DefaultBackoff(n)
		exp := backoffCap
		if n <= 6 {
			exp = min(backoffBase<<max(n-1, 0), backoffCap)
		}
		if d < exp/2 || d > exp {
			t.Errorf("DefaultBackoff(%d) = %s, want within [%s, %s]", n, d, exp/2, exp)
		}
	}
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[DefaultBackoff(3)] = true
	}
	if len(seen) < 2 {
		t.Error("no jitter")
	}
}

func TestNetworkTimeoutNamesRequestAndWait(t *testing.T) {
	sb := startTestSandbox(t, "GET /api/users slow=3s")
	c := newTestClient(t, sb.URL, sb.AdminKey(), func(o *Options) { o.Timeout = 150 * time.Millisecond; o.Retries = 1 })
	_, err := c.ListUsers(context.Background())
	var te *TransportError
	if !errors.As(err, &te) || !te.TimedOut {
		t.Fatalf("error %#v, want a timeout", err)
	}
	want := "listing users: GET " + sb.URL + "/api/users timed out: no answer within 150ms (2 attempts)"
	if err.Error() != want {
		t.Errorf("message\n  %s\nwant\n  %s", err, want)
	}
	// The body's arrival counts too.
	slowBody := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("["))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	}))
	defer slowBody.Close()
	c = newTestClient(t, slowBody.URL, "", func(o *Options) { o.Timeout = 150 * time.Millisecond; o.Retries = 0 })
	_, err = c.ListUsers(context.Background())
	if err == nil || !strings.Contains(err.Error(), "timed out: the answer did not finish arriving within 150ms") {
		t.Errorf("slow body: %v", err)
	}
}

func TestNetworkUnreadableBodies(t *testing.T) {
	tests := []struct {
		name, ct, body string
		status         int
		want           string
	}{
		{"login page", "text/html; charset=utf-8", "<!DOCTYPE html><html><head><title>Sign in - Corp SSO</title></head></html>", 200,
			`listing users: unreadable response (200 OK, text/html): expected JSON (a list of users), got an HTML page titled "Sign in - Corp SSO" (text/html): a login page or a proxy's error page`},
		{"html without content type", "", "<html><body>oops</body></html>", 200,
			`unreadable response (200 OK, no content type): expected JSON (a list of users), got an HTML page (text/html)`},
		{"plain text", "text/plain", "Service is starting", 200,
			`unreadable response (200 OK, text/plain): expected JSON (a list of users), got a text/plain body of 19 bytes starting "Service is starting"`},
		{"not json", "application/json", "not json at all", 200,
			`unreadable response (200 OK, application/json): the body is not valid JSON (invalid character 'o' in literal null (expecting 'u') at byte 2 of 15; it starts "not json at all")`},
		{"wrong shape", "application/json", `{"users":[]}`, 200,
			`unreadable response (200 OK, application/json): the body is JSON but not a list of users: it holds an object`},
		{"empty", "application/json", "", 200,
			`unreadable response (200 OK, application/json): expected JSON (a list of users), got an empty body`},
		{"wrong field type", "application/json", `[{"email":"a@x.io","dataDomainRoles":[1]}]`, 200,
			`unreadable response (200 OK, application/json): the body is JSON but not a list of users`},
		{"proxy error page", "text/html", "<html><head><title>503 Service Temporarily Unavailable</title></head></html>", 503,
			`listing users: server answered 503 Service Unavailable with an HTML page titled "503 Service Temporarily Unavailable" (text/html): a login page or a proxy's error page, not the DQOps API`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ct != "" {
					w.Header().Set("Content-Type", tt.ct)
				} else {
					w.Header()["Content-Type"] = nil
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, "", func(o *Options) { o.Retries = 0 })
			_, err := c.ListUsers(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n  %v\nwant it to contain\n  %s", err, tt.want)
			}
			if Status(err) != tt.status {
				t.Errorf("Status = %d, want %d", Status(err), tt.status)
			}
		})
	}
}

func TestNetworkHugeBodyIsRefusedWithBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 256 MiB")
	}
	sb := startTestSandbox(t, "GET /api/users huge")
	// Reading 256 MiB takes a while under the race detector.
	c := newTestClient(t, sb.URL, sb.AdminKey(), func(o *Options) { o.Timeout = 2 * time.Minute })
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.ListUsers(context.Background())
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("error %v, want ErrBodyTooLarge", err)
	}
	want := "listing users: unreadable response (200 OK, application/json): the body is larger than 256 MiB: reading stopped there"
	if err.Error() != want {
		t.Errorf("message\n  %s\nwant\n  %s", err, want)
	}
	if n := len(sb.calls()); n != 1 {
		t.Errorf("%d requests, want 1 (a huge body is not retried)", n)
	}
	// What the client allocated (the sandbox streams from one 64 KiB chunk):
	// the body up to the limit, not a decoder's doubling buffer, nor the
	// decoded users.
	if alloc := (after.TotalAlloc - before.TotalAlloc) >> 20; alloc > 300 {
		t.Errorf("allocated %d MiB reading a huge body, want at most 300", alloc)
	}
	// An announced length over the limit is refused before reading.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(MaxBodySize+1))
		w.WriteHeader(200)
		w.Write([]byte("[]"))
	}))
	defer srv.Close()
	c = newTestClient(t, srv.URL, "", func(o *Options) { o.Retries = 0 })
	if _, err := c.ListUsers(context.Background()); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("announced huge body: %v", err)
	}
}

func TestNetworkAPIKeyValidation(t *testing.T) {
	for _, tt := range []struct{ key, want string }{
		{"abc\ndef", "a line break (character 4 of 7)"},
		{"abc def", "a space (character 4 of 7)"},
		{"abc\x00", "a control character (character 4 of 4)"},
		{"ключ", "a non-ASCII character (character 1 of 4)"},
		{"ab\xffc", "a byte that is not UTF-8 (character 3 of 4)"},
	} {
		_, err := New(Options{BaseURL: "http://localhost:1", APIKey: tt.key})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("key %q: %v, want %q", tt.key, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), tt.key) {
			t.Errorf("the error shows the key: %v", err)
		}
	}
	for _, ok := range []string{"", "dqo-sandbox-abc_DEF.123", `"quoted"`, "a+b/c=="} {
		if err := ValidateAPIKey(ok); err != nil {
			t.Errorf("key %q refused: %v", ok, err)
		}
	}
}

// TestNetworkKeyNeverInErrors sends the key to servers that echo it back in
// every way a message could show it.
func TestNetworkKeyNeverInErrors(t *testing.T) {
	const key = "SECRET-KEY-0123456789"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/api/users":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html><head><title>Bad gateway for %s</title></head></html>", auth)
		case "/api/environment/profile":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "%s", auth)
		default:
			w.Header().Set("Location", "https://login.example.com/?token="+key)
			w.WriteHeader(303)
		}
	}))
	defer echo.Close()
	c := newTestClient(t, echo.URL, key, func(o *Options) { o.Retries = 0 })
	ctx := context.Background()
	_, err1 := c.ListUsers(ctx)
	_, err2 := c.Profile(ctx)
	_, err3 := c.GetUser(ctx, "a@x.io")
	for _, err := range []error{err1, err2, err3} {
		if err == nil {
			t.Fatal("no error")
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("error shows the key: %v", err)
		}
	}
	if !strings.Contains(err1.Error(), "[redacted]") {
		t.Errorf("expected the echoed key redacted: %v", err1)
	}
}

func TestNetworkUserAgentAndHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "[]")
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, "k1")
	if _, err := c.ListUsers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer k1" || got.Get("Accept") != "application/json" || got.Get("User-Agent") != "dqo-users/test" {
		t.Errorf("headers: %v", got)
	}
}
