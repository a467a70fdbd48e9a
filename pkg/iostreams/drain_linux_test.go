package iostreams

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func unread(t *testing.T, f *os.File) int {
	t.Helper()
	n, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCINQ)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A question waits until the reader of a piped stdout has read what the
// command wrote there.
func TestConfirmWaitsForAPipedStdoutToBeRead(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	plan := strings.Repeat("+ create someone@example.com (viewer)\n", 100)
	if _, err := io.WriteString(w, plan); err != nil {
		t.Fatal(err)
	}
	// A slow reader: a byte a read, as nothing tells the writer when it is done.
	read := make(chan string)
	go func() {
		var got bytes.Buffer
		b := make([]byte, 1)
		for got.Len() < len(plan) {
			n, err := r.Read(b)
			got.Write(b[:n])
			if err != nil {
				break
			}
		}
		read <- got.String()
	}()
	ios := prompting("y\n")
	ios.Out = w
	ok, err := ios.Confirm(context.Background(), "Apply?")
	if !ok || err != nil {
		t.Fatalf("Confirm = %v, %v", ok, err)
	}
	if n := unread(t, r); n != 0 {
		t.Errorf("asked while %d bytes were unread", n)
	}
	if got := <-read; got != plan {
		t.Errorf("the reader got %d bytes, want %d", len(got), len(plan))
	}
}

// A reader that stops reading delays the question by the bound, no more,
// and Ctrl-C ends that wait too.
func TestWaitDrainedIsBounded(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	io.WriteString(w, "never read\n")
	start := time.Now()
	waitDrained(context.Background(), w.Fd(), 20*time.Millisecond)
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("returned after %s, before the bound, with the pipe unread", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan struct{})
	go func() {
		waitDrained(ctx, w.Fd(), time.Hour)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("waitDrained did not end with its context")
	}
}

// Files and terminals are not waited for; a buffering stdout is flushed
// before the question.
func TestBeforePromptFlushesAndSkipsFiles(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	io.WriteString(f, "plan\n")
	f.Seek(0, io.SeekStart) // unread bytes a pipe would count
	done := make(chan struct{})
	go func() {
		waitDrained(context.Background(), f.Fd(), time.Hour)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("waitDrained waited for a regular file")
	}

	var out bytes.Buffer
	buffered := bufio.NewWriter(&out)
	ios := prompting("n\n")
	ios.Out = buffered
	buffered.WriteString("plan\n")
	if _, err := ios.Confirm(context.Background(), "Apply?"); err != nil {
		t.Fatal(err)
	}
	if out.String() != "plan\n" {
		t.Errorf("stdout held %q when the question was asked, want the plan", out.String())
	}
}
