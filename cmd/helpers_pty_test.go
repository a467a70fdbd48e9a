//go:build linux

package cmd_test

// The built binary on a pseudo-terminal, for the tests of prompts.

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// ptyWait bounds every wait of these tests so that a broken prompt fails
// the test instead of hanging it; nothing asserts on how long things take.
const ptyWait = 60 * time.Second

// ptySession is the built binary running on a pseudo-terminal: its stdin,
// stdout and stderr are the terminal unless a test pipes stdout.
type ptySession struct {
	t      *testing.T
	cmd    *exec.Cmd
	ptm    *os.File // the terminal's master side: what a user types and sees
	tty    *os.File // the child's side, kept open here to read its modes
	out    *lockedBuffer
	stdout *lockedBuffer // stdout when piped instead of the terminal
	// stdoutPipe is the reading end of that pipe, for what it holds unread
	// (unreadStdout); stdoutRead is closed once it has been read to its end.
	stdoutPipe *os.File
	stdoutRead chan struct{}
	seen       int // how much of out expect has consumed
	// url is the sandbox's address, which expect writes for {URL}.
	url  string
	done chan struct{}
	err  error
	// read is closed when everything the terminal showed has been copied
	// to out; that is once the child ended and the test closed tty.
	read chan struct{}
	// lflagAtExit holds the terminal's local modes as the child left them.
	lflagAtExit *uint32
}

// ptyOptions are how startPTY runs the binary.
type ptyOptions struct {
	env         map[string]string
	pipedStdout bool
	// stdoutChunk, with pipedStdout, is how many bytes each read of the
	// pipe takes (default 32 KiB): a small one makes a slow reader, as tee
	// is next to a terminal.
	stdoutChunk int
}

// startPTY runs the binary with args on a new pseudo-terminal, pointed at
// srv with its admin key and a configuration file of the test's own.
func startPTY(t *testing.T, srv *testServer, opts ptyOptions, args ...string) *ptySession {
	t.Helper()
	if _, err := os.Stat("/dev/ptmx"); errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") != "" {
			t.Fatal("no /dev/ptmx: CI must run the pseudo-terminal tests")
		}
		t.Skip("no /dev/ptmx: pseudo-terminals are not available")
	}
	vars := map[string]string{
		"DQOPS_CONFIG":  filepath.Join(t.TempDir(), "config.yaml"),
		"DQOPS_RETRIES": "0",
		"TERM":          "xterm",
		"HOME":          t.TempDir(),
	}
	if srv != nil {
		vars["DQOPS_URL"] = srv.URL
		vars["DQOPS_API_KEY"] = srv.AdminKey()
	}
	for k, v := range opts.env {
		vars[k] = v
	}
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	if err := pty.Setsize(ptm, &pty.Winsize{Rows: 40, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	s := &ptySession{t: t, ptm: ptm, tty: tty, out: &lockedBuffer{}, done: make(chan struct{}), read: make(chan struct{})}
	if srv != nil {
		s.url = srv.URL
	}
	c := binaryCommand(t, vars, args...)
	c.Stdin, c.Stdout, c.Stderr = tty, tty, tty
	if opts.pipedStdout {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		s.stdout, s.stdoutPipe, s.stdoutRead = &lockedBuffer{}, r, make(chan struct{})
		c.Stdout = w
		defer w.Close() // the child's copy keeps the pipe open
		chunk := opts.stdoutChunk
		if chunk <= 0 {
			chunk = 32 << 10
		}
		go func() {
			defer close(s.stdoutRead)
			buf := make([]byte, chunk)
			for {
				n, err := r.Read(buf)
				s.stdout.Write(buf[:n])
				if err != nil {
					return
				}
			}
		}()
	}
	// A session of its own with the terminal as its controlling terminal,
	// so that Ctrl-C typed on it signals the child as it would in a shell.
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := c.Start(); err != nil {
		t.Fatalf("starting %s: %v", c.Path, err)
	}
	s.cmd = c
	go func() {
		_, _ = io.Copy(s.out, ptm)
		close(s.read)
	}()
	go func() {
		s.err = c.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = c.Process.Kill()
			<-s.done
		}
		ptm.Close()
		tty.Close()
		if s.stdoutPipe != nil {
			s.stdoutPipe.Close()
		}
	})
	return s
}

