//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || windows)

package iostreams

import "errors"

// hideInput is not known how to do here: a secret is then never asked on
// the terminal (it would show), and must come from stdin.
func hideInput(uintptr) (restore func(), err error) {
	return nil, errors.New("typing without echo is not supported on this system")
}
