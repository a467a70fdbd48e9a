package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// MaxBodySize bounds how much of a response body the client reads: the cap
// of every input the tool reads whole (files.MaxFileSize), so that an export
// of as many users as a list may hold reads back.
const MaxBodySize = files.MaxFileSize

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
	// Timeout bounds the time each attempt of a request waits for the
	// server: for the answer's headers and for the reads of its body, added
	// up (StreamUsers's callback does not count). Zero means no bound beyond
	// the context.
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
	// Grace is how long a request in flight may go on after its context
	// is cancelled (Ctrl-C), so that its outcome is known; no new attempt
	// starts and no wait goes on once the context is done. Zero ends the
	// request at once.
	Grace time.Duration
	// Debug, when set, receives a trace of every request and response, with
	// any run of eight characters of the API key redacted, and of the two
	// password requests only the status and content type of the answer.
	Debug io.Writer
	// MaxBodySize, when set, caps a response body below MaxBodySize (tests
	// of the cap, which need not read 256 MiB); zero means MaxBodySize.
	MaxBodySize int64
}

// Client calls the DQOps users API. It is safe for concurrent use. Every
// method about one user checks its email with Reachable first: an email
// that is not is an *UnreachableEmailError, and nothing is sent.
type Client struct {
	base     string // scheme://host/prefix, no trailing slash
	opts     Options
	redactor *keyRedactor // hides the key in errors and the trace
	// probed is ServesAPI's verdict, once it has one, and probedAnswer
	// what the URL answered when it is false.
	probeMu      sync.Mutex
	probed       *bool
	probedAnswer string
	trace        *tracer // nil without Options.Debug
	http         *http.Client
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
		if transport, err = newTransport(opts); err != nil {
			return nil, err
		}
	}
	if opts.MaxBodySize <= 0 {
		opts.MaxBodySize = MaxBodySize
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	c := &Client{base: base, opts: opts, redactor: newKeyRedactor(opts.APIKey), sleep: sleepContext}
	if opts.Debug != nil {
		c.trace = &tracer{next: transport, w: opts.Debug, redactor: c.redactor}
		transport = c.trace
	}
	c.http = &http.Client{
		Transport: transport,
		// A redirect from the API is a login page or a proxy, never data.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// BaseURL returns the normalised address the client talks to.
func (c *Client) BaseURL() string { return c.base }

// KeySource says where the client's key came from (Options.KeySource), ""
// without a key.
func (c *Client) KeySource() string {
	if c.opts.APIKey == "" {
		return ""
	}
	return c.opts.KeySource
}

// doUser sends r about the user with this email, at the email's path and
// then r.path, once the email is Reachable. url.PathEscape keeps the email
// one path segment ('/' is %2F, '?' %3F, '#' %23).
func (c *Client) doUser(ctx context.Context, email string, r *call) error {
	if err := Reachable(email); err != nil {
		return fmt.Errorf("%s: %w", r.op, err)
	}
	r.path = "/api/users/" + url.PathEscape(email) + r.path
	return c.do(ctx, r)
}

// GetUser returns one user; a missing user is a *StatusError with 404. An
// answer that names another user than the one asked for (other than by
// ASCII letter case) is an *OtherUserError: a broken server or proxy, and
// nothing may be written on the strength of it.
func (c *Client) GetUser(ctx context.Context, email string) (*User, error) {
	var u User
	op := fmt.Sprintf("getting user %q", email)
	if err := c.doUser(ctx, email, &call{op: op, what: "a user", method: http.MethodGet, want: http.StatusOK, out: &u}); err != nil {
		return nil, err
	}
	if !SameEmail(u.Email, email) {
		return nil, &OtherUserError{Op: op, Asked: email, Answered: u.Email}
	}
	return &u, nil
}

// CreateUser adds a user. DQOps answers an existing user with 403 and a full
// licence with 400; the caller interprets those. An email that is not
// Reachable is refused too: no later request could reach the user.
//
// A create is not sent twice blindly: when an attempt may have reached the
// server (the connection broke after sending, a timeout, 502-504), the user
// is read back; if it exists the create is taken as done, as the caller
// checked beforehand that it did not exist, and if not (404) it is sent
// again. When even the check fails the error is an *UncertainError.
func (c *Client) CreateUser(ctx context.Context, u User) error {
	op := fmt.Sprintf("creating user %q", u.Email)
	if err := Reachable(u.Email); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return c.do(ctx, &call{op: op, method: http.MethodPost,
		path: "/api/users", contentType: "application/json", body: body, want: http.StatusCreated,
		exists: func(ctx context.Context) (bool, error) {
			c.note("checking whether user %q was created", u.Email)
			_, err := c.GetUser(ctx, u.Email)
			if IsStatus(err, http.StatusNotFound) {
				return false, nil
			}
			return err == nil, err
		}})
}

// UpdateUser replaces the user's model with u (DQOps replaces it whole).
func (c *Client) UpdateUser(ctx context.Context, u User) error {
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return c.doUser(ctx, u.Email, &call{op: fmt.Sprintf("updating user %q", u.Email), method: http.MethodPut,
		contentType: "application/json", body: body, want: http.StatusNoContent})
}

// DeleteUser removes a user. A retry answered 404 after an attempt that may
// have reached the server counts as done: that attempt deleted the user.
func (c *Client) DeleteUser(ctx context.Context, email string) error {
	return c.doUser(ctx, email, &call{op: fmt.Sprintf("deleting user %q", email), method: http.MethodDelete,
		want: http.StatusNoContent, goneOnRetry: true})
}

// ChangeUserPassword sets another user's password. The password travels as
// text/plain, its bytes exactly, and never appears in a trace.
func (c *Client) ChangeUserPassword(ctx context.Context, email string, password []byte) error {
	return c.doUser(ctx, email, &call{op: fmt.Sprintf("changing the password of user %q", email), method: http.MethodPut,
		path: "/password", contentType: "text/plain", body: password, secret: true, want: http.StatusNoContent})
}

// ChangeMyPassword sets the caller's own password.
func (c *Client) ChangeMyPassword(ctx context.Context, password []byte) error {
	return c.do(ctx, &call{op: "changing your password", method: http.MethodPut, path: "/api/mypassword",
		contentType: "text/plain", body: password, secret: true, want: http.StatusNoContent})
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

// call is one API operation.
type call struct {
	op          string // what is being done, for messages: "listing users"
	what        string // the expected body, for messages: "a list of users"
	method      string
	path        string // under the base URL
	contentType string // "": no body
	body        []byte
	secret      bool // the body is a password
	want        int  // the success status
	out         any  // decoded from the body; nil: no body expected
	// each, for a list, receives the users one by one as they are decoded;
	// buffered reads the body whole first (a list that is kept anyway),
	// otherwise users are decoded as the body arrives.
	each     func(User) error
	buffered bool
	// delivered counts the users each accepted; stopped is each's error.
	delivered int
	stopped   error
	// exists, for a create, tells whether the thing exists now, after an
	// attempt that may or may not have reached the server; a create is
	// never sent again without asking it.
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
		switch {
		case err == nil:
			return nil
		case r.stopped != nil:
			return r.stopped
		case r.delivered > 0 && r.buffered:
			return withAttempts(err, attempt)
		case r.delivered > 0:
			// The caller has users of this answer: another attempt would
			// give them again.
			return &PartialListError{Delivered: r.delivered, Err: withAttempts(err, attempt)}
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
		if kind == failAmbiguous && r.exists != nil {
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
		maybeDone = maybeDone || kind == failAmbiguous
		if attempt > c.opts.Retries {
			return withAttempts(err, attempt)
		}
		if wait < 0 {
			wait = c.opts.Backoff(attempt)
		}
		c.note("%s: %s; retry %d of %d in %s", r.op, trimOp(r.op, err), attempt, c.opts.Retries, wait.Round(time.Millisecond))
		if !c.sleep(ctx, wait) {
			return withAttempts(err, attempt)
		}
	}
}

// withAttempts records on err how many attempts were made.
func withAttempts(err error, n int) error {
	var counted interface{ setAttempts(int) }
	if errors.As(err, &counted) {
		counted.setAttempts(n)
	}
	return err
}

func (e *StatusError) setAttempts(n int)    { e.Attempts = n }
func (e *BodyError) setAttempts(n int)      { e.Attempts = n }
func (e *TransportError) setAttempts(n int) { e.Attempts = n }

// note writes a line of the client's own (a retry, a check) to the trace,
// when tracing.
func (c *Client) note(format string, args ...any) {
	if c.trace != nil {
		c.trace.printf("* ", format, args...)
	}
}

// newTransport builds the transport of a client without Options.Transport:
// a clone of http.DefaultTransport that honours HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY (or Options.Proxy), and trusts Options.CACertFile's authorities
// in addition to the system's.
func newTransport(opts Options) (http.RoundTripper, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// apply sends up to 64 requests at once; with the default of 2 idle
	// connections per host most of them would open a new connection (and
	// a new TLS handshake) every time.
	t.MaxIdleConnsPerHost = 64
	if opts.Proxy != nil {
		t.Proxy = opts.Proxy
	}
	if opts.CACertFile == "" && !opts.InsecureSkipVerify {
		return t, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.CACertFile != "" {
		pool, err := LoadCACerts(opts.CACertFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	// The caller asked for it and warns about it.
	cfg.InsecureSkipVerify = opts.InsecureSkipVerify //nolint:gosec
	t.TLSClientConfig = cfg
	return t, nil
}

// LoadCACerts returns the system's certificate authorities plus those of the
// PEM file at path.
func LoadCACerts(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading CA certificates: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("reading CA certificates: %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path)
	}
	return pool, nil
}

// ValidateAPIKey checks that key can travel in an Authorization header as
// DQOps expects it: visible ASCII characters only. A line break, space,
// control or non-ASCII character means the key was copied with something
// else; the HTTP library would refuse it, or send it mangled. The error
// names the kind and position of the character, never the key.
func ValidateAPIKey(key string) error {
	pos := 0
	for i, r := range key {
		pos++
		var what string
		switch {
		case r == '\n' || r == '\r':
			what = "a line break"
		case r == ' ' || r == '\t':
			what = "a space"
		case r < 0x20 || r == 0x7f:
			what = "a control character"
		case r == utf8.RuneError && !strings.HasPrefix(key[i:], "\uFFFD"):
			what = "a byte that is not UTF-8"
		case r > 0x7e:
			what = "a non-ASCII character"
		default:
			continue
		}
		return fmt.Errorf("the API key contains %s (character %d of %d): it cannot be sent in an HTTP header; was it copied whole, and alone?",
			what, pos, utf8.RuneCountInString(key))
	}
	return nil
}
