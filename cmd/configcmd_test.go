package cmd_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestConfigCommands(t *testing.T) {
	t.Parallel()
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
	expectCode(t, c.runStdin(srv.ViewerKey(), "login", "--with-token", "--profile", "ro", "--insecure-storage"), 0)
	expectCode(t, c.runStdin(srv.ViewerKey(), "login", "--with-token", "--profile", "zz"), 0)
	expectCode(t, c.run("logout", "--profile", "zz"), 0)
	if err := config.Update(context.Background(), c.configPath, func(cfg *config.Config) error {
		if err := cfg.SetProfile(config.Profile{Name: "cmd", URL: srv.URL, APIKeyCommand: "pass show dqops"}); err != nil {
			return err
		}
		return cfg.Use("ro")
	}); err != nil {
		t.Fatal(err)
	}
	secrets := []string{srv.AdminKey(), srv.ViewerKey()}

	r = c.run("config", "list")
	expectCode(t, r, 0)
	want := "\tcmd\t" + srv.URL + "\tcommand\n" +
		"\tdefault\t" + srv.URL + "\tkeyring\n" +
		"*\tro\t" + srv.URL + "\tfile\n" +
		"\tzz\t" + srv.URL + "\tnone\n"
	if r.stdout != want {
		t.Errorf("config list piped: %q, want %q", r.stdout, want)
	}
	r = c.runTTY("", "config", "list")
	expectContains(t, "stdout", r.stdout, "CURRENT", "NAME", "URL", "KEY", "default", "ro")
	expectNotContains(t, "stdout", r.stdout, secrets...)
	r = c.run("config", "list", "-o", "json")
	var profiles []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &profiles); err != nil || len(profiles) != 4 || profiles[2]["current"] != true ||
		profiles[0]["key"] != "command" || profiles[1]["key"] != "keyring" || profiles[2]["key"] != "file" || profiles[3]["key"] != "none" {
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
	expectExit(t, r, 2, `no profile named "nosuch" in `+c.configPath+"; its profiles: cmd, default, ro, zz")
	expectCode(t, c.run("config", "use"), 2)

	for _, tty := range []bool{false, true} {
		r = c.exec(invocation{args: []string{"config", "view"}, stdoutTTY: tty, stdinTTY: tty})
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "# "+c.configPath, "current_profile: default", "url: "+srv.URL,
			"  cmd:\n    api_key_command: pass show dqops\n    key: command\n",
			"  default:\n    api_key_store: keyring\n    key: keyring\n",
			"  ro:\n    api_key: '[redacted]'\n    key: file\n",
			"  zz:\n    key: none\n")
		expectNotContains(t, "stdout", r.stdout, secrets...)
		expectNotContains(t, "stderr", r.stderr, secrets...)
	}
	if len(srv.Requests()) != 4 { // the three logins and the whoami
		t.Errorf("config commands sent requests: %v", srv.calls())
	}
}

// TestConfigFileModeWarning checks that a configuration file others may
// read is warned of when it holds a key, and not when its key is in the
// keyring: it then holds no secret.
func TestConfigFileModeWarning(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{})
	expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token", "--insecure-storage"), 0)
	if err := os.Chmod(c.configPath, 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run("config", "list")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, "is readable by other users", "chmod 600")

	expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0) // to the keyring
	if err := os.Chmod(c.configPath, 0o644); err != nil {
		t.Fatal(err)
	}
	r = c.run("config", "list")
	expectCode(t, r, 0)
	expectNotContains(t, "stderr", r.stderr, "warning", "chmod")
}
