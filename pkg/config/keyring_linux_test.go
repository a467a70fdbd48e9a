package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// The real keyring is tested by helpers: the test binary started again on
// a private D-Bus session (or on none), never on the developer's own.
func init() {
	helpers["keyring-session"] = keyringSession
	helpers["keyring-unavailable"] = func() error {
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
			waitForSecretService(10 * time.Second)
		}
		err := StoreKey(KeyringService("https://dqops.example.com"), "prod", "dqo-test-key")
		var un *KeyringUnavailableError
		if !errors.As(err, &un) {
			return fmt.Errorf("want no keyring available, got %v", err)
		}
		fmt.Println(err)
		return nil
	}
	helpers["keyring-timeout"] = func() error {
		// Shorter than the real 3s: what is tested is that a bus that
		// never answers is given up, with a message saying so.
		keyringTimeout = 300 * time.Millisecond
		err := StoreKey(KeyringService("https://dqops.example.com"), "prod", "dqo-test-key")
		var te *KeyringTimeoutError
		if !errors.As(err, &te) {
			return fmt.Errorf("want a timeout, got %v", err)
		}
		fmt.Println(err)
		return nil
	}
}

// TestKeyringSecretService stores, finds, reads and deletes a key in a real
// gnome-keyring on a private session bus, through the wrapper and through
// secret-tool, as a user would look for it; then, with that keyring locked
// and no way to prompt for its password, the wrapper says there is no
// keyring.
func TestKeyringSecretService(t *testing.T) {
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("%s is missing: install Debian's gnome-keyring, dbus and libsecret-tools to test the real keyring", tool)
			}
			t.Fatalf("%s is missing under CI: install gnome-keyring, dbus and libsecret-tools", tool)
		}
	}
	dir := t.TempDir()
	t.Log(inSession(t, dir, "keyring-session", "--unlock"))
	out := inSession(t, dir, "keyring-unavailable", "")
	if !strings.Contains(out, "no keyring available: the keyring is locked") {
		t.Errorf("a locked keyring: %s", out)
	}
	t.Log(out)
}

// inSession runs the test binary as helper role on a private session bus
// with its own gnome-keyring-daemon, whose keyring, in dir, the password on
// its stdin creates and unlocks when unlock is "--unlock".
func inSession(t *testing.T, dir, role, unlock string) string {
	t.Helper()
	// A background job's stdin is /dev/null unless it is passed explicitly.
	script := `exec 3<&0 </dev/null
gnome-keyring-daemon --foreground $UNLOCK --components=secrets <&3 3<&- >>"$KEYRING_LOG" 2>&1 &
daemon=$!
exec 3<&-
"$TEST_BINARY" -test.run='^$'
status=$?
kill $daemon
wait $daemon
exit $status`
	c := helper(t, role)
	exe := c.Path
	c.Path, _ = exec.LookPath("dbus-run-session")
	c.Args = []string{"dbus-run-session", "--", "sh", "-c", script}
	c.Env = append(isolatedEnv(t, dir), "PATH="+os.Getenv("PATH"), helperEnv+"="+role, "UNLOCK="+unlock,
		"TEST_BINARY="+exe, "KEYRING_LOG="+filepath.Join(dir, "daemon.log"))
	c.Stdin = strings.NewReader("throwaway-password-" + filepath.Base(dir))
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "daemon.log"))
		t.Fatalf("%s: %v\n%s\ndaemon: %s", role, err, out.String(), log)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, "dbus-daemon[") { // its complaints about limits
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// keyringSession runs on the private session bus of
// TestKeyringSecretService.
func keyringSession() error {
	if err := waitForSecretService(10 * time.Second); err != nil {
		return err
	}
	service := KeyringService("https://dqops.example.com")
	const key = "dqo-integration-test-key"
	lookup := func() (string, error) {
		out, err := exec.Command("secret-tool", "lookup", "service", service, "username", "prod").Output()
		return string(out), err
	}
	if err := StoreKey(service, "prod", key); err != nil {
		return err
	}
	if found, err := lookup(); err != nil || found != key {
		return fmt.Errorf("secret-tool lookup after StoreKey: %d bytes, %v", len(found), err)
	}
	if got, err := LoadKey(service, "prod"); err != nil || got != key {
		return fmt.Errorf("LoadKey after StoreKey: %d bytes, %v", len(got), err)
	}
	if err := DeleteKey(service, "prod"); err != nil {
		return err
	}
	if found, err := lookup(); err == nil || found != "" {
		return fmt.Errorf("secret-tool lookup after DeleteKey: %d bytes, %v", len(found), err)
	}
	if _, err := LoadKey(service, "prod"); !errors.Is(err, ErrNotInKeyring) {
		return fmt.Errorf("LoadKey after DeleteKey: %v", err)
	}
	if err := DeleteKey(service, "prod"); !errors.Is(err, ErrNotInKeyring) {
		return fmt.Errorf("DeleteKey twice: %v", err)
	}
	fmt.Println("gnome-keyring: stored, found by secret-tool lookup, read back, deleted, gone")
	return nil
}

// waitForSecretService waits for the daemon to own its name: a call made
// before would have the bus start a second daemon, with a locked keyring.
func waitForSecretService(limit time.Duration) error {
	bus, err := dbus.SessionBus()
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var owned bool
		err := bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&owned)
		if err != nil {
			return err
		}
		if owned {
			return nil
		}
	}
	return fmt.Errorf("no Secret Service on the session bus after %s", limit)
}

