package iostreams

import (
	"context"
	"time"

	"golang.org/x/sys/unix"
)

// waitDrained waits until the pipe fd writes to holds no unread byte, or
// bound has passed, or ctx ended. It does nothing when fd is not a pipe.
// Linux counts a pipe's unread bytes (FIONREAD) on either end; nothing
// signals the moment a pipe becomes empty, so it looks every few
// milliseconds.
func waitDrained(ctx context.Context, fd uintptr, bound time.Duration) {
	var st unix.Stat_t
	if unix.Fstat(int(fd), &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return
	}
	deadline := time.Now().Add(bound)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		n, err := unix.IoctlGetInt(int(fd), unix.TIOCINQ) // FIONREAD
		if err != nil || n == 0 || !time.Now().Before(deadline) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
