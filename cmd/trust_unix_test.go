//go:build unix

package cmd_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// runawayTemplate would run for ever without writing a byte.
const runawayTemplate = "{{range 9000000000000000000}}{{end}}"

// Ctrl-C ends a configuration file read from a FIFO whose writer is slow,
// and a runaway --template, within a second: a bound that fails the test
// rather than a measure. Each is cancelled once the tool is in its wait:
// the FIFO open for reading, the list's answer traced (the template runs
// over it next).
func TestCtrlCEndsAConfigFIFOAndATemplateWithinASecond(t *testing.T) {
	t.Parallel()
	t.Run("a FIFO configuration", func(t *testing.T) {
		t.Parallel()
		_, c := setup(t, sandbox.Options{})
		if err := syscall.Mkfifo(c.configPath, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		run := c.start(invocation{args: []string{"list"}, ctx: ctx})
		// A writer's open without waiting succeeds once the tool has the
		// FIFO open for reading; the writer then writes nothing.
		var w *os.File
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
			var err error
			if w, err = os.OpenFile(c.configPath, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the configuration was not opened: %v", err)
			}
		}
		defer w.Close()
		cancel()
		within(t, run.ended, time.Second, "the end of the run after Ctrl-C")
		expectExit(t, run.result(), 130, "error: interrupted")
	})
	t.Run("a runaway --template", func(t *testing.T) {
		t.Parallel()
		_, c := setup(t, sandbox.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stderr := &lockedBuffer{}
		run := c.start(invocation{args: []string{"list", "--template", runawayTemplate, "--debug"}, ctx: ctx, stderr: stderr})
		stderr.waitForText(t, "debug: #1 < [", time.Minute, run.ended)
		cancel()
		within(t, run.ended, time.Second, "the end of the template after Ctrl-C")
		r := run.result()
		expectCode(t, r, 130)
		if r.stdout != "" {
			t.Errorf("the cancelled template printed %q", r.stdout)
		}
	})
}

// SIGINT and SIGTERM end a runaway --template of the built binary, which
// dies by the signal.
func TestSignalsEndARunawayTemplate(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			srv := startSandbox(t, sandbox.Options{})
			b := startBinary(t, binaryCommand(t, map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": srv.AdminKey(),
				"DQOPS_CONFIG": filepath.Join(t.TempDir(), "config.yaml")}, "list", "--template", runawayTemplate, "--debug"))
			b.waitStderr("debug: #1 < [", signalBound)
			sent := time.Now()
			b.signal(sig)
			r := b.wait(sent, signalBound)
			t.Logf("exit %d (%v) %s after the signal", r.code, r.signal, r.elapsed.Round(time.Millisecond))
			if r.signal != sig || r.code != 128+int(sig) {
				t.Errorf("ended with %v (exit %d), want a death by %v\n%s", r.signal, r.code, sig, r)
			}
		})
	}
}

// A disk that fills during export --to (a file-size limit, as ulimit -f
// sets, makes the writes fail as a full disk does): the run fails with the
// write's error, and the old file is untouched, with no temporary left.
func TestExportToFullDisk(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{SeedUsers: 3000})
	dir := t.TempDir()
	path := filepath.Join(dir, "users.yaml")
	const old = "users:\n- {email: old@corp.io, accountRole: viewer}\n"
	if err := os.WriteFile(path, []byte(old), 0o640); err != nil {
		t.Fatal(err)
	}
	c := binaryCommand(t, map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": srv.AdminKey(),
		"DQOPS_CONFIG": filepath.Join(t.TempDir(), "config.yaml")}, "export", "--to", path)
	// 16 KiB at most a file: the export of 3,000 users is about 150 KB.
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to set the file-size limit")
	}
	c.Args = append([]string{"bash", "-c", `ulimit -f 16 && exec "$0" "$@"`, c.Path}, c.Args[1:]...)
	c.Path = bash
	r := runBinary(t, c, "")
	expectExit(t, r, 1, "file too large", "users.yaml was left as it was\n")
	if data, err := os.ReadFile(path); err != nil || string(data) != old {
		t.Errorf("%s now holds %d bytes (%v)", path, len(data), err)
	}
	dirHolds(t, dir, "users.yaml")
}
