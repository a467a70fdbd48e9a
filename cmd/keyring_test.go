package cmd_test

import (
	"errors"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/config"
)

// In-process runs keep keys in the keyring library's in-memory store,
// never in the keyring of the developer running the tests. The built
// binary finds no keyring (childEnv); the real one is tested on a private
// session bus (keyring_linux_test.go).
func init() { keyring.MockInit() }

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
	key, err := config.LoadKey(keyringServiceOf(t, url), profile)
	if errors.Is(err, config.ErrNotInKeyring) {
		return "", false
	}
	if err != nil {
		t.Fatalf("reading the in-memory keyring: %v", err)
	}
	return key, true
}
