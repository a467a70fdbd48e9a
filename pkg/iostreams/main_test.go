package iostreams

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// helperEnv names the role in which the test binary was started again by a
// test that needs a process of its own (one that dies of a signal).
const helperEnv = "DQO_USERS_IOSTREAMS_TEST_HELPER"

// helpers are what a test binary started again does instead of testing.
var helpers = map[string]func() error{
	// read-secret asks for a secret on the process's terminal.
	"read-secret": func() error {
		_, err := System().ReadSecret(context.Background(), "Password: ")
		return err
	},
}

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
	os.Exit(m.Run())
}

// helper returns a command that runs this test binary as the named helper.
func helper(t *testing.T, role string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(exe, "-test.run=^$")
	c.Env = append(os.Environ(), helperEnv+"="+role)
	return c
}
