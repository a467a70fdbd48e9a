// Package sandbox provides an http.Handler that answers like the users API of a
// DQOps server, release 1.0 or 1.13, including the quirks the real server has
// (403 for a user that already exists, 500 for a user that does not, 406 for an
// Accept header that excludes JSON, ...). The `dqo-users sandbox` command serves
// it, and every test of the client runs against it over real loopback HTTP.
//
// Response bodies follow DQOps's own OpenAPI (swagger) documents, which the
// tests validate against when DQOPS_OPENAPI_DIR names a directory holding
// them, so a validating proxy such as Prism can sit in front of the handler.
package sandbox

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// API releases the sandbox can imitate.
const (
	// API10 is DQOps 1.0.0: users are {email, accountRole}, licence TEAM.
	API10 = "1.0"
	// API113 is DQOps 1.13.2: users carry dataDomainRoles; licence TEAM
	// without data domains, ENTERPRISE with them (Options.Domains).
	API113 = "1.13"
)

// Built-in users, present in every sandbox that was not loaded from a state file.
const (
	// AdminEmail is the built-in administrator (role admin).
	AdminEmail = "admin@example.com"
	// ViewerEmail is the built-in viewer (role viewer).
	ViewerEmail = "viewer@example.com"
)

const (
	// KeyPrefix starts every API key the sandbox issues, so a key in a log is
	// recognisable as a sandbox key and never mistaken for a real one.
	KeyPrefix = "dqo-sandbox-"
	// DefaultUsersLimit is the licence's users limit when Options.UsersLimit is 0.
	DefaultUsersLimit = 1000
	// CloudLoginURL is where a request outside /api without a key is sent, as
	// an instance that logs users in through DQOps Cloud does.
	CloudLoginURL = "https://cloud.dqops.com/login"
	// Tenant is the tenant name the profile reports.
	Tenant = "sandbox"
)

// Account roles, strongest first.
const (
	RoleAdmin    = "admin"
	RoleEditor   = "editor"
	RoleOperator = "operator"
	RoleViewer   = "viewer"
	RoleNone     = "none"
)

// Options configure a sandbox. The zero value is a licensed 1.13 instance
// without data domains that authenticates every request, with the two
// built-in users.
type Options struct {
	// API is the release to imitate: "1.0" or "1.13" (default "1.13").
	API string
	// Domains are the instance's local data domains, besides the root one,
	// "(default)" (1.13 only). With some, the instance is an ENTERPRISE one
	// with data domains in use: every user lists "(default)" and every
	// domain, "none" where not granted, and GET /api/domains/ lists them.
	// Without, every user's dataDomainRoles is {} and grants sent over HTTP
	// are not kept. Names must be non-empty, distinct and not "(default)";
	// data domains need a licence (not Unlicensed).
	Domains []string
	// UsersLimit is the licence's users limit (0 means DefaultUsersLimit).
	// Creating a user when the instance already has this many is answered 400.
	// Seeded and loaded users may exceed it; it only stops creation.
	UsersLimit int
	// SeedUsers adds that many synthetic users, user000001@example.com and up,
	// with roles cycling editor, operator, viewer, none. Ignored when the
	// state file was loaded (the file already holds them).
	SeedUsers int
	// Unlicensed makes the instance a FREE one that is not paired for user
	// management: every users operation answers 403 after authentication; the
	// profile answers 404 in 1.0, and a FREE profile in 1.13.
	Unlicensed bool
	// NoAuth makes a single-user instance: a request without a key acts as the
	// built-in admin. A request with a key still has it checked.
	NoAuth bool
	// CaseSensitiveEmails makes emails distinct by exact spelling:
	// Ana@example.com and ana@example.com are two users, and every lookup
	// (get, update, delete, password, KeyFor, AddUser, the state file) uses
	// the exact spelling. By default emails are compared ignoring case and
	// kept as first typed. The list is sorted by email ignoring case either
	// way, the exact spelling breaking ties.
	CaseSensitiveEmails bool
	// StateFile, when set, is loaded at New if it exists (users, keys and
	// password hashes) and saved atomically after every successful write. When
	// it does not exist, New creates it so the keys survive a restart.
	StateFile string
	// Latency is added to every request, before anything else happens.
	Latency time.Duration
	// Faults is a fault-injection spec; see SetFaults.
	Faults string
	// Now is the clock used for error timestamps (default time.Now).
	Now func() time.Time
	// MaxRequestLog caps Requests() to the most recent entries (0 keeps all);
	// a long-running `dqo-users sandbox` should set it.
	MaxRequestLog int
}

// User is a user as the sandbox stores it. DataDomainRoles holds the user's
// grants, data domain to role, never with role none ("(default)" is the root
// domain); it is always nil in 1.0 mode. What the API shows of them depends
// on the instance (see Options.Domains).
type User struct {
	Email           string            `json:"email"`
	AccountRole     string            `json:"accountRole"`
	DataDomainRoles map[string]string `json:"dataDomainRoles,omitempty"`
}

