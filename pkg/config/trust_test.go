//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCheckTrusted checks which file and directory modes let the file name
// a command to run (tests may run as root, where chmod still sets the bits
// that are checked). The file's group is, here, a group of the user's own
// (see TestCheckTrustedGroup for the others).
func TestCheckTrusted(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file, dir os.FileMode
		want      string // part of the error; empty when trusted
	}{
		{0o600, 0o700, ""},
		{0o400, 0o755, ""},
		{0o640, 0o700, ""},
		{0o644, 0o700, ""},
		{0o604, 0o775, ""},
		{0o660, 0o700, ""},
		{0o620, 0o770, ""},
		{0o666, 0o700, "it is writable by others (mode 0666), so another local user could choose the command; to fix: chmod go-w "},
		{0o602, 0o700, "it is writable by others (mode 0602)"},
		{0o600, 0o777, "is writable by others without the sticky bit (mode 0777), so another local user could choose the command; to fix: chmod o-w "},
		{0o600, 0o703, "is writable by others without the sticky bit (mode 0703)"},
		{0o600, 0o777 | os.ModeSticky, ""},
	} {
		path, dir := trustFixture(t, tt.file, tt.dir)
		c, err := Load(t.Context(), path, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c.accounts = fakeAccounts(t, path, []string{"me:x:{gid}:"}, "me:x:{uid}:{gid}::/home/me:/bin/sh")
		err = c.CheckTrusted()
		var ut *UntrustedError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("file %04o in directory %v: %v", tt.file, tt.dir, err)
		case tt.want != "" && (!errors.As(err, &ut) || ut.Path != path || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("file %04o in directory %v: %v\nwant %s", tt.file, tt.dir, err, tt.want)
		case tt.want != "" && !strings.HasPrefix(err.Error(), "the api_key_command of configuration file "+path+" is not run: "):
			t.Errorf("the message does not name the file: %v", err)
		}
		if strings.Contains(tt.want, "chmod o-w") && !strings.HasSuffix(err.Error(), "chmod o-w "+dir) {
			t.Errorf("the fix does not name the directory: %v", err)
		}
	}
}

// TestCheckTrustedGroup checks a file, and a directory, that their group
// may write: trusted when the user is the group's only member (Debian's
// per-user groups), whether by primary group or by the group's list; not
// when another user belongs to it either way, when nobody does (a setgid
// program's group), or when the group cannot be looked up. The sticky bit
// makes a group-writable directory safe, as it does an open one.
func TestCheckTrustedGroup(t *testing.T) {
	t.Parallel()
	const me = "me:x:{uid}:{gid}::/home/me:/bin/sh"
	for _, tt := range []struct {
		name           string
		group, passwd  []string
		refusedBecause string // empty when trusted
	}{
		{"a per-user group", []string{"me:x:{gid}:"}, []string{me}, ""},
		{"a per-user group that lists its user", []string{"me:x:{gid}:me"}, []string{me}, ""},
		{"the user's group by its list alone", []string{"mine:x:{gid}:me"}, []string{"me:x:{uid}:100::/:/bin/sh"}, ""},
		{"another member in the list", []string{"staff:x:{gid}:me,bob"}, []string{me, "bob:x:1001:100::/:/bin/sh"},
			"group staff, whose members include bob"},
		{"another user's primary group", []string{"me:x:{gid}:"}, []string{me, "carol:x:1002:{gid}::/:/bin/sh"},
			"group me, whose members include carol"},
		{"a member unknown to passwd", []string{"me:x:{gid}:ghost"}, []string{me}, "group me, whose members include ghost"},
		{"many members", []string{"all:x:{gid}:a,b,c,d,e"}, []string{me}, "group all, whose members include a, b, c and 2 more"},
		{"no members", []string{"tty:x:{gid}:"}, []string{"me:x:{uid}:100::/:/bin/sh"}, "group tty, which has no members (a setgid program's group)"},
		{"a group not in the file", []string{"other:x:99999:"}, []string{me}, "group {gid}, whose members cannot be checked (it is not in "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, where := range []struct {
				file, dir os.FileMode
				what, fix string
			}{{0o620, 0o700, "it is writable by ", "chmod g-w {file}"},
				{0o600, 0o770, "its directory {dir} is writable by ", "chmod g-w {dir}"}} {
				path, dir := trustFixture(t, where.file, where.dir)
				c, err := Load(t.Context(), path, LoadOptions{})
				if err != nil {
					t.Fatal(err)
				}
				c.accounts = fakeAccounts(t, path, tt.group, tt.passwd...)
				err = c.CheckTrusted()
				if tt.refusedBecause == "" {
					if err != nil {
						t.Errorf("file %04o in directory %04o: %v", where.file, where.dir, err)
					}
					continue
				}
				fill := strings.NewReplacer("{file}", path, "{dir}", dir, "{gid}", strconv.Itoa(c.owner.gid))
				want := fill.Replace(where.what + tt.refusedBecause)
				if err == nil || !strings.Contains(err.Error(), want) || !strings.HasSuffix(err.Error(), "to fix: "+fill.Replace(where.fix)) {
					t.Errorf("file %04o in directory %04o: %v\nwant %s", where.file, where.dir, err, want)
				}
				// Sticky, the directory is safe; the file's own mode still counts.
				os.Chmod(dir, 0o770|os.ModeSticky)
				if err := c.CheckTrusted(); (err == nil) != (where.file == 0o600) {
					t.Errorf("file %04o in sticky directory %04o: %v", where.file, where.dir, err)
				}
			}
		})
	}
}

