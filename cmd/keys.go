package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/files"
)

// Where a profile keeps its key, as "config list" and "config view" show it.
const (
	keyInKeyring = "keyring"
	keyInFile    = "file"
	keyInCommand = "command"
	keyNowhere   = "none"
)

// keyLocation says where profile p keeps its key: the keyring (what login
// records), the file, its api_key_command, or none. When a profile has
// several, the first of these is the one used.
func keyLocation(p config.Profile) string {
	switch {
	case p.APIKeyStore == config.KeyStoreKeyring:
		return keyInKeyring
	case p.APIKey != "":
		return keyInFile
	case p.APIKeyCommand != "":
		return keyInCommand
	}
	return keyNowhere
}

// The sources of a key, as messages name them (api.Options.KeySource): one
// place builds them and rejectedKeyHint reads them back.
const (
	sourceEnv          = "DQOPS_API_KEY"
	sourceFilePrefix   = "--api-key-file "
	sourceLogin        = "the API key given to login"
	sourceCommandStart = "the api_key_command of profile "
	sourceKeyringStart = "the keyring item of profile "
	sourceProfileStart = "the api_key of profile "
	sourceCommandForm  = sourceCommandStart + "%q"
	sourceKeyringForm  = sourceKeyringStart + "%q (service %s)"
	sourceProfileForm  = sourceProfileStart + "%q"
)

// findKey returns the key the target is used with: --api-key-file, else
// DQOPS_API_KEY, else the profile's from wherever it keeps it, and where it
// came from, for messages that must name the source and never the key. A
// profile's key is used only with the server it was stored for; keys given
// explicitly go wherever the user points them. A key that cannot be sent
// is an error naming its source.
func findKey(ctx context.Context, t *target, stderr io.Writer, keyCommandTimeout time.Duration) (key, source string, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	key, source, err = lookUpKey(ctx, t, stderr, keyCommandTimeout)
	if err != nil || key == "" {
		return "", source, err
	}
	if err := api.ValidateAPIKey(key); err != nil {
		return "", source, &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", source, err),
			Hint: "copy the key again from your user profile screen in DQOps"}
	}
	return key, source, nil
}

func lookUpKey(ctx context.Context, t *target, stderr io.Writer, keyCommandTimeout time.Duration) (key, source string, err error) {
	st, p := t.Settings, t.Profile
	switch {
	case st.APIKeyFile != "":
		return readKeyFile(ctx, st.APIKeyFile)
	case st.EnvAPIKey != "":
		return st.EnvAPIKey, sourceEnv, nil
	}
	where := keyLocation(p)
	if where == keyNowhere {
		return "", "", nil
	}
	if !api.SameServer(t.URL, p.URL) {
		return "", "", errKeyOfAnotherServer(t.Config, p, t.URL)
	}
	switch where {
	case keyInKeyring:
		return keyFromKeyring(p)
	case keyInFile:
		return p.APIKey, fmt.Sprintf(sourceProfileForm, p.Name), nil
	}
	source = fmt.Sprintf(sourceCommandForm, p.Name)
	key, err = t.Config.KeyFromCommand(ctx, p, stderr, keyCommandTimeout)
	var (
		kerr *config.KeyCommandError
		untr *config.UntrustedError
	)
	switch {
	case errors.As(err, &untr):
		return "", source, &ExitError{Code: ExitUsage, Err: err,
			Hint: "ssh refuses such files for the same reason; until it is fixed, give the key with DQOPS_API_KEY or --api-key-file"}
	case errors.As(err, &kerr) && kerr.Failure != config.KeyCommandInterrupted:
		return "", source, &ExitError{Code: ExitFailure, Err: err,
			Hint: "run the command yourself to check that it prints the key alone; `dqo-users config view` shows it"}
	}
	return key, source, err
}

// profileURL is the address a profile's key belongs to: a profile without
// a URL has the default one.
func profileURL(p config.Profile) string {
	if p.URL == "" {
		return api.DefaultURL
	}
	return p.URL
}

// errKeyOfAnotherServer refuses to send profile p's key to url, a server
// it was not stored for: a URL typed by mistake, or pointing somewhere
// hostile, would receive it. When another profile of cfg holds a key for
// url, the hint names it.
func errKeyOfAnotherServer(cfg *config.Config, p config.Profile, url string) *ExitError {
	hint := fmt.Sprintf("to use %s, log in to it as a profile of its own: `dqo-users login --url %s --profile NAME`; or give its key in DQOPS_API_KEY or --api-key-file",
		url, url)
	if name := profileFor(cfg, url); name != "" {
		hint = fmt.Sprintf("profile %q is for %s: pass `--profile %s` instead of the URL", name, url, name)
	}
	return &ExitError{Code: ExitAuth,
		Err:  fmt.Errorf("the API key of profile %q belongs to %s, not to %s: it is not sent to another server", p.Name, profileURL(p), url),
		Hint: hint}
}

