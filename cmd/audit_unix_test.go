//go:build unix

package cmd_test

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// auditFIFO makes a FIFO for the audit log and opens its reading end, so
// that the tool's open for writing does not wait.
func auditFIFO(t *testing.T, dir string) (string, *os.File) {
	t.Helper()
	path := filepath.Join(dir, "audit.fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return path, r
}

// An audit log that is a pipe (a FIFO read by a log shipper, or
// /dev/stderr) gets every line: a pipe cannot be synced, and is not asked
// to be.
func TestAuditLogToAPipe(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{})
	path, reader := auditFIFO(t, c.dir)
	lines := make(chan string, 10)
	arrived := srv.arrived(http.MethodPost, "/api/users")
	run := c.start(invocation{args: []string{"apply", "-f", c.file("u.yaml", "- {email: a@corp.io, accountRole: viewer}\n- {email: b@corp.io, accountRole: viewer}\n"),
		"--yes", "--parallel", "1", "--audit-log", path}})
	// The log is open for writing before the first change: a read waits
	// for lines from then on, rather than finding no writer.
	within(t, arrived, time.Minute, "the first create")
	go func() {
		scanner := bufio.NewScanner(reader)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
		close(lines)
	}()
	r := run.result()
	expectExit(t, r, 0, "Applied: 2 created")
	var got []string
	for l := range lines {
		got = append(got, l)
	}
	if len(got) != 2 || !strings.Contains(got[0], `"email":"a@corp.io"`) || !strings.Contains(got[1], `"email":"b@corp.io"`) {
		t.Errorf("the pipe got:\n%s", strings.Join(got, "\n"))
	}
}

// When a change's line cannot be written (the pipe's reader went away
// after the first line), no further change is started, and apply exits 1
// naming the log and the change whose record is missing.
func TestAuditLogLineNotWrittenStopsTheRun(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{})
	path, reader := auditFIFO(t, c.dir)
	readerGone := make(chan struct{})
	var posts atomic.Int32
	// The second create waits until the reader has gone, so that its line
	// meets a broken pipe.
	srv.onRequest(func(r *http.Request) {
		if r.Method == http.MethodPost && posts.Add(1) == 2 {
			<-readerGone
		}
	})
	arrived := srv.arrived(http.MethodPost, "/api/users")
	var file strings.Builder
	for i := range 5 {
		fmt.Fprintf(&file, "- {email: u%d@corp.io, accountRole: viewer}\n", i)
	}
	run := c.start(invocation{args: []string{"apply", "-f", c.file("u.yaml", file.String()), "--yes", "--parallel", "1", "--audit-log", path}})
	within(t, arrived, time.Minute, "the first create")
	first := waitLine(t, bufio.NewReader(reader))
	if !strings.Contains(first, `"email":"u0@corp.io"`) {
		t.Errorf("the first line: %q", first)
	}
	reader.Close()
	close(readerGone)
	r := run.result()
	expectExit(t, r, 1, "audit log "+path+": ", "the create of u1@corp.io was made but is not recorded in it; no further change was started")
	if n := posts.Load(); n != 2 {
		t.Errorf("%d creates sent, want 2", n)
	}
}
