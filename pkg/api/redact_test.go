package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// showsKeyRun tells whether text holds minKeyRun consecutive characters of
// key in any letter case.
func showsKeyRun(text, key string) bool {
	text, key = strings.ToLower(text), strings.ToLower(key)
	n := min(len(key), minKeyRun)
	for i := 0; i+n <= len(key); i++ {
		if strings.Contains(text, key[i:i+n]) {
			return true
		}
	}
	return false
}

func TestKeyRedactor(t *testing.T) {
	const key = "Abcdefgh12345678XYZ"
	tests := []struct {
		key, in, want string
	}{
		{key, "Bearer " + key, "Bearer [redacted]"},
		{key, "prefix Abcdefgh!", "prefix [redacted]!"},
		{key, "seven Abcdefg only", "seven Abcdefg only"},
		{key, "lower " + strings.ToLower(key) + ".", "lower [redacted]."},
		{key, "upper middle FGH12345 here", "upper middle [redacted] here"},
		{key, "two: abcdefgh and 12345678xyz", "two: [redacted] and [redacted]"},
		{key, key + key, "[redacted]"},
		{key, "h12345678XYZ" + "Abcdefgh", "[redacted]"},
		{key, `{"user":"Bearer \"` + key[:10] + `"}`, `{"user":"Bearer \"[redacted]"}`},
		{key, "nothing of it", "nothing of it"},
		{key, "", ""},
		{"abc", "xABCx abc ab", "x[redacted]x [redacted] ab"},
		{`"quoted-key-1234"`, `Authorization: Bearer "quoted-key-1234"`, `Authorization: Bearer [redacted]`},
	}
	for _, tt := range tests {
		if got := newKeyRedactor(tt.key).redact(tt.in); got != tt.want {
			t.Errorf("key %q, %q: got %q, want %q", tt.key, tt.in, got, tt.want)
		}
	}
	if got := newKeyRedactor("").redact(key); got != key {
		t.Errorf("no key: %q", got)
	}
}

// A proxy echoes a cut, lower-cased or upper-cased copy of the key: neither
// the trace nor any error shows a run of it.
func TestPartialKeyNeverShown(t *testing.T) {
	const key = "dqo-Key-ABCDEF0123456789-xyz"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.Header().Set("X-Seen-Prefix", auth[:8])
		w.Header().Set("X-Seen-Lower", strings.ToLower(auth))
		switch r.URL.Path {
		case "/api/environment/profile":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"user":%q}`, strings.ToUpper(auth[4:16]))
		case "/api/users":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html><head><title>Bad key %s</title></head></html>", strings.ToLower(auth[2:20]))
		default:
			w.Header().Set("Location", "https://login.example.com/"+auth[10:])
			w.WriteHeader(303)
		}
	}))
	defer srv.Close()
	var trace lockedBuffer
	c := newTestClient(t, srv.URL, key, func(o *Options) { o.Debug = &trace; o.Retries = 0 })
	ctx := context.Background()
	p, err := c.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err1 := c.ListUsers(ctx)
	_, err2 := c.GetUser(ctx, "a@x.io")
	for _, err := range []error{err1, err2} {
		if err == nil || showsKeyRun(err.Error(), key) {
			t.Errorf("error %v", err)
		}
	}
	if !strings.Contains(err1.Error(), "Bad key [redacted]") {
		t.Errorf("the title's copy is not redacted: %v", err1)
	}
	if out := trace.String(); showsKeyRun(out, key) {
		t.Errorf("the trace shows part of the key:\n%s", out)
	}
	// The answer itself is data, not a message: it is not altered.
	if p.User != strings.ToUpper(key[4:16]) {
		t.Errorf("profile user %q", p.User)
	}
}

func BenchmarkKeyRedactor(b *testing.B) {
	r := newKeyRedactor("dqo-Key-ABCDEF0123456789-xyz")
	body := strings.Repeat(`{"email":"user000001@example.com","accountRole":"editor"},`, 80)[:4096]
	b.SetBytes(int64(len(body)))
	for range b.N {
		if r.redact(body) != body {
			b.Fatal("redacted")
		}
	}
}
