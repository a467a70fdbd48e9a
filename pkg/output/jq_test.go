package output

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// startedContext is a context that says when gojq first asks whether it is
// done, which gojq does before each step of the expression: the expression
// has started then.
type startedContext struct {
	context.Context
	once    sync.Once
	started chan struct{}
}

func (c *startedContext) Done() <-chan struct{} {
	c.once.Do(func() { close(c.started) })
	return c.Context.Done()
}

// A runaway --jq ends when the command's context is cancelled.
func TestJQEndsWhenCancelled(t *testing.T) {
	for _, expr := range []string{"def f: f; f", "[range(1e12)]", "repeat(1)", ".[] | repeat(.email)"} {
		t.Run(expr, func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background())
			defer cancel()
			ctx := &startedContext{Context: parent, started: make(chan struct{})}
			p := Printer{Out: discard{}, Options: Options{JQ: expr}}
			done := make(chan error, 1)
			go func() { done <- p.Print(ctx, testUsers(), nil) }()
			select {
			case <-ctx.started:
			case err := <-done:
				t.Fatalf("Print returned before it was cancelled: %v", err)
			case <-time.After(time.Minute):
				t.Fatal("the expression never consulted its context")
			}
			cancel()
			// A bound on waiting only, so that a failure does not hang the
			// suite; any prompt return passes.
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Print() = %v, want an error wrapping context.Canceled", err)
				}
			case <-time.After(time.Minute):
				t.Fatal("Print did not return after its context was cancelled")
			}
		})
	}
}
