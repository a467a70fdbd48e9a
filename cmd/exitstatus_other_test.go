//go:build !unix

package cmd_test

import "os"

// exitStatus reads how a process ended: its exit code (no process here
// dies by a signal a shell sees).
func exitStatus(ps *os.ProcessState) (int, os.Signal) { return ps.ExitCode(), nil }