// Request is one entry of the log of requests the sandbox received.
type Request struct {
	// Method is the request's method.
	Method string
	// Path is the percent-decoded path.
	Path string
	// RawPath is the path as escaped on the wire.
	RawPath string
	// Status is the status the client got; 0 when the connection was closed
	// without an answer (a drop fault, or a client that went away).
	Status int
	// ContentType is the request's Content-Type header.
	ContentType string
	// HasAuthorization tells whether the request had an Authorization header.
	HasAuthorization bool
	// BodyLength is the number of request body bytes received.
	BodyLength int64
	// Fault is the fault rule that hit the request, as written in the spec
	// (empty when none did).
	Fault string
	// Seq numbers the requests in the order they arrived, from 1. The log
	// is in the order they finished, which differs when they overlap.
	Seq int64
}

// Server is the sandbox: an http.Handler with an in-memory user store. It is
// safe for concurrent use.
type Server struct {
	api        string
	usersLimit int
	unlicensed bool
	noAuth     bool
	domains    []string   // local data domains, sorted, "(default)" not among them
	view       domainView // how users' data-domain roles are shown
	started    time.Time  // when the data domains were created
	stateFile  string
	latency    time.Duration
	now        func() time.Time

	store store

	// saveMu orders saves of the state file; savedVersion lets a writer skip
	// its save when a later writer already saved a snapshot that includes it.
	saveMu       sync.Mutex
	savedVersion uint64

	faults faultSet

	logMu    sync.Mutex
	log      []Request
	logLimit int
	arrivals atomic.Int64 // requests received, for Request.Seq
	inflight atomic.Int64 // requests being answered
}

