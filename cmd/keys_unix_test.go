//go:build unix

package cmd_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// TestLoginLockTimeout holds the configuration's lock as another process
// would, and checks that login gives up after the lock's time limit,
// naming the lock file, and keeps nothing in the keyring.
func TestLoginLockTimeout(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits for the lock's 10 s time limit")
	}
	srv, c := setup(t, sandbox.Options{})
	lock, err := os.OpenFile(c.configPath+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	// An open file description of its own: flock(2) then conflicts with the
	// one login opens, as another process's would.
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	r := c.runStdin(srv.AdminKey(), "login", "--with-token")
	expectExit(t, r, 1, "another dqo-users has been changing the configuration for more than 10s (it holds the lock "+c.configPath+".lock)",
		"nothing was stored")
	expectNoConfig(t, c.configPath)
	if _, ok := keyringItem(t, srv.URL, "default"); ok {
		t.Error("the key stays in the keyring")
	}
}

// TestAPIKeyFileFIFO checks that Ctrl-C ends the wait for an --api-key-file
// that is a FIFO nobody writes to. It does not run in parallel: it finds
// the wait as a thread of this process waiting in the open of a FIFO, and
// no other test may have one.
func TestAPIKeyFileFIFO(t *testing.T) {
	_, c := setup(t, sandbox.Options{})
	delete(c.env, "DQOPS_API_KEY")
	fifo := filepath.Join(c.dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// The abandoned open ends once a writer comes, as it would for a
	// process that went on after Ctrl-C.
	t.Cleanup(func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() { done <- c.exec(invocation{args: []string{"list", "--api-key-file", fifo}, ctx: ctx}) }()
	waitForFIFOOpen(t, os.Getpid(), 30*time.Second)
	cancel()
	select {
	case r := <-done:
		expectExit(t, r, 130, "error: interrupted")
	case <-time.After(30 * time.Second):
		t.Fatal("Ctrl-C did not end the wait for the FIFO")
	}
}
