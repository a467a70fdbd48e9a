package users

import "github.com/dqops-users/dqo-users/pkg/yamlfile"

// Problem is one thing wrong with a file, at a line: the one problem type
// of every file the tool reads (yamlfile.Problem).
type Problem = yamlfile.Problem

// ValidationError lists what is wrong with a users file, in line order:
// the one problem list's error (yamlfile.Error), under the name that
// callers of Parse know. Nothing may be applied from a file that has one.
type ValidationError = yamlfile.Error

// errOf is the file's *ValidationError, or nil: never a nil pointer in an
// error.
func errOf(probs *yamlfile.List, file string) error {
	if e := probs.Result(file); e != nil {
		return e
	}
	return nil
}

// DisplayName is how a file name appears in messages: "-" is stdin.
func DisplayName(name string) string {
	if name == "-" || name == "" {
		return "stdin"
	}
	return name
}
