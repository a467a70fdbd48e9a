package api

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
)

// probeBytes is how much of an answer ServesAPI reads: enough to see the
// start of a list, never the list.
const probeBytes = 512

// ServesAPI tells whether the base URL serves the DQOps API, for a caller
// that got 404 and must tell a missing user (or an instance not paired with
// DQOps Cloud) from a URL that points elsewhere. It costs a request: call
// it only after a 404, never on the success path.
//
// It sends GET /api/users once (no retries) and reads at most the first
// 512 bytes of the answer, then closes it:
//   - 200 with a JSON array of objects: true;
//   - 401 or 403 with an empty body, as DQOps's authentication filter and
//     permission checks answer: true;
//   - 404, a redirect, an HTML page, another status or body: false;
//   - no answer, 429 or 5xx: false with the error, as nothing can be told.
//
// A verdict is kept: a command that gets several 404s probes once. When it
// is false, ProbedAnswer says what the URL answered instead.
func (c *Client) ServesAPI(ctx context.Context) (bool, error) {
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	if c.probed != nil {
		return *c.probed, nil
	}
	ok, answer, err := c.probe(ctx)
	if err == nil {
		c.probed, c.probedAnswer = &ok, answer
	}
	return ok, err
}

// ProbedAnswer says what GET /api/users answered when ServesAPI judged that
// the URL does not serve the DQOps API, for a message ("it answers 200 OK
// with text/html where DQOps lists its users"); "" before such a verdict.
// The content type in it is the server's text: print it made safe.
func (c *Client) ProbedAnswer() string {
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	return c.probedAnswer
}

func (c *Client) probe(ctx context.Context) (bool, string, error) {
	r := &call{op: "checking that the URL serves the DQOps API", method: http.MethodGet, path: "/api/users"}
	a, resp, err := c.send(ctx, r)
	if err != nil {
		return false, "", err
	}
	defer a.end()
	defer resp.Body.Close()
	code, ct := resp.StatusCode, resp.Header.Get("Content-Type")
	if code == http.StatusTooManyRequests || code >= 500 {
		return false, "", &StatusError{Op: r.op, Method: r.method, Path: r.path, StatusCode: code, ContentType: ct}
	}
	// Read only until the answer is plain: the rest of a list may be
	// millions of users, or never come. A verdict is known once reading
	// ends, by an error too: it is on what came.
	buf := make([]byte, probeBytes)
	n := 0
	for {
		m, err := resp.Body.Read(buf[n:])
		n += m
		head := bytes.TrimLeft(buf[:n], " \t\r\n")
		switch ok, known := probeVerdict(code, ct, head, err != nil || n == len(buf)); {
		case known && ok:
			return true, "", nil
		case known:
			return false, probeAnswer(code, ct, head), nil
		}
	}
}

// probeVerdict judges the start of an answer to GET /api/users (head,
// without leading space; ended when no more will be read): whether it is
// the DQOps API, and whether that is known yet.
func probeVerdict(code int, ct string, head []byte, ended bool) (ok, known bool) {
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		// DQOps answers these with an empty body.
		return ended && len(head) == 0, ended || len(head) > 0
	case code != http.StatusOK, ct != "" && !isJSONType(ct):
		return false, true
	case len(head) == 0:
		return false, ended
	case head[0] != '[':
		return false, true
	}
	// A list of users: '[' then an object or the end, which a JSON body of
	// anything else (an object, a health check's status) does not start.
	rest := bytes.TrimLeft(head[1:], " \t\r\n")
	if len(rest) == 0 {
		return ended, ended
	}
	return rest[0] == '{' || rest[0] == ']', true
}

// probeAnswer describes an answer to GET /api/users that is not the DQOps
// API's: its status, and what came with it when the status alone does not
// say why.
func probeAnswer(code int, ct string, head []byte) string {
	status := fmt.Sprintf("%d %s", code, http.StatusText(code))
	media := ct
	if t, _, err := mime.ParseMediaType(ct); err == nil {
		media = t
	}
	if len(media) > 60 {
		media = media[:60] + "..."
	}
	switch {
	case code >= 300 && code < 400:
		return status + ", a redirect"
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return status + " with a body, which DQOps never sends with it"
	case code != http.StatusOK:
		return status
	case media != "" && !isJSONType(ct):
		return status + " with " + media
	case len(head) == 0:
		return status + " with an empty body"
	}
	return status + " with JSON that is not a list of users"
}
