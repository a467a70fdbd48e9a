package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// maxTemplateOutput bounds what a template may write, which is held until
// it has run: as much as the largest file apply reads back (256 MiB), so
// that a runaway template (`{{range 1000000000}}{{json $}}{{end}}`) ends
// with an error rather than growing until memory runs out. A variable, so
// that a test can lower it.
var maxTemplateOutput = 256 << 20

// errTemplateOutput is a template's output past maxTemplateOutput.
var errTemplateOutput = errors.New("template output too large")

// runTemplate executes tpl over data, the JSON form as serverForm gives it,
// until it ends, fails, writes more than maxTemplateOutput, or ctx is done
// (Ctrl-C): text/template knows no context, so the writer ends the
// execution at its next write, and the ticks (parseTemplate) at their next
// step, in a loop that writes nothing too.
//
// It adds no trailing newline: the template says where lines end. Output
// is held back until the template has run, so a failing template prints
// nothing. Like a string of --jq, the output keeps the template's tabs and
// line breaks and has every other character that Safe replaces replaced,
// whether the template or the data wrote it.
func runTemplate(ctx context.Context, out *itemBuffer, tpl *template.Template, data any) error {
	tpl.Funcs(template.FuncMap{tickName: func() (string, error) { return "", ctx.Err() }})
	w := &templateWriter{ctx: ctx}
	if err := tpl.Execute(w, data); err != nil {
		if errors.Is(err, errTemplateOutput) {
			return &runError{what: "--template", msg: fmt.Sprintf("its output passed %d MiB, the most a template may write; nothing was printed", maxTemplateOutput>>20), err: err}
		}
		return &runError{what: "--template", err: err}
	}
	out.WriteString(text.SafeLines(w.buf.String()))
	return nil
}

// templateWriter holds a template's output, and refuses a write once the
// context is done or the output would pass maxTemplateOutput: the error
// ends the execution.
type templateWriter struct {
	ctx context.Context
	buf bytes.Buffer
}

func (w *templateWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	if w.buf.Len()+len(p) > maxTemplateOutput {
		return 0, errTemplateOutput
	}
	return w.buf.Write(p)
}

// tickName is the function of the ticks (parseTemplate): a name a template may
// call too, to no effect.
const tickName = "dqoUsersTick"

// parseTemplate parses a --template with its helper functions in scope,
// and puts a call of the tick function, which prints nothing and fails once
// the execution's context is done, at the start of every range body and
// every template. Whatever a template runs for long is a range (over a
// number, `{{range 1000000000}}`, or nested) or a template that calls
// itself, so each step of it meets a tick, whether or not it writes
// anything.
func parseTemplate(text string) (*template.Template, error) {
	tpl, err := template.New("--template").Funcs(template.FuncMap{
		"json":  templateJSON,
		"join":  templateJoin,
		"upper": func(v any) string { return strings.ToUpper(templateString(v)) },
		// Bound to the execution's context by runTemplate.
		tickName: func() (string, error) { return "", nil },
	}).Parse(text)
	if err != nil {
		return nil, &UsageError{msg: "invalid " + err.Error(), err: err}
	}
	for _, t := range tpl.Templates() {
		if t.Tree != nil && t.Tree.Root != nil {
			tick(t.Tree, t.Tree.Root)
		}
	}
	return tpl, nil
}

// tick puts a tick at the start of list, and in the range bodies within
// it.
func tick(tree *parse.Tree, list *parse.ListNode) {
	tickRanges(tree, list)
	pos := list.Position()
	call := &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos,
		Args: []parse.Node{parse.NewIdentifier(tickName).SetTree(tree).SetPos(pos)}}
	action := &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos,
		Pipe: &parse.PipeNode{NodeType: parse.NodePipe, Pos: pos, Cmds: []*parse.CommandNode{call}}}
	list.Nodes = append([]parse.Node{action}, list.Nodes...)
}

// tickRanges ticks the bodies of the ranges within list, however deep.
func tickRanges(tree *parse.Tree, list *parse.ListNode) {
	if list == nil {
		return
	}
	for _, n := range list.Nodes {
		switch n := n.(type) {
		case *parse.ListNode:
			tickRanges(tree, n)
		case *parse.IfNode:
			tickRanges(tree, n.List)
			tickRanges(tree, n.ElseList)
		case *parse.WithNode:
			tickRanges(tree, n.List)
			tickRanges(tree, n.ElseList)
		case *parse.RangeNode:
			tick(tree, n.List)
			tickRanges(tree, n.ElseList)
		}
	}
}

func templateJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// templateJoin joins a list with a separator. It takes them in either order,
// so both `{{join .xs ", "}}` and gh's pipeline form `{{.xs | join ", "}}`
// work.
func templateJoin(a, b any) (string, error) {
	list, sep := a, b
	if _, ok := a.(string); ok {
		list, sep = b, a
	}
	s, ok := sep.(string)
	if !ok {
		return "", fmt.Errorf("join: separator must be a string, not %T", sep)
	}
	l, ok := list.([]any)
	if !ok && list != nil {
		return "", fmt.Errorf("join: cannot join %T; want a list", list)
	}
	parts := make([]string, len(l))
	for i, v := range l {
		switch v.(type) {
		case map[string]any, []any:
			j, err := templateJSON(v)
			if err != nil {
				return "", err
			}
			parts[i] = j
		default:
			parts[i] = templateString(v)
		}
	}
	return strings.Join(parts, s), nil
}

// templateString formats a scalar of the JSON form; null becomes "" rather
// than fmt's "<nil>".
func templateString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
