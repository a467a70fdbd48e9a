package files

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The writer rule: no file the tool writes (the configuration and its lock,
// an audit log, a saved plan, an export, a password file) is written
// through a symbolic link that another user planted in a sticky directory
// anyone may write to, such as /tmp. Such a link would let that user choose
// which of your files the tool replaces or creates. Linux refuses to follow
// those links when fs.protected_symlinks is set; Target applies the same
// rule everywhere, so that the tool does not depend on that setting. Every
// writer below goes through Target.

// maxLinks is how many symbolic links Target follows, as the kernel's own
// limit (ELOOP), so that a loop is an error rather than a hang.
const maxLinks = 40

// errLinkLoop is a path whose links do not end.
var errLinkLoop = errors.New("too many levels of symbolic links")

// UnsafeLinkError is a symbolic link that the writer rule forbids following
// for a write: it belongs to another user (neither you nor root) and sits in
// a sticky directory that anyone may write to.
type UnsafeLinkError struct {
	// Link is the symbolic link, Dir the directory it is in.
	Link, Dir string
	// Owner is the link's owner's uid.
	Owner int
}

func (e *UnsafeLinkError) Error() string {
	return fmt.Sprintf("the symbolic link %s belongs to another user (uid %d) and sits in %s, a directory anyone may write to: it is not followed for writing",
		e.Link, e.Owner, e.Dir)
}

// Target returns the file that a write to path reaches: path with every
// symbolic link in it followed, as the kernel would, to a file that need
// not exist yet (a link made before the file). It applies the writer rule
// to each link on the way, and refuses a forbidden one with an
// *UnsafeLinkError. A path without links comes back cleaned, not made
// absolute.
func Target(path string) (string, error) {
	vol := filepath.VolumeName(path)
	rest := path[len(vol):]
	dest := vol // what is resolved so far: no link left in it
	if rest != "" && os.IsPathSeparator(rest[0]) {
		dest += string(filepath.Separator)
	}
	todo := components(rest)
	for links := 0; len(todo) > 0; {
		name := todo[0]
		todo = todo[1:]
		if name == "." {
			continue
		}
		// dest holds no links, so ".." can be taken lexically.
		next := filepath.Join(dest, name)
		if name == ".." {
			dest = next
			continue
		}
		info, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			// The writer creates what is missing; nothing below it can be
			// a link yet.
			return filepath.Join(append([]string{next}, todo...)...), nil
		}
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			dest = next
			continue
		}
		if links++; links > maxLinks {
			return "", errLinkLoop
		}
		if err := checkLink(next, info); err != nil {
			return "", err
		}
		link, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if lv := filepath.VolumeName(link); filepath.IsAbs(link) || lv != "" {
			dest = lv
			if l := link[len(lv):]; l != "" && os.IsPathSeparator(l[0]) {
				dest += string(filepath.Separator)
			}
			link = link[len(lv):]
		}
		todo = append(components(link), todo...)
	}
	if dest == "" {
		dest = "."
	}
	return dest, nil
}

// components splits a path (without its volume) into its names.
func components(path string) []string {
	return strings.FieldsFunc(path, func(r rune) bool { return r < 0x80 && os.IsPathSeparator(uint8(r)) })
}

// Create starts writing the file that path leads to (Target) whole or not
// at all: the returned file is a temporary file beside the target, with
// mode perm whatever the umask, which Commit syncs and renames over the
// target, so that a reader, or a run cut short by a failure, a signal or a
// full disk, sees the old file or the new one, never part of one. Discard
// (deferred) removes the temporary file unless Commit ran. The directory
// must exist.
func Create(path string, perm fs.FileMode) (*AtomicFile, error) {
	target, err := Target(path)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+"-*.tmp")
	if err != nil {
		return nil, err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &AtomicFile{tmp: tmp, target: target}, nil
}

// AtomicFile is a file being written whole or not at all (Create).
type AtomicFile struct {
	tmp    *os.File
	target string
	closed bool
}

// Write writes to the temporary file.
func (f *AtomicFile) Write(p []byte) (int, error) { return f.tmp.Write(p) }

// Target is the file that Commit replaces.
func (f *AtomicFile) Target() string { return f.target }

// Commit makes what was written the target file: the data reaches the disk
// before the rename, and the rename before Commit returns. After a failed
// Commit the target is as it was and the temporary file is gone.
func (f *AtomicFile) Commit() error {
	if f.closed {
		return errors.New("the file was already committed or discarded")
	}
	f.closed = true
	err := f.tmp.Sync()
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), f.target)
	}
	if err != nil {
		os.Remove(f.tmp.Name())
		return err
	}
	syncDir(filepath.Dir(f.target))
	return nil
}

// Discard removes the temporary file, leaving the target as it was; after
// Commit it does nothing, so that it can be deferred.
func (f *AtomicFile) Discard() {
	if f.closed {
		return
	}
	f.closed = true
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

// WriteAtomic replaces the file that path leads to (Target) with data,
// whole or not at all (see Create), with mode perm.
func WriteAtomic(path string, data []byte, perm fs.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Discard()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// OpenAppend opens the file that path leads to (Target) for appending,
// creating it with mode 0600. Every Write of the returned file goes to the
// file's end in one write(2), so that the lines of two runs sharing a file
// (an audit log) never mix within a line.
func OpenAppend(path string) (*os.File, error) {
	target, err := Target(path)
	if err != nil {
		return nil, err
	}
	// The target was resolved: a link found there now was put there since.
	return os.OpenFile(target, os.O_WRONLY|os.O_APPEND|os.O_CREATE|noFollow, 0o600)
}

// CreateNew creates the file path names, with mode perm (less the umask),
// and fails with an error matching fs.ErrExist when there is one, or a
// link, already: for a file that must never replace another (a file of new
// passwords). The links of its directory are followed under the writer
// rule (Target); path itself is never followed, as O_EXCL follows no link.
func CreateNew(path string, perm fs.FileMode) (*os.File, error) {
	dir, err := Target(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	return os.OpenFile(filepath.Join(dir, filepath.Base(path)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
}
