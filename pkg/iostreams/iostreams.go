// Package iostreams holds the standard streams of a command, whether each is
// a terminal (with overrides for tests), and the prompts that read from the
// terminal: line answers, choices, and passwords without echo.
package iostreams

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"

	"golang.org/x/term"
)

// ErrInterrupted is returned by a prompt cancelled by Ctrl-C.
var ErrInterrupted = errors.New("interrupted")

// ErrNoAnswer is returned by a prompt whose input ended (Ctrl-D) before an
// answer: the question was not answered, so nothing is done.
var ErrNoAnswer = errors.New("no answer: input ended")

// ErrNotInteractive is returned by a prompt when no prompt may be shown.
var ErrNotInteractive = errors.New("not interactive")

// IOStreams are a command's streams.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// NoInput forbids every prompt (--no-input, DQOPS_NO_INPUT, CI).
	NoInput bool

	stdinTTY, stdoutTTY, stderrTTY *bool
	lines                          *bufio.Reader
}

// System returns the process's streams.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (ios *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

func isTerminal(v any) bool {
	_, ok := terminalFd(v)
	return ok
}

// terminalFd returns the file descriptor of v when v is a terminal.
func terminalFd(v any) (uintptr, bool) {
	f, ok := v.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return f.Fd(), true
}

// SetStdinTTY overrides terminal detection of stdin.
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = &v }

// SetStdoutTTY overrides terminal detection of stdout.
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = &v }

// SetStderrTTY overrides terminal detection of stderr.
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = &v }

// IsStdinTTY reports whether stdin is a terminal.
func (s *IOStreams) IsStdinTTY() bool {
	if s.stdinTTY != nil {
		return *s.stdinTTY
	}
	return isTerminal(s.In)
}

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool {
	if s.stdoutTTY != nil {
		return *s.stdoutTTY
	}
	return isTerminal(s.Out)
}

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool {
	if s.stderrTTY != nil {
		return *s.stderrTTY
	}
	return isTerminal(s.ErrOut)
}

// CanPrompt reports whether prompts may be shown: stdin is a terminal and
// prompts are not switched off.
func (s *IOStreams) CanPrompt() bool {
	return !s.NoInput && s.IsStdinTTY()
}

// reader returns one buffered reader of In for every line prompt and
// --password-stdin, so no read loses bytes buffered by another.
func (s *IOStreams) reader() *bufio.Reader {
	if s.lines == nil {
		s.lines = bufio.NewReader(s.In)
	}
	return s.lines
}

// ReadStdin reads stdin to its end (apply -f -). Ctrl-C ends the wait.
func (s *IOStreams) ReadStdin(ctx context.Context) ([]byte, error) {
	return wait(ctx, func() ([]byte, error) { return io.ReadAll(s.reader()) })
}

// wait runs read in the background and returns what it returns, or
// ErrInterrupted as soon as ctx ends (Ctrl-C): a read of a terminal, a pipe
// or a FIFO may wait for ever, and nothing can cut the read itself short.
// The abandoned read ends unseen when its input comes or the process exits.
func wait[T any](ctx context.Context, read func() (T, error)) (T, error) {
	var zero T
	if ctx.Err() != nil {
		return zero, ErrInterrupted
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	select {
	case <-ctx.Done():
		return zero, ErrInterrupted
	case r := <-done:
		return r.v, r.err
	}
}

// ReadStdinSecret reads a secret from stdin, for --password-stdin and
// --with-token: to its end, less one trailing newline ("\n" or "\r\n"). When
// stdin is a terminal, the user is typing it: it is read as one line without
// echo, so that it does not show on the screen, and Ctrl-C works.
func (s *IOStreams) ReadStdinSecret(ctx context.Context) ([]byte, error) {
	if fd, ok := terminalFd(s.In); ok {
		return s.readHidden(ctx, fd, "")
	}
	data, err := s.ReadStdin(ctx)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	return data, nil
}
