package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// echoServer answers every request with what a proxy or WAF might send
// back: the request's body in the answer's body, title, headers, reason
// phrase and redirect.
func echoServer(t *testing.T, status int, contentType string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Request-Body", string(body))
		w.Header().Set("Location", "https://login.example.com/?next="+url.QueryEscape(string(body)))
		w.Header().Set("Content-Type", contentType)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		// The reason phrase too, which net/http would not let a handler set.
		page := fmt.Sprintf("<html><head><title>Refused: %s</title></head><body>%s</body></html>", body, body)
		if !strings.Contains(contentType, "html") {
			page = "request refused: " + string(body)
		}
		fmt.Fprintf(buf, "HTTP/1.1 %d Refused %s\r\n", status, body)
		w.Header().Write(buf)
		fmt.Fprintf(buf, "Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(page), page)
		buf.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPasswordNeverShownWhenEchoed(t *testing.T) {
	const password = "Echoed-Pa55word-42"
	tests := []struct {
		status      int
		contentType string
		want        string
	}{
		{400, "text/plain", "server answered 400 Bad Request (text/plain; its content is not shown, as it may repeat the password)"},
		{502, "text/html; charset=utf-8", "server answered 502 Bad Gateway (text/html; its content is not shown, as it may repeat the password) (2 attempts)"},
		{303, "text/html", "server answered 303 See Other (a redirect, not an answer of the DQOps API)"},
		{500, "application/json", "server answered 500 Internal Server Error (application/json; its content is not shown"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := echoServer(t, tt.status, tt.contentType)
			var trace lockedBuffer
			c := newTestClient(t, srv.URL, "", func(o *Options) { o.Debug = &trace; o.Retries = 1 })
			ctx := context.Background()
			errs := []error{
				c.ChangeUserPassword(ctx, "ana@x.io", []byte(password)),
				c.ChangeMyPassword(ctx, []byte(password)),
			}
			for _, err := range errs {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %v, want one containing %q", err, tt.want)
				}
				if err != nil && strings.Contains(err.Error(), password) {
					t.Errorf("the error shows the password: %v", err)
				}
			}
			if strings.Contains(trace.String(), password) {
				t.Errorf("the trace shows the password:\n%s", trace.String())
			}
			if !strings.Contains(trace.String(), "< Content-Type: "+tt.contentType+"\n") {
				t.Errorf("the trace does not name the content type:\n%s", trace.String())
			}
		})
	}
	// Other requests keep showing what came back: it helps, and holds no password.
	srv := echoServer(t, 400, "text/plain")
	c := newTestClient(t, srv.URL, "", func(o *Options) { o.Retries = 0 })
	err := c.UpdateUser(context.Background(), User{Email: "ana@x.io", AccountRole: RoleViewer})
	if err == nil || !strings.Contains(err.Error(), `body of`) {
		t.Errorf("update: %v", err)
	}
}

// noteWriter is a trace that tells when a line containing want is written.
type noteWriter struct {
	want string
	seen chan struct{}
	once sync.Once
}

func (n *noteWriter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), n.want) {
		n.once.Do(func() { close(n.seen) })
	}
	return len(p), nil
}

// Cancelling (Ctrl-C) ends every wait at once: a Retry-After wait, a
// backoff, an attempt waiting for its answer and one reading its body. The
// 5 seconds are only a bound against hanging: every wait here is 30 s or
// more.
func TestCancelEndsEveryWait(t *testing.T) {
	block := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	tests := []struct {
		name    string
		handler http.HandlerFunc
		backoff time.Duration
		waitFor string // the trace line after which to cancel; "": once the server has the request
	}{
		{"Retry-After: 30", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}, 0, "retry 1 of 3 in 30s"},
		{"backoff", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}, time.Minute, "retry 1 of 3 in 1m0s"},
		{"waiting for the answer", block, 0, ""},
		{"reading the body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `[{"email":"a@x.io"},`)
			http.NewResponseController(w).Flush()
			block(w, r)
		}, 0, "< HTTP/1.1 200 OK"},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, stream %v", tt.name, stream), func(t *testing.T) {
				var requests atomic.Int32
				arrived := make(chan struct{})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if requests.Add(1) == 1 {
						close(arrived)
					}
					tt.handler(w, r)
				}))
				defer srv.Close()
				trace := &noteWriter{want: tt.waitFor, seen: make(chan struct{})}
				c := newTestClient(t, srv.URL, "", func(o *Options) {
					o.Debug = trace
					o.Timeout = time.Minute
					o.Backoff = func(int) time.Duration { return tt.backoff }
				})
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() {
					if stream {
						done <- c.StreamUsers(ctx, func(User) error { return nil })
						return
					}
					_, err := c.ListUsers(ctx)
					done <- err
				}()
				wait := trace.seen
				if tt.waitFor == "" {
					wait = arrived
				}
				select {
				case <-wait:
				case <-time.After(10 * time.Second):
					t.Fatalf("never saw %q in the trace", tt.waitFor)
				}
				cancel()
				select {
				case err := <-done:
					if err == nil {
						t.Fatal("no error after cancelling")
					}
				case <-time.After(5 * time.Second):
					t.Fatal("still waiting 5s after cancelling")
				}
				if n := requests.Load(); n != 1 {
					t.Errorf("%d requests, want 1", n)
				}
			})
		}
	}
}
