package output

import (
	"bytes"
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

// A server's tab or line break never makes a line or a field of --jq or
// --template output, whether the list is run item by item, held whole or
// printed alone; the expression's and the template's own do.
func TestJQAndTemplateKeepTheirOwnBreaksOnly(t *testing.T) {
	users := []map[string]any{
		{"email": "x\nadmin@example.com", "accountRole": "viewer\tadmin", "roles": map[string]any{"a\nb": "c\rd"}},
		{"email": "bo@example.com", "accountRole": "editor"},
	}
	want := "x\uFFFDadmin@example.com\tviewer\uFFFDadmin\nbo@example.com\teditor\n"
	for _, opts := range []Options{
		{JQ: ".[] | [.email, .accountRole] | @tsv"},
		{JQ: "map([.email, .accountRole] | @tsv) | .[]"},
		{Template: "{{range .}}{{.email}}\t{{.accountRole}}\n{{end}}"},
	} {
		var list, whole bytes.Buffer
		p := Printer{Out: &list, Options: opts}
		lw, err := p.List(context.Background(), nil, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if err := lw.Add(u, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := lw.Close(); err != nil {
			t.Fatal(err)
		}
		p.Out = &whole
		if err := p.Print(context.Background(), users, nil); err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string]string{"List": list.String(), "Print": whole.String()} {
			if got != want {
				t.Errorf("%+v, %s: %q, want %q", opts, name, got, want)
			}
		}
	}
	var keys bytes.Buffer
	p := Printer{Out: &keys, Options: Options{JQ: ".[0].roles | keys[], .[]"}}
	if err := p.Print(context.Background(), users, nil); err != nil {
		t.Fatal(err)
	}
	if got := keys.String(); got != "a\uFFFDb\nc\uFFFDd\n" {
		t.Errorf("keys and values of a map: %q", got)
	}
}
