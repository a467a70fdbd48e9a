//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package config

// keyringUnavailableReason explains a failure of the system's own store
// (Keychain, Credential Manager), which answers in its own words.
func keyringUnavailableReason(err error) string {
	return "the system keyring refused: " + err.Error()
}
