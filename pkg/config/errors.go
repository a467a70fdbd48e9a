package config

import (
	"fmt"
	"time"

	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// ParseError is a configuration file that is not valid: the one problem
// list of every file the tool reads (yamlfile.Error), whose messages here
// name keys, never values, since a misplaced value may be an API key.
type ParseError = yamlfile.Error

// errorKind is how errors name the configuration: "configuration
// file PATH", or "the configuration" for a document parsed from memory.
func errorKind(path string) string {
	if path == "" {
		return "the configuration"
	}
	return "configuration file"
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
	// The path is written as given, even with white space at its end.
	where := errorKind(e.Path)
	if e.Path != "" {
		where += " " + e.Path
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

// UntrustedError is a configuration file (or another file naming a
// command, CheckFileTrusted) that another local user could have written,
// so that a command it names is not run.
type UntrustedError struct {
	Path string
	// Reason says who else could write it; Fix is the command or step that
	// makes it trusted.
	Reason, Fix string
	// config is whether it is the configuration file.
	config bool
}

func (e *UntrustedError) Error() string {
	what := e.Path + " may not name a command to run"
	if e.config {
		what = "the api_key_command of configuration file " + e.Path + " is not run"
	}
	return fmt.Sprintf("%s: %s, so another local user could choose the command; to fix: %s", what, e.Reason, e.Fix)
}
