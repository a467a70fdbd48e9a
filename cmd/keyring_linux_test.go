//go:build linux

package cmd_test

// The built binary against a real keyring: gnome-keyring on a D-Bus session
// of the test's own, never the developer's.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// keyringSession is a private D-Bus session bus with a gnome-keyring-daemon
// serving the Secret Service on it, its keyring in a directory of the
// test's own.
type keyringSession struct {
	// address is the bus's DBUS_SESSION_BUS_ADDRESS.
	address string
	// env is what every process on the session runs with: home, data and
	// runtime directories of the test's own, and the bus.
	env map[string]string
}

// requireKeyringTools skips the test, with a message, when the tools of the
// real keyring are missing; under CI they must be there.
func requireKeyringTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("%s is missing: install Debian's gnome-keyring, dbus and libsecret-tools to test the real keyring", tool)
			}
			t.Fatalf("%s is missing under CI: .ci/run installs gnome-keyring, dbus and libsecret-tools", tool)
		}
	}
}

// startKeyringSession starts dbus-run-session with gnome-keyring-daemon on
// it; with unlock, the daemon creates and unlocks its keyring from a
// throwaway password on its stdin, else the keyring stays locked (and no
// prompt can be shown: there is no display). The session ends with the test.
func startKeyringSession(t *testing.T, unlock bool) *keyringSession {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{}
	for _, d := range []string{"home", "data", "config", "cache", "run"} {
		path := filepath.Join(dir, d)
		if err := os.MkdirAll(path, 0o700); err != nil {
			t.Fatal(err)
		}
		env[map[string]string{"home": "HOME", "data": "XDG_DATA_HOME", "config": "XDG_CONFIG_HOME",
			"cache": "XDG_CACHE_HOME", "run": "XDG_RUNTIME_DIR"}[d]] = path
	}
	password := filepath.Join(dir, "password")
	if err := os.WriteFile(password, []byte("throwaway-"+filepath.Base(dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	flag := ""
	if unlock {
		flag = "--unlock"
	}
	// The session lives until the test closes the script's stdin.
	script := `gnome-keyring-daemon --foreground ` + flag + ` --components=secrets <"$PASSWORD_FILE" >>"$DAEMON_LOG" 2>&1 &
daemon=$!
echo "$DBUS_SESSION_BUS_ADDRESS"
read -r _
kill $daemon
wait $daemon 2>/dev/null
exit 0`
	c := exec.Command("dbus-run-session", "--", "sh", "-c", script)
	c.Env = childEnv(env)
	c.Env = append(c.Env, "PASSWORD_FILE="+password, "DAEMON_LOG="+filepath.Join(dir, "daemon.log"))
	stdin, err := c.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.Stderr = io.Discard // dbus-daemon's complaints about limits
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = c.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "daemon.log"))
		t.Fatalf("the session bus did not start: %v\n%s", err, log)
	}
	s := &keyringSession{address: strings.TrimSpace(line), env: env}
	env["DBUS_SESSION_BUS_ADDRESS"] = s.address
	if err := waitForName(s.address, "org.freedesktop.secrets", 10*time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "daemon.log"))
		t.Fatalf("%v\ndaemon: %s", err, log)
	}
	return s
}

// waitForName waits until a process owns name on the bus at address: a
// call made before would have the bus start a second daemon.
func waitForName(address, name string, limit time.Duration) error {
	bus, err := dbus.Connect(address)
	if err != nil {
		return err
	}
	defer bus.Close()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var owned bool
		if err := bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned); err != nil {
			return err
		}
		if owned {
			return nil
		}
	}
	return fmt.Errorf("nobody owns %s on the session bus after %s", name, limit)
}

// secretTool runs secret-tool on the session with stdin's content.
func (s *keyringSession) secretTool(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	c := exec.Command("secret-tool", args...)
	c.Env = childEnv(s.env)
	return runBinary(t, c, stdin)
}

