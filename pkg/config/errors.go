package config

import (
	"fmt"
	"strings"
	"time"
)

// maxProblems is how many problems a ParseError lists; the rest are counted.
const maxProblems = 20

// Problem is one thing wrong in a configuration file.
type Problem struct {
	// Line is where, counted from 1; 0 when the parser could not tell.
	Line int
	// Message names keys, never values: a misplaced value may be a key.
	Message string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Message
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Message)
}

// ParseError is a configuration file that is not valid: its problems in the
// order of their lines, at most maxProblems of them listed.
type ParseError struct {
	// Path is the file; empty for a document parsed from memory.
	Path     string
	Problems []Problem
	// More counts the problems not listed.
	More int
}

func (e *ParseError) Error() string {
	where := "the configuration"
	if e.Path != "" {
		where = "configuration file " + e.Path
	}
	if len(e.Problems) == 1 && e.More == 0 {
		return where + ": " + e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %d problems:", where, len(e.Problems)+e.More)
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  and %d more", e.More)
	}
	return b.String()
}

// TooLargeError is a configuration file over a cap, found without reading
// past it.
type TooLargeError struct {
	// Path is the file; empty for a document parsed from memory.
	Path string
	// Limit is the cap: bytes, or lines and separators when Structure.
	Limit     int64
	Structure bool
}

func (e *TooLargeError) Error() string {
	where := "the configuration"
	if e.Path != "" {
		where = "configuration file " + e.Path
	}
	if e.Structure {
		return fmt.Sprintf("%s has more than %d lines and separators: a configuration holds a few lines per profile", where, e.Limit)
	}
	return fmt.Sprintf("%s is larger than %d MiB: a configuration holds a few lines per profile", where, e.Limit>>20)
}

// NotFoundError is a configuration file that must exist and does not.
type NotFoundError struct {
	Path string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("configuration file %s does not exist", e.Path)
}

// LockTimeoutError is a lock on the configuration that another process held
// for longer than Update waits.
type LockTimeoutError struct {
	// Path is the lock file.
	Path   string
	Waited time.Duration
}

func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("another dqo-users has been changing the configuration for more than %s (it holds the lock %s); try again when it has finished",
		e.Waited, e.Path)
}

// UntrustedError is a configuration file that another local user could have
// written, so that a command it names is not run.
type UntrustedError struct {
	Path string
	// Reason says who else could write it; Fix is the command or step that
	// makes it trusted.
	Reason, Fix string
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("the api_key_command of configuration file %s is not run: %s, so another local user could choose the command; to fix: %s",
		e.Path, e.Reason, e.Fix)
}
