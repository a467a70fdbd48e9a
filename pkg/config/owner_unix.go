//go:build unix

package config

import (
	"io/fs"
	"syscall"
)

// hasPermissionBits says that files here have Unix permission bits, on
// which InsecureMode and CheckTrusted rely.
const hasPermissionBits = true

func ownerOf(info fs.FileInfo) fileOwner {
	o := fileOwner{exists: true, mode: info.Mode(), uid: -1, gid: -1}
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		o.uid, o.gid = int(st.Uid), int(st.Gid)
	}
	return o
}
