package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
	"go.yaml.in/yaml/v3"
)

// maxStructure caps the lines, separators and indicators of a document,
// which bound how many nodes its tree has: each node but the first needs a
// line break, a separator (, : -) or an opening bracket or question mark of
// its own. A YAML node takes a hundred times the bytes that write it, so
// the byte cap alone would let a file of "a:\n" lines take tens of
// gigabytes; a profile takes a few lines, so this allows tens of thousands
// of them.
const maxStructure = 250_000

// LoadOptions say how Load treats the file.
type LoadOptions struct {
	// MustExist makes a missing file a *NotFoundError (a file named with
	// --config) instead of an empty configuration (the default location,
	// or DQOPS_CONFIG set before the first login).
	MustExist bool
}

// Load reads the file at path; a missing file is an empty configuration
// unless opts.MustExist. It reads through the tool's one bounded reader
// (files.ReadFile, capped at files.MaxFileSize), so that a file that is a
// FIFO or a slow pipe ends at once when ctx does (Ctrl-C, SIGTERM), with
// files.ErrInterrupted.
func Load(ctx context.Context, path string, opts LoadOptions) (*Config, error) {
	c := newConfig(path)
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && opts.MustExist:
		return nil, &NotFoundError{Path: path}
	case errors.Is(err, fs.ErrNotExist):
		return c, nil
	case err != nil:
		return nil, fmt.Errorf("reading configuration %s: %w", path, err)
	case info.IsDir():
		return nil, fmt.Errorf("reading configuration %s: it is a directory", path)
	}
	data, err := files.ReadFile(ctx, path, files.MaxFileSize)
	var tl *files.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, &TooLargeError{Path: path, Limit: tl.Limit}
	case err != nil:
		return nil, fmt.Errorf("reading configuration %s: %w", path, err)
	}
	// YAML has no NUL byte, unless it is UTF-16 (with a byte order mark):
	// a file with one is not a configuration (/dev/zero, a binary named by
	// mistake).
	utf16 := bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff})
	if i := bytes.IndexByte(data, 0); i >= 0 && !utf16 {
		return nil, &ParseError{File: path, Kind: errorKind(path), Problems: []yamlfile.Problem{{
			Line:    bytes.Count(data[:i], []byte{'\n'}) + 1,
			Message: "a NUL byte: this is not a YAML text file",
		}}}
	}
	// Who may change the file is judged from what was there before the
	// read: a FIFO's writer is not its owner anyway.
	c.owner = ownerOf(info)
	if err := c.parse(data); err != nil {
		return nil, err
	}
	return c, nil
}

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
