package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/files"
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
			c, err := Load(t.Context(), link, LoadOptions{})
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
			back, err := Load(t.Context(), target, LoadOptions{})
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
					if strings.HasSuffix(e.Name(), ".tmp") {
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

// TestUpdateRefusesAPlantedLink plants, as another user would, the
// configuration file's link, or its lock's, in a sticky directory anyone
// may write to: Update writes nothing through either, while a link of the
// user's own there is followed. Giving a link away takes root, as CI runs
// the tests.
func TestUpdateRefusesAPlantedLink(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("giving a link to another user takes root")
	}
	const nobody = 65534
	base := t.TempDir()
	sticky, victim := filepath.Join(base, "tmp"), filepath.Join(base, "victim")
	os.Mkdir(victim, 0o700)
	os.Mkdir(sticky, 0o700)
	if err := os.Chmod(sticky, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	plant := func(name, to string, uid int) string {
		link := filepath.Join(sticky, name)
		if err := os.Symlink(to, link); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(link, uid, uid); err != nil {
			t.Fatal(err)
		}
		return link
	}
	add := func(c *Config) error { return c.SetProfile(Profile{Name: "p", URL: "http://h"}) }

	link := plant("a.yaml", filepath.Join(victim, "a.yaml"), nobody)
	err := Update(context.Background(), link, add)
	var ul *files.UnsafeLinkError
	if !errors.As(err, &ul) || !strings.HasPrefix(err.Error(), "saving configuration "+link+": the symbolic link "+link+" belongs to another user (uid 65534)") {
		t.Errorf("through another user's link: %v", err)
	}
	plant("b.yaml.lock", filepath.Join(victim, "b.yaml.lock"), nobody)
	err = Update(context.Background(), filepath.Join(sticky, "b.yaml"), add)
	if !errors.As(err, &ul) || !strings.HasPrefix(err.Error(), "locking configuration: the symbolic link") {
		t.Errorf("through another user's link as the lock: %v", err)
	}
	if entries, _ := os.ReadDir(victim); len(entries) != 0 {
		t.Errorf("written through the links: %v", entries)
	}

	link = plant("mine.yaml", filepath.Join(victim, "mine.yaml"), os.Geteuid())
	if err := Update(context.Background(), link, add); err != nil {
		t.Fatalf("through a link of the user's own: %v", err)
	}
	if c, err := Load(t.Context(), filepath.Join(victim, "mine.yaml"), LoadOptions{}); err != nil || len(c.Profiles()) != 1 {
		t.Errorf("the link's target: %v, %v", c, err)
	}
}
