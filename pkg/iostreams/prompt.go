package iostreams

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/term"
)

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
