package users

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a file, at a line.
type Problem struct {
	Line    int
	Message string
}

// Problem is an error too: a syntax error at a line.
func (p *Problem) Error() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

// ValidationError lists what is wrong with a file, in line order. Nothing
// may be applied from a file that has one.
type ValidationError struct {
	File string
	// Problems are the file's problems: all of them, or the first
	// maxProblems by line when there are more.
	Problems []Problem
	// Omitted counts the problems after the first maxProblems, left out of
	// Problems.
	Omitted int
}

const (
	// maxProblems bounds the problems a ValidationError keeps: a file of a
	// million bad lines must not make a million messages.
	maxProblems = 1000
	// shownProblems is how many problems the error message lists; it counts
	// the rest.
	shownProblems = 20
)

func (e *ValidationError) Error() string {
	total := len(e.Problems) + e.Omitted
	if total == 1 && len(e.Problems) == 1 {
		return e.at(e.Problems[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %s problems:", e.File, thousands(total))
	for _, p := range e.Problems[:min(len(e.Problems), shownProblems)] {
		b.WriteString("\n  ")
		b.WriteString(e.at(p))
	}
	switch more := total - min(len(e.Problems), shownProblems); {
	case more == 1:
		b.WriteString("\n  ... and 1 more problem")
	case more > 1:
		fmt.Fprintf(&b, "\n  ... and %s more problems", thousands(more))
	}
	return b.String()
}

func (e *ValidationError) at(p Problem) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, p.Message)
}

// problems collects the problems of one file, keeping the first maxProblems
// by line (and, on one line, in the order found) and counting the rest.
type problems struct {
	list    []Problem
	omitted int
	// cutoff, once the list has been cut, is the line from which a new
	// problem cannot be among the first maxProblems: it is only counted,
	// and its message never made.
	cutoff int
	cut    bool
}

func (p *problems) add(line int, format string, args ...any) {
	if p.cut && line >= p.cutoff {
		p.omitted++
		return
	}
	p.list = append(p.list, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	if len(p.list) >= 2*maxProblems {
		p.trim()
	}
}

// trim sorts the list by line and cuts it to maxProblems.
func (p *problems) trim() {
	sort.SliceStable(p.list, func(i, j int) bool { return p.list[i].Line < p.list[j].Line })
	if len(p.list) > maxProblems {
		p.omitted += len(p.list) - maxProblems
		p.list = p.list[:maxProblems]
		p.cut, p.cutoff = true, p.list[maxProblems-1].Line
	}
}

func (p *problems) err(file string) error {
	if len(p.list) == 0 {
		return nil
	}
	p.trim()
	return &ValidationError{File: file, Problems: p.list, Omitted: p.omitted}
}

// thousands writes a count with commas between groups of three digits:
// 9,981.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// DisplayName is how a file name appears in messages: "-" is stdin.
func DisplayName(name string) string {
	if name == "-" || name == "" {
		return "stdin"
	}
	return name
}
