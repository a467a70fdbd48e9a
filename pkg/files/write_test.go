package files

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestTarget follows links as the kernel would: chains, links in the
// directories of a path, absolute and relative targets, ".." after a link,
// and targets that do not exist yet.
func TestTarget(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("making links takes a privilege on Windows")
	}
	dir := t.TempDir()
	mkdir(t, dir, "real", "real/sub", "other")
	write(t, filepath.Join(dir, "real/config.yaml"), "x")
	links := map[string]string{
		"one":          "real/config.yaml",
		"chain":        "one",
		"abs":          filepath.Join(dir, "real/config.yaml"),
		"dirlink":      "real",
		"sublink":      "real/sub",
		"missing":      "real/new.yaml",
		"missing-dir":  "nowhere/new.yaml",
		"real/up":      "../other",
		"loop-a":       "loop-b",
		"loop-b":       "loop-a",
		"real/sub/top": "..",
	}
	for name, to := range links {
		if err := os.Symlink(to, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ path, want string }{
		{"real/config.yaml", "real/config.yaml"},
		{"./real//config.yaml", "real/config.yaml"},
		{"one", "real/config.yaml"},
		{"chain", "real/config.yaml"},
		{"abs", "real/config.yaml"},
		{"dirlink/config.yaml", "real/config.yaml"},
		{"dirlink/up/f", "other/f"},
		{"sublink/../config.yaml", "real/config.yaml"}, // ".." of the link's target, as the kernel takes it
		{"real/sub/top/config.yaml", "real/config.yaml"},
		{"missing", "real/new.yaml"},
		{"missing-dir", "nowhere/new.yaml"},
		{"new/dirs/f", "new/dirs/f"},
	} {
		// Not filepath.Join, which would take ".." before the link.
		got, err := Target(dir + string(filepath.Separator) + filepath.FromSlash(tt.path))
		if want := filepath.Join(dir, tt.want); err != nil || got != want {
			t.Errorf("Target(%s) = %q, %v; want %q", tt.path, got, err, want)
		}
	}
	if _, err := Target(filepath.Join(dir, "loop-a")); !errors.Is(err, errLinkLoop) {
		t.Errorf("a loop of links: %v", err)
	}
}

// TestTargetRelative checks that a relative path stays relative.
func TestTargetRelative(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("making links takes a privilege on Windows")
	}
	dir := t.TempDir()
	mkdir(t, dir, "real", "other")
	os.Symlink("real", filepath.Join(dir, "dirlink"))
	os.Symlink("../other", filepath.Join(dir, "real", "up"))
	t.Chdir(dir)
	if got, err := Target("dirlink/up/f"); err != nil || got != filepath.Join("other", "f") {
		t.Errorf("a relative path: %q, %v", got, err)
	}
	if got, err := Target("f"); err != nil || got != "f" {
		t.Errorf("a name alone: %q, %v", got, err)
	}
}