// TestKeyringIntegration runs login, list and logout with the built binary
// against a real gnome-keyring, and login where no keyring can be used.
func TestKeyringIntegration(t *testing.T) {
	t.Parallel()
	requireKeyringTools(t)
	srv := startSandbox(t, sandbox.Options{})
	service := keyringServiceOf(t, srv.URL)
	key := srv.AdminKey()

	t.Run("gnome-keyring", func(t *testing.T) {
		s := startKeyringSession(t, true)
		config := filepath.Join(t.TempDir(), "config.yaml")
		run := func(stdin string, args ...string) result {
			t.Helper()
			vars := map[string]string{"DQOPS_CONFIG": config, "DQOPS_RETRIES": "0"}
			for k, v := range s.env {
				vars[k] = v
			}
			return runBinary(t, binaryCommand(t, vars, args...), stdin)
		}
		lookup := func() result {
			t.Helper()
			return s.secretTool(t, "", "lookup", "service", service, "username", "default")
		}

		r := run(key+"\n", "login", "--url", srv.URL, "--with-token")
		expectExit(t, r, 0, "The API key is in the system keyring (service "+service+", user default).")
		expectNotContains(t, "stderr", r.stderr, "warning", key)
		t.Logf("login: %s", strings.TrimSpace(r.stderr))
		if found := lookup(); found.code != 0 || found.stdout != key {
			t.Fatalf("secret-tool lookup service %s username default: exit %d, %d bytes, want the key", service, found.code, len(found.stdout))
		}
		t.Logf("secret-tool lookup service %s username default: the key", service)
		cfg := readConfig(t, config)
		expectContains(t, "config", cfg, "api_key_store: keyring")
		expectNotContains(t, "config", cfg, key, "api_key:")
		t.Logf("config.yaml:\n%s", cfg)

		r = run("", "config", "list")
		expectExit(t, r, 0)
		expectContains(t, "config list", r.stdout, "\tkeyring\n")
		r = run("", "list")
		expectExit(t, r, 0)
		expectContains(t, "list", r.stdout, "admin@example.com\tadmin")
		t.Logf("list:\n%s", r.stdout)

		// A key in the item that the server rejects: the hint names the item.
		if r := s.secretTool(t, "dqo-sandbox-revoked", "store", "--label", "revoked", "service", service, "username", "default"); r.code != 0 {
			t.Fatalf("secret-tool store: %s", r)
		}
		r = run("", "list")
		expectExit(t, r, 4, `hint: the key came from the keyring item of profile "default" (service `+service+")")
		t.Logf("a rejected key from the keyring: %s", strings.TrimSpace(r.stderr))
		expectExit(t, run(key, "login", "--with-token"), 0)

		r = run("", "logout")
		expectExit(t, r, 0, `Removed the API key of profile "default" from the keyring (service `+service+").")
		t.Logf("logout: %s", strings.TrimSpace(r.stderr))
		if found := lookup(); found.code == 0 || found.stdout != "" {
			t.Errorf("secret-tool lookup after logout: exit %d, %d bytes", found.code, len(found.stdout))
		}
		expectNotContains(t, "config", readConfig(t, config), "api_key")
		t.Log("secret-tool lookup after logout: no such item")
	})

	// Where the keyring cannot be used, login keeps the key in the file and
	// says so on stderr.
	dead := deadBus(t)
	for _, tt := range []struct {
		name string
		env  func(t *testing.T) map[string]string
		want string
	}{
		{"no session bus", func(t *testing.T) map[string]string {
			return map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + filepath.Join(t.TempDir(), "no-bus")}
		}, "no keyring available: no D-Bus session bus at DBUS_SESSION_BUS_ADDRESS"},
		{"a locked keyring that cannot prompt", func(t *testing.T) map[string]string {
			return startKeyringSession(t, false).env
		}, "no keyring available: the keyring is locked"},
		{"a session bus that does not answer", func(*testing.T) map[string]string {
			return map[string]string{"DBUS_SESSION_BUS_ADDRESS": dead}
		}, "the keyring did not answer within 3s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			config := filepath.Join(t.TempDir(), "config.yaml")
			vars := map[string]string{"DQOPS_CONFIG": config, "DQOPS_RETRIES": "0"}
			for k, v := range tt.env(t) {
				vars[k] = v
			}
			r := runBinary(t, binaryCommand(t, vars, "login", "--url", srv.URL, "--with-token"), key)
			expectExit(t, r, 0, `warning: storing the API key of profile "default" in the keyring: `+tt.want,
				"the API key is stored in "+config+" (mode 0600) instead\n")
			expectNotContains(t, "stderr", r.stderr, key)
			expectContains(t, "config", readConfig(t, config), "api_key: "+key+"\n")
			t.Logf("login: %s", strings.TrimSpace(r.stderr))
			expectExit(t, runBinary(t, binaryCommand(t, vars, "list"), ""), 0)
		})
	}

	t.Run("a keyring that does not answer when reading", func(t *testing.T) {
		t.Parallel()
		// A sandbox of its own: the test checks that it gets no request.
		srv := startSandbox(t, sandbox.Options{})
		config := filepath.Join(t.TempDir(), "config.yaml")
		doc := fmt.Sprintf("profiles:\n  default:\n    url: %s\n    api_key_store: keyring\n", srv.URL)
		if err := os.WriteFile(config, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		vars := map[string]string{"DQOPS_CONFIG": config, "DQOPS_RETRIES": "0", "DBUS_SESSION_BUS_ADDRESS": dead}
		r := runBinary(t, binaryCommand(t, vars, "list"), "")
		expectExit(t, r, 1, `error: reading the API key of profile "default" from the keyring: the keyring did not answer within 3s`,
			"`dqo-users login --profile default --insecure-storage`")
		expectCalls(t, srv)
		t.Logf("list: %s", strings.TrimSpace(r.stderr))
	})
}

// deadBus listens on a socket that accepts connections and never answers,
// as a hung session bus would, and returns its address.
func deadBus(t *testing.T) string {
	t.Helper()
	socket := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "unix:path=" + socket
}
