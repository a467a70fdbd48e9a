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

	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// TestLoginLockTimeout holds the configuration's lock as another process
// would, and checks that login gives up after the lock's time limit (made
// short here: config.WithLockTimeout), naming the lock file, and keeps
// nothing in the keyring.
func TestLoginLockTimeout(t *testing.T) {
	t.Parallel()
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
	ctx := config.WithLockTimeout(context.Background(), 100*time.Millisecond)
	r := c.exec(invocation{args: []string{"login", "--with-token"}, stdin: srv.AdminKey(), ctx: ctx})
	expectExit(t, r, 1, "another dqo-users has been changing the configuration for more than 100ms (it holds the lock "+c.configPath+".lock)",
		"nothing was stored")
	expectNoConfig(t, c.configPath)
	if _, ok := keyringItem(t, srv.URL, "default"); ok {
		t.Error("the key stays in the keyring")
	}
}

// TestLoginRefusesAPlantedLink points the configuration at a link that
// another user planted in a sticky directory anyone may write to, as /tmp
// is: login writes nothing through it (nor through such a link as the
// lock), while a link of the user's own there is followed. Giving a link
// away takes root, as CI runs the tests.
func TestLoginRefusesAPlantedLink(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("giving a link to another user takes root")
	}
	const nobody = 65534
	srv, c := setup(t, sandbox.Options{})
	sticky, victim := filepath.Join(c.dir, "tmp"), filepath.Join(c.dir, "victim")
	for _, d := range []string{sticky, victim} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(sticky, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	plant := func(name string, uid int) string {
		link := filepath.Join(sticky, name)
		if err := os.Symlink(filepath.Join(victim, name), link); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(link, uid, uid); err != nil {
			t.Fatal(err)
		}
		return link
	}
	login := func(config string) result {
		return c.exec(invocation{args: []string{"login", "--with-token", "--insecure-storage"}, stdin: srv.AdminKey(),
			env: map[string]string{"DQOPS_CONFIG": config}})
	}

	link := plant("config.yaml", nobody)
	expectExit(t, login(link), 1, "error: saving configuration "+link+": the symbolic link "+link+
		" belongs to another user (uid 65534) and sits in "+sticky+", a directory anyone may write to: it is not followed for writing; nothing was stored")
	plant("other.yaml.lock", nobody)
	expectExit(t, login(filepath.Join(sticky, "other.yaml")), 1, "error: locking configuration: the symbolic link", "nothing was stored")
	if entries, _ := os.ReadDir(victim); len(entries) != 0 {
		t.Errorf("written through the links: %v", entries)
	}

	expectExit(t, login(plant("mine.yaml", os.Geteuid())), 0)
	expectContains(t, "the link's target", readConfig(t, filepath.Join(victim, "mine.yaml")), "api_key: "+srv.AdminKey())
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

// TestConfigFIFOInterrupted checks that Ctrl-C ends the read of a
// configuration file that is a FIFO whose writer is slow, as it ends every
// other wait for input.
func TestConfigFIFOInterrupted(t *testing.T) {
	t.Parallel()
	_, c := setup(t, sandbox.Options{})
	if err := syscall.Mkfifo(c.configPath, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() { done <- c.exec(invocation{args: []string{"list"}, ctx: ctx}) }()
	// A writer's open without waiting succeeds once the tool has the FIFO
	// open for reading; the writer then writes nothing, as a slow one.
	var w *os.File
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		var err error
		if w, err = os.OpenFile(c.configPath, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the configuration was not opened: %v", err)
		}
	}
	defer w.Close()
	cancel()
	select {
	case r := <-done:
		expectExit(t, r, 130, "error: interrupted")
	case <-time.After(30 * time.Second):
		t.Fatal("Ctrl-C did not end the read of the configuration")
	}
}
