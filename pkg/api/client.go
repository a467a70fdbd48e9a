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
	// APIKey is sent as "Authorization: Bearer KEY" when not empty.
	APIKey string
	// UserAgent is sent with every request.
	UserAgent string
	// Transport carries the requests; nil means a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Timeout bounds each request; zero means no bound beyond the context.
	Timeout time.Duration
}

// Client calls the DQOps users API. It is safe for concurrent use.
type Client struct {
	base      string // scheme://host/prefix, no trailing slash
	apiKey    string
	userAgent string
	timeout   time.Duration
	http      *http.Client
}

// New checks the options and returns a client.
func New(opts Options) (*Client, error) {
	base, err := NormalizeURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	transport := opts.Transport
	if transport == nil {
		transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	return &Client{
		base:      base,
		apiKey:    opts.APIKey,
		userAgent: opts.UserAgent,
		timeout:   opts.Timeout,
		http: &http.Client{
			Transport: transport,
			// A redirect from the API is a login page or a proxy, never data.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// NormalizeURL checks a DQOps address and removes trailing slashes.
func NormalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("invalid DQOps URL %q: use http(s)://host[:port][/prefix]", raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("invalid DQOps URL: credentials in the URL are not supported, use an API key")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("invalid DQOps URL %q: it may not have a query or fragment", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u.String(), nil
}

// BaseURL returns the normalised address the client talks to.
func (c *Client) BaseURL() string { return c.base }

// HasKey reports whether the client sends an API key.
func (c *Client) HasKey() bool { return c.apiKey != "" }

func userPath(email string) string {
	return "/api/users/" + url.PathEscape(email)
}

// ListUsers returns every user, as the server sorts them (by email).
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	users := []User{}
	err := c.do(ctx, "listing users", http.MethodGet, "/api/users", "", nil, http.StatusOK, &users)
	if err != nil {
		return nil, err
	}
	return users, nil
}

// GetUser returns one user; a missing user is a *StatusError with 404.
func (c *Client) GetUser(ctx context.Context, email string) (*User, error) {
	var u User
	op := fmt.Sprintf("getting user %q", email)
	if err := c.do(ctx, op, http.MethodGet, userPath(email), "", nil, http.StatusOK, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateUser adds a user. DQOps answers an existing user with 403 and a full
// licence with 400; the caller interprets those.
func (c *Client) CreateUser(ctx context.Context, u User) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	op := fmt.Sprintf("creating user %q", u.Email)
	return c.do(ctx, op, http.MethodPost, "/api/users", "application/json", body, http.StatusCreated, nil)
}

// UpdateUser replaces the user's model with u (DQOps replaces it whole).
func (c *Client) UpdateUser(ctx context.Context, u User) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	op := fmt.Sprintf("updating user %q", u.Email)
	return c.do(ctx, op, http.MethodPut, userPath(u.Email), "application/json", body, http.StatusNoContent, nil)
}

// DeleteUser removes a user.
func (c *Client) DeleteUser(ctx context.Context, email string) error {
	op := fmt.Sprintf("deleting user %q", email)
	return c.do(ctx, op, http.MethodDelete, userPath(email), "", nil, http.StatusNoContent, nil)
}

// ChangeUserPassword sets another user's password. The password travels as
// text/plain, its bytes exactly.
func (c *Client) ChangeUserPassword(ctx context.Context, email string, password []byte) error {
	op := fmt.Sprintf("changing the password of user %q", email)
	return c.do(ctx, op, http.MethodPut, userPath(email)+"/password", "text/plain", password, http.StatusNoContent, nil)
}

// ChangeMyPassword sets the caller's own password.
func (c *Client) ChangeMyPassword(ctx context.Context, password []byte) error {
	return c.do(ctx, "changing your password", http.MethodPut, "/api/mypassword", "text/plain", password, http.StatusNoContent, nil)
}

// Profile returns the caller's profile. A 404 means the instance is not
// paired with DQOps Cloud.
func (c *Client) Profile(ctx context.Context) (*Profile, error) {
	var p Profile
	if err := c.do(ctx, "reading your profile", http.MethodGet, "/api/environment/profile", "", nil, http.StatusOK, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// do sends one request. DQOps answers success of PUT and DELETE with 204 and
// of POST with 201, though its documents list 200; any 2xx is accepted when
// no body is expected.
func (c *Client) do(ctx context.Context, op, method, path, contentType string, body []byte, want int, out any) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return &TransportError{Op: op, Method: method, URL: c.base + path, Err: err, Waited: time.Since(start), Timeout: c.timeout}
	}
	defer resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode != want && (out != nil || resp.StatusCode < 200 || resp.StatusCode > 299) {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return &StatusError{
			Op: op, Method: method, Path: path, StatusCode: resp.StatusCode,
			ContentType: ct, Location: resp.Header.Get("Location"),
			Body: strings.TrimSpace(string(snippet)),
		}
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	if ct != "" && !strings.Contains(strings.ToLower(mediaType(ct)), "json") {
		return &BodyError{Op: op, StatusCode: resp.StatusCode, ContentType: ct, Err: errors.New("expected JSON")}
	}
	limited := &limitedReader{r: resp.Body, n: MaxBodySize}
	dec := json.NewDecoder(limited)
	if err := dec.Decode(out); err != nil {
		switch {
		case limited.exceeded:
			err = fmt.Errorf("body larger than %d MiB", MaxBodySize>>20)
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			err = errors.New("body cut off before its end")
		case ctx.Err() != nil:
			return &TransportError{Op: op, Method: method, URL: c.base + path, Err: ctx.Err(), Waited: time.Since(start), Timeout: c.timeout}
		}
		return &BodyError{Op: op, StatusCode: resp.StatusCode, ContentType: ct, Err: err}
	}
	return nil
}

// limitedReader is io.LimitReader that remembers whether the limit was hit.
type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		l.exceeded = true
		return 0, io.ErrUnexpectedEOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// TransportError is a request that got no HTTP answer: connection refused,
// TLS failure, timeout, cancellation.
type TransportError struct {
	Op      string
	Method  string
	URL     string
	Err     error
	Waited  time.Duration
	Timeout time.Duration
}

func (e *TransportError) Error() string {
	if e.Timeout > 0 && errors.Is(e.Err, context.DeadlineExceeded) {
		return fmt.Sprintf("%s: %s %s timed out after %s", e.Op, e.Method, e.URL, e.Timeout)
	}
	return fmt.Sprintf("%s: %s", e.Op, describeTransport(e.Err))
}

func (e *TransportError) Unwrap() error { return e.Err }

// describeTransport strips the *url.Error wrapper, whose text repeats the
// method and URL, and names the likely cause.
func describeTransport(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
