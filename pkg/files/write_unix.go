//go:build unix

package files

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// noFollow makes an open fail on a symbolic link.
const noFollow = syscall.O_NOFOLLOW

// checkLink applies the writer rule to the symbolic link at link: one that
// belongs to neither the user writing nor root, in a sticky directory that
// others may write to, is refused, as fs.protected_symlinks refuses it. The
// directory holds no links (Target resolved it).
func checkLink(link string, info fs.FileInfo) error {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	owner := int(st.Uid)
	if owner == 0 || owner == os.Geteuid() {
		return nil
	}
	dir := filepath.Dir(link)
	d, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if d.Mode()&fs.ModeSticky != 0 && d.Mode().Perm()&0o002 != 0 {
		return &UnsafeLinkError{Link: link, Dir: dir, Owner: owner}
	}
	return nil
}

// syncDir makes a rename in dir durable; a failure only loses that.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
