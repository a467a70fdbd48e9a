//go:build linux

package iostreams

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/dqops-users/dqo-users/pkg/files"
	"golang.org/x/sys/unix"
)

// terminal is a pseudo-terminal: the streams read and write its tty side,
// the test types on and reads what it shows from its master side.
type terminal struct {
	t      *testing.T
	master *os.File
	tty    *os.File
	mu     sync.Mutex
	shown  bytes.Buffer
	seen   int // how much of shown expect has consumed
}

func openTerminal(t *testing.T) *terminal {
	t.Helper()
	if _, err := os.Stat("/dev/ptmx"); errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") != "" {
			t.Fatal("no /dev/ptmx: CI must run the pseudo-terminal tests")
		}
		t.Skip("no /dev/ptmx: pseudo-terminals are not available")
	}
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	tm := &terminal{t: t, master: master, tty: tty}
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := master.Read(buf)
			tm.mu.Lock()
			tm.shown.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		master.Close()
		tty.Close()
	})
	return tm
}

// streams returns streams on the terminal: stdin and stderr are its tty.
func (tm *terminal) streams() *IOStreams {
	return &IOStreams{In: tm.tty, Out: io.Discard, ErrOut: tm.tty}
}

func (tm *terminal) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.shown.String()
}

func (tm *terminal) lflag() uint32 {
	tm.t.Helper()
	tio, err := unix.IoctlGetTermios(int(tm.tty.Fd()), unix.TCGETS)
	if err != nil {
		tm.t.Fatalf("reading the terminal's modes: %v", err)
	}
	return tio.Lflag
}

// waitEcho waits until the terminal's echo is on (or off).
func (tm *terminal) waitEcho(on bool) {
	tm.t.Helper()
	deadline := time.Now().Add(bound)
	for (tm.lflag()&unix.ECHO != 0) != on {
		if time.Now().After(deadline) {
			tm.t.Fatalf("the terminal's echo did not turn %v; it shows %q", on, tm.screen())
		}
		time.Sleep(time.Millisecond)
	}
}

// expect waits until the terminal has shown want, after what earlier calls
// consumed.
func (tm *terminal) expect(want string) {
	tm.t.Helper()
	deadline := time.Now().Add(bound)
	for {
		screen := tm.screen()
		if i := strings.Index(screen[tm.seen:], want); i >= 0 {
			tm.seen += i + len(want)
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the terminal did not show %q; it shows %q", want, screen[tm.seen:])
		}
		time.Sleep(time.Millisecond)
	}
}

func (tm *terminal) typ(text string) {
	tm.t.Helper()
	if _, err := tm.master.WriteString(text); err != nil {
		tm.t.Fatalf("typing: %v", err)
	}
}

// lineTyped waits until the terminal holds a whole typed line for its
// reader: the terminal has then dealt with it, and echoed it or not.
func (tm *terminal) lineTyped() {
	tm.t.Helper()
	fds := []unix.PollFd{{Fd: int32(tm.tty.Fd()), Events: unix.POLLIN}}
	if n, err := unix.Poll(fds, int(bound/time.Millisecond)); n != 1 || err != nil {
		tm.t.Fatalf("the typed line did not arrive: %d, %v", n, err)
	}
}

// pasteAtPrompt is a stderr that, as the prompt is written, has a secret
// arrive at the terminal first, as a paste or a fast typist would.
type pasteAtPrompt struct {
	tm     *terminal
	secret string
	once   sync.Once
}

func (p *pasteAtPrompt) Write(b []byte) (int, error) {
	p.once.Do(func() {
		p.tm.typ(p.secret + "\r")
		p.tm.lineTyped()
	})
	return p.tm.tty.Write(b)
}

func TestSecretPastedAtThePromptIsNotEchoed(t *testing.T) {
	const secret = "pasted-s3cret"
	tm := openTerminal(t)
	ios := tm.streams()
	ios.ErrOut = &pasteAtPrompt{tm: tm, secret: secret}
	got, err := ios.ReadSecret(context.Background(), "API key: ")
	if err != nil || string(got) != secret {
		t.Fatalf("got %q, %v; want %q", got, err, secret)
	}
	tm.expect("API key: \r\n")
	if strings.Contains(tm.screen(), secret) {
		t.Errorf("the secret was echoed: %q", tm.screen())
	}
	if tm.lflag()&unix.ECHO == 0 {
		t.Error("the echo was left off")
	}
}

