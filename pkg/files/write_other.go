//go:build !unix

package files

import "io/fs"

// noFollow is not known here; Target's check is the only one.
const noFollow = 0

// checkLink allows every link where files have no Unix owners and modes
// (Windows, whose access lists are not checked; making a link there takes
// a privilege).
func checkLink(string, fs.FileInfo) error { return nil }

// syncDir does nothing where a directory cannot be opened to sync it.
func syncDir(string) {}
