package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// LoginOptions are the options of "login".
type LoginOptions struct {
	IO *iostreams.IOStreams
	// Target reads the profile to log in to, which need not exist yet.
	Target func() (*target, error)
	// Connect builds a client for the target with the key being verified.
	Connect func(t *target, key, keySource string) (*api.Client, error)
	Context context.Context

	WithToken bool
	// InsecureStorage keeps the key in the configuration file rather than
	// in the keyring.
	InsecureStorage bool
	// Force replaces the key of a profile that holds another server's.
	Force bool
	// Use makes the profile current even when another one is.
	Use bool
}

// NewCmdLogin builds "login"; runF, when not nil, replaces the run function.
func NewCmdLogin(f *Factory, runF func(*LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{}
	opts.IO, opts.Target, opts.Connect = f.IO, f.LoginTarget, f.Connect
	c := &cobra.Command{
		Use:   "login",
		Short: "Store the address and API key of a DQOps instance",
		Long: `Verify an API key against a DQOps instance and store it for a profile of
the configuration file.

Logging in never changes which profile is current, so that the next
command without --profile goes where the one before went: the profile
becomes current only when the file has no current profile yet, or with
--use. Otherwise login says how to use it (--profile NAME) or switch to it
("dqo-users config use NAME").

The key goes to the system keyring (Secret Service on Linux, Keychain on
macOS, Credential Manager on Windows), as the item with service
"dqo-users:URL" and the profile's name as user; the profile records
"api_key_store: keyring". Where there is no keyring, or with
--insecure-storage, the key is written to the configuration file (mode
0600), and login says so.

The key is asked without echo on a terminal, or read from stdin with
--with-token; it is never a flag's value. Nothing is stored unless DQOps
accepts the key. Create a key in DQOps on your user profile screen.

A stored key is only ever sent to the server it was stored for. A profile
that holds the key of another server is not overwritten without asking;
log in to each server as a profile of its own (--profile NAME), or pass
--force to replace the key on purpose.`,
		Example: `  $ dqo-users login --url https://dqops.example.com
  $ dqo-users login --url https://staging.example.com --profile staging
  $ dqo-users login --url https://staging.example.com --profile staging --use
  $ dqo-users login --url http://localhost:8888 --with-token < key.txt
  $ dqo-users login --url https://dqops.example.com --insecure-storage`,
		Args:        noArgs,
		Annotations: oneProfile,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if runF != nil {
				return runF(opts)
			}
			return loginRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.WithToken, "with-token", false, "read the API key from stdin")
	c.Flags().BoolVar(&opts.InsecureStorage, "insecure-storage", false, "keep the API key in the configuration file, not in the system keyring")
	c.Flags().BoolVar(&opts.Force, "force", false, "replace the key of a profile that holds another server's key")
	c.Flags().BoolVar(&opts.Use, "use", false, "make the profile current, even when another one is")
	return c
}

func loginRun(opts *LoginOptions) error {
	ctx := opts.Context
	t, err := opts.Target()
	if err != nil {
		return err
	}
	if err := confirmReplace(opts, t); err != nil {
		return err
	}
	name := t.Profile.Name
	var key []byte
	switch {
	case opts.WithToken:
		if key, err = opts.IO.ReadStdinSecret(ctx); err != nil {
			return fmt.Errorf("reading the API key from stdin: %w", err)
		}
	case opts.IO.CanPrompt():
		fmt.Fprintf(opts.IO.ErrOut, "Logging in to %s (profile %s).\n", t.URL, name)
		if key, err = opts.IO.ReadSecret(ctx, "API key: "); err != nil {
			return err
		}
	default:
		return usageErrorf("the API key cannot be asked for: %s; pass --with-token and the key on stdin", opts.IO.WhyNoPrompt())
	}
	apiKey := strings.TrimSpace(string(key))
	if apiKey == "" {
		return usageErrorf("the API key is empty: nothing was stored")
	}
	client, err := opts.Connect(t, apiKey, sourceLogin)
	if err != nil {
		return err
	}
	profile, err := client.Profile(ctx)
	if err != nil {
		return explainLoginFailure(ctx, client, err)
	}
	saved, err := saveLogin(opts, t, apiKey)
	if err != nil {
		return err
	}
	path := t.Config.Path()
	say(opts.IO.ErrOut, "Logged in to %s as %s (%s); saved as profile %q in %s.\n",
		t.URL, profile.User, profile.AccountRole, name, path)
	if saved.service != "" {
		fmt.Fprintf(opts.IO.ErrOut, "The API key is in the system keyring (service %s, user %s).\n", saved.service, name)
	}
	switch {
	case saved.previous == "" || saved.previous == name:
	case saved.current:
		fmt.Fprintf(opts.IO.ErrOut, "Now using profile %q (was %q).\n", name, saved.previous)
	default:
		say(opts.IO.ErrOut, "The current profile is still %q: pass --profile %s to use %q, or switch to it with `dqo-users %s`.\n",
			saved.previous, name, name, configCommand(t, "config use "+name))
	}
	if t.Settings.EnvAPIKey != "" {
		fmt.Fprintf(opts.IO.ErrOut, "warning: DQOPS_API_KEY is set: while it is, commands use it instead of the key of profile %q; unset it to use the stored key\n", name)
	}
	return nil
}

// confirmReplace guards a profile's key: logging in to another server
// under the same profile would replace the key of the first server, and
// with it the way to reach that server. On a terminal it asks; otherwise
// it refuses unless --force.
func confirmReplace(opts *LoginOptions, t *target) error {
	p := t.Profile
	if opts.Force || !t.Exists || keyLocation(p) == keyNowhere || api.SameServer(t.URL, p.URL) {
		return nil
	}
	if opts.IO.CanPrompt() {
		ok, err := opts.IO.Confirm(opts.Context, fmt.Sprintf("Profile %q holds the API key of %s. Replace it with a key for %s?",
			p.Name, profileURL(p), t.URL))
		if err != nil {
			return err
		}
		if !ok {
			return errCancelled
		}
		return nil
	}
	hint := fmt.Sprintf("log in to %s as a profile of its own with `--profile NAME`, or pass --force to replace the key of profile %q", t.URL, p.Name)
	if name := profileFor(t.Config, t.URL); name != "" {
		hint = fmt.Sprintf("profile %q is for %s: log in to it with `--profile %s`, or pass --force to replace the key of profile %q", name, t.URL, name, p.Name)
	}
	return withHint(usageErrorf("profile %q holds the API key of %s: logging in to %s would replace it; nothing was changed",
		p.Name, profileURL(p), t.URL), hint)
}

// savedLogin is what saveLogin did: the keyring item's service when the key
// went there, the profile that was current before, when there was one, and
// whether the profile logged in to is current now.
type savedLogin struct {
	service  string
	previous string
	current  bool
}

// saveLogin stores the verified key of the target's profile: in the keyring
// unless --insecure-storage or there is none (then in the file, saying so),
// and records the profile under the configuration's lock, so that
// concurrent logins keep every profile. The profile becomes current only
// when no profile is (or with --use): logging in to a second instance must
// not send the next command without --profile there.
func saveLogin(opts *LoginOptions, t *target, key string) (savedLogin, error) {
	name, path := t.Profile.Name, t.Config.Path()
	service, err := keyringService(t.URL)
	if err != nil {
		return savedLogin{}, &ExitError{Code: ExitUsage, Err: err}
	}
	inKeyring := false
	if !opts.InsecureStorage {
		if err := storeKey(service, name, key); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "warning: %v; the API key is stored in %s (mode 0600) instead\n", err, path)
		} else {
			inKeyring = true
		}
	}
	var before config.Profile
	var saved savedLogin
	err = config.Update(opts.Context, path, func(c *config.Config) error {
		before, _ = c.Profile(name)
		_, hasCurrent := c.Profile(c.Current())
		if hasCurrent {
			saved.previous = c.Current()
		}
		p := before
		p.Name, p.URL = name, t.URL
		if inKeyring {
			p.APIKey, p.APIKeyStore = "", config.KeyStoreKeyring
		} else {
			p.APIKey, p.APIKeyStore = key, ""
		}
		if err := c.SetProfile(p); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		if hasCurrent && !opts.Use {
			saved.current = saved.previous == name
			return nil
		}
		saved.current = true
		return c.Use(name)
	})
	if err != nil {
		if inKeyring && !heldItem(t.Profile, service) {
			_ = deleteKey(service, name)
		}
		return savedLogin{}, fmt.Errorf("%w; nothing was stored", err)
	}
	// The key the profile held before in another item (another server's,
	// replaced with --force), or in the keyring when it now is in the file,
	// would be left behind where nothing reads it.
	if keyLocation(before) == keyInKeyring && (!inKeyring || !heldItem(before, service)) {
		old, _ := keyringService(before.URL)
		if err := deleteKey(old, name); err != nil && !errors.Is(err, config.ErrNotInKeyring) {
			fmt.Fprintf(opts.IO.ErrOut, "warning: the previous key of profile %q stays in the keyring: %v\n", name, err)
		}
	}
	if inKeyring {
		saved.service = service
	}
	return saved, nil
}

// configCommand is a dqo-users command line for the same configuration
// file: one named by --config is named again, as the default one and
// DQOPS_CONFIG's need not be.
func configCommand(t *target, args string) string {
	if t.Settings.ConfigMustExist {
		return args + " --config " + shellQuote(t.Config.Path())
	}
	return args
}

// heldItem reports whether profile p keeps its key in the keyring item of
// service.
func heldItem(p config.Profile, service string) bool {
	old, err := keyringService(p.URL)
	return keyLocation(p) == keyInKeyring && err == nil && old == service
}

func explainLoginFailure(ctx context.Context, client *api.Client, err error) error {
	e := classify(ctx, err)
	switch api.Status(err) {
	case 401:
		e.Err = errors.New("the server rejected the API key (401): nothing was stored")
		e.Hint = "copy the key again from your user profile screen in DQOps"
	case 403:
		e.Err = errors.New("the key's account may not read its profile (403): nothing was stored")
	case 404:
		if e = notDQOps(ctx, client); e == nil {
			e = errNotPaired()
		}
		e.Err = fmt.Errorf("%w: nothing was stored", e.Err)
	default:
		e.Err = fmt.Errorf("%w: nothing was stored", e.Err)
	}
	return e
}
