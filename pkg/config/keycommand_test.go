//go:build unix

package config

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunKeyCommand checks what a key command may print, that its stderr
// passes through, and that no failure shows what it printed.
func TestRunKeyCommand(t *testing.T) {
	const secret = "Zq7vKEYMATERIAL"
	keyFile := filepath.Join(t.TempDir(), "key")
	os.WriteFile(keyFile, []byte(secret+"\n"), 0o600)
	long := strings.Repeat("k", MaxKeySize)
	for _, tt := range []struct {
		name, command string
		key           string            // when it succeeds
		failure       KeyCommandFailure // when it fails
		message       string
		stderr        string
	}{
		{"the key", "echo 'helper: unlocking' >&2; cat " + keyFile, secret, 0, "", "helper: unlocking\n"},
		{"spaces around it", "printf '  %s\\r\\n' $(cat " + keyFile + ")", secret, 0, "", ""},
		{"stdin is empty", "if read line; then echo stdin-was-read; else cat " + keyFile + "; fi", secret, 0, "", ""},
		{"4 KiB", "printf '%s\\n' " + long, long, 0, "", ""},
		{"exit status", "cat " + keyFile + "; echo 'helper: locked' >&2; exit 3", "", KeyCommandExited,
			"api_key_command failed (exit status 3)", "helper: locked\n"},
		{"two lines", "cat " + keyFile + "; cat " + keyFile, "", KeyCommandPrintedLines,
			"api_key_command printed more than one line: it must print the key alone", ""},
		{"nothing", "true", "", KeyCommandPrintedNoKey, "api_key_command printed no key", ""},
		{"only spaces", "echo '   '", "", KeyCommandPrintedNoKey, "api_key_command printed no key", ""},
		{"over 4 KiB", "printf '%s' " + long + "k", "", KeyCommandPrintedTooMuch,
			"api_key_command printed more than 4 KiB: it must print the key alone", ""},
		{"without end", "cat " + keyFile + "; yes", "", KeyCommandPrintedTooMuch, "api_key_command printed more than 4 KiB", ""},
		{"not a command", "/nonexistent/helper", "", KeyCommandExited, "api_key_command failed (exit status 127)", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			key, err := RunKeyCommand(context.Background(), tt.command, &stderr, 20*time.Second)
			if tt.failure == 0 {
				if err != nil || key != tt.key {
					t.Fatalf("got %d bytes, %v", len(key), err)
				}
			} else {
				var kerr *KeyCommandError
				if !errors.As(err, &kerr) || kerr.Failure != tt.failure || !strings.HasPrefix(err.Error(), tt.message) {
					t.Fatalf("got %v, want %s", err, tt.message)
				}
				if strings.Contains(err.Error(), secret[:6]) || strings.Contains(err.Error(), "kkkk") {
					t.Errorf("the error shows what the command printed: %v", err)
				}
			}
			if tt.stderr != "" && !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.stderr)
			}
		})
	}
}

// TestRunKeyCommandTimeout checks the time limit, with a child left holding
// stdout open, and cancellation.
func TestRunKeyCommandTimeout(t *testing.T) {
	t.Parallel()
	// sh's child sleep outlives a killed sh, holding stdout open: each case
	// also waits out WaitDelay, so they run side by side.
	t.Run("timed out", func(t *testing.T) {
		t.Parallel()
		_, err := RunKeyCommand(context.Background(), "sleep 5; echo key", nil, 200*time.Millisecond)
		var kerr *KeyCommandError
		if !errors.As(err, &kerr) || kerr.Failure != KeyCommandTimedOut || err.Error() != "api_key_command did not finish within 200ms" {
			t.Errorf("timed out: %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(100 * time.Millisecond)
			cancel()
		}()
		_, err := RunKeyCommand(ctx, "sleep 5; echo key", nil, time.Minute)
		var kerr *KeyCommandError
		if !errors.As(err, &kerr) || kerr.Failure != KeyCommandInterrupted || !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: %v", err)
		}
	})
}

// TestKeyFromCommand checks that a profile's command runs only from a
// trusted file, and that errors name the profile.
func TestKeyFromCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte("profiles:\n  work:\n    api_key_command: echo k1\n  broken:\n    api_key_command: exit 3\n"), 0o600)
	c, err := Load(t.Context(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	work, _ := c.Profile("work")
	if key, err := c.KeyFromCommand(context.Background(), work, nil, 0); err != nil || key != "k1" {
		t.Errorf("got %q, %v", key, err)
	}
	broken, _ := c.Profile("broken")
	if _, err := c.KeyFromCommand(context.Background(), broken, nil, 0); err == nil || err.Error() != `api_key_command of profile "broken" failed (exit status 3)` {
		t.Errorf("a failing command: %v", err)
	}
	os.Chmod(path, 0o666)
	c, _ = Load(t.Context(), path, LoadOptions{})
	var ut *UntrustedError
	if _, err := c.KeyFromCommand(context.Background(), work, nil, 0); !errors.As(err, &ut) {
		t.Errorf("from a file others may write: %v", err)
	}
}
