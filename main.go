// Command dqo-users manages the users of a DQOps data-quality server.
package main

import (
	"os"

	"github.com/dqops-users/dqo-users/cmd"
)

// Set by -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	os.Exit(cmd.Main(cmd.BuildInfo{Version: version, Commit: commit, Date: date}))
}
