// Package iostreams holds the standard streams of a command, whether each is
// a terminal (with overrides for tests), the prompts that read from the
// terminal (line answers, choices, and secrets without echo), the bounded
// reads of stdin and of files named on the command line, and the progress
// bar. Every wait for input here ends at once when its context ends.
package iostreams

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// ErrNoAnswer is returned by a prompt whose input ended (Ctrl-D) before an
// answer: the question was not answered, so nothing is done.
var ErrNoAnswer = errors.New("no answer: input ended")

// ErrNotInteractive is returned by a prompt when no prompt may be shown,
// wrapped with the reason (WhyNoPrompt).
var ErrNotInteractive = errors.New("cannot prompt")

// IOStreams are a command's streams.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// NoInputReason, when set, forbids every prompt and names what forbids
	// them, for the messages that say why nothing was asked: "--no-input",
	// "DQOPS_NO_INPUT" or "CI".
	NoInputReason string

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
	return s.WhyNoPrompt() == ""
}

// WhyNoPrompt says why no prompt may be shown, as a clause for a message
// ("deleting users needs confirmation and input is disabled by CI: pass
// --yes"), or "" when prompts may be shown. A missing terminal is named
// first, as it stays the reason once input is enabled again.
func (s *IOStreams) WhyNoPrompt() string {
	switch {
	case !s.IsStdinTTY():
		return "there is no terminal to ask on"
	case s.NoInputReason != "":
		return "input is disabled by " + s.NoInputReason
	}
	return ""
}

// notInteractive is the error of a prompt that may not be shown.
func (s *IOStreams) notInteractive() error {
	why := s.WhyNoPrompt()
	if why == "" {
		why = "stdin is not a terminal"
	}
	return fmt.Errorf("%w: %s", ErrNotInteractive, why)
}

// reader returns one buffered reader of In for every line prompt and
// --password-stdin, so no read loses bytes buffered by another.
func (s *IOStreams) reader() *bufio.Reader {
	if s.lines == nil {
		s.lines = bufio.NewReader(s.In)
	}
	return s.lines
}
