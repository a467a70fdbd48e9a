//go:build unix

package cmd_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// signalBound is how long a test waits for the tool to end after a signal
// before it fails: far above the second the tool promises, so that a loaded
// machine does not fail it. The time it took is logged (-v) for the record.
const signalBound = 10 * time.Second

// The first Ctrl-C or SIGTERM ends every wait at once: a request that gets
// no answer, a Retry-After wait, a runaway --jq, a FIFO nobody writes, and
// the exit code says which signal it was. Each signal is sent once the
// tool is in its wait, as an event shows: the request arrived, --debug
// traced the retry's wait or the answer --jq works on, the open of the
// FIFO waits for a writer.
func TestSignalsEndEveryWait(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "users.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		faults string
		args   []string
		sig    os.Signal
		code   int
		// The event that shows the tool in its wait: a request that
		// arrived, a line on stderr, or the open of the FIFO.
		request string
		stderr  string
		fifo    bool
		// config makes the configuration file a FIFO nobody writes.
		config bool
	}{
		{name: "a request without an answer", faults: "GET /api/users slow=1h", args: []string{"list", "--timeout", "0"},
			sig: os.Interrupt, code: 130, request: "GET /api/users"},
		{name: "a Retry-After: 30 wait", faults: "GET /api/users 429 retry-after=30", args: []string{"list", "--retries", "3", "--debug"},
			sig: os.Interrupt, code: 130, stderr: "; retry 1 of 3 in 30s\n"},
		{name: "a runaway --jq", args: []string{"list", "--jq", "def f: f; f", "--debug"}, sig: os.Interrupt, code: 130,
			stderr: "debug: #1 < ["},
		{name: "a --jq building an endless array", args: []string{"list", "--jq", "[range(1e12)]", "--debug"}, sig: os.Interrupt, code: 130,
			stderr: "debug: #1 < ["},
		{name: "a FIFO nobody writes", args: []string{"apply", "-f", fifo}, sig: os.Interrupt, code: 130, fifo: true},
		{name: "a FIFO configuration", args: []string{"list"}, sig: os.Interrupt, code: 130, fifo: true, config: true},
		{name: "a FIFO configuration, SIGTERM", args: []string{"list"}, sig: syscall.SIGTERM, code: 143, fifo: true, config: true},
		{name: "SIGTERM", faults: "GET /api/users slow=1h", args: []string{"list", "--timeout", "0"},
			sig: syscall.SIGTERM, code: 143, request: "GET /api/users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startSandbox(t, sandbox.Options{Faults: tt.faults})
			var arrived <-chan struct{}
			if tt.request != "" {
				method, path, _ := strings.Cut(tt.request, " ")
				arrived = srv.arrived(method, path)
			}
			config := filepath.Join(t.TempDir(), "config.yaml")
			if tt.config {
				if err := syscall.Mkfifo(config, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			b := startBinary(t, binaryCommand(t, map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": srv.AdminKey(),
				"DQOPS_CONFIG": config}, tt.args...))
			switch {
			case arrived != nil:
				within(t, arrived, signalBound, "the request's arrival")
			case tt.stderr != "":
				b.waitStderr(tt.stderr, signalBound)
			case tt.fifo:
				waitForFIFOOpen(t, b.cmd.Process.Pid, signalBound)
			}
			sent := time.Now()
			b.signal(tt.sig)
			r := b.wait(sent, signalBound)
			t.Logf("%s: exit %d %s after the signal", tt.name, r.code, r.elapsed.Round(time.Millisecond))
			expectCode(t, r, tt.code)
		})
	}
}

// applyStopping is what apply says at once on the first Ctrl-C.
const applyStopping = "Stopping: no more changes are started, and the requests in flight get 500ms to finish; a second Ctrl-C exits at once.\n"

// apply stops scheduling at the first Ctrl-C and says so, gives the
// requests in flight their grace, then says what was done, what was not
// attempted and what is unknown; a second Ctrl-C ends it at once, without
// a summary.
func TestSignalsDuringApply(t *testing.T) {
	t.Parallel()
	var file strings.Builder
	for i := range 20 {
		fmt.Fprintf(&file, "- {email: u%02d@example.com, accountRole: viewer}\n", i)
	}
	run := func(t *testing.T, twice bool) result {
		// Creates get no answer: the two in flight are cut short after the
		// grace. The body is read first, so that the server sees the client
		// go away.
		arrived := make(chan struct{}, 20)
		hang := func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					next.ServeHTTP(w, r)
					return
				}
				_, _ = io.Copy(io.Discard, r.Body)
				arrived <- struct{}{}
				<-r.Context().Done()
			})
		}
		srv := serveSandbox(t, sandbox.Options{}, serving{wrap: hang})
		dir := t.TempDir()
		path := filepath.Join(dir, "users.yaml")
		if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		b := startBinary(t, binaryCommand(t, map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": srv.AdminKey(),
			"DQOPS_CONFIG": filepath.Join(dir, "config.yaml")}, "apply", "-f", path, "--parallel", "2", "--yes"))
		// Both creates that --parallel 2 allows are in flight.
		for i := range 2 {
			select {
			case <-arrived:
			case <-time.After(signalBound):
				t.Fatalf("%d creates arrived, want 2", i)
			}
		}
		sent := time.Now()
		b.signal(os.Interrupt)
		if twice {
			// The second only once the tool has answered the first: two
			// SIGINTs that come before the first is handled are one
			// (signals of a kind do not queue), and apply would then end
			// with its summary after the grace.
			b.waitStderr(applyStopping, signalBound)
			b.signal(os.Interrupt)
		}
		r := b.wait(sent, signalBound)
		t.Logf("apply with requests in flight: exit %d %s after the first signal", r.code, r.elapsed.Round(time.Millisecond))
		return r
	}
	t.Run("once", func(t *testing.T) {
		t.Parallel()
		r := run(t, false)
		expectExit(t, r, 130, applyStopping, "Interrupted: 0 created", "18 not attempted:", "2 changes whose outcome is unknown",
			"check with `dqo-users list`", "create u00@example.com", "create u01@example.com")
	})
	t.Run("twice", func(t *testing.T) {
		t.Parallel()
		r := run(t, true)
		expectCode(t, r, 130)
		expectNotContains(t, "stderr", r.stderr, "Interrupted:")
	})
}
