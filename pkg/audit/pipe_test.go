package audit

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// A log that is a pipe (a FIFO read by a log shipper, /dev/stderr piped)
// takes every line: a pipe cannot be synced, and is not asked to be.
func TestWriteToAPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, err := Open("pipe", func(string) (*os.File, error) { return w, nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"a@x.io", "b@x.io"} {
		if err := l.Write(Entry{Action: "create", Email: email, Outcome: OutcomeDone}); err != nil {
			t.Fatalf("writing the line of %s: %v", email, err)
		}
	}
	l.Close()
	var lines []string
	for s := bufio.NewScanner(r); s.Scan(); {
		lines = append(lines, s.Text())
	}
	if len(lines) != 2 || !strings.Contains(lines[1], `"email":"b@x.io"`) {
		t.Errorf("the pipe got %q", lines)
	}
}