func TestSecretTyped(t *testing.T) {
	tests := []struct {
		name, typed, want string
	}{
		{"plain", "s3cret\r", "s3cret"},
		{"spaces kept", " a b \r", " a b "},
		{"erase key", "s3cx\x7fret\r", "s3cret"},
		{"Ctrl-H", "s3cx\bret\r", "s3cret"},
		{"empty", "\r", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := openTerminal(t)
			ios := tm.streams()
			done := background(func() ([]byte, error) { return ios.ReadSecret(context.Background(), "Password: ") })
			tm.waitEcho(false)
			if lflag := tm.lflag(); lflag&unix.ICANON == 0 || lflag&unix.ISIG == 0 {
				t.Errorf("line editing or signal keys off while hidden: lflag %#x", lflag)
			}
			tm.typ(tt.typed)
			r := await(t, done)
			if r.err != nil || string(r.v) != tt.want {
				t.Errorf("got %q, %v; want %q", r.v, r.err, tt.want)
			}
			tm.expect("Password: \r\n")
			if tt.want != "" && strings.Contains(tm.screen(), tt.want) {
				t.Errorf("echoed: %q", tm.screen())
			}
			if tm.lflag()&unix.ECHO == 0 {
				t.Error("the echo was left off")
			}
		})
	}
}

// Ctrl-D at a hidden entry cancels it, so that what is typed next does not
// become the secret.
func TestSecretEndOfInput(t *testing.T) {
	readers := map[string]func(*IOStreams) ([]byte, error){
		"prompt": func(ios *IOStreams) ([]byte, error) { return ios.ReadSecret(context.Background(), "Password: ") },
		"stdin":  func(ios *IOStreams) ([]byte, error) { return ios.ReadStdinSecret(context.Background()) },
	}
	for name, read := range readers {
		t.Run(name, func(t *testing.T) {
			tm := openTerminal(t)
			ios := tm.streams()
			done := background(func() ([]byte, error) { return read(ios) })
			tm.waitEcho(false)
			tm.typ("\x04")
			if r := await(t, done); !errors.Is(r.err, ErrNoAnswer) {
				t.Errorf("got %q, %v; want ErrNoAnswer", r.v, r.err)
			}
			if tm.lflag()&unix.ECHO == 0 {
				t.Error("the echo was left off")
			}
		})
	}
}

func TestSecretInterrupted(t *testing.T) {
	tm := openTerminal(t)
	ios := tm.streams()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := background(func() ([]byte, error) { return ios.ReadSecret(ctx, "Password: ") })
	tm.waitEcho(false)
	tm.typ("half a secr")
	cancel()
	if r := await(t, done); !errors.Is(r.err, files.ErrInterrupted) {
		t.Errorf("got %q, %v; want files.ErrInterrupted", r.v, r.err)
	}
	if tm.lflag()&unix.ECHO == 0 {
		t.Error("the echo was not put back")
	}
}

func TestNewPasswordTries(t *testing.T) {
	const (
		first     = "New password for ana@corp.io: "
		repeat    = "Repeat the password: "
		mismatch  = "The passwords do not match; try again.\r\n"
		empty     = "The password is empty; try again.\r\n"
		pwOK      = "pw-right"
		pwA, pwB  = "pw-one", "pw-two"
		pwC, pwD  = "pw-three", "pw-four"
		pwE, pwF  = "pw-five", "pw-six"
		emptyLine = ""
	)
	type step struct{ shows, typ string }
	tests := []struct {
		name  string
		steps []step
		want  string
		err   error
	}{
		{"match at once", []step{{first, pwOK}, {repeat, pwOK}}, pwOK, nil},
		{"a mismatch, then a match", []step{{first, pwA}, {repeat, pwB}, {mismatch + first, pwOK}, {repeat, pwOK}}, pwOK, nil},
		{"empty, then a match", []step{{first, emptyLine}, {empty + first, pwOK}, {repeat, pwOK}}, pwOK, nil},
		{"three mismatches", []step{{first, pwA}, {repeat, pwB}, {mismatch + first, pwC}, {repeat, pwD}, {mismatch + first, pwE}, {repeat, pwF}}, "", ErrMismatch},
		{"the last try empty", []step{{first, pwA}, {repeat, pwB}, {mismatch + first, emptyLine}, {empty + first, emptyLine}}, "", ErrEmptyPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := openTerminal(t)
			ios := tm.streams()
			done := background(func() ([]byte, error) { return ios.ReadNewPassword(context.Background(), "ana@corp.io") })
			for _, st := range tt.steps {
				tm.expect(st.shows) // shown once the echo is off
				tm.typ(st.typ + "\r")
			}
			r := await(t, done)
			if string(r.v) != tt.want || !errors.Is(r.err, tt.err) {
				t.Errorf("got %q, %v; want %q, %v", r.v, r.err, tt.want, tt.err)
			}
			tm.expect("\r\n") // after the last entry
			if rest := tm.screen()[tm.seen:]; strings.Contains(rest, "try again") {
				t.Errorf("another try was offered after the last: %q", rest)
			}
			for _, pw := range []string{pwOK, pwA, pwB, pwC, pwD, pwE, pwF} {
				if strings.Contains(tm.screen(), pw) {
					t.Errorf("%q was echoed: %q", pw, tm.screen())
				}
			}
		})
	}
}