// unreadStdout is how many bytes the piped stdout holds that the test has
// not read yet.
func (s *ptySession) unreadStdout() int {
	s.t.Helper()
	n, err := unix.IoctlGetInt(int(s.stdoutPipe.Fd()), unix.TIOCINQ) // FIONREAD
	if err != nil {
		s.t.Fatalf("counting the unread bytes of stdout: %v", err)
	}
	return n
}

// expect waits until the terminal has shown want after what earlier calls
// consumed.
func (s *ptySession) expect(want string) {
	s.t.Helper()
	want = strings.ReplaceAll(want, "{URL}", s.url)
	shown := func(out string) bool { return strings.Contains(out[s.seen:], want) }
	out, ok := s.out.waitFor(ptyWait, s.done, shown)
	if !ok {
		// The child is gone: what it wrote is in the terminal already, and
		// the reader copies it in a moment.
		out, ok = s.out.waitFor(2*time.Second, nil, shown)
	}
	if !ok {
		s.t.Fatalf("the terminal did not show %q; it shows:\n%s", want, out)
	}
	s.seen += strings.Index(out[s.seen:], want) + len(want)
}

// lflag returns the local modes of the child's terminal.
func (s *ptySession) lflag() uint32 {
	s.t.Helper()
	if s.lflagAtExit != nil {
		return *s.lflagAtExit
	}
	tio, err := unix.IoctlGetTermios(int(s.tty.Fd()), unix.TCGETS)
	if err != nil {
		s.t.Fatalf("reading the terminal's modes: %v", err)
	}
	return tio.Lflag
}

// waitEcho waits until the terminal's echo is on (or off): typing a secret
// before the prompt turned echo off would show it, as it would to a user
// typing ahead.
func (s *ptySession) waitEcho(on bool) {
	s.t.Helper()
	deadline := time.Now().Add(ptyWait)
	for (s.lflag()&unix.ECHO != 0) != on {
		if time.Now().After(deadline) {
			s.t.Fatalf("the terminal's echo did not turn %v; it shows:\n%s", on, s.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// typeSecret types a line once the prompt has turned echo off.
func (s *ptySession) typeSecret(line string) {
	s.t.Helper()
	s.waitEcho(false)
	s.send(line + "\r")
}

func (s *ptySession) send(text string) {
	s.t.Helper()
	if _, err := s.ptm.Write([]byte(text)); err != nil {
		s.t.Fatalf("typing: %v", err)
	}
}

// exitCode waits for the child to end and returns its exit code.
func (s *ptySession) exitCode() int {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(ptyWait):
		_ = s.cmd.Process.Kill()
		<-s.done
		s.t.Fatalf("the command did not end; the terminal shows:\n%s", s.out.String())
	}
	if s.lflagAtExit == nil {
		lflag := s.lflag()
		s.lflagAtExit = &lflag
		// Closing the last descriptor of the child's side makes reading the
		// master end, once everything the child wrote has been read.
		s.tty.Close()
		select {
		case <-s.read:
		case <-time.After(ptyWait):
			s.t.Fatalf("the terminal's output did not end:\n%s", s.out.String())
		}
		if s.stdoutRead != nil {
			select {
			case <-s.stdoutRead:
			case <-time.After(ptyWait):
				s.t.Fatalf("stdout did not end:\n%s", s.stdout.String())
			}
		}
	}
	var ee *exec.ExitError
	switch {
	case s.err == nil:
		return 0
	case errors.As(s.err, &ee):
		code, _ := exitStatus(ee.ProcessState)
		return code
	}
	s.t.Fatalf("waiting for the command: %v", s.err)
	return -1
}

func (s *ptySession) expectExit(want int) {
	s.t.Helper()
	if got := s.exitCode(); got != want {
		s.t.Fatalf("exit code %d, want %d; the terminal shows:\n%s", got, want, s.out.String())
	}
}

// screen is everything the terminal showed so far.
func (s *ptySession) screen() string { return s.out.String() }
