package directory

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// Options are what Read needs besides the sync file.
type Options struct {
	// Debug, when set, receives each LDAP operation as the ldapsearch (or
	// ldapwhoami) command line that does the same, and the time it took.
	Debug io.Writer
	// Getenv reads bindPasswordEnv's variable; os.Getenv when nil.
	Getenv func(string) string
	// Stderr receives bindPasswordCommand's stderr; nil discards it.
	Stderr io.Writer
	// CheckTrusted decides whether the sync file may run its
	// bindPasswordCommand; without it the command is refused
	// (ErrUntrustedCommand).
	CheckTrusted TrustCheck
	// Limits bound what is read; zero fields take the defaults.
	Limits Limits
}

func (o Options) getenv(name string) string {
	if o.Getenv != nil {
		return o.Getenv(name)
	}
	return os.Getenv(name)
}

// Limits bound what a directory may make Read hold, so that a mistaken
// filter or a hostile server ends in a clear error rather than exhausting
// memory or time.
type Limits struct {
	// Entries bounds the entries of one search: the users, or the groups a
	// filter: mapping finds (1,000,000).
	Entries int
	// Groups bounds the groups read, mapped and nested (10,000).
	Groups int
	// Values bounds the members one group lists (1,000,000).
	Values int
	// Depth bounds how deep groups nest (64).
	Depth int
	// Bytes bounds what the server sends in all (1 GiB).
	Bytes int64
	// PageSize is the entries asked for in one page of a search (500).
	PageSize int
}

// DefaultLimits are the limits of a zero Limits.
var DefaultLimits = Limits{Entries: 1_000_000, Groups: 10_000, Values: 1_000_000, Depth: 64, Bytes: 1 << 30, PageSize: 500}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.Entries > 0 {
		d.Entries = l.Entries
	}
	if l.Groups > 0 {
		d.Groups = l.Groups
	}
	if l.Values > 0 {
		d.Values = l.Values
	}
	if l.Depth > 0 {
		d.Depth = l.Depth
	}
	if l.Bytes > 0 {
		d.Bytes = l.Bytes
	}
	if l.PageSize > 0 {
		d.PageSize = l.PageSize
	}
	return d
}

// Error is a failed LDAP operation: what was being done, and the server's
// result code and message, or the network's error.
type Error struct {
	// Op is what was being done: "binding as cn=x,dc=example,dc=com".
	Op string
	// Code is the LDAP result code (49 for invalid credentials); 0 when
	// the failure was not the server's answer (a network error, a timeout).
	Code int
	// Message is the server's diagnostic message, made safe to print.
	Message string
	// Err is the cause.
	Err error
}

