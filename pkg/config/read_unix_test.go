//go:build unix

package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// TestLoadFIFOInterrupted checks that a configuration file that is a FIFO
// obeys Ctrl-C (ctx) like every other input: when nobody writes to it, when
// its writer is slow, and when the context ended before the read; and that
// one whose writer finishes is read.
func TestLoadFIFOInterrupted(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		writer func(t *testing.T, path string) // opens the FIFO for writing, or not
		cancel bool                            // cancelled before Load starts
	}{
		{"nobody writes", nil, false},
		{"a slow writer", slowWriter, false},
		{"cancelled before", nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skip("no FIFOs here:", err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			if tt.cancel {
				cancel()
			}
			done := make(chan error, 1)
			go func() {
				_, err := Load(ctx, path, LoadOptions{})
				done <- err
			}()
			if tt.writer != nil {
				tt.writer(t, path)
			}
			cancel()
			select {
			case err := <-done:
				if !errors.Is(err, files.ErrInterrupted) {
					t.Errorf("got %v, want files.ErrInterrupted", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Load did not return after Ctrl-C")
			}
			// A writer lets an open given up on end, rather than hold a
			// thread until the tests end.
			if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
		})
	}

	t.Run("a writer that finishes", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "config.yaml")
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		go func() {
			if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
				w.WriteString("profiles:\n  p:\n    url: http://h\n")
				w.Close()
			}
		}()
		c, err := Load(t.Context(), path, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Profile("p"); !ok {
			t.Errorf("read %v", c.Profiles())
		}
	})
}

// slowWriter opens the FIFO for writing, which waits for Load's open, and
// writes part of a document, keeping the FIFO open until the test ends.
func slowWriter(t *testing.T, path string) {
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if _, err := w.WriteString("profiles:\n"); err != nil {
		t.Fatal(err)
	}
}
