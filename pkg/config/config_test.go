package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateProfileName(t *testing.T) {
	valid := []string{"default", "prod", "a", "0", "eu-west_2", strings.Repeat("a", 63)}
	invalid := []string{"", "Prod", "-x", "_x", "a.b", "a b", "ü", strings.Repeat("a", 64), "a/b"}
	for _, name := range valid {
		if err := ValidateProfileName(name); err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
	for _, name := range invalid {
		if err := ValidateProfileName(name); err == nil {
			t.Errorf("%q: accepted", name)
		}
	}
}

// Save writes atomically with mode 0600, and what it wrote loads back.
func TestSaveAndLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "config.yaml")
	c, err := Load(t.Context(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetProfile(Profile{Name: "work", URL: "https://dqops.example.com", APIKey: "k"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Use("work"); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode %04o, want 0600", mode)
	}
	if dir, err := os.Stat(filepath.Dir(path)); err != nil || dir.Mode().Perm() != 0o700 {
		t.Errorf("directory %v, %v; want mode 0700", dir.Mode(), err)
	}
	back, err := Load(t.Context(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := back.Profile("work"); !ok || p.URL != "https://dqops.example.com" || p.APIKey != "k" || back.Current() != "work" {
		t.Errorf("loaded %+v (current %q)", p, back.Current())
	}
	if _, insecure := back.InsecureMode(); insecure {
		t.Error("a file written 0600 reported as readable by others")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files in the directory, want only config.yaml: a temporary file was left", len(entries))
	}
}

// TestSetProfileKeyStore checks that a profile cannot be set so that the
// saved file would not load: a key in the keyring and in the file at once.
func TestSetProfileKeyStore(t *testing.T) {
	c := newConfig(filepath.Join(t.TempDir(), "config.yaml"))
	for _, p := range []Profile{
		{Name: "a", APIKeyStore: "vault"},
		{Name: "a", APIKeyStore: KeyStoreKeyring, APIKey: "k"},
	} {
		if err := c.SetProfile(p); err == nil || strings.Contains(err.Error(), "k\"") {
			t.Errorf("%+v: %v", p.APIKeyStore, err)
		}
	}
	if err := c.SetProfile(Profile{Name: "a", URL: "http://h", APIKeyStore: KeyStoreKeyring}); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	back, err := Load(t.Context(), c.Path(), LoadOptions{})
	if p, _ := back.Profile("a"); err != nil || p.APIKeyStore != KeyStoreKeyring || p.APIKey != "" {
		t.Errorf("loaded %+v, %v", p, err)
	}
}
