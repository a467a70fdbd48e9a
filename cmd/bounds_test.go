//go:build unix

package cmd_test

import (
	"os"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// An endless input (a file, stdin) is refused with exit 2 once past its
// limit, never read whole: apply's file and stdin at 256 MiB, a password or
// a key at 4 KiB, --config at 256 MiB. Nothing is sent.
func TestEndlessInputIsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		stdin  string // a file to read stdin from
		errHas string
	}{
		{name: "apply -f /dev/zero", args: []string{"apply", "-f", "/dev/zero", "--format", "yaml"}, errHas: "is larger than 256 MiB"},
		{name: "apply -f - </dev/zero", args: []string{"apply", "-f", "-", "--format", "yaml"}, stdin: "/dev/zero", errHas: "stdin is larger than 256 MiB"},
		{name: "--password-stdin </dev/zero", args: []string{"passwd", "--password-stdin"}, stdin: "/dev/zero", errHas: "stdin is larger than 4 KiB"},
		{name: "login --with-token </dev/zero", args: []string{"login", "--with-token", "--insecure-storage"}, stdin: "/dev/zero", errHas: "stdin is larger than 4 KiB"},
		{name: "--api-key-file /dev/zero", args: []string{"list", "--api-key-file", "/dev/zero"}, errHas: "larger than"},
		{name: "--config /dev/zero", args: []string{"list", "--config", "/dev/zero"}, errHas: "/dev/zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, sandbox.Options{})
			inv := invocation{args: tt.args}
			if tt.stdin != "" {
				f, err := os.Open(tt.stdin)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				inv.stdinReader = f
			}
			// A bound, so that an input read without its limit fails the
			// test instead of hanging it.
			c.timeout = time.Minute
			r := c.exec(inv)
			expectExit(t, r, 2, tt.errHas)
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("writes sent: %v", w)
			}
		})
	}
}
