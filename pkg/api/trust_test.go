package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
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
