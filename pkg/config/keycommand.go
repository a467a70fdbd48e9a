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
	fail := func(f KeyCommandFailure, reason string, err error) (string, error) {
		return "", &KeyCommandError{Failure: f, reason: reason, Err: err}
	}
	tooMuch := fmt.Sprintf("printed more than %d KiB: it must print the key alone", MaxKeySize>>10)
	var exitErr *exec.ExitError
	switch {
	case out.overflow:
		return fail(KeyCommandPrintedTooMuch, tooMuch, nil)
	case ctx.Err() != nil:
		return fail(KeyCommandInterrupted, fmt.Sprintf("was interrupted: %v", ctx.Err()), ctx.Err())
	case errors.Is(run.Err(), context.DeadlineExceeded):
		return fail(KeyCommandTimedOut, fmt.Sprintf("did not finish within %s", timeout), nil)
	case errors.As(err, &exitErr):
		return fail(KeyCommandExited, fmt.Sprintf("failed (%s)", exitErr.ProcessState), nil)
	case err != nil:
		return fail(KeyCommandNotRun, fmt.Sprintf("could not be run: %v", err), err)
	case key == "":
		return fail(KeyCommandPrintedNoKey, "printed no key", nil)
	case strings.ContainsAny(key, "\r\n"):
		return fail(KeyCommandPrintedLines, "printed more than one line: it must print the key alone", nil)
	case len(key) > MaxKeySize:
		return fail(KeyCommandPrintedTooMuch, tooMuch, nil)
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
	// Err is the cause (KeyCommandNotRun, KeyCommandInterrupted).
	Err error
	// reason says what went wrong, after the command is named.
	reason string
}

func (e *KeyCommandError) Error() string {
	if e.Profile != "" {
		return fmt.Sprintf("api_key_command of profile %q %s", e.Profile, e.reason)
	}
	return "api_key_command " + e.reason
}

func (e *KeyCommandError) Unwrap() error { return e.Err }
