package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

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
