package cmd_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestConfigCommands(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	delete(c.env, "DQOPS_API_KEY")

	r := c.run("config", "list")
	expectCode(t, r, 0)
	if r.stdout != "" {
		t.Errorf("no profiles, piped: stdout %q", r.stdout)
	}
	r = c.runTTY("", "config", "list")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, "no profiles")
	r = c.run("config", "list", "-o", "json")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("no profiles as JSON: %q", r.stdout)
	}

	expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
	expectCode(t, c.runStdin(srv.ViewerKey(), "login", "--with-token", "--profile", "ro"), 0)
	secrets := []string{srv.AdminKey(), srv.ViewerKey()}

	r = c.run("config", "list")
	expectCode(t, r, 0)
	want := "\tdefault\t" + srv.URL + "\tstored\n*\tro\t" + srv.URL + "\tstored\n"
	if r.stdout != want {
		t.Errorf("config list piped: %q, want %q", r.stdout, want)
	}
	r = c.runTTY("", "config", "list")
	expectContains(t, "stdout", r.stdout, "CURRENT", "NAME", "URL", "KEY", "default", "ro")
	expectNotContains(t, "stdout", r.stdout, secrets...)
	r = c.run("config", "list", "-o", "json")
	var profiles []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &profiles); err != nil || len(profiles) != 2 || profiles[1]["current"] != true || profiles[1]["key"] != "stored" {
		t.Errorf("config list -o json: %v %s", err, r.stdout)
	}
	expectNotContains(t, "stdout", r.stdout, secrets...)

	r = c.run("config", "use", "default")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, `Now using profile "default"`)
	expectContains(t, "config", readConfig(t, c.configPath), "current_profile: default")
	r = c.run("whoami", "-o", "json")
	expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)

	r = c.run("config", "use", "nosuch")
	expectCode(t, r, 6)
	expectContains(t, "stderr", r.stderr, `no profile named "nosuch"`)
	expectCode(t, c.run("config", "use"), 2)

	for _, tty := range []bool{false, true} {
		r = c.exec(invocation{args: []string{"config", "view"}, stdoutTTY: tty, stdinTTY: tty})
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "# "+c.configPath, "current_profile: default", "api_key: '[redacted]'", "url: "+srv.URL)
		expectNotContains(t, "stdout", r.stdout, secrets...)
		expectNotContains(t, "stderr", r.stderr, secrets...)
	}
	if len(srv.Requests()) != 3 { // the two logins and the whoami
		t.Errorf("config commands sent requests: %v", srv.calls())
	}
}

func TestConfigFileModeWarning(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
	if err := os.Chmod(c.configPath, 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run("config", "list")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, "is readable by other users", "chmod 600")
}
