package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// LockTimeout is how long Update waits for another process to finish
// changing the file before it gives up.
const LockTimeout = 10 * time.Second

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
	return update(ctx, path, LockTimeout, change)
}

func update(ctx context.Context, path string, wait time.Duration, change func(*Config) error) error {
	target, err := resolveLinks(path)
	if err != nil {
		return fmt.Errorf("saving configuration %s: %w", path, err)
	}
	unlock, err := lock(ctx, target+".lock", wait)
	if err != nil {
		return err
	}
	defer unlock()
	c, err := Load(path, LoadOptions{})
	if err != nil {
		return err
	}
	if err := change(c); err != nil {
		return err
	}
	return c.Save()
}

// lock takes the lock file, polling: a blocking lock could not be given up
// after a while, nor on Ctrl-C.
func lock(ctx context.Context, path string, wait time.Duration) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("locking configuration: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking configuration: %w", err)
	}
	deadline := time.Now().Add(wait)
	delay := 10 * time.Millisecond
	for {
		locked, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking configuration %s: %w", path, err)
		}
		if locked {
			return func() {
				unlockFile(f)
				f.Close()
			}, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			f.Close()
			return nil, &LockTimeoutError{Path: path, Waited: wait}
		}
		timer := time.NewTimer(min(delay, left))
		select {
		case <-ctx.Done():
			timer.Stop()
			f.Close()
			return nil, fmt.Errorf("waiting for the lock %s: %w", path, ctx.Err())
		case <-timer.C:
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
}
