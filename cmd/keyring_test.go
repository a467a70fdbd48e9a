package cmd_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// withoutKeyring makes every keyring call fail as on a system without one,
// for the rest of the test; the in-memory store comes back empty after it.
// Tests that call it must not run in parallel.
func withoutKeyring(t *testing.T) {
	t.Helper()
	keyring.MockInitWithError(keyring.ErrUnsupportedPlatform)
	t.Cleanup(keyring.MockInit)
}

// keyringServiceOf is the service of the keyring items of the server at url.
func keyringServiceOf(t testing.TB, url string) string {
	t.Helper()
	canonical, err := api.CanonicalURL(url)
	if err != nil {
		t.Fatal(err)
	}
	return config.KeyringService(canonical)
}

// keyringItem returns the key the in-memory keyring holds for profile at
// the server at url, and whether it holds one.
func keyringItem(t testing.TB, url, profile string) (string, bool) {
	t.Helper()
	key, err := cmd.LoadKey(keyringServiceOf(t, url), profile)
	if errors.Is(err, config.ErrNotInKeyring) {
		return "", false
	}
	if err != nil {
		t.Fatalf("reading the in-memory keyring: %v", err)
	}
	return key, true
}

// TestKeyringRead checks how a profile's key is read from the keyring: only
// for a profile that records keeping it there, and with an error naming the
// profile and the way out when the keyring fails.
func TestKeyringRead(t *testing.T) {
	keyringProfile := func(url string) string {
		return fmt.Sprintf("profiles:\n  default:\n    url: %s\n    api_key_store: keyring\n", url)
	}
	t.Run("no item: 4, log in again", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		delete(c.env, "DQOPS_API_KEY")
		c.file("config.yaml", keyringProfile(srv.URL))
		r := c.run("list")
		expectExit(t, r, 4, `error: profile "default" keeps its API key in the keyring, and the keyring has no item for it (service `+
			keyringServiceOf(t, srv.URL)+", user default)", "hint: run `dqo-users login --profile default` to store a key again")
		expectCalls(t, srv)
	})
	t.Run("no keyring: 1, naming the profile and --insecure-storage", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		delete(c.env, "DQOPS_API_KEY")
		c.file("config.yaml", keyringProfile(srv.URL))
		withoutKeyring(t)
		r := c.run("list")
		expectExit(t, r, 1, `error: reading the API key of profile "default" from the keyring: no keyring available: `,
			"`dqo-users login --profile default --insecure-storage`")
		expectCalls(t, srv)
	})
	t.Run("DQOPS_API_KEY, --api-key-file and a key in the file never ask the keyring", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		withoutKeyring(t)
		c.file("config.yaml", keyringProfile(srv.URL))
		expectCode(t, c.run("list"), 0)
		keyFile := c.file("key", srv.AdminKey())
		expectCode(t, c.exec(invocation{args: []string{"list", "--api-key-file", keyFile}, env: map[string]string{"DQOPS_API_KEY": ""}}), 0)
		c.file("config.yaml", fmt.Sprintf("profiles:\n  default:\n    url: %s\n    api_key: %s\n", srv.URL, srv.AdminKey()))
		expectCode(t, c.exec(invocation{args: []string{"list"}, env: map[string]string{"DQOPS_API_KEY": ""}}), 0)
	})
	t.Run("the item of the profile's own server", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		delete(c.env, "DQOPS_API_KEY")
		c.file("config.yaml", keyringProfile(srv.URL+"/"))
		if err := config.StoreKey(keyringServiceOf(t, srv.URL), "default", srv.ViewerKey()); err != nil {
			t.Fatal(err)
		}
		r := c.run("whoami", "-o", "json", "--jq", ".user")
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "viewer@example.com")
	})
}
