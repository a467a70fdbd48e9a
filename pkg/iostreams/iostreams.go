// Package iostreams holds the standard streams of a command, whether each is
// a terminal (with overrides for tests), and the prompts that read from the
// terminal: line answers, choices, and passwords without echo.
package iostreams

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

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
	f, ok := v.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
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
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(s.reader())
		done <- result{data, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ErrInterrupted
	case r := <-done:
		return r.data, r.err
	}
}

// ReadStdinSecret reads a secret from stdin, for --password-stdin and
// --with-token: to its end, less one trailing newline ("\n" or "\r\n"). When
// stdin is a terminal, the user is typing it: it is read as one line without
// echo, so that it does not show on the screen, and Ctrl-C works.
func (s *IOStreams) ReadStdinSecret(ctx context.Context) ([]byte, error) {
	if f, ok := s.In.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		return s.readNoEcho(ctx, int(f.Fd()))
	}
	data, err := s.ReadStdin(ctx)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	return data, nil
}

// readLine reads a line in the background so that ctx (Ctrl-C) can end the wait.
func (s *IOStreams) readLine(ctx context.Context) (string, error) {
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := s.reader().ReadString('\n')
		done <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(s.ErrOut)
		return "", ErrInterrupted
	case r := <-done:
		if r.err != nil && (r.line == "" || !errors.Is(r.err, io.EOF)) {
			if errors.Is(r.err, io.EOF) {
				fmt.Fprintln(s.ErrOut)
				return "", ErrNoAnswer
			}
			return "", r.err
		}
		return strings.TrimRight(r.line, "\r\n"), nil
	}
}

// Confirm asks a yes/no question on stderr; anything but y or yes is no.
func (s *IOStreams) Confirm(ctx context.Context, question string) (bool, error) {
	if !s.CanPrompt() {
		return false, ErrNotInteractive
	}
	fmt.Fprintf(s.ErrOut, "%s [y/N]: ", question)
	line, err := s.readLine(ctx)
	if errors.Is(err, ErrNoAnswer) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// Select asks for one of options, by number or by name, and asks again after
// an answer that is neither.
func (s *IOStreams) Select(ctx context.Context, question string, options []string) (string, error) {
	if !s.CanPrompt() {
		return "", ErrNotInteractive
	}
	for {
		fmt.Fprintln(s.ErrOut, question)
		for i, o := range options {
			fmt.Fprintf(s.ErrOut, "  %d) %s\n", i+1, o)
		}
		fmt.Fprintf(s.ErrOut, "Choose 1-%d: ", len(options))
		line, err := s.readLine(ctx)
		if err != nil {
			return "", err
		}
		answer := strings.TrimSpace(line)
		if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(options) {
			return options[n-1], nil
		}
		for _, o := range options {
			if strings.EqualFold(answer, o) {
				return o, nil
			}
		}
		fmt.Fprintf(s.ErrOut, "%q is not one of the choices.\n", answer)
	}
}

// ReadSecret asks for a secret on stderr without echo. Ctrl-C restores the
// terminal and returns ErrInterrupted.
func (s *IOStreams) ReadSecret(ctx context.Context, prompt string) ([]byte, error) {
	if !s.CanPrompt() {
		return nil, ErrNotInteractive
	}
	f, ok := s.In.(interface{ Fd() uintptr })
	if !ok {
		return nil, ErrNotInteractive
	}
	fmt.Fprint(s.ErrOut, prompt)
	return s.readNoEcho(ctx, int(f.Fd()))
}

// readNoEcho reads a line from the terminal fd without echo. Ctrl-C restores
// the terminal and returns ErrInterrupted; end of input is ErrNoAnswer.
func (s *IOStreams) readNoEcho(ctx context.Context, fd int) ([]byte, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	type result struct {
		secret []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		secret, err := term.ReadPassword(fd)
		done <- result{secret, err}
	}()
	select {
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		fmt.Fprintln(s.ErrOut)
		return nil, ErrInterrupted
	case r := <-done:
		fmt.Fprintln(s.ErrOut)
		if r.err != nil {
			if errors.Is(r.err, io.EOF) {
				return nil, ErrNoAnswer
			}
			return nil, r.err
		}
		return r.secret, nil
	}
}

// ErrMismatch is returned by ReadNewPassword when the two entries differ.
var ErrMismatch = errors.New("the passwords do not match")

// ErrEmptyPassword is returned by ReadNewPassword for an empty entry.
var ErrEmptyPassword = errors.New("the password is empty")

// ReadNewPassword asks for a new password twice, without echo.
func (s *IOStreams) ReadNewPassword(ctx context.Context, what string) ([]byte, error) {
	first, err := s.ReadSecret(ctx, fmt.Sprintf("New password for %s: ", what))
	if err != nil {
		return nil, err
	}
	if len(first) == 0 {
		return nil, ErrEmptyPassword
	}
	second, err := s.ReadSecret(ctx, "Repeat the password: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(first, second) {
		return nil, ErrMismatch
	}
	return first, nil
}
