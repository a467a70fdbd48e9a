//go:build !linux

package iostreams

import (
	"context"
	"time"
)

// waitDrained does nothing where the writing end of a pipe cannot tell how
// much of it is unread (the BSDs and macOS answer FIONREAD for the reading
// end only; Windows has no such request).
func waitDrained(context.Context, uintptr, time.Duration) {}
