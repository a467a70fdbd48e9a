package config

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// keyringTimeout bounds every call to the keyring (shorter in tests): a
// locked keyring waiting for a prompt nobody sees, or a session bus that
// does not answer, must not hang the tool.
var keyringTimeout = 3 * time.Second

// KeyringService is the service of the keyring item that holds the key of
// a profile whose canonical URL is canonicalURL; the item's user is the
// profile's name. A key is thus tied to its server by construction, and
// `secret-tool lookup service dqo-users:URL username NAME` finds it.
func KeyringService(canonicalURL string) string { return "dqo-users:" + canonicalURL }

// ErrNotInKeyring is a keyring that answers but holds no such item.
var ErrNotInKeyring = errors.New("no such item in the keyring")

// StoreKey stores key in the keyring as the item (service, profile),
// replacing any item there.
func StoreKey(service, profile, key string) error {
	_, err := keyringOp(fmt.Sprintf("storing the API key of profile %q in the keyring", profile), func() (string, error) {
		return "", keyring.Set(service, profile, key)
	})
	return err
}

// LoadKey reads the key of the item (service, profile); ErrNotInKeyring
// when there is none.
func LoadKey(service, profile string) (string, error) {
	return keyringOp(fmt.Sprintf("reading the API key of profile %q from the keyring", profile), func() (string, error) {
		return keyring.Get(service, profile)
	})
}

// DeleteKey deletes the item (service, profile); ErrNotInKeyring when there
// is none.
func DeleteKey(service, profile string) error {
	_, err := keyringOp(fmt.Sprintf("deleting the API key of profile %q from the keyring", profile), func() (string, error) {
		return "", keyring.Delete(service, profile)
	})
	return err
}

// keyringOp is callKeyring within keyringTimeout, its error saying what
// was being done.
func keyringOp(what string, call func() (string, error)) (string, error) {
	v, err := callKeyring(keyringTimeout, call)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// callKeyring runs a keyring call and gives up on it after timeout (through
// the tool's one wait, files.Wait): the call cannot be cancelled, so it is
// left to end on its own, holding nothing of ours. A keyring that cannot be
// reached without starting daemons is not called at all (keyringUnreachable).
// The library's errors are sorted into those a caller acts on: no such item,
// no usable keyring, and anything else.
func callKeyring(timeout time.Duration, call func() (string, error)) (string, error) {
	if err := keyringUnreachable(); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	v, err := files.Wait(ctx, call)
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, files.ErrInterrupted):
		return "", &KeyringTimeoutError{Timeout: timeout}
	case errors.Is(err, keyring.ErrNotFound):
		return "", ErrNotInKeyring
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return "", errors.New("the key is too long for this keyring")
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return "", &KeyringUnavailableError{Reason: "this system has no keyring that dqo-users can use", Err: err}
	}
	return "", &KeyringUnavailableError{Reason: keyringUnavailableReason(err), Err: err}
}

// KeyringTimeoutError is a keyring that did not answer in time.
type KeyringTimeoutError struct {
	Timeout time.Duration
}

func (e *KeyringTimeoutError) Error() string {
	return fmt.Sprintf("the keyring did not answer within %s", e.Timeout)
}

// KeyringUnavailableError is a system with no usable keyring: no D-Bus
// session bus, no Secret Service on it, a keyring locked with no way to
// ask for its password, or the like.
type KeyringUnavailableError struct {
	// Reason says which, in words for the user.
	Reason string
	Err    error
}

func (e *KeyringUnavailableError) Error() string { return "no keyring available: " + e.Reason }

func (e *KeyringUnavailableError) Unwrap() error { return e.Err }
