//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package config

// keyringUnavailableReason explains a failure of the system's own store
// (Keychain, Credential Manager), which answers in its own words.
func keyringUnavailableReason(err error) string {
	return "the system keyring refused: " + err.Error()
}

// keyringUnreachable lets the system's own store be asked: it needs no
// session bus, and starts nothing that outlives the command.
func keyringUnreachable() error { return nil }
