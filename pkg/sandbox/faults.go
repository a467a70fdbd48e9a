package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	pathpkg "path"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// defaultSlowDelay is the wait of a "slow" fault without a duration.
	defaultSlowDelay = 10 * time.Second
	// hugeBodyBytes is the size of a "huge" answer: past the 256 MiB a
	// careful client allows itself to read.
	hugeBodyBytes = 257 << 20
	// truncatedSampleUsers is how many users the cut-off list would have had.
	truncatedSampleUsers = 20
)

// faultKind is what a fault rule does to a request.
type faultKind int

const (
	faultStatus faultKind = iota
	faultDrop
	faultDropAfter
	faultHTML
	faultRedirect
	faultSlow
	faultTruncated
	faultNotJSON
	faultHuge
	faultOtherUser
	faultEcho
	faultEchoHTML
	faultEchoAuth
	faultControlChars
)

// faultRule is one rule of a fault spec. Only remaining changes after
// parsing, and only under faultSet's lock.
type faultRule struct {
	text       string // the rule as written, for the request log
	method     string // "" matches any
	path       string // "" matches any
	prefix     bool   // path ended in '*': any path that starts with the rest
	glob       bool   // path has '*' elsewhere: path.Match, '*' within a segment
	kind       faultKind
	status     int
	retryAfter string
	delay      time.Duration
	remaining  int // hits left; -1 for no limit
}

func (f *faultRule) matches(method, path string) bool {
	if f.method != "" && f.method != method {
		return false
	}
	switch {
	case f.path == "":
		return true
	case f.prefix:
		return strings.HasPrefix(path, f.path)
	case f.glob:
		ok, _ := pathpkg.Match(f.path, path)
		return ok
	}
	return path == f.path
}

// faultSet is the rules in force and their hit counters.
type faultSet struct {
	mu    sync.Mutex
	rules []*faultRule
}

func (fs *faultSet) set(rules []*faultRule) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = rules
}

// take returns the first rule that matches and has hits left, counting the
// hit, or nil.
func (fs *faultSet) take(method, path string) *faultRule {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, rule := range fs.rules {
		if rule.remaining == 0 || !rule.matches(method, path) {
			continue
		}
		if rule.remaining > 0 {
			rule.remaining--
		}
		return rule
	}
	return nil
}

// parseFaults parses a fault spec (see Server.SetFaults).
func parseFaults(spec string) ([]*faultRule, error) {
	var rules []*faultRule
	for text := range strings.SplitSeq(spec, ";") {
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		rule, err := parseFaultRule(text)
		if err != nil {
			return nil, fmt.Errorf("sandbox: fault rule %q: %w", text, err)
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func parseFaultRule(text string) (*faultRule, error) {
	fields := strings.Fields(text)
	rule := &faultRule{text: strings.Join(fields, " "), remaining: -1}
	i := 0
	if isMethod(fields[0]) {
		if len(fields) < 2 || !strings.HasPrefix(fields[1], "/") {
			return nil, fmt.Errorf("method %s needs a path starting with '/'", fields[0])
		}
		if fields[0] != "*" {
			rule.method = strings.ToUpper(fields[0])
		}
		i++
	}
	if i < len(fields) && strings.HasPrefix(fields[i], "/") {
		rule.path = fields[i]
		if before, ok := strings.CutSuffix(rule.path, "*"); ok && !strings.Contains(before, "*") {
			rule.path, rule.prefix = before, true
		} else if strings.Contains(rule.path, "*") {
			if _, err := pathpkg.Match(rule.path, ""); err != nil {
				return nil, fmt.Errorf("bad path pattern %q: %v", rule.path, err)
			}
			rule.glob = true
		}
		i++
	}
	if i >= len(fields) {
		return nil, errors.New("no fault kind")
	}
	if err := rule.parseKind(fields[i]); err != nil {
		return nil, err
	}
	limited := false
	for _, tok := range fields[i+1:] {
		switch {
		case strings.HasPrefix(tok, "retry-after="):
			if rule.kind != faultStatus {
				return nil, errors.New("retry-after goes with a status")
			}
			v := strings.TrimPrefix(tok, "retry-after=")
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return nil, fmt.Errorf("retry-after %q is not a number of seconds", v)
			}
			rule.retryAfter = v
		case len(tok) > 1 && (tok[0] == 'x' || tok[0] == 'X'):
			n, err := strconv.Atoi(tok[1:])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("hit count %q is not a positive number", tok)
			}
			if limited {
				return nil, errors.New("two hit counts")
			}
			rule.remaining, limited = n, true
		default:
			return nil, fmt.Errorf("unexpected %q", tok)
		}
	}
	return rule, nil
}

// faultKinds are the kinds written as a word (a status is a number).
var faultKinds = map[string]faultKind{
	"drop": faultDrop, "drop-after": faultDropAfter, "html": faultHTML,
	"redirect": faultRedirect, "slow": faultSlow, "truncated": faultTruncated,
	"notjson": faultNotJSON, "huge": faultHuge, "other-user": faultOtherUser,
	"echo": faultEcho, "echo-html": faultEchoHTML, "echo-auth": faultEchoAuth,
	"control-chars": faultControlChars,
}

func (f *faultRule) parseKind(tok string) error {
	if kind, ok := faultKinds[tok]; ok {
		f.kind = kind
		if kind == faultSlow {
			f.delay = defaultSlowDelay
		}
		return nil
	}
	if v, ok := strings.CutPrefix(tok, "slow="); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("slow needs a positive duration, not %q", v)
		}
		f.kind, f.delay = faultSlow, d
		return nil
	}
	n, err := strconv.Atoi(tok)
	if err != nil {
		return fmt.Errorf("unknown fault kind %q", tok)
	}
	if n < 200 || n > 599 {
		return fmt.Errorf("status %d is outside 200..599", n)
	}
	f.kind, f.status = faultStatus, n
	return nil
}

