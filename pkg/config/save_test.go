package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSaveThroughSymlink checks that a configuration path that is a symbolic
// link stays one, and that its target is what gets written.
func TestSaveThroughSymlink(t *testing.T) {
	for _, tt := range []struct {
		name  string
		links []string // each link points to the next, relative; the last to the file
		exist bool
	}{
		{"one link", []string{"config.yaml"}, true},
		{"a chain", []string{"middle.yaml", "real/config.yaml"}, true},
		{"to a file not yet there", []string{"real/config.yaml"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Mkdir(filepath.Join(dir, "real"), 0o700)
			target := filepath.Join(dir, tt.links[len(tt.links)-1])
			if tt.exist {
				os.WriteFile(target, []byte("profiles:\n  old: {}\n"), 0o600)
			}
			link := filepath.Join(dir, "link.yaml")
			from := link
			for _, to := range tt.links {
				if err := os.Symlink(to, from); err != nil {
					t.Fatal(err)
				}
				from = filepath.Join(dir, to)
			}
			c, err := Load(link, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c.SetProfile(Profile{Name: "new", URL: "http://h"})
			if err := c.Save(); err != nil {
				t.Fatal(err)
			}
			if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("the link was replaced: %v, %v", info.Mode(), err)
			}
			if dest, _ := os.Readlink(link); dest != tt.links[0] {
				t.Errorf("the link points to %q, want %q", dest, tt.links[0])
			}
			back, err := Load(target, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := back.Profile("new"); !ok {
				t.Errorf("the target was not written: %v", back.Profiles())
			}
			if _, ok := back.Profile("old"); ok != tt.exist {
				t.Errorf("the old profile: %v", back.Profiles())
			}
			if info, err := os.Stat(target); err != nil || info.Mode().Perm() != 0o600 {
				t.Errorf("the target's mode: %v, %v", info.Mode(), err)
			}
			for _, d := range []string{dir, filepath.Join(dir, "real")} {
				entries, _ := os.ReadDir(d)
				for _, e := range entries {
					if strings.HasPrefix(e.Name(), ".config-") {
						t.Errorf("a temporary file was left: %s", e.Name())
					}
				}
			}
		})
	}
}

func TestSaveSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	os.Symlink("b.yaml", a)
	os.Symlink("a.yaml", b)
	c := newConfig(a)
	if err := c.Save(); err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Errorf("a loop of links: %v", err)
	}
}
