// Package config reads and writes the dqo-users configuration file: named
// profiles, each the address of a DQOps instance and how to authenticate to
// it, and which profile is current.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// DefaultProfile is the profile used when none is named or current.
const DefaultProfile = "default"

// Profile is one DQOps instance.
type Profile struct {
	Name string `yaml:"-" mapstructure:"-"`
	URL  string `yaml:"url,omitempty" mapstructure:"url"`
	// APIKey is the stored key; secret, never printed.
	APIKey string `yaml:"api_key,omitempty" mapstructure:"api_key"`
	// APIKeyCommand prints the key on stdout, so that it need not be stored.
	APIKeyCommand string `yaml:"api_key_command,omitempty" mapstructure:"api_key_command"`
	// CACert is a PEM file of certificate authorities to trust.
	CACert string `yaml:"ca_cert,omitempty" mapstructure:"ca_cert"`
}

// file is the document on disk.
type file struct {
	CurrentProfile string              `yaml:"current_profile,omitempty" mapstructure:"current_profile"`
	Profiles       map[string]*Profile `yaml:"profiles,omitempty" mapstructure:"profiles"`
}

// Config is the loaded configuration file; changes are kept in memory until
// Save.
type Config struct {
	path string
	mode fs.FileMode // of the file as found; 0 when it did not exist
	data file
}

// ValidateProfileName checks a profile name: lower-case letters, digits, '-'
// and '_' (viper folds keys to lower case, so upper case would not survive).
func ValidateProfileName(name string) error {
	if !validProfileName(name) {
		return fmt.Errorf("invalid profile name %q: use lower-case letters, digits, '-' and '_'", name)
	}
	return nil
}

// validProfileName matches ^[a-z0-9][a-z0-9_-]{0,62}$, without compiling a
// regular expression at every start of the program.
func validProfileName(name string) bool {
	if name == "" || len(name) > 63 || name[0] == '-' || name[0] == '_' {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// DefaultPath is os.UserConfigDir()/dqo-users/config.yaml.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the configuration directory: %w (set DQOPS_CONFIG or --config)", err)
	}
	return filepath.Join(dir, "dqo-users", "config.yaml"), nil
}

// Load reads the file at path; a missing file is an empty configuration.
func Load(path string) (*Config, error) {
	c := &Config{path: path, data: file{Profiles: map[string]*Profile{}}}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading configuration %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("reading configuration %s: it is a directory", path)
	}
	c.mode = info.Mode().Perm()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration %s: %w", path, err)
	}
	if err := c.parse(data); err != nil {
		return nil, fmt.Errorf("reading configuration %s: %w", path, err)
	}
	return c, nil
}

// Parse reads a configuration document from memory (used by Load and tests).
func Parse(data []byte) (*Config, error) {
	c := &Config{data: file{Profiles: map[string]*Profile{}}}
	if err := c.parse(data); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) parse(data []byte) error {
	// Strict YAML first, so that a typo in a key or a bad type is reported
	// with its line rather than silently ignored.
	var check struct {
		CurrentProfile string             `yaml:"current_profile"`
		Profiles       map[string]Profile `yaml:"profiles"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&check); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("not a valid configuration file: %w", err)
	}
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("not a valid configuration file: %w", err)
	}
	var f file
	if err := v.Unmarshal(&f); err != nil {
		return fmt.Errorf("not a valid configuration file: %w", err)
	}
	if f.Profiles == nil {
		f.Profiles = map[string]*Profile{}
	}
	// Names are checked as written: viper folds keys to lower case, which
	// would rename "Prod" silently. And a profile with no settings is still
	// a profile, though viper drops an empty map: without this, a profile
	// saved as "work: {}" would vanish on the next load.
	for name := range check.Profiles {
		if err := ValidateProfileName(name); err != nil {
			return err
		}
		if _, ok := f.Profiles[name]; !ok {
			f.Profiles[name] = &Profile{}
		}
	}
	for name, p := range f.Profiles {
		if p == nil {
			p = &Profile{}
			f.Profiles[name] = p
		}
		if err := ValidateProfileName(name); err != nil {
			return err
		}
		p.Name = name
	}
	c.data = f
	return nil
}

// Path is where the file is read from and written to.
func (c *Config) Path() string { return c.path }

// InsecureMode returns the file's permission bits when group or others may
// read or write it: a stored key would be readable by other users.
func (c *Config) InsecureMode() (fs.FileMode, bool) {
	return c.mode, c.mode&0o077 != 0
}

// Current is the name of the current profile, DefaultProfile when unset.
func (c *Config) Current() string {
	if c.data.CurrentProfile == "" {
		return DefaultProfile
	}
	return c.data.CurrentProfile
}

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
	for _, p := range c.data.Profiles {
		list = append(list, *p)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

// SetProfile adds or replaces a profile.
func (c *Config) SetProfile(p Profile) error {
	if err := ValidateProfileName(p.Name); err != nil {
		return err
	}
	cp := p
	c.data.Profiles[p.Name] = &cp
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

// Save writes the file atomically (a temporary file renamed over it) with
// mode 0600, creating its directory with mode 0700.
func (c *Config) Save() error {
	if c.path == "" {
		return errors.New("saving configuration: no file path")
	}
	data, err := yaml.Marshal(&c.data)
	if err != nil {
		return fmt.Errorf("saving configuration: %w", err)
	}
	dir := filepath.Dir(c.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("saving configuration %s: %w", c.path, err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("saving configuration %s: %w", c.path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("saving configuration %s: %w", c.path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("saving configuration %s: %w", c.path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("saving configuration %s: %w", c.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving configuration %s: %w", c.path, err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("saving configuration %s: %w", c.path, err)
	}
	c.mode = 0o600
	return nil
}
