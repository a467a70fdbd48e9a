package iostreams

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// idleStdin is a stdin nobody writes to, like a terminal nobody types at or
// a pipe whose writer is busy: a read of it never returns. reading is
// closed once somebody waits in a read.
type idleStdin struct {
	once    sync.Once
	reading chan struct{}
}

func newIdleStdin() *idleStdin { return &idleStdin{reading: make(chan struct{})} }

func (r *idleStdin) Read([]byte) (int, error) {
	r.once.Do(func() { close(r.reading) })
	select {}
}

// Every wait for input ends when its context ends (Ctrl-C), whether it had
// ended before the call or ends while the call waits.
func TestWaitsEndWithTheContext(t *testing.T) {
	waits := map[string]func(context.Context, *IOStreams) ([]byte, error){
		"Confirm": func(ctx context.Context, ios *IOStreams) ([]byte, error) {
			_, err := ios.Confirm(ctx, "Go on?")
			return nil, err
		},
		"Select": func(ctx context.Context, ios *IOStreams) ([]byte, error) {
			_, err := ios.Select(ctx, "Role:", []string{"admin", "viewer"})
			return nil, err
		},
		"ReadStdin":       func(ctx context.Context, ios *IOStreams) ([]byte, error) { return ios.ReadStdin(ctx) },
		"ReadStdinSecret": func(ctx context.Context, ios *IOStreams) ([]byte, error) { return ios.ReadStdinSecret(ctx) },
	}
	for name, wait := range waits {
		t.Run(name+", cancelled before", func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.In = newIdleStdin()
			ios.SetStdinTTY(true)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if r := await(t, background(func() ([]byte, error) { return wait(ctx, ios) })); !errors.Is(r.err, files.ErrInterrupted) {
				t.Errorf("%v, want files.ErrInterrupted", r.err)
			}
		})
		t.Run(name+", cancelled while waiting", func(t *testing.T) {
			ios, _, _, errOut := Test()
			stdin := newIdleStdin()
			ios.In = stdin
			ios.SetStdinTTY(true)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := background(func() ([]byte, error) { return wait(ctx, ios) })
			select {
			case <-stdin.reading:
			case r := <-done:
				t.Fatalf("returned before reading: %q, %v", r.v, r.err)
			}
			cancel()
			if r := await(t, done); !errors.Is(r.err, files.ErrInterrupted) {
				t.Errorf("%v, want files.ErrInterrupted", r.err)
			}
			if prompted := errOut.Len() > 0; prompted && errOut.String()[errOut.Len()-1] != '\n' {
				t.Errorf("a cancelled prompt leaves the cursor on its line: %q", errOut.String())
			}
		})
	}
}
