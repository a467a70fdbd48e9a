package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Load reads the file at path; a missing file is an empty configuration.
func Load(path string) (*Config, error) {
	c := newConfig(path)
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
		return nil, err
	}
	return c, nil
}