// Ctrl-C ends a hidden entry wherever it waits, and puts the echo back.
func TestHiddenEntriesInterrupted(t *testing.T) {
	tests := []struct {
		name    string
		read    func(context.Context, *IOStreams) ([]byte, error)
		answers []string // typed before Ctrl-C, each once its prompt shows
		prompt  string   // the prompt Ctrl-C comes at
	}{
		{"ReadSecret", func(ctx context.Context, ios *IOStreams) ([]byte, error) { return ios.ReadSecret(ctx, "API key: ") },
			nil, "API key: "},
		{"ReadStdinSecret", func(ctx context.Context, ios *IOStreams) ([]byte, error) { return ios.ReadStdinSecret(ctx) },
			nil, ""},
		{"ReadNewPassword, first entry", func(ctx context.Context, ios *IOStreams) ([]byte, error) { return ios.ReadNewPassword(ctx, "you") },
			nil, "New password for you: "},
		{"ReadNewPassword, repeated entry", func(ctx context.Context, ios *IOStreams) ([]byte, error) { return ios.ReadNewPassword(ctx, "you") },
			[]string{"pw-1"}, "Repeat the password: "},
		{"ReadNewPassword, second try", func(ctx context.Context, ios *IOStreams) ([]byte, error) { return ios.ReadNewPassword(ctx, "you") },
			[]string{"pw-1", "pw-2"}, "try again.\r\nNew password for you: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := openTerminal(t)
			ios := tm.streams()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := background(func() ([]byte, error) { return tt.read(ctx, ios) })
			for _, a := range tt.answers {
				tm.waitEcho(false)
				tm.typ(a + "\r")
				tm.expect("\r\n")
			}
			tm.expect(tt.prompt)
			tm.waitEcho(false)
			tm.typ("half typ")
			cancel()
			if r := await(t, done); !errors.Is(r.err, files.ErrInterrupted) {
				t.Errorf("got %q, %v; want files.ErrInterrupted", r.v, r.err)
			}
			if tm.lflag()&unix.ECHO == 0 {
				t.Error("the echo was not put back")
			}
		})
	}
}

// typeAheadAt is a stderr that, as a message holding at is written, types
// line on the terminal first, as a fast typist does the moment "try again"
// shows, and records whether the echo was on then.
type typeAheadAt struct {
	tm       *terminal
	at, line string
	once     sync.Once
	echoOn   bool
}

func (p *typeAheadAt) Write(b []byte) (int, error) {
	if strings.Contains(string(b), p.at) {
		p.once.Do(func() {
			p.echoOn = p.tm.lflag()&unix.ECHO != 0
			p.tm.typ(p.line + "\r")
			p.tm.lineTyped()
		})
	}
	return p.tm.tty.Write(b)
}

// The echo stays off between the tries of a new password: what is typed
// ahead as "try again" shows is not echoed, and is the next entry.
func TestNewPasswordTypedAheadAfterAMismatch(t *testing.T) {
	t.Parallel()
	const ahead = "pw-typed-ahead"
	tm := openTerminal(t)
	ios := tm.streams()
	stderr := &typeAheadAt{tm: tm, at: "try again", line: ahead}
	ios.ErrOut = stderr
	done := background(func() ([]byte, error) { return ios.ReadNewPassword(context.Background(), "you") })
	tm.expect("New password for you: ")
	tm.typ("pw-one\r")
	tm.expect("Repeat the password: ")
	tm.typ("pw-two\r")
	tm.expect("try again.\r\nNew password for you: \r\nRepeat the password: ")
	tm.typ(ahead + "\r")
	if r := await(t, done); r.err != nil || string(r.v) != ahead {
		t.Errorf("got %q, %v; want %q", r.v, r.err, ahead)
	}
	if stderr.echoOn {
		t.Error("the echo was on when \"try again\" showed")
	}
	if strings.Contains(tm.screen(), ahead) {
		t.Errorf("what was typed ahead was echoed: %q", tm.screen())
	}
	if tm.lflag()&unix.ECHO == 0 {
		t.Error("the echo was left off")
	}
}

// Ctrl-\ at a hidden prompt ends the process as it does without a handler,
// with Go's dump of every goroutine, but puts the echo back first: the shell
// is not left without echo. The prompt runs in a process of its own, on the
// terminal as its controlling terminal, so that Ctrl-\ typed on it signals
// that process alone.
func TestQuitAtAHiddenPromptRestoresTheEcho(t *testing.T) {
	t.Parallel()
	tm := openTerminal(t)
	c := helper(t, "read-secret")
	c.Stdin, c.Stdout, c.Stderr = tm.tty, tm.tty, tm.tty
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	tm.expect("Password: ")
	tm.waitEcho(false)
	tm.typ("half a secr\x1c") // Ctrl-\
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("the helper ended with %v, want Go's exit status 2 after a dump", err)
		}
	case <-time.After(bound):
		c.Process.Kill()
		t.Fatalf("Ctrl-\\ did not end the process; the terminal shows %q", tm.screen())
	}
	tm.expect("SIGQUIT: quit")
	tm.expect("goroutine ")
	if tm.lflag()&unix.ECHO == 0 {
		t.Error("the echo was left off")
	}
	if strings.Contains(tm.screen(), "half a secr") {
		t.Errorf("the secret was echoed: %q", tm.screen())
	}
}
