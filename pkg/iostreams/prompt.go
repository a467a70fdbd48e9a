package iostreams

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// readLine reads a line typed at a prompt, without its line ending. Ctrl-C
// ends the wait (files.ErrInterrupted); input that ends before anything was typed
// is no answer (ErrNoAnswer). Either way the cursor goes to a new line, as
// no Enter was typed.
func (s *IOStreams) readLine(ctx context.Context) (string, error) {
	line, err := s.readAnswer(ctx)
	if errors.Is(err, files.ErrInterrupted) || errors.Is(err, ErrNoAnswer) {
		fmt.Fprintln(s.ErrOut)
	}
	return string(line), err
}

// readAnswer reads a line from the shared reader of stdin, in the
// background so that Ctrl-C ends the wait, at most files.MaxLineSize (else a
// *files.TooLargeError). A line cut short by the end of input is still an answer.
func (s *IOStreams) readAnswer(ctx context.Context) ([]byte, error) {
	line, err := files.Wait(ctx, func() ([]byte, error) { return files.ReadLine(s.reader(), files.MaxLineSize, "the line typed") })
	switch {
	case errors.Is(err, io.EOF) && len(line) == 0:
		return nil, ErrNoAnswer
	case err != nil && !errors.Is(err, io.EOF):
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// Confirm asks a yes/no question on stderr; anything but y or yes is no.
func (s *IOStreams) Confirm(ctx context.Context, question string) (bool, error) {
	if !s.CanPrompt() {
		return false, s.notInteractive()
	}
	s.beforePrompt(ctx)
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
		return "", s.notInteractive()
	}
	s.beforePrompt(ctx)
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

// ReadSecret asks for a secret on stderr, typed on the terminal without
// echo. Ctrl-C restores the terminal and returns files.ErrInterrupted; Ctrl-D
// before anything was typed returns ErrNoAnswer.
func (s *IOStreams) ReadSecret(ctx context.Context, prompt string) ([]byte, error) {
	fd, err := s.secretTerminal()
	if err != nil {
		return nil, err
	}
	return s.readHidden(ctx, fd, prompt)
}

// secretTerminal returns the descriptor of the terminal a secret may be
// asked on: stdin, when prompts may be shown.
func (s *IOStreams) secretTerminal() (uintptr, error) {
	if !s.CanPrompt() {
		return 0, s.notInteractive()
	}
	fd, ok := terminalFd(s.In)
	if !ok {
		return 0, s.notInteractive()
	}
	return fd, nil
}

// readHidden turns the terminal's echo off, then reads a secret at prompt
// (readSecretLine). Every way out (Enter, Ctrl-D, Ctrl-C, an error, and
// Ctrl-\, see hideInput) puts the echo back.
func (s *IOStreams) readHidden(ctx context.Context, fd uintptr, prompt string) ([]byte, error) {
	restore, err := hideInput(fd)
	if err != nil {
		return nil, err
	}
	defer restore()
	return s.readSecretLine(ctx, prompt)
}

// readSecretLine shows prompt, then reads a line, on a terminal whose echo
// is already off: in that order, so that a secret pasted the moment the
// prompt shows is never echoed.
func (s *IOStreams) readSecretLine(ctx context.Context, prompt string) ([]byte, error) {
	s.beforePrompt(ctx)
	fmt.Fprint(s.ErrOut, prompt)
	secret, err := s.readAnswer(ctx)
	fmt.Fprintln(s.ErrOut) // the Enter that ended the line was not echoed
	if err != nil {
		return nil, err
	}
	return eraseBackspaces(secret), nil
}

// eraseBackspaces applies the Backspaces (Ctrl-H) left in a line by a
// terminal whose erase key is another: they were meant as corrections.
func eraseBackspaces(line []byte) []byte {
	out := line[:0]
	for _, c := range line {
		switch {
		case c != '\b':
			out = append(out, c)
		case len(out) > 0:
			out = out[:len(out)-1]
		}
	}
	return out
}

// ErrMismatch is returned by ReadNewPassword when the two entries differ.
var ErrMismatch = errors.New("the passwords do not match")

// ErrEmptyPassword is returned by ReadNewPassword for an empty entry.
var ErrEmptyPassword = errors.New("the password is empty")

// newPasswordTries is how many times a new password is asked for before
// giving up, as passwd(1) does.
const newPasswordTries = 3

// ReadNewPassword asks for a new password twice, without echo. A mismatch
// or an empty password asks again, saying why, up to three tries; then it
// fails with the last reason, ErrMismatch or ErrEmptyPassword. The echo
// stays off from the first entry to the last: turned on between them, it
// would show what is typed ahead once "try again" appears.
func (s *IOStreams) ReadNewPassword(ctx context.Context, what string) ([]byte, error) {
	fd, err := s.secretTerminal()
	if err != nil {
		return nil, err
	}
	restore, err := hideInput(fd)
	if err != nil {
		return nil, err
	}
	defer restore()
	var why error
	for range newPasswordTries {
		if why != nil {
			fmt.Fprintf(s.ErrOut, "%s; try again.\n", sentence(why.Error()))
		}
		password, err := s.readNewPasswordOnce(ctx, what)
		if !errors.Is(err, ErrMismatch) && !errors.Is(err, ErrEmptyPassword) {
			return password, err
		}
		why = err
	}
	return nil, why
}

// readNewPasswordOnce reads a new password and its repetition, with the
// echo off.
func (s *IOStreams) readNewPasswordOnce(ctx context.Context, what string) ([]byte, error) {
	first, err := s.readSecretLine(ctx, fmt.Sprintf("New password for %s: ", what))
	if err != nil {
		return nil, err
	}
	if len(first) == 0 {
		return nil, ErrEmptyPassword
	}
	second, err := s.readSecretLine(ctx, "Repeat the password: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(first, second) {
		return nil, ErrMismatch
	}
	return first, nil
}

// sentence makes an error's message, which starts in lower case, the start
// of a sentence.
func sentence(msg string) string {
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}
