//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckTrusted checks which file and directory modes let the file name
// a command to run (tests may run as root, where chmod still sets the bits
// that are checked).
func TestCheckTrusted(t *testing.T) {
	for _, tt := range []struct {
		file, dir os.FileMode
		insecure  bool
		want      string // part of the error; empty when trusted
	}{
		{0o600, 0o700, false, ""},
		{0o400, 0o755, false, ""},
		{0o640, 0o700, true, ""},
		{0o644, 0o700, true, ""},
		{0o604, 0o775, true, ""},
		{0o660, 0o700, true, "it is writable by group or others (mode 0660), so another local user could choose the command; to fix: chmod go-w "},
		{0o620, 0o700, true, "it is writable by group or others (mode 0620)"},
		{0o602, 0o700, true, "it is writable by group or others (mode 0602)"},
		{0o600, 0o777, false, "is writable by others without the sticky bit (mode 0777), so another local user could choose the command; to fix: chmod o-w "},
		{0o600, 0o703, false, "is writable by others without the sticky bit (mode 0703)"},
		{0o600, 0o777 | os.ModeSticky, false, ""},
	} {
		dir := filepath.Join(t.TempDir(), "conf")
		os.Mkdir(dir, 0o700)
		path := filepath.Join(dir, "config.yaml")
		os.WriteFile(path, []byte("profiles:\n  p:\n    api_key_command: pass show dqops\n"), 0o600)
		os.Chmod(path, tt.file)
		os.Chmod(dir, tt.dir)
		c, err := Load(t.Context(), path, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, insecure := c.InsecureMode(); insecure != tt.insecure {
			t.Errorf("file %04o: InsecureMode %v, want %v", tt.file, insecure, tt.insecure)
		}
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
		os.Chmod(dir, 0o700)
	}
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