// TestKeyringNoSessionBus checks that without a session bus, whether none
// is named or the one named is not there, the wrapper says there is no
// keyring; and that when none is named, the keyring is not asked at all, so
// that the bus library does not run dbus-launch, which would start daemons
// that outlive the command.
func TestKeyringNoSessionBus(t *testing.T) {
	t.Parallel()
	for _, bus := range []string{"", "unix:path=" + filepath.Join(t.TempDir(), "no-bus")} {
		dir := t.TempDir()
		// A dbus-launch that says it ran, first on the helper's PATH.
		bin, ran := filepath.Join(dir, "bin"), filepath.Join(dir, "dbus-launch-ran")
		os.Mkdir(bin, 0o700)
		script := "#!/bin/sh\n: > '" + ran + "'\necho DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus\n"
		if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
		env := append(isolatedEnv(t, dir), "PATH="+bin)
		if bus != "" {
			env = append(env, "DBUS_SESSION_BUS_ADDRESS="+bus)
		}
		out := runHelper(t, "keyring-unavailable", env)
		want := `storing the API key of profile "prod" in the keyring: no keyring available: no D-Bus session bus`
		if bus == "" {
			want += " (DBUS_SESSION_BUS_ADDRESS is not set)"
		}
		if !strings.Contains(out, want) {
			t.Errorf("bus %q: %s", bus, out)
		}
		if _, err := os.Stat(ran); err == nil {
			t.Errorf("bus %q: dbus-launch was run", bus)
		}
		t.Logf("bus %q: %s", bus, strings.TrimSpace(out))
	}
}

// TestKeyringDeadBus checks that a session bus that accepts a connection and
// never answers costs the time limit, not a hang.
func TestKeyringDeadBus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	socket := filepath.Join(dir, "bus")
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	out := runHelper(t, "keyring-timeout", append(isolatedEnv(t, dir), "DBUS_SESSION_BUS_ADDRESS=unix:path="+socket))
	if !strings.Contains(out, "the keyring did not answer within 300ms") {
		t.Errorf("got %s", out)
	}
}

// isolatedEnv is an environment with no session bus, no display to prompt
// on, and home, data and runtime directories of its own under dir.
func isolatedEnv(t *testing.T, dir string) []string {
	t.Helper()
	var env []string
	for _, d := range []string{"home", "data", "config", "cache", "run", "empty"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return append(env,
		"HOME="+filepath.Join(dir, "home"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"XDG_RUNTIME_DIR="+filepath.Join(dir, "run"))
}

// runHelper runs the test binary as a helper in env and returns what it
// printed; a helper that fails fails the test.
func runHelper(t *testing.T, role string, env []string) string {
	t.Helper()
	c := helper(t, role)
	c.Env = append(env, helperEnv+"="+role)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", role, err, out.String())
	}
	return out.String()
}