func (e *Error) Error() string {
	if e.Code != 0 {
		msg := fmt.Sprintf("%s: LDAP result %d (%s)", e.Op, e.Code, ldap.LDAPResultCodeMap[uint16(e.Code)])
		if e.Message != "" {
			msg += ": " + e.Message
		}
		return msg
	}
	return fmt.Sprintf("%s: %v", e.Op, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// maxMessage bounds a server's diagnostic message in an error.
const maxMessage = 300

// ldapError describes err of the operation op.
func ldapError(op string, err error) *Error {
	var le *ldap.Error
	if errors.As(err, &le) && le.ResultCode != ldap.ErrorNetwork && le.ResultCode < 200 {
		msg := ""
		if le.Err != nil {
			msg = text.Safe(strings.TrimSpace(le.Err.Error()))
			if r := []rune(msg); len(r) > maxMessage {
				msg = string(r[:maxMessage]) + "..."
			}
		}
		return &Error{Op: op, Code: int(le.ResultCode), Message: msg, Err: err}
	}
	if errors.As(err, &le) && le.Err != nil {
		err = le.Err
	}
	return &Error{Op: op, Err: err}
}

// session is one connection to the directory, bound.
type session struct {
	cfg     *Config
	limits  Limits
	ctx     context.Context
	conn    *ldap.Conn
	raw     *countingConn
	debug   io.Writer
	command string // the ldapsearch options that say where and as whom

	// mu guards raw and aborted: an operation that timed out may still be
	// dialling in its goroutine while abort closes the connection.
	mu      sync.Mutex
	aborted bool
}

// countingConn fails the connection once the server has sent more than
// limit bytes in all: an entry count bounds nothing when one entry is
// huge.
type countingConn struct {
	net.Conn
	read, limit int64
}

// errTooMuch is the cause of a connection that sent more than its limit.
var errTooMuch = errors.New("the directory sent more than the limit")

func (c *countingConn) Read(p []byte) (int, error) {
	if atomic.LoadInt64(&c.read) > c.limit {
		return 0, errTooMuch
	}
	n, err := c.Conn.Read(p)
	atomic.AddInt64(&c.read, int64(n))
	return n, err
}

// connect dials, secures and binds; the session ends with close.
func connect(ctx context.Context, cfg *Config, password string, opts Options, limits Limits) (*session, error) {
	s := &session{cfg: cfg, limits: limits, ctx: ctx, debug: opts.Debug}
	s.command = s.commandPrefix()
	l := cfg.LDAP
	tlsConfig := &tls.Config{ServerName: l.Host, MinVersion: tls.VersionTLS12}
	if l.CAFile != "" {
		pool, err := api.LoadCACerts(l.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ldap.caFile: %w", err)
		}
		tlsConfig.RootCAs = pool
	}
	hostPort := strings.TrimPrefix(strings.TrimPrefix(l.URL, "ldaps://"), "ldap://")
	ldaps := strings.HasPrefix(l.URL, "ldaps://")

	start := time.Now()
	op := "connecting to " + l.URL
	// conn is read only once do has returned without an error: an
	// operation that timed out may still be running.
	var conn *ldap.Conn
	err := s.do(op, func(opCtx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(opCtx, "tcp", hostPort)
		if err != nil {
			return err
		}
		raw := &countingConn{Conn: c, limit: limits.Bytes}
		if !s.setRaw(raw) {
			return files.ErrInterrupted
		}
		var nc net.Conn = raw
		if ldaps {
			tc := tls.Client(raw, tlsConfig)
			if err := tc.HandshakeContext(opCtx); err != nil {
				c.Close()
				return fmt.Errorf("TLS handshake: %w", err)
			}
			nc = tc
		}
		lc := ldap.NewConn(nc, ldaps)
		lc.Start()
		if l.StartTLS {
			if err := lc.StartTLS(tlsConfig); err != nil {
				return err
			}
		}
		conn = lc
		return nil
	})
	if err != nil {
		s.logf("%s  # %s failed after %s: %v", s.whoami(), op, since(start), err)
		s.close()
		return nil, err
	}
	s.conn = conn
	connected := since(start)
	if l.BindDN == "" {
		s.logf("%s  # connected (anonymous) in %s", s.whoami(), connected)
		return s, nil
	}
	op = "binding to " + l.URL + " as " + text.Safe(l.BindDN)
	bindStart := time.Now()
	err = s.do(op, func(context.Context) error { return s.conn.Bind(l.BindDN, password) })
	if err != nil {
		s.logf("%s  # connected in %s, bind failed after %s: %v", s.whoami(), connected, since(bindStart), err)
		s.close()
		return nil, err
	}
	s.logf("%s  # connected in %s, bound in %s", s.whoami(), connected, since(bindStart))
	return s, nil
}

// do runs f, one operation, under the timeout and ctx: when either ends
// first the connection is closed, which ends f at once (a server that
// never answers cannot hold Ctrl-C), and the error says which.
func (s *session) do(op string, f func(ctx context.Context) error) error {
	if s.ctx.Err() != nil {
		return &Error{Op: op, Err: files.ErrInterrupted}
	}
	if s.isAborted() {
		return &Error{Op: op, Err: errors.New("the connection was closed by an earlier failure")}
	}
	opCtx, cancel := context.WithTimeout(s.ctx, s.cfg.LDAP.Timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f(opCtx) }()
	var err error
	select {
	case err = <-done:
		if err == nil {
			return nil
		}
	case <-opCtx.Done():
		s.abort()
	}
	switch {
	case s.ctx.Err() != nil:
		// Ctrl-C, as every wait of the tool reports it.
		return &Error{Op: op, Err: files.ErrInterrupted}
	case opCtx.Err() != nil:
		return &Error{Op: op, Err: fmt.Errorf("no answer within %s (ldap.timeout)", s.cfg.LDAP.Timeout)}
	case s.tooMuch():
		return &Error{Op: op, Err: fmt.Errorf("the directory sent more than %d MiB: refusing to read more", s.limits.Bytes>>20)}
	}
	return ldapError(op, err)
}

// abort closes the network connection under the LDAP client, which ends a
// read or write it is blocked in.
func (s *session) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aborted = true
	if s.raw != nil {
		s.raw.Close()
	}
}

// setRaw records the network connection, or closes it when the session
// was aborted while it was being dialled.
func (s *session) setRaw(raw *countingConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.aborted {
		raw.Close()
		return false
	}
	s.raw = raw
	return true
}

func (s *session) isAborted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.aborted
}

