//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package config

import (
	"errors"
	"os"
	"strings"

	"github.com/godbus/dbus/v5"
)

// keyringUnreachable keeps the keyring from being asked when no session bus
// is named (DBUS_SESSION_BUS_ADDRESS unset, as over ssh or in cron): the bus
// library would then run dbus-launch, which starts a dbus-daemon, on which a
// gnome-keyring-daemon is started in turn, and both outlive the command (a
// pair for every login). Without them there is no keyring to use anyway.
func keyringUnreachable() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return &KeyringUnavailableError{Reason: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"}
	}
	return nil
}

// keyringUnavailableReason explains a Secret Service failure: the library
// reaches it over the D-Bus session bus.
func keyringUnavailableReason(err error) string {
	var derr dbus.Error
	if errors.As(err, &derr) {
		switch derr.Name {
		case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
			return "no Secret Service (such as gnome-keyring or KeePassXC) on the D-Bus session bus"
		case "org.freedesktop.Secret.Error.IsLocked":
			return "the keyring is locked"
		case "org.freedesktop.Secret.Error.NoSuchObject", "org.freedesktop.DBus.Error.UnknownObject":
			return "the Secret Service has no default keyring"
		}
		return "the Secret Service refused (" + derr.Name + ")"
	}
	if strings.Contains(err.Error(), "unlock") {
		return "the keyring is locked and could not be unlocked"
	}
	// keyringUnreachable has seen DBUS_SESSION_BUS_ADDRESS set.
	return "no D-Bus session bus at DBUS_SESSION_BUS_ADDRESS (" + err.Error() + ")"
}
