// Package config reads and writes the dqo-users configuration file: named
// profiles, each the address of a DQOps instance and how to authenticate to
// it, and which profile is current.
//
// The file is read once, through the tool's bounded reader (so Ctrl-C ends
// the read of a FIFO), strictly, from a YAML node tree, so that every
// problem is reported with its line and never quotes a value (a misplaced
// value may be an API key). Writes are atomic, go through a symbolic link
// to its target when the writer rule of pkg/files allows it, and, through
// Update, happen under an advisory lock so that two processes changing the
// file at once both keep their changes.
package config

import (
	"cmp"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultProfile is the profile used when none is named or current.
const DefaultProfile = "default"

// KeyStoreKeyring is the value of a profile's api_key_store when its key is
// kept in the operating system's keyring rather than in the file.
const KeyStoreKeyring = "keyring"

// Profile is one DQOps instance.
type Profile struct {
	Name string `yaml:"-"`
	URL  string `yaml:"url,omitempty"`
	// APIKey is the stored key; secret, never printed.
	APIKey string `yaml:"api_key,omitempty"`
	// APIKeyStore is KeyStoreKeyring when the key lives in the keyring (the
	// file then holds no api_key), else empty.
	APIKeyStore string `yaml:"api_key_store,omitempty"`
	// APIKeyCommand prints the key on stdout, so that it need not be stored.
	APIKeyCommand string `yaml:"api_key_command,omitempty"`
	// CACert is a PEM file of certificate authorities to trust.
	CACert string `yaml:"ca_cert,omitempty"`
	// AuditLog is the file where every change made through the profile is
	// recorded (package audit).
	AuditLog string `yaml:"audit_log,omitempty"`
}

// file is the document on disk.
type file struct {
	CurrentProfile string              `yaml:"current_profile,omitempty"`
	Profiles       map[string]*Profile `yaml:"profiles,omitempty"`
}

// Config is the loaded configuration file; changes are kept in memory until
// Save.
type Config struct {
	path string
	// owner is who may change the file as it was read, for the warning on
	// its mode and for CheckTrusted; zero when it did not exist.
	owner fileOwner
	// accounts says who belongs to a group, for CheckTrusted.
	accounts accounts
	data     file
}

// fileOwner is the permission bits and the owning user and group of a file.
type fileOwner struct {
	exists bool
	mode   fs.FileMode
	uid    int // -1 where files have no numeric owner
	gid    int // -1 where files have no numeric group
}

func newConfig(path string) *Config {
	return &Config{path: path, accounts: systemAccounts, data: file{Profiles: map[string]*Profile{}}}
}

// ValidateProfileName checks a profile name: lower-case letters, digits, '-'
// and '_', so that a name means the same wherever keys are folded to lower
// case (viper, environment variables).
func ValidateProfileName(name string) error {
	if !validProfileName(name) {
		return fmt.Errorf("invalid profile name %q: %s", name, profileNameRule)
	}
	return nil
}

const profileNameRule = "use lower-case letters, digits, '-' and '_'"

// validProfileName matches ^[a-z0-9][a-z0-9_-]{0,62}$, without compiling a
// regular expression at every start of the program: what remains once the
// name's allowed characters are trimmed from both ends is one that is not.
func validProfileName(name string) bool {
	return name != "" && len(name) <= 63 && name[0] != '-' && name[0] != '_' &&
		strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") == ""
}

// DefaultPath is os.UserConfigDir()/dqo-users/config.yaml.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the configuration directory: %w (set DQOPS_CONFIG or --config)", err)
	}
	return filepath.Join(dir, "dqo-users", "config.yaml"), nil
}

// Path is where the file is read from and written to.
func (c *Config) Path() string { return c.path }

// InsecureMode returns the file's permission bits when it holds a key (a
// profile's api_key) and group or others may read or write it: the key is
// then readable by other users. A file without a key (keys in the keyring,
// or given by an api_key_command) has no secret to show, so its mode is
// not reported; who may write it is CheckTrusted's concern. It is never
// true where files have no such bits (Windows, whose access lists are not
// checked).
func (c *Config) InsecureMode() (fs.FileMode, bool) {
	insecure := c.owner.exists && hasPermissionBits && c.owner.mode&0o077 != 0 &&
		slices.ContainsFunc(c.Profiles(), func(p Profile) bool { return p.APIKey != "" })
	return c.owner.mode, insecure
}

// Current is the name of the current profile, DefaultProfile when unset.
func (c *Config) Current() string { return cmp.Or(c.data.CurrentProfile, DefaultProfile) }

// Profile returns a copy of the named profile.
func (c *Config) Profile(name string) (Profile, bool) {
	p, ok := c.data.Profiles[name]
	if !ok {
		return Profile{Name: name}, false
	}
	return *p, true
}

// Profiles lists the profiles sorted by name.
func (c *Config) Profiles() []Profile {
	list := make([]Profile, 0, len(c.data.Profiles))
	for _, name := range slices.Sorted(maps.Keys(c.data.Profiles)) {
		list = append(list, *c.data.Profiles[name])
	}
	return list
}

// SetProfile adds or replaces a profile. A profile whose key is in the
// keyring holds none in the file, so that the file stays one Load accepts.
func (c *Config) SetProfile(p Profile) error {
	if err := ValidateProfileName(p.Name); err != nil {
		return err
	}
	switch {
	case p.APIKeyStore != "" && p.APIKeyStore != KeyStoreKeyring:
		return fmt.Errorf("profile %q: api_key_store must be %q or empty", p.Name, KeyStoreKeyring)
	case p.APIKeyStore == KeyStoreKeyring && p.APIKey != "":
		return fmt.Errorf("profile %q: a key in the keyring is not stored in the file too", p.Name)
	}
	c.data.Profiles[p.Name] = &p
	return nil
}

// Use makes an existing profile current.
func (c *Config) Use(name string) error {
	if _, ok := c.data.Profiles[name]; !ok {
		return fmt.Errorf("no profile named %q", name)
	}
	c.data.CurrentProfile = name
	return nil
}
