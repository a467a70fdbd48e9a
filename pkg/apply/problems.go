package apply

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a file, at a line.
type Problem struct {
	Line    int
	Message string
}

// Problem is an error too: a syntax error at a line.
func (p *Problem) Error() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

// ValidationError lists everything wrong with a file, in line order. Nothing
// may be applied from a file that has one.
type ValidationError struct {
	File     string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return e.at(e.Problems[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %d problems:", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(e.at(p))
	}
	return b.String()
}

func (e *ValidationError) at(p Problem) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, p.Message)
}

// problems collects the problems of one file.
type problems struct{ list []Problem }

func (p *problems) add(line int, format string, args ...any) {
	p.list = append(p.list, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
}

func (p *problems) err(file string) error {
	if len(p.list) == 0 {
		return nil
	}
	sort.SliceStable(p.list, func(i, j int) bool { return p.list[i].Line < p.list[j].Line })
	return &ValidationError{File: file, Problems: p.list}
}

// DisplayName is how a file name appears in messages: "-" is stdin.
func DisplayName(name string) string {
	if name == "-" || name == "" {
		return "stdin"
	}
	return name
}
