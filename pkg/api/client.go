package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxBodySize bounds how much of a response body the client reads.
const MaxBodySize = 256 << 20

// Options configures a Client.
type Options struct {
	// BaseURL is the DQOps address, possibly with a path prefix
	// (https://host/dqops/). Trailing slashes are ignored.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer KEY" when not empty. It must
	// pass ValidateAPIKey.
	APIKey string
	// KeySource says where APIKey came from, e.g. "DQOPS_API_KEY", for the
	// messages of a rejected key (StatusError.KeySource). Never the key.
	KeySource string
	// UserAgent is sent with every request.
	UserAgent string
	// Transport carries the requests. Nil means a clone of
	// http.DefaultTransport configured by Proxy, CACertFile and
	// InsecureSkipVerify, which are ignored when Transport is set.
	Transport http.RoundTripper
	// Timeout bounds each attempt of a request, its body included; zero means
	// no bound beyond the context.
	Timeout time.Duration
	// Retries is how many times a failed request is sent again after the
	// first attempt: GET, PUT and DELETE on connection errors, timeouts, 502,
	// 503 and 504; any request on 429 (after its Retry-After, capped at
	// MaxRetryAfter) and when the connection was refused. A create (POST) that
	// may have reached the server is retried only after a GET shows the user
	// does not exist. Zero never retries.
	Retries int
	// Backoff is the delay before retry n (1 for the first); nil means
	// DefaultBackoff. A server's Retry-After takes precedence.
	Backoff func(n int) time.Duration
	// CACertFile is a PEM file of certificate authorities to trust besides
	// the system's.
	CACertFile string
	// InsecureSkipVerify turns off the check of the server's TLS certificate.
	InsecureSkipVerify bool
	// Proxy picks the proxy of each request; nil means
	// http.ProxyFromEnvironment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
	Proxy func(*http.Request) (*url.URL, error)
	// Debug, when set, receives a trace of every request and response, with
	// the API key and password bodies redacted.
	Debug io.Writer
}

// Client calls the DQOps users API. It is safe for concurrent use.
type Client struct {
	base      string // scheme://host/prefix, no trailing slash
	apiKey    string
	keySource string
	userAgent string
	timeout   time.Duration
	retries   int
	backoff   func(int) time.Duration
	trace     *tracer // nil without Options.Debug
	http      *http.Client
	// sleep waits before a retry; tests that must not wait replace it.
	sleep func(context.Context, time.Duration) bool
}

