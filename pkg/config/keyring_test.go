package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// TestKeyring checks storing, reading, replacing and deleting through the
// library's in-memory keyring.
func TestKeyring(t *testing.T) {
	keyring.MockInit()
	service := KeyringService("https://dqops.example.com")
	if service != "dqo-users:https://dqops.example.com" {
		t.Errorf("service %q", service)
	}
	if err := StoreKey(service, "prod", "k1"); err != nil {
		t.Fatal(err)
	}
	if err := StoreKey(service, "prod", "k2"); err != nil {
		t.Fatal(err)
	}
	if key, err := LoadKey(service, "prod"); err != nil || key != "k2" {
		t.Errorf("read %q, %v", key, err)
	}
	for _, other := range [][2]string{{service, "staging"}, {KeyringService("https://other.example.com"), "prod"}} {
		if _, err := LoadKey(other[0], other[1]); !errors.Is(err, ErrNotInKeyring) {
			t.Errorf("%v: %v", other, err)
		}
	}
	if err := DeleteKey(service, "prod"); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKey(service, "prod")
	if !errors.Is(err, ErrNotInKeyring) || err.Error() != `reading the API key of profile "prod" from the keyring: no such item in the keyring` {
		t.Errorf("after delete: %v", err)
	}
	if err := DeleteKey(service, "prod"); !errors.Is(err, ErrNotInKeyring) {
		t.Errorf("deleting twice: %v", err)
	}
}

// TestKeyringUnavailable checks that a keyring that fails is reported as no
// keyring, distinct from a missing item, and that the key is never shown.
func TestKeyringUnavailable(t *testing.T) {
	const secret = "Zq7vKEYMATERIAL"
	keyring.MockInitWithError(errors.New("dbus: couldn't determine address of session bus"))
	defer keyring.MockInit()
	err := StoreKey("dqo-users:https://h", "prod", secret)
	var un *KeyringUnavailableError
	if !errors.As(err, &un) || errors.Is(err, ErrNotInKeyring) || !strings.Contains(err.Error(), `storing the API key of profile "prod" in the keyring: no keyring available: `) {
		t.Errorf("got %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("the key is shown: %v", err)
	}
	if _, err := LoadKey("dqo-users:https://h", "prod"); !errors.As(err, &un) {
		t.Errorf("reading: %v", err)
	}
	keyring.MockInitWithError(keyring.ErrSetDataTooBig)
	if err := StoreKey("s", "p", secret); err == nil || errors.As(err, &un) || !strings.Contains(err.Error(), "too long") {
		t.Errorf("a key too long: %v", err)
	}
}

// TestKeyringTimeout checks that a call that never returns is given up.
func TestKeyringTimeout(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	_, err := callKeyring(50*time.Millisecond, func() (string, error) {
		<-block
		return "", nil
	})
	var te *KeyringTimeoutError
	if !errors.As(err, &te) || err.Error() != "the keyring did not answer within 50ms" {
		t.Errorf("got %v", err)
	}
}
