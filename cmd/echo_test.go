package cmd_test

import (
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// A proxy or WAF that echoes the request body in its error (a text/plain
// 400, an HTML 502 with the body in its title) never makes a password
// appear: not in the error, not in the --debug trace.
func TestAnEchoedPasswordIsNeverShown(t *testing.T) {
	t.Parallel()
	const password = "S3cret-Passw0rd-echoed"
	for _, fault := range []string{"echo", "echo-html"} {
		for _, args := range [][]string{
			{"passwd", "--password-stdin"},
			{"user-passwd", "viewer@example.com", "--password-stdin"},
			{"create", "new@example.com", "--role", "viewer", "--password-stdin"},
		} {
			for _, debug := range []bool{false, true} {
				name := fault + " " + args[0]
				if debug {
					name += " --debug"
					args = append(args, "--debug")
				}
				t.Run(name, func(t *testing.T) {
					_, c := setup(t, sandbox.Options{Faults: "PUT /api/mypassword " + fault + "; PUT /api/users/*/password " + fault})
					r := c.runStdin(password+"\n", args...)
					if r.code == 0 {
						t.Fatalf("the echoed answer was taken for success\n%s", r)
					}
					for _, part := range []string{password, password[:8], strings.ToLower(password)} {
						expectNotContains(t, "output", r.stdout+r.stderr, part)
					}
				})
			}
		}
	}
}

// A proxy that echoes altered copies of the Authorization header (its first
// eight characters, a lower-cased copy) shows no run of the key in --debug.
func TestAnEchoedKeyIsRedactedInTheTrace(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{Faults: "GET /api/users echo-auth"})
	key := srv.AdminKey()
	r := c.run("list", "--debug")
	expectCode(t, r, 1)
	if !strings.Contains(r.stderr, "[redacted]") {
		t.Errorf("nothing was redacted:\n%s", r.stderr)
	}
	// The sandbox's keys share their "dqo-sandbox-" start; what must never
	// show is a run of eight characters of the key's own random part.
	random := strings.TrimPrefix(key, sandbox.KeyPrefix)
	for i := 0; i+8 <= len(random); i++ {
		if run := random[i : i+8]; strings.Contains(strings.ToLower(r.stdout+r.stderr), run) {
			t.Fatalf("the trace shows %q, a run of the key:\n%s", run, r.stderr)
		}
	}
}
