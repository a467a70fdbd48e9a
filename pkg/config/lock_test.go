package config

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func init() {
	// add-profile waits for the file START to appear, so that every helper
	// is under way before any changes the configuration, then adds profile
	// NAME, pausing between reading and writing to widen any race.
	helpers["add-profile"] = func() error {
		for {
			if _, err := os.Stat(os.Getenv("START")); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		return Update(context.Background(), os.Getenv("CONFIG"), func(c *Config) error {
			time.Sleep(20 * time.Millisecond)
			return c.SetProfile(Profile{Name: os.Getenv("NAME"), URL: "http://h"})
		})
	}
	// hold-lock takes the lock, says so on stdout and waits to be killed.
	helpers["hold-lock"] = func() error {
		return Update(context.Background(), os.Getenv("CONFIG"), func(*Config) error {
			fmt.Println("locked")
			time.Sleep(time.Hour) // until killed
			return nil
		})
	}
}

// TestUpdateConcurrent starts processes that each add a profile at the same
// moment: every profile is saved.
func TestUpdateConcurrent(t *testing.T) {
	dir := t.TempDir()
	path, start := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "start")
	const n = 8
	var running []func() error
	for i := range n {
		c := helper(t, "add-profile", "CONFIG="+path, "START="+start, fmt.Sprintf("NAME=p%d", i))
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		running = append(running, c.Wait)
	}
	os.WriteFile(start, nil, 0o600)
	for _, wait := range running {
		if err := wait(); err != nil {
			t.Error(err)
		}
	}
	c, err := Load(t.Context(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Profiles()); got != n {
		t.Errorf("%d of %d profiles saved: %v", got, n, c.Profiles())
	}
}

// TestUpdateLockHolderDies checks that a process holding the lock makes
// others wait, give up with the lock's name, or stop on cancellation, and
// that once it is killed, the lock is free: no stale lock blocks a run.
func TestUpdateLockHolderDies(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	holder := helper(t, "hold-lock", "CONFIG="+path)
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("the helper said %q, %v", line, err)
	}

	add := func(c *Config) error { return c.SetProfile(Profile{Name: "mine"}) }
	err = Update(WithLockTimeout(context.Background(), 100*time.Millisecond), path, add)
	var lt *LockTimeoutError
	if !errors.As(err, &lt) || lt.Path != path+".lock" || lt.Waited != 100*time.Millisecond ||
		!strings.Contains(err.Error(), "for more than 100ms (it holds the lock "+path+".lock)") {
		t.Errorf("while another holds the lock: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Update(WithLockTimeout(ctx, time.Minute), path, add); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled while waiting: %v", err)
	}

	holder.Process.Kill()
	holder.Wait()
	if err := Update(context.Background(), path, add); err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	if c, _ := Load(t.Context(), path, LoadOptions{}); len(c.Profiles()) != 1 {
		t.Errorf("saved %v", c.Profiles())
	}
}

// TestUpdate checks the plain path: a change is saved, an error from the
// change writes nothing and comes back as it was, and the lock of a linked
// file sits beside its target, so that two links to one file share it.
func TestUpdate(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o700)
	target := filepath.Join(dir, "real", "config.yaml")
	link := filepath.Join(dir, "link.yaml")
	os.Symlink("real/config.yaml", link)
	err := Update(context.Background(), link, func(c *Config) error {
		c.SetProfile(Profile{Name: "a"})
		return c.Use("a")
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(target + ".lock"); err != nil {
		t.Errorf("no lock beside the target: %v", err)
	}
	if _, err := os.Lstat(link + ".lock"); err == nil {
		t.Error("a lock beside the link")
	}
	refused := errors.New("refused")
	err = Update(context.Background(), link, func(c *Config) error {
		c.SetProfile(Profile{Name: "b"})
		return refused
	})
	if err != refused {
		t.Errorf("the change's error came back as %v", err)
	}
	c, err := Load(t.Context(), target, LoadOptions{})
	if err != nil || c.Current() != "a" || len(c.Profiles()) != 1 {
		t.Errorf("saved %v (current %s), %v", c.Profiles(), c.Current(), err)
	}
}
