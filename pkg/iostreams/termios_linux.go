package iostreams

import "golang.org/x/sys/unix"

// The requests that read and set a terminal's modes: their names differ
// between Linux and the BSDs.
const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)
