package directory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/files"
)

// ErrUntrustedCommand is the cause of a refused bindPasswordCommand when
// Options.CheckTrusted is not set: the file naming the command could not
// be checked, so the command is not run.
var ErrUntrustedCommand = errors.New("bindPasswordCommand needs a trust check of the sync file, and none was given")

// bindPassword gets the password from the one source the file names; ""
// for an anonymous bind.
func bindPassword(ctx context.Context, c *Config, opts Options) (string, error) {
	l := c.LDAP
	switch {
	case l.BindPasswordFile != "":
		data, err := files.ReadFile(ctx, l.BindPasswordFile, files.MaxSecretSize)
		if err != nil {
			return "", fmt.Errorf("reading ldap.bindPasswordFile: %w", err)
		}
		// One line, as printf or an editor leaves it; the line break is
		// not part of the password.
		data = bytes.TrimSuffix(data, []byte("\n"))
		data = bytes.TrimSuffix(data, []byte("\r"))
		switch {
		case len(data) == 0:
			return "", fmt.Errorf("ldap.bindPasswordFile %s is empty", l.BindPasswordFile)
		case bytes.ContainsAny(data, "\r\n"):
			return "", fmt.Errorf("ldap.bindPasswordFile %s holds more than one line: it must hold the password alone", l.BindPasswordFile)
		}
		return string(data), nil
	case l.BindPasswordEnv != "":
		v := opts.getenv(l.BindPasswordEnv)
		if v == "" {
			return "", fmt.Errorf("ldap.bindPasswordEnv names %s, which is not set", l.BindPasswordEnv)
		}
		return v, nil
	case l.BindPasswordCommand != "":
		if opts.CheckTrusted == nil || c.info == nil {
			return "", ErrUntrustedCommand
		}
		if err := opts.CheckTrusted(c.Path, c.info); err != nil {
			return "", fmt.Errorf("not running ldap.bindPasswordCommand: %w", err)
		}
		pw, err := config.RunKeyCommand(ctx, l.BindPasswordCommand, opts.Stderr, config.DefaultKeyCommandTimeout)
		if err != nil {
			// RunKeyCommand's messages name api_key_command, whose rules
			// this command follows.
			return "", fmt.Errorf("ldap.bindPasswordCommand (run as an api_key_command is): %w", err)
		}
		return pw, nil
	}
	return "", nil
}

// TrustCheck is the check a sync file must pass before its
// bindPasswordCommand runs: the rules of a profile's api_key_command,
// applied to the file at path as it was read (info).
type TrustCheck func(path string, info fs.FileInfo) error
