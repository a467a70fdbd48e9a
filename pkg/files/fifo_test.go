//go:build unix

package files

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFileFIFO(t *testing.T) {
	path := fifo(t)
	done := background(func() ([]byte, error) { return ReadFile(context.Background(), path, 10) })
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.WriteString("users: []\n")
	w.Close()
	if r := await(t, done); r.err != nil || string(r.v) != "users: []\n" {
		t.Errorf("%q, %v", r.v, r.err)
	}
	// A writer that does not stop is cut off at the cap.
	done = background(func() ([]byte, error) { return ReadFile(context.Background(), path, 10) })
	w, err = os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	go func() {
		for {
			if _, err := w.WriteString("users: []\n"); err != nil {
				return // the reader is gone
			}
		}
	}()
	expectTooLarge(t, await(t, done).err, path, 10)
}

// Ctrl-C ends ReadFile of a FIFO nobody opened for writing: the open itself
// waits for a writer.
func TestReadFileFIFOInterruptedInOpen(t *testing.T) {
	path := fifo(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := background(func() ([]byte, error) { return ReadFile(ctx, path, MaxFileSize) })
	waitInOpen(t)
	cancel()
	if r := await(t, done); !errors.Is(r.err, ErrInterrupted) {
		t.Errorf("%q, %v; want ErrInterrupted", r.v, r.err)
	}
	// A writer lets the abandoned open end, and finds nobody reading.
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	expectReaderGone(t, w)
}

// Ctrl-C ends ReadFile of a FIFO whose writer is slow, and the read itself
// stops: the writer finds nobody reading.
func TestReadFileFIFOInterruptedInRead(t *testing.T) {
	path := fifo(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := background(func() ([]byte, error) { return ReadFile(ctx, path, MaxFileSize) })
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.WriteString("users:\n"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if r := await(t, done); !errors.Is(r.err, ErrInterrupted) {
		t.Errorf("%q, %v; want ErrInterrupted", r.v, r.err)
	}
	expectReaderGone(t, w)
}

// expectReaderGone writes to a FIFO until the write fails because its
// reader closed it, as it does once the read was given up.
func expectReaderGone(t *testing.T, w *os.File) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		_, err := w.WriteString("- email: a@b.io\n")
		if errors.Is(err, syscall.EPIPE) {
			return
		}
		if err != nil {
			t.Fatalf("writing to the FIFO: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the FIFO is still read after Ctrl-C")
		}
		time.Sleep(time.Millisecond)
	}
}

// fifo makes a FIFO in the test's directory.
func fifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "users.fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	return path
}

// waitInOpen waits until ReadFile waits in the open of its file.
func waitInOpen(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(bound)
	buf := make([]byte, 1<<20)
	for {
		stacks := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "files.readFile(") && strings.Contains(g, "os.Open(") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ReadFile is not in open:\n%s", stacks)
		}
		time.Sleep(time.Millisecond)
	}
}
