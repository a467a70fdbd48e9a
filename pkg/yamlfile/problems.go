// Package yamlfile reads the files that people write for dqo-users (the
// configuration file, users files) and reports what is wrong with one by
// line. It holds one problem list, with one cap and one layout of the
// message, for every file the tool reads with line numbers (users files in
// JSON and CSV use it too), and one way to read YAML with yaml.v3: the line
// numbers of its syntax errors corrected, and aliases that would expand far
// beyond the file refused before anyone walks them.
//
// Messages never quote the file's text, except through what a caller puts
// in a problem: a configuration file's misplaced value may be an API key.
package yamlfile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// Problem is one thing wrong with a file, at a line.
type Problem struct {
	// Line is where, counted from 1; 0 when the problem is the whole
	// file's, or the parser could not tell.
	Line    int
	Message string
}

// Error makes a problem an error on its own, as a syntax error is: "line 3:
// message".
func (p *Problem) Error() string {
	if p.Line == 0 {
		return p.Message
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Message)
}

const (
	// MaxProblems bounds the problems an Error keeps: a file of a million
	// bad lines must not make a million messages.
	MaxProblems = 1000
	// ShownProblems is how many problems an Error's message lists; it
	// counts the rest.
	ShownProblems = 20
)

// Error is a file that is not valid: its problems in line order, at most
// MaxProblems of them kept, the rest counted. Nothing may be taken from a
// file that has one.
type Error struct {
	// File names the file in messages ("users.yaml", "stdin", a path);
	// empty for a document read from memory.
	File string
	// Kind, when set, says what the file is, before its name on the first
	// line of the message: "configuration file".
	Kind string
	// Problems are the file's problems: all of them, or the first
	// MaxProblems by line when there are more.
	Problems []Problem
	// Omitted counts the problems after the first MaxProblems.
	Omitted int
}

// Error lists the problems, each at "FILE:LINE: ", as compilers do, so that
// editors and terminals can jump to them:
//
//	users.yaml:4: invalid email "nobody": ...
//	users.yaml has 3 problems:
//	  users.yaml:4: ...
//	  ... and 1 more problem
func (e *Error) Error() string {
	total := len(e.Problems) + e.Omitted
	if total == 1 && len(e.Problems) == 1 {
		switch {
		case e.Kind == "":
			return e.at(e.Problems[0])
		case e.File == "":
			return e.Kind + ": " + e.at(e.Problems[0])
		}
		return e.Kind + " " + e.at(e.Problems[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %s problems:", strings.TrimSpace(e.Kind+" "+e.File), text.Thousands(total))
	for _, p := range e.Problems[:min(len(e.Problems), ShownProblems)] {
		b.WriteString("\n  ")
		b.WriteString(e.at(p))
	}
	switch more := total - min(len(e.Problems), ShownProblems); {
	case more == 1:
		b.WriteString("\n  ... and 1 more problem")
	case more > 1:
		fmt.Fprintf(&b, "\n  ... and %s more problems", text.Thousands(more))
	}
	return b.String()
}

// at is one problem with its place: "FILE:LINE: message", "FILE: message"
// for the whole file, "line LINE: message" in a document without a name.
func (e *Error) at(p Problem) string {
	switch {
	case e.File == "":
		return p.Error()
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, p.Line, p.Message)
	}
	return e.File + ": " + p.Message
}

// List collects the problems of one file, keeping the first MaxProblems by
// line (and, on one line, in the order found) and counting the rest, so
// that a huge broken file costs no more than a short one to describe. The
// zero List is empty and ready.
type List struct {
	list    []Problem
	omitted int
	// cutoff, once the list has been cut, is the line from which a new
	// problem cannot be among the first MaxProblems: it is only counted,
	// and its message never made.
	cutoff int
	cut    bool
}

// Add records a problem at a line (0: the whole file's).
func (l *List) Add(line int, format string, args ...any) {
	if l.cut && line >= l.cutoff {
		l.omitted++
		return
	}
	l.list = append(l.list, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
	if len(l.list) >= 2*MaxProblems {
		l.trim()
	}
}

// Len is how many problems were added, kept or counted.
func (l *List) Len() int { return len(l.list) + l.omitted }

// trim sorts the list by line and cuts it to MaxProblems.
func (l *List) trim() {
	sort.SliceStable(l.list, func(i, j int) bool { return l.list[i].Line < l.list[j].Line })
	if len(l.list) > MaxProblems {
		l.omitted += len(l.list) - MaxProblems
		l.list = l.list[:MaxProblems]
		l.cut, l.cutoff = true, l.list[MaxProblems-1].Line
	}
}

// Result is the problems as the file's *Error, or nil when there are none.
func (l *List) Result(file string) *Error {
	if l.Len() == 0 {
		return nil
	}
	l.trim()
	return &Error{File: file, Problems: l.list, Omitted: l.omitted}
}
