// Command dqo-users manages the users of a DQOps data-quality server.
package main

import (
	"os"
	"os/signal"
	"time"

	"github.com/dqops-users/dqo-users/cmd"
)

// Set by -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	exit(cmd.Main(cmd.BuildInfo{Version: version, Commit: commit, Date: date}, exit))
}

// exit ends the process with code, or, when a signal (Ctrl-C, SIGTERM)
// ended the run, by that signal once the tool has said what it did: a
// shell that ran the tool sees a death by the signal and stops its script
// too, as it does for any program that does not catch the signal, and its
// $? is still 130 or 143. Where a process cannot send itself the signal
// (Windows), code it is.
func exit(code int, sig os.Signal) {
	if sig != nil {
		signal.Reset(sig)
		if p, err := os.FindProcess(os.Getpid()); err == nil && p.Signal(sig) == nil {
			// The signal's default action ends the process; it arrives on
			// another thread, so wait for it rather than exit first.
			time.Sleep(time.Second)
		}
	}
	os.Exit(code)
}