// profileFor names the first profile of cfg that holds a key for the
// server at url, "" when none does.
func profileFor(cfg *config.Config, url string) string {
	if cfg == nil {
		return ""
	}
	for _, p := range cfg.Profiles() {
		if keyLocation(p) != keyNowhere && api.SameServer(url, profileURL(p)) {
			return p.Name
		}
	}
	return ""
}

// readKeyFile reads --api-key-file: at most a key's size (and a line break),
// so that /dev/zero is an error, not a process out of memory; Ctrl-C ends
// the wait for a FIFO.
func readKeyFile(ctx context.Context, path string) (key, source string, err error) {
	source = sourceFilePrefix + path
	tooLarge := &ExitError{Code: ExitUsage,
		Err: fmt.Errorf("--api-key-file %s is larger than %d KiB: it must hold the API key alone", path, files.MaxSecretSize>>10)}
	data, err := files.ReadFile(ctx, path, files.MaxSecretSize+int64(len("\r\n")))
	var tl *files.TooLargeError
	switch {
	case errors.Is(err, files.ErrInterrupted):
		return "", source, err
	case errors.As(err, &tl):
		return "", source, tooLarge
	case err != nil:
		return "", source, &ExitError{Code: ExitUsage, Err: fmt.Errorf("reading --api-key-file: %w", err)}
	}
	key = strings.TrimSpace(string(data))
	switch {
	case key == "":
		return "", source, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--api-key-file %s is empty", path)}
	case int64(len(key)) > files.MaxSecretSize:
		return "", source, tooLarge
	}
	return key, source, nil
}

// keyringService is the service of the keyring item holding the key of a
// profile whose URL is url.
func keyringService(url string) (string, error) {
	canonical, err := api.CanonicalURL(url)
	if err != nil {
		return "", err
	}
	return config.KeyringService(canonical), nil
}

// keyFromKeyring reads profile p's key from the keyring, which is asked
// only for a profile that records keeping its key there.
func keyFromKeyring(p config.Profile) (key, source string, err error) {
	service, err := keyringService(p.URL)
	if err != nil {
		return "", "", &ExitError{Code: ExitUsage, Err: fmt.Errorf("profile %q: %w", p.Name, err)}
	}
	source = fmt.Sprintf(sourceKeyringForm, p.Name, service)
	key, err = loadKey(service, p.Name)
	switch {
	case errors.Is(err, config.ErrNotInKeyring):
		return "", source, &ExitError{Code: ExitAuth,
			Err:  fmt.Errorf("profile %q keeps its API key in the keyring, and the keyring has no item for it (service %s, user %s)", p.Name, service, p.Name),
			Hint: fmt.Sprintf("run `dqo-users login --profile %s` to store a key again", p.Name)}
	case err != nil:
		return "", source, &ExitError{Code: ExitFailure, Err: err,
			Hint: fmt.Sprintf("unlock the keyring and try again, or log in again keeping the key in the configuration file: `dqo-users login --profile %s --insecure-storage`", p.Name)}
	}
	return key, source, nil
}

// rejectedKeyHint says what to do about a key the server rejected (401),
// by where it came from: only a key stored by login is replaced by logging
// in again; the others are the user's own to change.
func rejectedKeyHint(source string) string {
	const revoked = "it may be revoked, or belong to another DQOps instance"
	switch {
	case source == sourceEnv:
		return "the key came from DQOPS_API_KEY: " + revoked + "; set it to a valid key, or unset it to use the profile's"
	case strings.HasPrefix(source, sourceFilePrefix):
		return fmt.Sprintf("the key came from %s: %s; put a valid key in that file", source, revoked)
	case strings.HasPrefix(source, sourceCommandStart):
		return fmt.Sprintf("the key came from %s: %s; check the key it prints (`dqo-users config view` shows the command)", source, revoked)
	case strings.HasPrefix(source, sourceKeyringStart), strings.HasPrefix(source, sourceProfileStart):
		return fmt.Sprintf("the key came from %s: %s; run `dqo-users login --profile %s` to store a new one", source, revoked, quotedProfile(source))
	}
	return revoked + "; run `dqo-users login` again"
}

// quotedProfile is the profile name a source quotes (profile names hold no
// quotes).
func quotedProfile(source string) string {
	_, rest, _ := strings.Cut(source, `"`)
	name, _, _ := strings.Cut(rest, `"`)
	return name
}

// keyringMu lets one keyring call run at a time: the keyring library's
// providers make no promise for concurrent use (its in-memory one has
// none), and Run may be called from several goroutines in one process.
var keyringMu sync.Mutex

func storeKey(service, profile, key string) error {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	return config.StoreKey(service, profile, key)
}

func loadKey(service, profile string) (string, error) {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	return config.LoadKey(service, profile)
}

func deleteKey(service, profile string) error {
	keyringMu.Lock()
	defer keyringMu.Unlock()
	return config.DeleteKey(service, profile)
}