func (s *session) tooMuch() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw != nil && atomic.LoadInt64(&s.raw.read) > s.raw.limit
}

func (s *session) close() {
	s.abort()
	// The client's goroutines end once they see the closed socket; nothing
	// waits for them. s.conn is only set by an operation that finished.
	if c := s.conn; c != nil {
		go c.Close()
	}
}

// query is one search as Read needs it.
type query struct {
	base   string
	base0  bool // base scope: read the entry at base
	filter string
	attrs  []string
	paged  bool
	// what names the search in errors: "searching users.baseDN".
	what string
}

// search runs q and gives each entry to each; a paged search asks page
// after page until the server has no more. It fails past the entry limit.
func (s *session) search(q query, each func(*ldap.Entry) error) error {
	scope := ldap.ScopeWholeSubtree
	if q.base0 {
		scope = ldap.ScopeBaseObject
	}
	var paging *ldap.ControlPaging
	var controls []ldap.Control
	if q.paged {
		paging = ldap.NewControlPaging(uint32(s.limits.PageSize))
		controls = []ldap.Control{paging}
	}
	start, entries, pages, referrals := time.Now(), 0, 0, 0
	line := s.searchLine(q)
	for {
		req := ldap.NewSearchRequest(q.base, scope, ldap.NeverDerefAliases, 0, 0, false, q.filter, q.attrs, controls)
		var res *ldap.SearchResult
		err := s.do(q.what, func(context.Context) error {
			var err error
			res, err = s.conn.Search(req)
			return err
		})
		if err != nil {
			s.logf("%s  # failed after %s: %v", line, since(start), err)
			return err
		}
		pages++
		referrals += len(res.Referrals)
		for _, e := range res.Entries {
			entries++
			if entries > s.limits.Entries {
				err := &Error{Op: q.what, Err: fmt.Errorf("more than %s entries: refusing to read more", text.Thousands(s.limits.Entries))}
				s.logf("%s  # stopped after %s: %v", line, since(start), err)
				return err
			}
			if err := each(e); err != nil {
				s.logf("%s  # stopped after %s: %v", line, since(start), err)
				return err
			}
		}
		if paging == nil {
			break
		}
		next, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
		if !ok || len(next.Cookie) == 0 {
			break
		}
		paging.SetCookie(next.Cookie)
	}
	n := plural(entries, "entry", "entries")
	if q.paged {
		n += " in " + plural(pages, "page", "pages")
	}
	if referrals > 0 {
		// Active Directory refers a search of a domain's root to its
		// application partitions; sync reads one server.
		n += ", " + plural(referrals, "referral", "referrals") + " not followed"
	}
	s.logf("%s  # %s, %s", line, n, since(start))
	return nil
}

// logf writes a debug line, made safe: DNs and filters come from the
// directory and the file.
func (s *session) logf(format string, args ...any) {
	if s.debug != nil {
		fmt.Fprintln(s.debug, text.Safe(fmt.Sprintf(format, args...)))
	}
}

// commandPrefix is what ldapsearch needs to reach the server as this
// session does: the CA file, -H, -ZZ, and the bind, whose password is
// -y FILE or -W (asked for), never the password.
func (s *session) commandPrefix() string {
	l := s.cfg.LDAP
	var b strings.Builder
	if l.CAFile != "" {
		b.WriteString("LDAPTLS_CACERT=" + shellQuote(l.CAFile) + " ")
	}
	b.WriteString("%s -H " + shellQuote(l.URL))
	if l.StartTLS {
		b.WriteString(" -ZZ")
	}
	b.WriteString(" -x")
	if l.BindDN != "" {
		b.WriteString(" -D " + shellQuote(l.BindDN))
		if l.BindPasswordFile != "" {
			b.WriteString(" -y " + shellQuote(l.BindPasswordFile))
		} else {
			b.WriteString(" -W")
		}
	}
	return b.String()
}

func (s *session) whoami() string { return fmt.Sprintf(s.command, "ldapwhoami") }

func (s *session) searchLine(q query) string {
	var b strings.Builder
	fmt.Fprintf(&b, s.command, "ldapsearch")
	b.WriteString(" -b " + shellQuote(q.base))
	if q.base0 {
		b.WriteString(" -s base")
	} else {
		b.WriteString(" -s sub")
	}
	if q.paged {
		fmt.Fprintf(&b, " -E pr=%d/noprompt", s.limits.PageSize)
	}
	b.WriteString(" " + shellQuote(q.filter))
	for _, a := range q.attrs {
		b.WriteString(" " + shellQuote(a))
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
	}
	return s
}

func since(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return text.Thousands(n) + " " + many
}
