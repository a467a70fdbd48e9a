//go:build unix

package iostreams

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestReadFileFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
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
