package api

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// attempt is one request of a call in flight, and the body of its answer.
// Its timer bounds the time the attempt waits for the server: for the
// answer's headers and for each read of its body, added up. Time the
// caller spends between reads (writing users out to a pager that is not
// reading) does not count. When the time is up it cancels the attempt.
type attempt struct {
	io.ReadCloser                 // the answer's body
	ctx           context.Context // the caller's
	// left is what remains of Options.Timeout; without one, timer is nil.
	left  time.Duration
	timer *time.Timer
	since time.Time // when the current wait began
	fired atomic.Bool
	// end releases the attempt's timer and context.
	end func()
}

// send sends one request of r and returns the attempt, the body of whose
// answer the caller reads and closes, then calls a.end. A request that got
// no answer is a *TransportError.
func (c *Client) send(ctx context.Context, r *call) (*attempt, *http.Response, error) {
	// The attempt outlives ctx by at most the grace, so that a request in
	// flight when Ctrl-C comes may finish and its outcome be known.
	actx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stopWatch := context.AfterFunc(ctx, func() { time.AfterFunc(c.opts.Grace, cancel) })
	a := &attempt{ctx: ctx, left: c.opts.Timeout}
	a.end = func() {
		if a.timer != nil {
			a.timer.Stop()
		}
		stopWatch()
		cancel()
	}
	req, err := c.newRequest(actx, r)
	if err != nil {
		a.end()
		return nil, nil, err
	}
	a.since = time.Now()
	if a.left > 0 {
		a.timer = time.AfterFunc(a.left, func() {
			a.fired.Store(true)
			cancel()
		})
	}
	resp, err := c.http.Do(req)
	a.pause()
	if err != nil {
		a.end()
		return nil, nil, c.transportError(a, r, err, false)
	}
	a.ReadCloser, resp.Body = resp.Body, a
	return a, resp, nil
}

// Read reads the answer's body, as a wait for the server.
func (a *attempt) Read(p []byte) (int, error) {
	if a.timer != nil {
		a.since = time.Now()
		a.timer.Reset(a.left)
	}
	n, err := a.ReadCloser.Read(p)
	a.pause()
	return n, err
}

// pause ends a wait for the server and takes its time off what is left.
func (a *attempt) pause() {
	if a.timer != nil {
		a.timer.Stop()
		a.left -= time.Since(a.since)
	}
}

// once sends one attempt of a call and reads its answer.
func (c *Client) once(ctx context.Context, r *call) error {
	a, resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer a.end()
	defer resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode != r.want && (r.out != nil || r.each != nil || resp.StatusCode < 200 || resp.StatusCode > 299) {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		se := &StatusError{
			Op: r.op, Method: r.method, Path: r.path, StatusCode: resp.StatusCode,
			ContentType: ct, Location: c.redactor.redact(resp.Header.Get("Location")),
			Body: c.redactor.redact(strings.TrimSpace(string(snippet))),
		}
		if c.opts.APIKey != "" {
			se.KeySource = cmp.Or(c.opts.KeySource, "the API key")
		}
		if r.secret {
			// A proxy may echo the request, and the request is a password.
			se.Withheld = se.Body != "" || se.Location != ""
			se.Body, se.Location = "", ""
		}
		se.retryAfter, se.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return se
	}
	if r.out == nil && r.each == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	err = c.readAnswer(r, resp.Body, ct, resp.ContentLength)
	switch {
	case err == nil, r.stopped != nil:
		return err
	case ctx.Err() != nil || a.fired.Load():
		return c.transportError(a, r, err, true)
	}
	return &BodyError{Op: r.op, StatusCode: resp.StatusCode, ContentType: ct, Err: redactErr(err, c.redactor)}
}

// newRequest builds the request of a call, with the client's headers.
func (c *Client) newRequest(ctx context.Context, r *call) (*http.Request, error) {
	if r.secret {
		ctx = context.WithValue(ctx, secretBodyKey{}, true)
	}
	var body io.Reader
	if r.contentType != "" {
		// A *bytes.Reader gives the request a GetBody, so that net/http can
		// send the body again on a fresh connection.
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.base+r.path, body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.op, redactErr(err, c.redactor))
	}
	req.Header.Set("Accept", "application/json")
	if c.opts.UserAgent != "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if c.opts.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.opts.APIKey)
	}
	return req, nil
}

// readAnswer reads and decodes the body of a successful answer: into r.out,
// or user by user into r.each.
func (c *Client) readAnswer(r *call, body io.Reader, ct string, length int64) error {
	if ct != "" && !isJSONType(ct) {
		// Only the start of what is not JSON is needed, to name it.
		data, err := io.ReadAll(io.LimitReader(body, 4096))
		if err != nil {
			return err
		}
		return decodeBody(data, ct, r.what, r.out)
	}
	deliver := func(u User) error {
		if err := r.each(u); err != nil {
			r.stopped = err
			return err
		}
		r.delivered++
		return nil
	}
	limit := c.opts.MaxBodySize
	if r.each != nil && !r.buffered {
		return decodeList(body, length, limit, r.what, deliver)
	}
	tooLarge := error(&BodyTooLargeError{Limit: limit})
	if _, one := r.out.(*User); one {
		limit, tooLarge = MaxUserSize, ErrUserTooLarge
	}
	data, err := readBody(body, length, limit, tooLarge)
	if err != nil {
		return err
	}
	if r.each != nil {
		return decodeList(bytes.NewReader(data), int64(len(data)), limit, r.what, deliver)
	}
	return decodeBody(data, ct, r.what, r.out)
}

// transportError describes a request that got no complete answer.
func (c *Client) transportError(a *attempt, r *call, err error, reading bool) *TransportError {
	te := &TransportError{Op: r.op, Method: r.method, URL: c.base + r.path, Err: redactErr(err, c.redactor),
		Timeout: c.opts.Timeout, Reading: reading}
	switch {
	case a.ctx.Err() != nil:
		te.Err = a.ctx.Err()
	case a.fired.Load():
		te.TimedOut = true
		te.Err = context.DeadlineExceeded
	}
	return te
}
