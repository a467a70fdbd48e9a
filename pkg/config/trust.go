package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// CheckTrusted reports whether the file may name a command to run (a
// profile's api_key_command): not when another local user could have
// written it, because then they choose what runs as you. That is, as
// OpenSSH (as Debian patches it) judges its own files: a file owned by
// another user (root aside), or writable by others, or writable by a group
// unless you are that group's only member (Debian's per-user groups); and
// the same for every directory above it (and above the file a link leads
// to), where the sticky bit makes a directory that others may write to
// safe. A file others may only read is trusted (InsecureMode warns of it
// when it holds a key). An *UntrustedError says which and how to fix it;
// a configuration that was not read from a file, or where files have no
// permission bits, is trusted.
func (c *Config) CheckTrusted() error {
	if c.path == "" || !c.owner.exists {
		return nil
	}
	return checkTrusted(c.path, c.owner, c.accounts, true)
}

// CheckFileTrusted is CheckTrusted for another file that names a command
// to run, such as a sync file's ldap.bindPasswordCommand: path as it was
// named, info as it was read (the file whose content is used is the one
// checked). Where files have no permission bits, every file is trusted.
func CheckFileTrusted(path string, info fs.FileInfo) error {
	return checkTrusted(path, ownerOf(info), systemAccounts, false)
}

// checkTrusted applies CheckTrusted's rule to the file at path, whose
// owner and mode are owner; config says it is the configuration file,
// for the error's wording. Where files have no permission bits, it is
// trusted.
func checkTrusted(path string, owner fileOwner, acc accounts, config bool) error {
	if !hasPermissionBits {
		return nil
	}
	fail := func(reason, fix string) error {
		return &UntrustedError{Path: path, Reason: reason, Fix: fix, config: config}
	}
	useOwn, moveOwn := "use a file of your own", "move the file to a directory of your own"
	if config {
		useOwn = "use a configuration file of your own (--config or DQOPS_CONFIG)"
		moveOwn = "move the configuration to a directory of your own"
	}
	perm := owner.mode.Perm()
	switch {
	case perm&0o002 != 0:
		return fail(fmt.Sprintf("it is writable by others (mode %04o)", perm), "chmod go-w "+path)
	case perm&0o020 != 0:
		if why := groupWriters(acc, owner.gid); why != "" {
			return fail(fmt.Sprintf("it is writable by %s (mode %04o)", why, perm), "chmod g-w "+path)
		}
	}
	if !trustedOwner(owner.uid) {
		return fail(fmt.Sprintf("it belongs to another user (uid %d)", owner.uid), useOwn)
	}
	for _, dir := range directoriesOf(path) {
		info, err := os.Stat(dir)
		if err != nil {
			return fail(fmt.Sprintf("its directory %s cannot be checked: %v", dir, err), "check that the directory exists and can be read")
		}
		o := ownerOf(info)
		sticky := o.mode&fs.ModeSticky != 0
		switch {
		case !trustedOwner(o.uid):
			return fail(fmt.Sprintf("its directory %s belongs to another user (uid %d)", dir, o.uid), moveOwn)
		case o.mode&0o002 != 0 && !sticky:
			return fail(fmt.Sprintf("its directory %s is writable by others without the sticky bit (mode %04o)", dir, o.mode.Perm()), "chmod o-w "+dir)
		case o.mode&0o020 != 0 && !sticky:
			if why := groupWriters(acc, o.gid); why != "" {
				return fail(fmt.Sprintf("its directory %s is writable by %s without the sticky bit (mode %04o)", dir, why, o.mode.Perm()), "chmod g-w "+dir)
			}
		}
	}
	return nil
}

// groupWriters says which other users a group that may write the file (or
// a directory) lets write it, as a phrase ("group staff, whose members
// include bob"), or "" when you are the group's only member. A group
// without members is not trusted either: it is typically the group of a
// setgid program, which could then write the file.
func groupWriters(acc accounts, gid int) string {
	g, err := acc.members(gid, os.Getuid())
	switch {
	case err != nil:
		return fmt.Sprintf("group %d, whose members cannot be checked (%v)", gid, err)
	case len(g.others) > 0:
		// At most three names are written, then how many more there are.
		names := strings.Join(g.others[:min(len(g.others), 3)], ", ")
		if len(g.others) > 3 {
			names += fmt.Sprintf(" and %d more", len(g.others)-3)
		}
		return fmt.Sprintf("group %s, whose members include %s", g.name, names)
	case !g.you:
		return fmt.Sprintf("group %s, which has no members (a setgid program's group)", g.name)
	}
	return ""
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
	add := func(p string) {
		for dir := filepath.Dir(p); !slices.Contains(dirs, dir); dir = filepath.Dir(dir) {
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
