package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// LockTimeout is how long Update waits for another process to finish
// changing the file before it gives up, unless WithLockTimeout says
// otherwise.
const LockTimeout = 10 * time.Second

// lockRetry is how often a lock held by another process is tried again.
const lockRetry = 20 * time.Millisecond

type lockTimeoutKey struct{}

// WithLockTimeout returns a context under which Update waits at most d for
// the lock instead of LockTimeout, so that a test of the time limit need
// not wait ten seconds.
func WithLockTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, lockTimeoutKey{}, d)
}

// Update changes the file at path under an advisory lock: it waits for the
// lock (at most LockTimeout, or until ctx ends), loads the file as it is
// then, applies change and saves, so that two processes changing the file
// at once (two logins) both keep their changes. An error from change is
// returned as it is and nothing is written.
//
// The lock is the file's name with ".lock" added, beside the file a link
// leads to; it is held by the operating system for the process (flock, or
// LockFileEx on Windows), so a process that dies leaves no lock behind.
func Update(ctx context.Context, path string, change func(*Config) error) error {
	target, err := files.Target(path)
	if err != nil {
		return fmt.Errorf("saving configuration %s: %w", path, err)
	}
	wait := LockTimeout
	if d, ok := ctx.Value(lockTimeoutKey{}).(time.Duration); ok && d > 0 {
		wait = d
	}
	// The lock is tried again until wait has passed or ctx ends: a blocking
	// lock could not be given up after a while, nor on Ctrl-C. The lock
	// file, which is created, obeys the writer rule.
	lockPath := target + ".lock"
	file, err := files.Target(lockPath)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(file), 0o700)
	}
	if err != nil {
		return fmt.Errorf("locking configuration: %w", err)
	}
	l := flock.New(file, flock.SetPermissions(0o600))
	waiting, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	switch locked, err := l.TryLockContext(waiting, lockRetry); {
	case locked:
		defer l.Unlock()
	case ctx.Err() != nil:
		return fmt.Errorf("waiting for the lock %s: %w", lockPath, ctx.Err())
	case errors.Is(err, context.DeadlineExceeded):
		return &LockTimeoutError{Path: lockPath, Waited: wait}
	default:
		_ = l.Close()
		return fmt.Errorf("locking configuration %s: %w", lockPath, err)
	}
	c, err := Load(ctx, path, LoadOptions{})
	if err != nil {
		return err
	}
	if err := change(c); err != nil {
		return err
	}
	return c.Save()
}
