//go:build linux

package cmd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// TestPTYLoginToAnotherServer checks that on a terminal, login to another
// server under a profile that holds a key asks before replacing it.
func TestPTYLoginToAnotherServer(t *testing.T) {
	t.Parallel()
	first := startSandbox(t, sandbox.Options{})
	second := startSandbox(t, sandbox.Options{})
	config := filepath.Join(t.TempDir(), "config.yaml")
	doc := fmt.Sprintf("current_profile: default\nprofiles:\n  default:\n    url: %s\n    api_key: %s\n", first.URL, first.AdminKey())
	if err := os.WriteFile(config, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DQOPS_API_KEY": "", "DQOPS_CONFIG": config}
	question := fmt.Sprintf("Profile %q holds the API key of %s. Replace it with a key for %s? [y/N]: ", "default", first.URL, second.URL)

	s := startPTY(t, second, ptyOptions{env: env}, "login")
	s.expect(question)
	s.send("n\r")
	s.expectExit(3)
	expectContains(t, "terminal", s.screen(), "cancelled: nothing was changed")
	if got := readConfig(t, config); got != doc {
		t.Errorf("the configuration changed:\n%s", got)
	}

	s = startPTY(t, second, ptyOptions{env: env}, "login", "--insecure-storage")
	s.expect(question)
	s.send("y\r")
	s.expect("API key: ")
	s.typeSecret(second.AdminKey())
	s.expectExit(0)
	expectContains(t, "config", readConfig(t, config), "url: "+second.URL+"\n", "api_key: "+second.AdminKey()+"\n")
	expectNotContains(t, "terminal", s.screen(), second.AdminKey(), first.AdminKey())
}