// New checks the options and returns a client.
func New(opts Options) (*Client, error) {
	base, err := NormalizeURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if err := ValidateAPIKey(opts.APIKey); err != nil {
		return nil, err
	}
	transport := opts.Transport
	if transport == nil {
		t, err := newTransport(opts)
		if err != nil {
			return nil, err
		}
		transport = t
	}
	c := &Client{
		base:      base,
		apiKey:    opts.APIKey,
		keySource: opts.KeySource,
		userAgent: opts.UserAgent,
		timeout:   opts.Timeout,
		retries:   max(opts.Retries, 0),
		backoff:   opts.Backoff,
		sleep:     sleepContext,
	}
	if c.backoff == nil {
		c.backoff = DefaultBackoff
	}
	if opts.Debug != nil {
		c.trace = newTracer(transport, opts.Debug, opts.APIKey)
		transport = c.trace
	}
	c.http = &http.Client{
		Transport: transport,
		// A redirect from the API is a login page or a proxy, never data.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// NormalizeURL checks a DQOps address and removes trailing slashes. Its
// errors quote the address only when it cannot hold credentials (no '@').
func NormalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	shown := fmt.Sprintf(" %q", raw)
	if strings.Contains(raw, "@") {
		shown = ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("invalid DQOps URL%s: use http(s)://host[:port][/prefix]", shown)
	}
	if u.User != nil {
		return "", fmt.Errorf("invalid DQOps URL: credentials in the URL are not supported, use an API key")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("invalid DQOps URL%s: it may not have a query or fragment", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u.String(), nil
}

// BaseURL returns the normalised address the client talks to.
func (c *Client) BaseURL() string { return c.base }

func userPath(email string) string {
	return "/api/users/" + url.PathEscape(email)
}

// ListUsers returns every user, as the server sorts them (by email).
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	users := []User{}
	err := c.do(ctx, &call{op: "listing users", what: "a list of users", method: http.MethodGet,
		path: "/api/users", want: http.StatusOK, out: &users})
	if err != nil {
		return nil, err
	}
	return users, nil
}

// GetUser returns one user; a missing user is a *StatusError with 404.
func (c *Client) GetUser(ctx context.Context, email string) (*User, error) {
	var u User
	err := c.do(ctx, &call{op: fmt.Sprintf("getting user %q", email), what: "a user", method: http.MethodGet,
		path: userPath(email), want: http.StatusOK, out: &u})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateUser adds a user. DQOps answers an existing user with 403 and a full
// licence with 400; the caller interprets those.
//
// A create is not sent twice blindly: when an attempt may have reached the
// server (the connection broke after sending, a timeout, 502-504), the user
// is read back; if it exists the create is taken as done, as the caller
// checked beforehand that it did not exist, and if not (404) it is sent
// again. When even the check fails the error is an *UncertainError.
func (c *Client) CreateUser(ctx context.Context, u User) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return c.do(ctx, &call{op: fmt.Sprintf("creating user %q", u.Email), method: http.MethodPost,
		path: "/api/users", contentType: "application/json", body: body, want: http.StatusCreated,
		exists: func(ctx context.Context) (bool, error) {
			c.note("checking whether user %q was created", u.Email)
			_, err := c.GetUser(ctx, u.Email)
			switch {
			case err == nil:
				return true, nil
			case IsStatus(err, http.StatusNotFound):
				return false, nil
			}
			return false, err
		}})
}

// UpdateUser replaces the user's model with u (DQOps replaces it whole).
func (c *Client) UpdateUser(ctx context.Context, u User) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return c.do(ctx, &call{op: fmt.Sprintf("updating user %q", u.Email), method: http.MethodPut,
		path: userPath(u.Email), contentType: "application/json", body: body, want: http.StatusNoContent})
}

// DeleteUser removes a user. A retry answered 404 after an attempt that may
// have reached the server counts as done: that attempt deleted the user.
func (c *Client) DeleteUser(ctx context.Context, email string) error {
	return c.do(ctx, &call{op: fmt.Sprintf("deleting user %q", email), method: http.MethodDelete,
		path: userPath(email), want: http.StatusNoContent, goneOnRetry: true})
}

// ChangeUserPassword sets another user's password. The password travels as
// text/plain, its bytes exactly, and never appears in a trace.
func (c *Client) ChangeUserPassword(ctx context.Context, email string, password []byte) error {
	return c.do(ctx, &call{op: fmt.Sprintf("changing the password of user %q", email), method: http.MethodPut,
		path: userPath(email) + "/password", contentType: "text/plain", body: nonNil(password), secret: true,
		want: http.StatusNoContent})
}

// ChangeMyPassword sets the caller's own password.
func (c *Client) ChangeMyPassword(ctx context.Context, password []byte) error {
	return c.do(ctx, &call{op: "changing your password", method: http.MethodPut, path: "/api/mypassword",
		contentType: "text/plain", body: nonNil(password), secret: true, want: http.StatusNoContent})
}

// Profile returns the caller's profile. A 404 means the instance is not
// paired with DQOps Cloud.
func (c *Client) Profile(ctx context.Context) (*Profile, error) {
	var p Profile
	err := c.do(ctx, &call{op: "reading your profile", what: "a user profile", method: http.MethodGet,
		path: "/api/environment/profile", want: http.StatusOK, out: &p})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// call is one API operation.
type call struct {
	op          string // what is being done, for messages: "listing users"
	what        string // the expected body, for messages: "a list of users"
	method      string
	path        string // under the base URL
	contentType string
	body        []byte // nil: no body
	secret      bool   // the body is a password
	want        int    // the success status
	out         any    // decoded from the body; nil: no body expected
	// exists, for a create, tells whether the thing exists now, after an
	// attempt that may or may not have reached the server.
	exists func(context.Context) (bool, error)
	// goneOnRetry, for a delete, takes a 404 after an ambiguous attempt as done.
	goneOnRetry bool
}

// do sends a call, retrying as Options.Retries describes. Ctrl-C (ctx) stops
// both an attempt and the wait before the next.
func (c *Client) do(ctx context.Context, r *call) error {
	maybeDone := false // an earlier attempt may have reached the server
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, r)
		if err == nil {
			return nil
		}
		if maybeDone && ctx.Err() == nil {
			switch {
			case r.goneOnRetry && IsStatus(err, http.StatusNotFound):
				return nil
			case r.exists != nil && IsStatus(err, http.StatusForbidden):
				// DQOps answers a create of an existing user 403: the earlier
				// attempt may have created it after all.
				if ok, _ := r.exists(ctx); ok {
					return nil
				}
			}
		}
		kind, wait := classifyFailure(ctx, err)
		if kind == failPermanent {
			return withAttempts(err, attempt)
		}
		// An ambiguous create is checked even after the last attempt: the
		// user may exist, and then the create succeeded.
		if kind == failAmbiguous {
			if r.method == http.MethodPost {
				if r.exists == nil {
					return withAttempts(err, attempt)
				}
				ok, checkErr := r.exists(ctx)
				switch {
				case ctx.Err() != nil:
					return withAttempts(err, attempt)
				case checkErr != nil:
					return &UncertainError{Op: r.op, Err: withAttempts(err, attempt), CheckErr: checkErr}
				case ok:
					return nil
				}
			}
			maybeDone = true
		}
		if attempt > c.retries {
			return withAttempts(err, attempt)
		}
		if wait < 0 {
			wait = c.backoff(attempt)
		}
		c.note("%s: %s; retry %d of %d in %s", r.op, trimOp(r.op, err), attempt, c.retries, wait.Round(time.Millisecond))
		if !c.sleep(ctx, wait) {
			return withAttempts(err, attempt)
		}
	}
}

