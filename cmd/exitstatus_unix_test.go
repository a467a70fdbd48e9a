//go:build unix

package cmd_test

import (
	"os"
	"syscall"
)

// exitStatus reads how a process ended as a shell does: its exit code, or,
// when a signal killed it, 128 and the signal's number, and the signal.
func exitStatus(ps *os.ProcessState) (int, os.Signal) {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), ws.Signal()
	}
	return ps.ExitCode(), nil
}
