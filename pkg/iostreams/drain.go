package iostreams

import (
	"context"
	"time"
)

// drainWait bounds how long a prompt waits for the reader of a piped stdout
// to take what was written (waitDrained): a reader that has stopped reading
// delays the question by this much, never more.
var drainWait = time.Second

// beforePrompt makes what the command wrote on stdout reach its reader
// before a question shows on the terminal. A plan printed on a stdout that
// is a pipe (`dqo-users apply -f users.yaml | tee apply.log`) is in the
// pipe when the question is written, but the question goes to the terminal
// at once, while the plan waits for tee: the question showed above the
// plan it asks about. So stdout is flushed, when it buffers, and when it is
// a pipe the question waits until the reader has read the pipe empty (at
// most drainWait, and never past ctx), where the system can tell
// (waitDrained).
func (s *IOStreams) beforePrompt(ctx context.Context) {
	if f, ok := s.Out.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
	if f, ok := s.Out.(interface{ Fd() uintptr }); ok {
		waitDrained(ctx, f.Fd(), drainWait)
	}
}
