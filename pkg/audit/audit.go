// Package audit keeps the audit log: one JSON line for every change
// dqo-users makes to a DQOps instance's users, saying who made it, where,
// from what, and how it ended, as sudo's and auditd's logs do. A log never
// holds a key or a password: a password change is recorded as the action
// "password-changed", without the password.
//
// Lines are appended with one write each to a file opened with O_APPEND,
// so that several runs writing to one log at once leave whole lines.
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"sync"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// Entry is one line of the log: one change and its outcome.
type Entry struct {
	// Time is when the outcome was known, RFC 3339 in UTC.
	Time time.Time `json:"time"`
	// Tool is "dqo-users VERSION".
	Tool     string   `json:"tool"`
	Operator Operator `json:"operator"`
	// Instance is the normalised URL; Profile its profile, if any.
	Instance string `json:"instance"`
	Profile  string `json:"profile,omitempty"`
	// Action is create, update, delete or password-changed.
	Action string `json:"action"`
	Email  string `json:"email"`
	Before *Roles `json:"before,omitempty"`
	After  *Roles `json:"after,omitempty"`
	Source Source `json:"source"`
	// Outcome is done, failed or unknown (cut short by Ctrl-C: the server
	// may or may not have made it).
	Outcome string `json:"outcome"`
	// Status is the HTTP status of a failure, when the server answered.
	Status int `json:"status,omitempty"`
	// Error says why a change failed.
	Error string `json:"error,omitempty"`
}

// The outcomes of a change.
const (
	OutcomeDone    = "done"
	OutcomeFailed  = "failed"
	OutcomeUnknown = "unknown"
)

// Operator is who made a change: the caller's account as the server knows
// it ("unknown" when the server would not say), the local user, and where
// the key came from (never the key).
type Operator struct {
	Email     string `json:"email"`
	LocalUser string `json:"localUser"`
	// KeySource is profile, environment, file or none.
	KeySource string `json:"keySource"`
}

// Roles are a user's roles before or after a change.
type Roles struct {
	AccountRole     api.Role            `json:"accountRole"`
	DataDomainRoles map[string]api.Role `json:"dataDomainRoles,omitempty"`
}

// RolesOf returns u's account role and grants; nil for nil.
func RolesOf(u *api.User) *Roles {
	if u == nil {
		return nil
	}
	return &Roles{AccountRole: u.AccountRole, DataDomainRoles: u.Grants()}
}

// Source is what a change came from: the command line (with no secret in
// it: no flag of dqo-users takes one), a users file, a saved plan or a sync
// file, the last three with their SHA-256.
type Source struct {
	Command string `json:"command,omitempty"`
	File    string `json:"file,omitempty"`
	Plan    string `json:"plan,omitempty"`
	Sync    string `json:"sync,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
}

// LocalUser is the name of the user running the tool.
func LocalUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "LOGNAME", "USERNAME"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return "unknown"
}

// Opener opens a file to append to; the files package's, which keeps the
// tool's rule on symbolic links.
type Opener func(path string) (*os.File, error)

// Log is an open audit log.
type Log struct {
	path string
	mu   sync.Mutex
	f    *os.File
	// regular is whether f is a regular file, which each line is synced
	// to: a pipe or a terminal (a FIFO read by a log shipper, /dev/stderr)
	// has nothing to sync, and fsync refuses it (EINVAL).
	regular bool
}

// Open opens the log at path for appending, creating it with mode 0600,
// and proves it writable before any change is made: a log that cannot be
// written means nothing may be changed.
func Open(path string, open Opener) (*Log, error) {
	f, err := open(path)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	if _, err := f.Write(nil); err != nil {
		f.Close()
		return nil, &Error{Path: path, Err: err}
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &Error{Path: path, Err: err}
	}
	return &Log{path: path, f: f, regular: info.Mode().IsRegular()}, nil
}

// Path is the log's file.
func (l *Log) Path() string { return l.path }

// Write appends one entry as one line, with one write, and syncs it to a
// regular file.
func (l *Log) Write(e Entry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC().Truncate(time.Second)
	line, err := json.Marshal(e)
	if err != nil {
		return &Error{Path: l.path, Err: err}
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.f.Write(line)
	if err == nil && n < len(line) {
		err = errors.New("short write")
	}
	if err == nil && l.regular {
		err = l.f.Sync()
	}
	if err != nil {
		return &Error{Path: l.path, Err: err}
	}
	return nil
}

// Close closes the log.
func (l *Log) Close() error { return l.f.Close() }

// Error is an audit log that could not be opened or written.
type Error struct {
	Path string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("audit log %s: %v", e.Path, e.Err) }
func (e *Error) Unwrap() error { return e.Err }