// withAttempts records on err how many attempts were made.
func withAttempts(err error, n int) error {
	var se *StatusError
	var be *BodyError
	var te *TransportError
	switch {
	case errors.As(err, &se):
		se.Attempts = n
	case errors.As(err, &be):
		be.Attempts = n
	case errors.As(err, &te):
		te.Attempts = n
	}
	return err
}

// note writes a line to the trace, when tracing.
func (c *Client) note(format string, args ...any) {
	if c.trace != nil {
		c.trace.note(format, args...)
	}
}

// once sends one attempt of a call and reads its answer whole, within the
// timeout.
func (c *Client) once(ctx context.Context, r *call) error {
	actx := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	if r.secret {
		actx = withSecretBody(actx)
	}
	var body io.Reader
	if r.body != nil {
		// A *bytes.Reader gives the request a GetBody, so that net/http can
		// send the body again on a fresh connection.
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, c.base+r.path, body)
	if err != nil {
		return fmt.Errorf("%s: %w", r.op, redactErr(err, c.apiKey))
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, actx, r, err, start, false)
	}
	defer resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode != r.want && (r.out != nil || resp.StatusCode < 200 || resp.StatusCode > 299) {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		se := &StatusError{
			Op: r.op, Method: r.method, Path: r.path, StatusCode: resp.StatusCode,
			ContentType: ct, Location: redact(resp.Header.Get("Location"), c.apiKey),
			Body: redact(strings.TrimSpace(string(snippet)), c.apiKey),
		}
		if c.apiKey != "" {
			se.KeySource = c.keySource
			if se.KeySource == "" {
				se.KeySource = "the API key"
			}
		}
		se.retryAfter, se.hasRetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return se
	}
	if r.out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	var data []byte
	if ct != "" && !isJSONType(ct) {
		// Only the start of what is not JSON is needed, to name it.
		data, err = io.ReadAll(io.LimitReader(resp.Body, 4096))
	} else {
		data, err = readBody(resp.Body, resp.ContentLength, MaxBodySize)
	}
	if err != nil {
		if actx.Err() != nil {
			return c.transportError(ctx, actx, r, err, start, true)
		}
		return &BodyError{Op: r.op, StatusCode: resp.StatusCode, ContentType: ct, Err: redactErr(err, c.apiKey)}
	}
	if err := decodeBody(data, ct, r.what, r.out); err != nil {
		return &BodyError{Op: r.op, StatusCode: resp.StatusCode, ContentType: ct, Err: redactErr(err, c.apiKey)}
	}
	return nil
}

// transportError describes a request that got no complete answer. ctx is the
// caller's context, actx the attempt's (with the timeout).
func (c *Client) transportError(ctx, actx context.Context, r *call, err error, start time.Time, reading bool) *TransportError {
	te := &TransportError{Op: r.op, Method: r.method, URL: c.base + r.path, Err: redactErr(err, c.apiKey),
		Waited: time.Since(start), Timeout: c.timeout, Reading: reading}
	if ctx.Err() == nil && actx.Err() == context.DeadlineExceeded {
		te.TimedOut = true
	}
	if ctx.Err() != nil {
		te.Err = ctx.Err()
	}
	return te
}
