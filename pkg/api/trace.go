package api

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// traceBodyLimit is how much of a body the trace shows.
const traceBodyLimit = 4096

// secretBodyKey marks, in a request's context, a request whose body is a
// password.
type secretBodyKey struct{}

// hasSecretBody tells whether a request's body must not be shown: marked by
// the client, or one of the password paths whatever the mark says.
func hasSecretBody(req *http.Request) bool {
	if v, _ := req.Context().Value(secretBodyKey{}).(bool); v {
		return true
	}
	p := req.URL.Path
	return strings.HasSuffix(p, "/api/mypassword") ||
		(strings.Contains(p, "/api/users/") && strings.HasSuffix(p, "/password"))
}

// tracer is an http.RoundTripper that writes each request and response to w
// (--debug): method, URL, status, time, headers and the start of JSON and
// text bodies. Authorization and cookie headers, the bodies of password
// requests and any run of the API key (keyRedactor) are [redacted]; of an
// answer to a password request only the status and content type are shown,
// as a proxy may echo the password.
type tracer struct {
	next     http.RoundTripper
	redactor *keyRedactor
	// seq numbers the requests, so that the lines of requests in flight at
	// the same time (apply) can be told apart.
	seq atomic.Int64

	mu sync.Mutex
	w  io.Writer
}

// printf writes trace lines, each with the "debug: " prefix and then tag,
// in one write. Much of a trace is the server's text (the reason phrase,
// headers, bodies), so every line goes through text.SafeText, after the key
// is redacted from the text as it came.
func (t *tracer) printf(tag, format string, args ...any) {
	lines := text.SafeText(t.redactor.redact(fmt.Sprintf(format, args...)))
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimRight(lines, "\n"), "\n") {
		fmt.Fprintf(&b, "debug: %s%s\n", tag, line)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = io.WriteString(t.w, b.String())
}

func (t *tracer) RoundTrip(req *http.Request) (*http.Response, error) {
	tag := fmt.Sprintf("#%d ", t.seq.Add(1))
	secret := hasSecretBody(req)
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", req.Method, req.URL.Redacted())
	headers := req.Header.Clone()
	if req.ContentLength > 0 && !secret {
		headers.Set("Content-Length", fmt.Sprint(req.ContentLength))
	}
	writeHeaders(&b, "> ", headers)
	if req.Body != nil && req.Body != http.NoBody {
		switch {
		case secret:
			b.WriteString("> " + Redacted + "\n")
		case req.GetBody != nil:
			if body, err := req.GetBody(); err == nil {
				data, _ := io.ReadAll(io.LimitReader(body, traceBodyLimit+1))
				body.Close()
				writeBody(&b, "> ", req.Header.Get("Content-Type"), data, req.ContentLength, true)
			}
		}
	}
	t.printf(tag, "%s", b.String())

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	elapsed := time.Since(start).Round(10 * time.Microsecond)
	if err != nil {
		t.printf(tag, "! %s %s failed after %s: %v", req.Method, req.URL.Redacted(), elapsed, err)
		return nil, err
	}
	b.Reset()
	status, headers := resp.Status, resp.Header
	if secret {
		// The reason phrase is the server's (or a proxy's) own text, and any
		// header may echo the password (and Content-Length its length).
		status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		headers = http.Header{}
		if ct := resp.Header.Get("Content-Type"); ct != "" {
			headers.Set("Content-Type", ct)
		}
	}
	fmt.Fprintf(&b, "< %s %s in %s\n", resp.Proto, status, elapsed)
	writeHeaders(&b, "< ", headers)
	t.printf(tag, "%s", b.String())
	if resp.Body != nil && resp.Body != http.NoBody {
		resp.Body = &traceBody{ReadCloser: resp.Body, t: t, tag: tag, contentType: resp.Header.Get("Content-Type"),
			length: resp.ContentLength, secret: secret}
	}
	return resp, nil
}

// writeHeaders writes h sorted by name, never showing credentials.
func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	for _, name := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[name] {
			switch http.CanonicalHeaderKey(name) {
			case "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie":
				v = Redacted
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, name, v)
		}
	}
}

// writeBody shows a JSON or text body, cut at traceBodyLimit; other bodies
// only by size. complete says whether data is the whole body (or its first
// traceBodyLimit+1 bytes).
func writeBody(b *strings.Builder, prefix, contentType string, data []byte, total int64, complete bool) {
	mt := mediaType(contentType)
	shown := isJSONType(contentType) || strings.HasPrefix(mt, "text/") || mt == ""
	size := fmt.Sprintf("%d bytes", total)
	if total < 0 {
		size = "unknown length"
	}
	if !complete {
		size = fmt.Sprintf("at least %d bytes read", len(data))
	}
	if !shown {
		fmt.Fprintf(b, "%s[%s of %s not shown]\n", prefix, size, mt)
		return
	}
	cut := len(data) > traceBodyLimit
	if cut {
		data = data[:traceBodyLimit]
		// The cut leaves out a last character it would split.
		last := len(data) - 1
		for last > len(data)-utf8.UTFMax && !utf8.RuneStart(data[last]) {
			last--
		}
		if !utf8.FullRune(data[last:]) {
			data = data[:last]
		}
	}
	for line := range strings.SplitSeq(strings.TrimRight(string(data), "\n"), "\n") {
		b.WriteString(prefix + line + "\n")
	}
	if cut || !complete {
		fmt.Fprintf(b, "%s[... body cut in the trace at %d bytes; %s]\n", prefix, traceBodyLimit, size)
	}
}

// traceBody shows the start of a response body once it is read to its end
// or closed.
type traceBody struct {
	io.ReadCloser
	t           *tracer
	tag         string
	contentType string
	length      int64
	secret      bool

	head  []byte
	total int64
	done  bool
}

func (tb *traceBody) Read(p []byte) (int, error) {
	n, err := tb.ReadCloser.Read(p)
	if room := traceBodyLimit + 1 - len(tb.head); room > 0 {
		tb.head = append(tb.head, p[:min(n, room)]...)
	}
	tb.total += int64(n)
	if err != nil {
		tb.flush(err == io.EOF)
	}
	return n, err
}

func (tb *traceBody) Close() error {
	tb.flush(false)
	return tb.ReadCloser.Close()
}

func (tb *traceBody) flush(complete bool) {
	if tb.done {
		return
	}
	tb.done = true
	if tb.total == 0 && complete {
		return
	}
	if tb.secret {
		tb.t.printf(tb.tag, "< %s", Redacted)
		return
	}
	total := tb.total
	if complete && tb.length >= 0 {
		total = tb.length
	}
	var b strings.Builder
	writeBody(&b, "< ", tb.contentType, tb.head, total, complete)
	tb.t.printf(tb.tag, "%s", b.String())
}
