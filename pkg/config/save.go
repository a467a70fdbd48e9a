package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// Save writes the file whole or not at all (files.WriteAtomic) with mode
// 0600, creating its directory with mode 0700. A path that is a symbolic
// link is written through, as an editor would: the link stays and its
// target is replaced, unless the writer rule forbids the link (another
// user's, in a directory anyone may write to).
func (c *Config) Save() error {
	if c.path == "" {
		return errors.New("saving configuration: no file path")
	}
	data, err := yaml.Marshal(&c.data)
	if err != nil {
		return fmt.Errorf("saving configuration: %w", err)
	}
	target, err := files.Target(c.path)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(target), 0o700)
	}
	if err == nil {
		err = files.WriteAtomic(target, data, 0o600)
	}
	if err != nil {
		return fmt.Errorf("saving configuration %s: %w", c.path, err)
	}
	c.owner = fileOwner{exists: true, mode: 0o600, uid: os.Getuid(), gid: -1}
	return nil
}
