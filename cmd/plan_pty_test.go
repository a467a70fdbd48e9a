//go:build linux

package cmd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// TestPTYPlanBeforePrompt checks that with stdout piped (`apply -f x | tee
// log`) the plan has reached the pipe's reader before the question shows on
// the terminal: the question must never stand above the plan it asks about.
// The reader takes a byte a read, slower than the terminal, as tee is.
func TestPTYPlanBeforePrompt(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	var file strings.Builder
	file.WriteString("users:\n  - email: admin@example.com\n    accountRole: admin\n  - email: viewer@example.com\n    accountRole: viewer\n")
	const creates = 300
	for i := range creates {
		fmt.Fprintf(&file, "  - email: new%03d@example.com\n    accountRole: editor\n", i)
	}
	path := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startPTY(t, srv, ptyOptions{pipedStdout: true, stdoutChunk: 1, env: map[string]string{"NO_COLOR": "1"}}, "apply", "-f", path)
	s.expect(fmt.Sprintf("Apply %d changes to %s? [y/N]: ", creates, srv.URL))
	if n := s.unreadStdout(); n != 0 {
		t.Errorf("the question showed while %d bytes of stdout were unread in the pipe; read so far:\n%s", n, s.stdout.String())
	}
	// Read from the pipe (its reader may still be appending the last chunk
	// it took), before the question is answered.
	last := fmt.Sprintf("Plan: %d to create, 0 to update, 0 to delete, 2 unchanged.\n", creates)
	if got, ok := s.stdout.waitFor(ptyWait, nil, func(out string) bool { return strings.HasSuffix(out, last) }); !ok {
		t.Fatalf("stdout did not end with the plan's last line %q before the answer:\n%s", last, got)
	}
	plan := s.stdout.String()
	s.send("n\r")
	s.expectExit(3)
	if !strings.HasPrefix(plan, "Plan for "+srv.URL+":\n+ create new000@example.com (editor)\n") {
		t.Errorf("stdout does not start with the plan:\n%s", plan)
	}
	if got := s.stdout.String(); got != plan {
		t.Errorf("stdout got more after the answer:\n%s", got[len(plan):])
	}
	if strings.Contains(s.screen(), "create new000") {
		t.Errorf("the plan went to the terminal, not to stdout:\n%s", s.screen())
	}
}