// trustFixture makes a configuration file naming a command, with mode
// file, in a directory of its own with mode dir.
func trustFixture(t *testing.T, file, dir os.FileMode) (path, dirPath string) {
	t.Helper()
	dirPath = filepath.Join(t.TempDir(), "conf")
	os.Mkdir(dirPath, 0o700)
	path = filepath.Join(dirPath, "config.yaml")
	os.WriteFile(path, []byte("profiles:\n  p:\n    api_key_command: pass show dqops\n"), 0o600)
	if err := os.Chmod(path, file); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dirPath, dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dirPath, 0o700) })
	return path, dirPath
}

// fakeAccounts writes group and passwd files of these lines, where {uid} is
// the user's and {gid} the group of the file at path, and returns them as
// accounts.
func fakeAccounts(t *testing.T, path string, group []string, passwd ...string) accounts {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{uid}", strconv.Itoa(os.Getuid()), "{gid}", strconv.Itoa(ownerOf(info).gid))
	dir := t.TempDir()
	a := accounts{groupFile: filepath.Join(dir, "group"), passwdFile: filepath.Join(dir, "passwd")}
	for file, lines := range map[string][]string{a.groupFile: group, a.passwdFile: passwd} {
		text := "# a comment\n" + fill.Replace(strings.Join(lines, "\n")) + "\n"
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// TestCheckTrustedLink checks that a link in a directory others may write is
// not trusted though its target is safe (they could point it elsewhere),
// and that the directories of the target count too.
func TestCheckTrustedLink(t *testing.T) {
	base := t.TempDir()
	safe, open := filepath.Join(base, "safe"), filepath.Join(base, "open")
	os.Mkdir(safe, 0o700)
	os.Mkdir(open, 0o700)
	os.Chmod(open, 0o777)
	target := filepath.Join(safe, "config.yaml")
	os.WriteFile(target, []byte("profiles: {}\n"), 0o600)

	link := filepath.Join(open, "config.yaml")
	os.Symlink(target, link)
	c, err := Load(t.Context(), link, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckTrusted(); err == nil || !strings.Contains(err.Error(), "its directory "+open+" is writable by others") {
		t.Errorf("a link in an open directory: %v", err)
	}

	os.Remove(link)
	os.Rename(target, filepath.Join(open, "config.yaml"))
	os.Symlink(filepath.Join(open, "config.yaml"), target)
	c, _ = Load(t.Context(), target, LoadOptions{})
	if err := c.CheckTrusted(); err == nil || !strings.Contains(err.Error(), "its directory "+open+" is writable by others") {
		t.Errorf("a link to a file in an open directory: %v", err)
	}
}

// TestCheckTrustedOwner checks that a file or directory of another user is
// not trusted (only root can give a file away).
func TestCheckTrustedOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	const other = 4242
	dir := filepath.Join(t.TempDir(), "conf")
	os.Mkdir(dir, 0o700)
	path := filepath.Join(dir, "config.yaml")
	os.WriteFile(path, []byte("profiles: {}\n"), 0o600)
	for _, tt := range []struct {
		chown, want string
	}{
		{path, "it belongs to another user (uid 4242)"},
		{dir, "its directory " + dir + " belongs to another user (uid 4242)"},
	} {
		if err := os.Chown(tt.chown, other, other); err != nil {
			t.Fatal(err)
		}
		c, err := Load(t.Context(), path, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.CheckTrusted(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s given away: %v", tt.chown, err)
		}
		os.Chown(tt.chown, 0, 0)
	}
}

// TestCheckTrustedWithoutFile checks what was not read from a file, and that
// a file this process saved is trusted.
func TestCheckTrustedWithoutFile(t *testing.T) {
	c, _ := Parse([]byte("profiles:\n  p:\n    api_key_command: x\n"))
	if err := c.CheckTrusted(); err != nil {
		t.Errorf("parsed from memory: %v", err)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	c, _ = Load(t.Context(), path, LoadOptions{})
	if err := c.CheckTrusted(); err != nil {
		t.Errorf("a missing file: %v", err)
	}
	os.WriteFile(path, nil, 0o666)
	os.Chmod(path, 0o666)
	c.SetProfile(Profile{Name: "p", APIKeyCommand: "x"})
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckTrusted(); err != nil {
		t.Errorf("after Save: %v", err)
	}
}

// TestInsecureMode checks that a file others may read or write is reported
// only when it holds a key: a file whose keys are in the keyring, or come
// from a command, has none to show.
func TestInsecureMode(t *testing.T) {
	t.Parallel()
	docs := map[string]string{
		"a key":                  "profiles:\n  p:\n    url: http://h\n    api_key: k\n",
		"a key among others":     "profiles:\n  a:\n    api_key_store: keyring\n  b:\n    api_key: k\n",
		"a command":              "profiles:\n  p:\n    api_key_command: pass show dqops\n",
		"keys in the keyring":    "profiles:\n  p:\n    url: http://h\n    api_key_store: keyring\n",
		"no key at all":          "current_profile: p\nprofiles:\n  p:\n    url: http://h\n",
		"an empty configuration": "",
	}
	for name, doc := range docs {
		holdsKey := strings.Contains(doc, "api_key: k")
		for _, mode := range []os.FileMode{0o600, 0o400, 0o640, 0o604, 0o620, 0o666, 0o610} {
			path := filepath.Join(t.TempDir(), "config.yaml")
			os.WriteFile(path, []byte(doc), 0o600)
			os.Chmod(path, mode)
			c, err := Load(t.Context(), path, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, insecure := c.InsecureMode()
			if want := holdsKey && mode&0o077 != 0; insecure != want || got.Perm() != mode {
				t.Errorf("%s, mode %04o: InsecureMode %04o, %v; want %v", name, mode, got.Perm(), insecure, want)
			}
		}
	}
}
