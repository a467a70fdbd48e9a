package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// Save writes the file atomically (a temporary file renamed over it) with
// mode 0600, creating its directory with mode 0700. A path that is a
// symbolic link is written through: the link stays and its target is
// replaced, as an editor would.
func (c *Config) Save() error {
	if c.path == "" {
		return errors.New("saving configuration: no file path")
	}
	data, err := yaml.Marshal(&c.data)
	if err != nil {
		return fmt.Errorf("saving configuration: %w", err)
	}
	target, err := resolveLinks(c.path)
	if err == nil {
		err = writeAtomic(target, data)
	}
	if err != nil {
		return fmt.Errorf("saving configuration %s: %w", c.path, err)
	}
	c.owner = fileOwner{exists: true, mode: 0o600, uid: os.Getuid()}
	return nil
}

// maxLinks is how many symbolic links resolveLinks follows, as the kernel's
// own limit (ELOOP), so that a loop is an error rather than a hang.
const maxLinks = 40

// resolveLinks follows path's symbolic links to the file they name, which
// need not exist yet (a link made before the first login).
func resolveLinks(path string) (string, error) {
	for range maxLinks {
		info, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", errors.New("too many levels of symbolic links")
}

// writeAtomic replaces path with data through a temporary file in the same
// directory, so that a reader sees the old file or the new one, never half.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
