//go:build unix

package cmd_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// After its cleanup the tool dies by the signal it received, as a program
// that does not catch it would: its wait status is a death by that signal
// (a shell's $? is still 130 or 143), and what it says about the
// interruption is on stderr first.
func TestDiesByTheSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			srv := startSandbox(t, sandbox.Options{Faults: "GET /api/users slow=1h"})
			arrived := srv.arrived("GET", "/api/users")
			b := startBinary(t, binaryCommand(t, map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": srv.AdminKey(),
				"DQOPS_CONFIG": filepath.Join(t.TempDir(), "config.yaml")}, "export", "--timeout", "0"))
			awaitSignal(t, arrived, "the list request")
			sent := time.Now()
			b.signal(sig)
			r := b.wait(sent, signalBound)
			if r.signal != sig {
				t.Fatalf("ended with %v (exit %d), want a death by %v\n%s", r.signal, r.code, sig, r)
			}
			expectExit(t, r, 128+int(sig), "error:")
		})
	}
}

// Ctrl-C at a terminal signals the whole foreground process group: the
// script that ran the tool stops there too, as it does for sleep, rather
// than go on to the next command (which could be an apply --prune of a
// cut-off export).
func TestCtrlCStopsTheCallingScript(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash:", err)
	}
	srv := startSandbox(t, sandbox.Options{Faults: "GET /api/users slow=1h"})
	arrived := srv.arrived("GET", "/api/users")
	dir := t.TempDir()
	script := fmt.Sprintf("%q export --timeout 0 > %q; echo CONTINUED", binary(t), filepath.Join(dir, "users.yaml"))
	c := exec.Command(bash, "-c", script)
	c.Env = childEnv(map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": srv.AdminKey(),
		"DQOPS_CONFIG": filepath.Join(dir, "config.yaml")})
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	b := startBinary(t, c)
	awaitSignal(t, arrived, "the list request")
	sent := time.Now()
	if err := syscall.Kill(-c.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := b.wait(sent, signalBound)
	if strings.Contains(r.stdout, "CONTINUED") {
		t.Fatalf("the script went on after Ctrl-C\n%s", r)
	}
	if r.signal != syscall.SIGINT {
		t.Errorf("bash ended with %v (exit %d), want a death by SIGINT\n%s", r.signal, r.code, r)
	}
}

// awaitSignal waits for an event before a signal is sent, failing the test
// when it does not come.
func awaitSignal(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(signalBound):
		t.Fatalf("%s never arrived", what)
	}
}
