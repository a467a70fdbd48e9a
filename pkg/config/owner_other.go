//go:build !unix

package config

import "io/fs"

// hasPermissionBits is false where a file's mode is not who may read it:
// on Windows an access list decides, which is not checked here.
const hasPermissionBits = false

func ownerOf(info fs.FileInfo) fileOwner {
	return fileOwner{exists: true, mode: info.Mode(), uid: -1, gid: -1}
}
