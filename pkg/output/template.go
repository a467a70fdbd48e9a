package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// writeTemplate executes text over the JSON form of value, as serverForm
// gives it. It adds no trailing newline: the template says where lines end.
// Output is held back until the template has run, so a failing template
// prints nothing. Like a string of --jq, the output keeps the template's
// tabs and line breaks and has every other character that Safe replaces
// replaced, whether the template or the data wrote it.
func writeTemplate(out *itemBuffer, text string, value any) error {
	tpl, err := parseTemplate(text)
	if err != nil {
		return err
	}
	data, err := jsonForm(value)
	if err != nil {
		return fmt.Errorf("preparing --template input: %w", err)
	}
	return runTemplate(out, tpl, serverForm(data))
}

func runTemplate(out *itemBuffer, tpl *template.Template, data any) error {
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, data); err != nil {
		return &runError{what: "--template", err: err}
	}
	out.WriteString(text.SafeLines(buf.String()))
	return nil
}

// templateSink holds a list for --template, which sees the whole list.
type templateSink struct {
	out  *itemBuffer
	tpl  *template.Template
	held heldItems
}

func (s *templateSink) add(item any, _ []string) error { return s.held.add(item) }

func (s *templateSink) finish() error {
	data, err := s.held.form()
	if err != nil {
		return fmt.Errorf("preparing --template input: %w", err)
	}
	s.out.pending += s.held.n
	return runTemplate(s.out, s.tpl, data)
}

// templateFuncs are the helpers available to --template.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"json":  templateJSON,
		"join":  templateJoin,
		"upper": func(v any) string { return strings.ToUpper(templateString(v)) },
	}
}

// templateJSON returns v as compact JSON.
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
	switch l := list.(type) {
	case nil:
		return "", nil
	case []string:
		return strings.Join(l, s), nil
	case []any:
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
	return "", fmt.Errorf("join: cannot join %T; want a list", list)
}

// templateString formats a scalar of the JSON form; null becomes "" rather
// than fmt's "<nil>".
func templateString(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
