package config

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/zalando/go-keyring"
)

// helperEnv names the role in which the test binary was started again by a
// test that needs other processes (see helpers).
const helperEnv = "DQO_USERS_CONFIG_TEST_HELPER"

// helpers are what a test binary started again does instead of testing.
var helpers = map[string]func() error{}

func TestMain(m *testing.M) {
	if role := os.Getenv(helperEnv); role != "" {
		run, ok := helpers[role]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown helper %q\n", role)
			os.Exit(2)
		}
		if err := run(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// No test in this process may reach the developer's own keyring: the
	// real one is tested only by helpers on a private session bus. The mock
	// stands for a Secret Service on a session bus, which is asked only when
	// one is named: this one leads nowhere.
	keyring.MockInit()
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/dqo-users-test-bus")
	os.Exit(m.Run())
}

// helper returns a command that runs this test binary as the named helper,
// with env added to the environment.
func helper(t *testing.T, role string, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(exe, "-test.run=^$")
	c.Env = append(append(os.Environ(), helperEnv+"="+role), env...)
	c.Stderr = os.Stderr
	return c
}