// isMethod tells whether tok is an HTTP method (any case) or "*".
func isMethod(tok string) bool {
	switch strings.ToUpper(tok) {
	case "*", http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// proxyErrorPage is what a reverse proxy in front of DQOps answers when
// DQOps is down.
const proxyErrorPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// injectFault applies rule to the request and reports whether the request is
// finished; false means handle it normally (after a "slow" wait).
func (s *Server) injectFault(sw *statusWriter, r *http.Request, rule *faultRule) bool {
	switch rule.kind {
	case faultStatus:
		if rule.retryAfter != "" {
			sw.Header().Set("Retry-After", rule.retryAfter)
		}
		sw.WriteHeader(rule.status)
	case faultDrop:
		closeConnection(sw)
	case faultDropAfter:
		s.handle(newDiscardWriter(), r)
		closeConnection(sw)
	case faultHTML:
		writeBody(sw, http.StatusBadGateway, "text/html", []byte(proxyErrorPage))
	case faultRedirect:
		sw.Header().Set("Location", cloudLoginURL(r))
		sw.WriteHeader(http.StatusSeeOther)
	case faultSlow:
		if !sleepContext(r.Context(), rule.delay) {
			sw.abandoned = true
			return true
		}
		return false
	case faultTruncated:
		body := s.sampleList()
		h := sw.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		sw.WriteHeader(http.StatusOK)
		_, _ = sw.Write(body[:len(body)/2])
		// Send the half before closing: a hijacked connection drops
		// what the server still buffers.
		_ = http.NewResponseController(sw).Flush()
		closeConnection(sw)
	case faultNotJSON:
		writeJSON(sw, http.StatusOK, []byte("not json at all"))
	case faultHuge:
		streamHuge(sw, r, hugeBodyBytes)
	case faultOtherUser:
		s.serveOtherUser(sw, r)
	case faultEcho:
		writeBody(sw, http.StatusBadRequest, "text/plain", requestBody(r))
	case faultEchoHTML:
		writeBody(sw, http.StatusBadGateway, "text/html", echoPage(requestBody(r)))
	case faultEchoAuth:
		writeBody(sw, http.StatusBadRequest, "text/plain", echoAuth(r))
	case faultControlChars:
		s.serveControlChars(sw, r)
	}
	return true
}

// closeConnection closes the client's connection without (further) answer.
// Where the connection cannot be hijacked (HTTP/2), aborting the handler
// resets the stream instead.
func closeConnection(sw *statusWriter) {
	sw.abandoned = true
	conn, _, err := http.NewResponseController(sw).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// sampleList is the start of the user list, the answer a "truncated" fault
// cuts in half.
func (s *Server) sampleList() []byte {
	recs := s.store.list()
	return appendUsersJSON(nil, recs[:min(len(recs), truncatedSampleUsers)], &s.view)
}

// streamHuge sends a valid JSON array of exactly size bytes, made up as it
// goes, without a Content-Length, so only a client that counts what it
// reads notices. It stops when the client goes away.
func streamHuge(w http.ResponseWriter, r *http.Request, size int) {
	const user = `{"email":"huge@example.com","accountRole":"viewer"}`
	entry := []byte(user + ",")
	chunk := bytes.Repeat(entry, listChunkBytes/len(entry))
	tail := user + "]"

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	write := func(p []byte) bool {
		if r.Context().Err() != nil {
			return false
		}
		_, err := w.Write(p)
		return err == nil
	}
	if !write([]byte{'['}) {
		return
	}
	written := 1
	for written+len(chunk)+len(tail) <= size {
		if !write(chunk) {
			return
		}
		written += len(chunk)
	}
	rest := size - written - len(tail)
	last := bytes.Repeat(entry, rest/len(entry))
	// JSON allows whitespace between elements, which pads to the exact size.
	last = append(last, bytes.Repeat([]byte{' '}, rest%len(entry))...)
	last = append(last, tail...)
	write(last)
}

// discardWriter is a ResponseWriter that keeps nothing: a "drop-after"
// request is handled into it before the connection is closed.
type discardWriter struct{ header http.Header }

func newDiscardWriter() *discardWriter { return &discardWriter{header: http.Header{}} }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
