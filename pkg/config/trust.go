package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CheckTrusted reports whether the file may name a command to run (a
// profile's api_key_command): not when another local user could have
// written it, because then they choose what runs as you. That is a file
// writable by group or others or owned by another user, or one in a
// directory (of the path or of a link's target, up to the root) writable
// by others without the sticky bit or owned by another user, as ssh refuses
// such files. A file others may only read is trusted (InsecureMode warns of
// it). An *UntrustedError says which and how to fix it; a configuration
// that was not read from a file, or where files have no permission bits,
// is trusted.
func (c *Config) CheckTrusted() error {
	if c.path == "" || !c.owner.exists || !hasPermissionBits {
		return nil
	}
	if perm := c.owner.mode.Perm(); perm&0o022 != 0 {
		return &UntrustedError{Path: c.path,
			Reason: fmt.Sprintf("it is writable by group or others (mode %04o)", perm),
			Fix:    "chmod go-w " + c.path}
	}
	if !trustedOwner(c.owner.uid) {
		return &UntrustedError{Path: c.path,
			Reason: fmt.Sprintf("it belongs to another user (uid %d)", c.owner.uid),
			Fix:    "use a configuration file of your own (--config or DQOPS_CONFIG)"}
	}
	for _, dir := range directoriesOf(c.path) {
		info, err := os.Stat(dir)
		if err != nil {
			return &UntrustedError{Path: c.path, Reason: fmt.Sprintf("its directory %s cannot be checked: %v", dir, err),
				Fix: "check that the directory exists and can be read"}
		}
		o := ownerOf(info)
		switch {
		case o.mode&0o002 != 0 && o.mode&fs.ModeSticky == 0:
			return &UntrustedError{Path: c.path,
				Reason: fmt.Sprintf("its directory %s is writable by others without the sticky bit (mode %04o)", dir, o.mode.Perm()),
				Fix:    "chmod o-w " + dir}
		case !trustedOwner(o.uid):
			return &UntrustedError{Path: c.path,
				Reason: fmt.Sprintf("its directory %s belongs to another user (uid %d)", dir, o.uid),
				Fix:    "move the configuration to a directory of your own"}
		}
	}
	return nil
}

// trustedOwner is the user running the tool, or root (who can change
// anything anyway).
func trustedOwner(uid int) bool {
	return uid == -1 || uid == 0 || uid == os.Getuid()
}

// directoriesOf lists the directories whose writers could replace the file
// at path: every directory above it, and above the file a link leads to.
func directoriesOf(path string) []string {
	var dirs []string
	seen := map[string]bool{}
	add := func(p string) {
		for dir := filepath.Dir(p); !seen[dir]; dir = filepath.Dir(dir) {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	add(abs)
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		add(real)
	}
	return dirs
}