// New builds a sandbox from opts. It fails on an unknown API release, a
// negative limit or seed count, a bad fault spec, or an unreadable state file.
func New(opts Options) (*Server, error) {
	api := opts.API
	if api == "" {
		api = API113
	}
	if api != API10 && api != API113 {
		return nil, fmt.Errorf("sandbox: unknown API release %q (want %q or %q)", opts.API, API10, API113)
	}
	if opts.UsersLimit < 0 {
		return nil, fmt.Errorf("sandbox: negative users limit %d", opts.UsersLimit)
	}
	if opts.SeedUsers < 0 {
		return nil, fmt.Errorf("sandbox: negative seed user count %d", opts.SeedUsers)
	}
	if opts.Latency < 0 {
		return nil, fmt.Errorf("sandbox: negative latency %s", opts.Latency)
	}
	if opts.MaxRequestLog < 0 {
		return nil, fmt.Errorf("sandbox: negative request log limit %d", opts.MaxRequestLog)
	}
	domains, err := checkDomains(api, opts.Unlicensed, opts.Domains)
	if err != nil {
		return nil, err
	}
	rules, err := parseFaults(opts.Faults)
	if err != nil {
		return nil, err
	}
	s := &Server{
		api:        api,
		usersLimit: opts.UsersLimit,
		unlicensed: opts.Unlicensed,
		noAuth:     opts.NoAuth,
		domains:    domains,
		view:       newDomainView(api, domains),
		stateFile:  opts.StateFile,
		latency:    opts.Latency,
		now:        opts.Now,
		logLimit:   opts.MaxRequestLog,
	}
	if s.usersLimit == 0 {
		s.usersLimit = DefaultUsersLimit
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.started = s.now()
	s.faults.set(rules)
	s.store.exact = opts.CaseSensitiveEmails

	loaded := false
	if s.stateFile != "" {
		recs, err := s.loadState()
		if err != nil {
			return nil, err
		}
		if recs != nil {
			s.store.reset(recs)
			loaded = true
		}
	}
	if !loaded {
		s.store.reset(initialRecords(opts.SeedUsers))
		if err := s.persist(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// initialRecords returns the built-in users and n synthetic ones.
func initialRecords(n int) []*record {
	keys := newKeys(n + 2)
	recs := make([]*record, 0, n+2)
	recs = append(recs,
		newRecord(User{Email: AdminEmail, AccountRole: RoleAdmin}, keys[0], ""),
		newRecord(User{Email: ViewerEmail, AccountRole: RoleViewer}, keys[1], ""),
	)
	cycle := [...]string{RoleEditor, RoleOperator, RoleViewer, RoleNone}
	for i := range n {
		u := User{Email: fmt.Sprintf("user%06d@example.com", i+1), AccountRole: cycle[i%len(cycle)]}
		recs = append(recs, newRecord(u, keys[i+2], ""))
	}
	return recs
}

// AdminKey returns the key of the built-in admin, or "" when it was deleted.
func (s *Server) AdminKey() string {
	key, _ := s.KeyFor(AdminEmail)
	return key
}

// ViewerKey returns the key of the built-in viewer, or "" when it was deleted.
func (s *Server) ViewerKey() string {
	key, _ := s.KeyFor(ViewerEmail)
	return key
}

// KeyFor returns the API key of the user with that email (compared ignoring
// case unless Options.CaseSensitiveEmails), and whether the user exists.
func (s *Server) KeyFor(email string) (string, bool) {
	rec := s.store.get(email)
	if rec == nil {
		return "", false
	}
	return rec.key, true
}

// Users returns a snapshot of the users, sorted by email ignoring case (the
// exact spelling breaking ties).
func (s *Server) Users() []User {
	recs := s.store.list()
	users := make([]User, len(recs))
	for i, rec := range recs {
		users[i] = rec.user
		users[i].DataDomainRoles = maps.Clone(rec.user.DataDomainRoles)
	}
	return users
}

// PasswordMatches tells whether password is the password last set for the
// user with that email. A user whose password was never set matches nothing.
func (s *Server) PasswordMatches(email, password string) bool {
	rec := s.store.get(email)
	return rec != nil && checkPassword(rec.passwordHash, password)
}

// AddUser adds a user without going through HTTP (no permission check, no
// users limit). It fails when the email is empty or taken, or a role is not
// one of admin, editor, operator, viewer, none. Data-domain roles are kept as
// given, for any domain, but for the entries whose role is none; in 1.0 mode
// they are dropped, as the 1.0 server has none.
func (s *Server) AddUser(u User) error {
	if u.Email == "" {
		return errors.New("sandbox: adding a user: empty email")
	}
	if !validRole(u.AccountRole) {
		return fmt.Errorf("sandbox: adding user %q: invalid account role %q", u.Email, u.AccountRole)
	}
	for domain, role := range u.DataDomainRoles {
		if !validRole(role) {
			return fmt.Errorf("sandbox: adding user %q: invalid role %q in data domain %q", u.Email, role, domain)
		}
	}
	if s.api == API113 {
		u.DataDomainRoles = grantsOf(u.DataDomainRoles)
	} else {
		u.DataDomainRoles = nil
	}
	rec := newRecord(u, newKeys(1)[0], "")
	if s.store.insert(rec, -1) != inserted {
		return fmt.Errorf("sandbox: adding user %q: already exists", u.Email)
	}
	return s.persist()
}

// sentGrants returns what a create or update keeps of the data-domain roles
// sent: the grants on an instance with data domains; nothing on one without
// (it would not show them back) nor in 1.0 (the field is unknown there).
func (s *Server) sentGrants(roles map[string]string) map[string]string {
	if !s.view.withDomains() {
		return nil
	}
	return grantsOf(roles)
}

// Requests returns a copy of the log of requests received, oldest first.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	log := s.log
	if s.logLimit > 0 && len(log) > s.logLimit {
		log = log[len(log)-s.logLimit:]
	}
	return append([]Request(nil), log...)
}

// RequestsByArrival waits up to wait for the requests in progress to
// finish, then returns the log in the order the requests arrived. A request
// still in progress after wait is not in it.
func (s *Server) RequestsByArrival(wait time.Duration) []Request {
	for deadline := time.Now().Add(wait); s.inflight.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	log := s.Requests()
	sort.SliceStable(log, func(i, j int) bool { return log[i].Seq < log[j].Seq })
	return log
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log = nil
}

func (s *Server) record(req Request) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log = append(s.log, req)
	// Trimming only at twice the limit keeps appends amortised O(1).
	if s.logLimit > 0 && len(s.log) >= 2*s.logLimit {
		s.log = append(s.log[:0:0], s.log[len(s.log)-s.logLimit:]...)
	}
}

// SetFaults replaces the fault-injection rules (and their hit counters).
//
// The spec is a ';'-separated list of rules, each
//
//	[METHOD PATH] KIND [retry-after=N] [xN]
//
// METHOD PATH is optional (PATH alone is allowed too, METHOD "*" means any);
// PATH matches the decoded path exactly, or as a prefix when it ends in '*'.
// xN limits the rule to N matching requests. The first rule that matches and
// has hits left applies. KIND is one of:
//
//	200..599      that status with an empty body (retry-after=N adds Retry-After)
//	drop          close the connection before handling anything
//	drop-after    handle the request, then close without answering
//	html          502 with a proxy's text/html error page
//	redirect      303 to the DQOps Cloud login page
//	slow[=DUR]    wait DUR (default 10s) before handling, unless the client leaves
//	truncated     200 JSON with a body cut short of its Content-Length
//	notjson       200 application/json with the body "not json at all"
//	huge          200 JSON array of 257 MiB, generated as it is sent
//
// and, for tests of a hostile server or proxy:
//
//	other-user    200 with the model of another user than the one in the path:
//	              the first listed whose email differs from it other than
//	              by letter case, else a made-up someone-else@example.com
//	echo          400 text/plain whose body is the request body (up to 1 MiB)
//	echo-html     502 text/html error page quoting the request body,
//	              unescaped, in its <title> and its body
//	echo-auth     400 text/plain quoting altered copies of the Authorization
//	              header's key: its first 8 characters, and lower-cased
//	control-chars 200 with users (one for a path with an email, else a list)
//	              whose emails carry terminal escapes and other characters
//	              of Unicode categories Cc, Cf, Zl and Zp; see
//	              ControlCharEmails
//
// An empty spec removes every rule; a bad one is an error naming the rule,
// and leaves the rules in force unchanged.
func (s *Server) SetFaults(spec string) error {
	rules, err := parseFaults(spec)
	if err != nil {
		return err
	}
	s.faults.set(rules)
	return nil
}
