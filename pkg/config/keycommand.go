package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// MaxKeySize is the longest API key accepted (4 KiB), wherever it comes from.
const MaxKeySize = 4 << 10

// maxKeyOutput is what a key command may print: the key, and room for the
// line break and spaces around it.
const maxKeyOutput = MaxKeySize + 64

// DefaultKeyCommandTimeout bounds an api_key_command when no timeout is given.
const DefaultKeyCommandTimeout = 30 * time.Second

// KeyFromCommand runs profile p's api_key_command (RunKeyCommand), after
// checking that the file naming it is trusted (CheckTrusted); errors name
// the profile.
func (c *Config) KeyFromCommand(ctx context.Context, p Profile, stderr io.Writer, timeout time.Duration) (string, error) {
	if err := c.CheckTrusted(); err != nil {
		return "", err
	}
	key, err := RunKeyCommand(ctx, p.APIKeyCommand, stderr, timeout)
	var kerr *KeyCommandError
	if errors.As(err, &kerr) {
		kerr.Profile = p.Name
	}
	return key, err
}

// RunKeyCommand runs command with /bin/sh and returns what it prints on
// stdout, trimmed, as credential helpers do: that is the key, so it is
// never shown, nor put in an error. The command's stderr goes to stderr (a
// helper may explain a failure there; nil discards it); its stdin is empty,
// so that it never eats a password given on ours. It must finish within
// timeout (DefaultKeyCommandTimeout when not positive) and print one line
// of at most MaxKeySize bytes; it is killed as soon as it prints more. A
// failure is a *KeyCommandError.
func RunKeyCommand(ctx context.Context, command string, stderr io.Writer, timeout time.Duration) (string, error) {
	if timeout <= 0 {
		timeout = DefaultKeyCommandTimeout
	}
	run, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := &keyOutput{full: cancel}
	c := exec.CommandContext(run, "/bin/sh", "-c", command)
	c.Stdout, c.Stderr = out, stderr
	// A helper that leaves a child holding stdout open must not hang us.
	c.WaitDelay = time.Second
	err := c.Run()
	key := strings.TrimSpace(string(out.data))
	var exitErr *exec.ExitError
	switch {
	case out.overflow:
		return "", &KeyCommandError{Failure: KeyCommandPrintedTooMuch}
	case ctx.Err() != nil:
		return "", &KeyCommandError{Failure: KeyCommandInterrupted, Err: ctx.Err()}
	case errors.Is(run.Err(), context.DeadlineExceeded):
		return "", &KeyCommandError{Failure: KeyCommandTimedOut, Timeout: timeout}
	case errors.As(err, &exitErr):
		return "", &KeyCommandError{Failure: KeyCommandExited, Status: exitErr.ProcessState.String()}
	case err != nil:
		return "", &KeyCommandError{Failure: KeyCommandNotRun, Err: err}
	case key == "":
		return "", &KeyCommandError{Failure: KeyCommandPrintedNoKey}
	case strings.ContainsAny(key, "\r\n"):
		return "", &KeyCommandError{Failure: KeyCommandPrintedLines}
	case len(key) > MaxKeySize:
		return "", &KeyCommandError{Failure: KeyCommandPrintedTooMuch}
	}
	return key, nil
}

// keyOutput keeps at most maxKeyOutput bytes of a command's stdout; past
// that it calls full (which kills the command) and takes no more.
type keyOutput struct {
	data     []byte
	overflow bool
	full     func()
}

func (o *keyOutput) Write(p []byte) (int, error) {
	if o.overflow = o.overflow || len(o.data)+len(p) > maxKeyOutput; o.overflow {
		o.full()
		return 0, errors.New("the key command printed too much")
	}
	o.data = append(o.data, p...)
	return len(p), nil
}

// KeyCommandFailure is how an api_key_command failed.
type KeyCommandFailure int

// How an api_key_command can fail.
const (
	KeyCommandTimedOut KeyCommandFailure = iota + 1
	KeyCommandInterrupted
	KeyCommandNotRun
	KeyCommandExited
	KeyCommandPrintedNoKey
	KeyCommandPrintedLines
	KeyCommandPrintedTooMuch
)

// KeyCommandError is an api_key_command that gave no usable key. It never
// holds what the command printed.
type KeyCommandError struct {
	// Profile names the profile in the message when set.
	Profile string
	Failure KeyCommandFailure
	// Timeout is the limit that ran out (KeyCommandTimedOut).
	Timeout time.Duration
	// Status is how the command ended (KeyCommandExited): "exit status 3".
	Status string
	// Err is the cause (KeyCommandNotRun, KeyCommandInterrupted).
	Err error
}

func (e *KeyCommandError) Error() string {
	what := "api_key_command"
	if e.Profile != "" {
		what = fmt.Sprintf("api_key_command of profile %q", e.Profile)
	}
	switch e.Failure {
	case KeyCommandTimedOut:
		return fmt.Sprintf("%s did not finish within %s", what, e.Timeout)
	case KeyCommandInterrupted:
		return fmt.Sprintf("%s was interrupted: %v", what, e.Err)
	case KeyCommandExited:
		return fmt.Sprintf("%s failed (%s)", what, e.Status)
	case KeyCommandPrintedNoKey:
		return what + " printed no key"
	case KeyCommandPrintedLines:
		return what + " printed more than one line: it must print the key alone"
	case KeyCommandPrintedTooMuch:
		return fmt.Sprintf("%s printed more than %d KiB: it must print the key alone", what, MaxKeySize>>10)
	}
	return fmt.Sprintf("%s could not be run: %v", what, e.Err)
}

func (e *KeyCommandError) Unwrap() error { return e.Err }