// TestWriterRule plants links in a sticky directory that anyone may write
// to, as another user would in /tmp: every writer refuses to follow one
// that belongs to another user, and the file it points to is neither
// created nor changed; a link of the user's own, or of root, is followed,
// and so is another user's link in a directory that is not sticky and
// world-writable. Giving a link away takes root, as CI runs the tests.
func TestWriterRule(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix owners on Windows")
	}
	if os.Geteuid() != 0 {
		t.Skip("giving a link to another user takes root")
	}
	const nobody = 65534
	base := t.TempDir()
	mkdir(t, base, "victim", "sticky", "open", "shared")
	if err := os.Chmod(filepath.Join(base, "sticky"), 0o777|fs.ModeSticky); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(base, "open"), 0o777) // world-writable, not sticky
	os.Chmod(filepath.Join(base, "shared"), 0o755|fs.ModeSticky)
	victim := filepath.Join(base, "victim")
	write(t, filepath.Join(victim, "existing"), "victim's own\n")

	// plant makes a link in dir to the victim's file name, owned by uid.
	plant := func(t *testing.T, dir, name, to string, uid int) string {
		t.Helper()
		link := filepath.Join(base, dir, name)
		if err := os.Symlink(filepath.Join(victim, to), link); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(link, uid, uid); err != nil {
			t.Fatal(err)
		}
		return link
	}
	writers := map[string]func(path string) error{
		"WriteAtomic": func(path string) error { return WriteAtomic(path, []byte("written\n"), 0o600) },
		"Create": func(path string) error {
			f, err := Create(path, 0o600)
			if err != nil {
				return err
			}
			defer f.Discard()
			f.Write([]byte("written\n"))
			return f.Commit()
		},
		"OpenAppend": func(path string) error {
			f, err := OpenAppend(path)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteString("written\n")
			return err
		},
		"CreateNew, a link in its directory": func(path string) error {
			f, err := CreateNew(filepath.Join(path, filepath.Base(path)), 0o600)
			if err != nil {
				return err
			}
			return f.Close()
		},
	}
	for name, writeTo := range writers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			isDir := strings.HasPrefix(name, "CreateNew")
			for _, to := range []string{"existing", "new-" + name} {
				linkTo := to
				if isDir {
					linkTo = ""
				}
				link := plant(t, "sticky", name+to, linkTo, nobody)
				err := writeTo(link)
				var ul *UnsafeLinkError
				if !errors.As(err, &ul) || ul.Link != link || ul.Owner != nobody || ul.Dir != filepath.Join(base, "sticky") {
					t.Errorf("through another user's link to %s: %v", to, err)
				}
				if isDir {
					break
				}
			}
			if got := read(t, filepath.Join(victim, "existing")); got != "victim's own\n" {
				t.Errorf("the victim's file was changed: %q", got)
			}
			if _, err := os.Lstat(filepath.Join(victim, "new-"+name)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a file was created for the victim: %v", err)
			}

			for i, ok := range []struct {
				dir string
				uid int
			}{{"sticky", os.Geteuid()}, {"sticky", 0}, {"open", nobody}, {"shared", nobody}} {
				to := fmt.Sprintf("followed-%s-%d", name, i)
				linkTo := to
				if isDir {
					linkTo = ""
				}
				link := plant(t, ok.dir, to, linkTo, ok.uid)
				if err := writeTo(link); err != nil {
					t.Errorf("a link owned by uid %d in %s: %v", ok.uid, ok.dir, err)
				}
				if !isDir {
					if got := read(t, filepath.Join(victim, to)); got != "written\n" {
						t.Errorf("the link's target holds %q", got)
					}
				}
			}
		})
	}
}

func TestCreateCommitAndDiscard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "users.yaml")
	write(t, path, "old\n")
	f, err := Create(path, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half of the new"))
	if got := read(t, path); got != "old\n" {
		t.Errorf("the file changed before Commit: %q", got)
	}
	f.Discard()
	if got := read(t, path); got != "old\n" {
		t.Errorf("the file changed after Discard: %q", got)
	}
	expectOnly(t, dir, "users.yaml")

	f, err = Create(path, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Discard() // after Commit: does nothing
	f.Write([]byte("new\n"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "new\n" {
		t.Errorf("after Commit: %q", got)
	}
	if err := f.Commit(); err == nil {
		t.Error("a second Commit succeeded")
	}
	if info, err := os.Stat(path); err != nil || runtime.GOOS != "windows" && info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v; want 0640", info.Mode(), err)
	}
	expectOnly(t, dir, "users.yaml")

	if _, err := Create(filepath.Join(dir, "no-dir", "f"), 0o600); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("in a missing directory: %v", err)
	}
}

func TestOpenAppend(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.log")
	for _, line := range []string{"one\n", "two\n"} {
		f, err := OpenAppend(path)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(line)
		f.Close()
	}
	if got := read(t, path); got != "one\ntwo\n" {
		t.Errorf("%q", got)
	}
	if info, _ := os.Stat(path); runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode())
	}
}

func TestCreateNew(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "passwords.csv")
	f, err := CreateNew(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := CreateNew(path, 0o600); !errors.Is(err, fs.ErrExist) {
		t.Errorf("an existing file: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	link := filepath.Join(dir, "link.csv")
	os.Symlink(filepath.Join(dir, "elsewhere.csv"), link)
	if _, err := CreateNew(link, 0o600); !errors.Is(err, fs.ErrExist) {
		t.Errorf("a link to a missing file: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "elsewhere.csv")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the link was followed: %v", err)
	}
}

func mkdir(t *testing.T, base string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.Mkdir(filepath.Join(base, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// expectOnly fails when dir holds anything but names (a temporary file
// left behind).
func expectOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}
