//go:build linux

package cmd_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// TestLoginWithoutSessionBusLeavesNoProcess runs the built binary's login
// with no DBUS_SESSION_BUS_ADDRESS, in a process group of its own: the key
// goes to the file with the warning, the keyring is not asked (the bus
// library would have run dbus-launch: a dbus-launch of the test's own,
// first on PATH, says whether it ran and leaves a process behind, as the
// real one leaves a dbus-daemon), and no process that came from the run
// (in its process group, or carrying its environment, as daemons that
// left the group do) is left once it has ended.
func TestLoginWithoutSessionBusLeavesNoProcess(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	bin, ran := filepath.Join(dir, "bin"), filepath.Join(dir, "dbus-launch-ran")
	if err := os.Mkdir(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\n: > '" + ran + "'\nsleep 600 </dev/null >/dev/null 2>&1 &\necho DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	mark := "DQO_USERS_TEST_RUN=" + filepath.Base(dir)
	var env []string
	for _, kv := range childEnv(map[string]string{"DQOPS_CONFIG": config, "DQOPS_RETRIES": "0"}) {
		switch name, value, _ := strings.Cut(kv, "="); name {
		case "DBUS_SESSION_BUS_ADDRESS":
		case "PATH":
			env = append(env, "PATH="+bin+":"+value)
		default:
			env = append(env, kv)
		}
	}
	c := exec.Command(binary(t), "login", "--url", srv.URL, "--with-token")
	c.Env = append(env, mark)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r := runBinary(t, c, srv.AdminKey())
	left := processesOf(t, c.Process.Pid, mark)
	for _, pid := range left {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}

	expectExit(t, r, 0, `warning: storing the API key of profile "default" in the keyring: no keyring available: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set); the API key is stored in `+config+" (mode 0600) instead\n")
	expectContains(t, "config", readConfig(t, config), "api_key: "+srv.AdminKey()+"\n")
	if _, err := os.Stat(ran); err == nil {
		t.Error("the keyring was asked: dbus-launch ran")
	}
	if len(left) > 0 {
		t.Errorf("processes outlived the login: %v", left)
	}
}

// processesOf lists the processes in process group pgid, or whose
// environment holds mark (a daemon leaves its group and its parent, but
// keeps the environment it was started with).
func processesOf(t *testing.T, pgid int, mark string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if group, err := syscall.Getpgid(pid); err == nil && group == pgid {
			pids = append(pids, pid)
			continue
		}
		environ, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && bytes.Contains(append([]byte{0}, environ...), []byte("\x00"+mark+"\x00")) {
			pids = append(pids, pid)
		}
	}
	return pids
}
