package output

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// marshalSignal is a value that says when it is turned into JSON, which
// Print does right before the template runs over it.
type marshalSignal struct {
	json    string
	started chan struct{}
}

func (m marshalSignal) MarshalJSON() ([]byte, error) {
	close(m.started)
	return []byte(m.json), nil
}

// runawayTemplates would each run for years: a range over a huge number,
// writing or not, ranges nested, a template that calls itself twice on the
// rest of a list of 64 items, and the same over a list (the sink of List).
var runawayTemplates = []string{
	`{{range 9000000000000000000}}{{end}}`,
	`{{range 9000000000000000000}}{{json $}}{{end}}`,
	`{{range 1000000}}{{range 1000000}}{{range 1000000}}{{end}}{{end}}{{end}}`,
	`{{if true}}{{with $}}{{range $}}{{range 9000000000000000000}}{{else}}{{end}}{{end}}{{end}}{{end}}`,
	`{{define "x"}}{{if .}}{{template "x" (slice . 1)}}{{template "x" (slice . 1)}}{{end}}{{end}}{{template "x" .}}`,
}

// A runaway --template ends within a second of its context's cancellation,
// whether or not it writes anything, with an error wrapping
// context.Canceled, and prints nothing.
func TestTemplateEndsWhenCancelled(t *testing.T) {
	list := "[" + strings.Repeat("1,", 63) + "1]"
	for _, tpl := range runawayTemplates {
		t.Run(tpl, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			value := marshalSignal{json: list, started: make(chan struct{})}
			var out bytes.Buffer
			p := Printer{Out: &out, Options: Options{Template: tpl}}
			done := make(chan error, 1)
			go func() { done <- p.Print(ctx, value, nil) }()
			select {
			case <-value.started:
			case err := <-done:
				t.Fatalf("Print returned before it was cancelled: %v", err)
			case <-time.After(time.Minute):
				t.Fatal("the template's input was never prepared")
			}
			cancel()
			// A bound that fails the test, not a measure: the tool promises
			// to end within a second of Ctrl-C.
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Print() = %v, want an error wrapping context.Canceled", err)
				}
			case <-time.After(time.Second):
				t.Fatal("Print did not return within a second of the cancellation")
			}
			if out.Len() != 0 {
				t.Errorf("a cancelled template printed %d bytes", out.Len())
			}
		})
	}
}

// A template that writes more than the bound ends with an error that says
// so, and prints nothing; one that writes up to the bound prints it all.
func TestTemplateOutputIsBounded(t *testing.T) {
	defer func(n int) { maxTemplateOutput = n }(maxTemplateOutput)
	maxTemplateOutput = 1 << 20
	var out bytes.Buffer
	p := Printer{Out: &out, Options: Options{Template: `{{range 9000000000000000000}}{{json $}}{{end}}`}}
	err := p.Print(context.Background(), testUsers(), nil)
	if !errors.Is(err, errTemplateOutput) || !strings.Contains(err.Error(), "running --template: its output passed 1 MiB, the most a template may write; nothing was printed") {
		t.Errorf("Print() = %v, want the bound's error", err)
	}
	if out.Len() != 0 {
		t.Errorf("a template past the bound printed %d bytes", out.Len())
	}
	p.Options.Template = `{{range 1024}}{{printf "%1023s\n" "x"}}{{end}}`
	if err := p.Print(context.Background(), testUsers(), nil); err != nil || out.Len() != 1<<20 {
		t.Errorf("Print() = %v after %d bytes, want 1 MiB and no error", err, out.Len())
	}
}

// The ticks change nothing a template prints: its ranges, templates and
// else branches run as written, and a template may call the tick itself.
func TestTemplateTicksPrintNothing(t *testing.T) {
	tpl := `{{define "row"}}{{.email}};{{end}}{{range .}}{{template "row" .}}{{else}}none{{end}}` +
		`{{range $i, $u := .}}{{if $i}},{{end}}{{$i}}{{end}}|{{range 3}}{{.}}{{end}}|{{range .}}{{break}}{{end}}` + "{{" + tickName + "}}"
	var out bytes.Buffer
	p := Printer{Out: &out, Options: Options{Template: tpl}}
	if err := p.Print(context.Background(), testUsers()[:2], nil); err != nil {
		t.Fatal(err)
	}
	if want := `alice@example.com;bob,"jr"@example.com;0,1|012|`; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
}
