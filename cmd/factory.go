package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// Factory holds the process's streams and environment, and builds what
// commands need when they first need it: the settings, the configuration
// file, the API client. "version" and "completion" read no configuration
// and build no client. A command's constructor copies the parts it uses
// into its options; run functions never see the Factory.
type Factory struct {
	IO      *iostreams.IOStreams
	Version string
	// Getenv reads the environment; tests give their own.
	Getenv func(string) string
	// Transport, when set, carries every request (tests, fault injection);
	// --ca-cert, --insecure-skip-tls-verify and Proxy then do not apply.
	Transport http.RoundTripper
	// Proxy, when set, replaces HTTPS_PROXY / HTTP_PROXY / NO_PROXY (tests:
	// Go never proxies a loopback address).
	Proxy func(*http.Request) (*url.URL, error)
	// Backoff, when set, replaces the delay between retries (tests).
	Backoff func(retry int) time.Duration
	// KeyCommandTimeout bounds a profile's api_key_command (0: 30s).
	KeyCommandTimeout time.Duration

	// flags are the running command's, and settings what they and the
	// environment say, read before the command runs; the profile's part is
	// read by target.
	ctx      context.Context
	flags    *pflag.FlagSet
	settings config.Settings

	// createsConfig is set for a command that may create the file named by
	// --config (login).
	createsConfig bool

	cfgOnce    sync.Once
	cfg        *config.Config
	cfgErr     error
	clientOnce sync.Once
	client     *api.Client
	clientErr  error
	warnOnce   sync.Once
}

// annotationCreatesConfig marks a command that may create the file named
// by --config (login); for every other command that file must exist.
const annotationCreatesConfig = "dqo-users/creates-config"

// prepareCommand runs before every command: it checks the flags and reads
// the settings. cobra checks required flags and flag groups after this
// hook; checked here, their errors are usage errors like every other
// mistake on the command line.
func (f *Factory) prepareCommand(c *cobra.Command, _ []string) error {
	if err := c.ValidateRequiredFlags(); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err := exclusiveFlags(c); err != nil {
		return err
	}
	if err := c.ValidateFlagGroups(); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	f.ctx = c.Context()
	f.createsConfig = c.Annotations[annotationCreatesConfig] != ""
	return f.prepare(c.Flags())
}

// prepare reads the settings of the command line and the environment,
// before any command runs.
func (f *Factory) prepare(flags *pflag.FlagSet) error {
	st, err := config.Resolve(config.Layers{Flags: flags, Getenv: f.Getenv})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	f.flags, f.settings = flags, st
	f.IO.NoInputReason = st.NoInputReason
	return nil
}

// env returns an environment variable; empty counts as unset.
func (f *Factory) env(name string) string {
	return strings.TrimSpace(f.Getenv(name))
}

// Config loads the configuration file once. A file named by --config must
// exist, as kubectl's --kubeconfig must, unless the command creates it
// (login); one named by DQOPS_CONFIG, or the default one, that does not
// exist yet is an empty configuration, since scripts set the variable
// before their first login.
func (f *Factory) Config() (*config.Config, error) {
	f.cfgOnce.Do(func() {
		path := f.settings.ConfigPath
		if path == "" {
			if path, f.cfgErr = config.DefaultPath(); f.cfgErr != nil {
				return
			}
		}
		mustExist := !f.createsConfig && f.flags != nil && f.flags.Changed("config")
		ctx := f.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		f.cfg, f.cfgErr = config.Load(ctx, path, config.LoadOptions{MustExist: mustExist})
		if f.cfgErr != nil {
			f.cfgErr = configError(f.cfgErr)
			return
		}
		if mode, bad := f.cfg.InsecureMode(); bad {
			reach := "open" // execute bits alone
			switch r, w := mode&0o044 != 0, mode&0o022 != 0; {
			case r && w:
				reach = "readable and writable"
			case r:
				reach = "readable"
			case w:
				reach = "writable"
			}
			say(f.IO.ErrOut, "warning: %s is %s by other users (mode %04o); run: chmod 600 %s\n", path, reach, mode, path)
		}
	})
	return f.cfg, f.cfgErr
}

// configError gives the errors of reading the configuration file their
// exit code: a file that is missing, too large or not valid is the user's
// to fix, like a bad flag; the file's messages name keys, never values.
func configError(err error) error {
	var (
		missing  *config.NotFoundError
		tooLarge *config.TooLargeError
		invalid  *config.ParseError
	)
	switch {
	case errors.As(err, &missing):
		return &ExitError{Code: ExitUsage, Err: err,
			Hint: "check the path given to --config; `dqo-users login --config " + missing.Path + "` creates the file"}
	case errors.As(err, &tooLarge):
		return &ExitError{Code: ExitUsage, Err: err, Hint: "check that --config or DQOPS_CONFIG names the configuration file"}
	case errors.As(err, &invalid):
		return &ExitError{Code: ExitUsage, Err: err, Hint: "correct the lines named; `dqo-users login` writes a valid file"}
	}
	return err
}

// ProfileName is --profile, else DQOPS_PROFILE, else the configuration's
// current profile.
func (f *Factory) ProfileName() (string, error) {
	name, _, err := f.chosenProfile()
	return name, err
}

// chosenProfile is the profile a command acts on, and whether the user
// named it (--profile, DQOPS_PROFILE) rather than left it to the file's
// current profile.
func (f *Factory) chosenProfile() (name string, named bool, err error) {
	if f.settings.Profile != "" {
		return f.settings.Profile, true, nil
	}
	cfg, err := f.Config()
	if err != nil {
		return "", false, err
	}
	return cfg.Current(), false, nil
}

// errNoProfile is a profile named where the file has none of that name: a
// usage error listing the profiles there are, so that a typo is seen at
// once and never falls back to another server.
func errNoProfile(cfg *config.Config, name string) *ExitError {
	var names []string
	for _, p := range cfg.Profiles() {
		names = append(names, p.Name)
	}
	have := "it has no profiles"
	if len(names) > 0 {
		have = "its profiles: " + strings.Join(names, ", ")
	}
	return withHint(usageErrorf("no profile named %q in %s; %s", name, cfg.Path(), have),
		"`dqo-users login --profile "+name+"` creates it")
}

// loginTarget is the target of login, whose profile may not exist yet.
func (f *Factory) loginTarget() (*target, error) { return f.target(true) }

// target is the DQOps instance a command talks to: the active profile and
// the settings with the profile's layer.
type target struct {
	// Profile is the active profile; Name is set even when the file lacks it.
	Profile config.Profile
	// Exists says whether the file has the profile.
	Exists bool
	// Settings are the command's, with the profile's URL and ca_cert.
	Settings config.Settings
	// URL is the normalised address.
	URL string
	// Config is the configuration the profile was read from.
	Config *config.Config
}

// target reads the active profile and resolves the settings with it. A
// profile named by --profile or DQOPS_PROFILE must exist, unless creating
// (login creates it).
func (f *Factory) target(creating bool) (*target, error) {
	name, named, err := f.chosenProfile()
	if err != nil {
		return nil, err
	}
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	p, ok := cfg.Profile(name)
	if !ok && !creating && named {
		return nil, errNoProfile(cfg, name)
	}
	st, err := config.Resolve(config.Layers{Flags: f.flags, Getenv: f.Getenv, Profile: &p, ConfigDir: filepath.Dir(cfg.Path())})
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	raw := st.URL
	if raw == "" {
		raw = api.DefaultURL
	}
	u, err := api.NormalizeURL(raw)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return &target{Profile: p, Exists: ok, Settings: st, URL: u, Config: cfg}, nil
}

// Client builds the API client once, from the settings, the profile and
// its key.
func (f *Factory) Client() (*api.Client, error) {
	f.clientOnce.Do(func() {
		t, err := f.target(false)
		if err != nil {
			f.clientErr = err
			return
		}
		ctx := f.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		key, source, err := findKey(ctx, t, f.IO.ErrOut, f.KeyCommandTimeout)
		if err != nil {
			f.clientErr = err
			return
		}
		f.client, f.clientErr = f.connect(t, key, source)
	})
	return f.client, f.clientErr
}

// connect builds a client for the target with the given key (login
// verifies a key before storing it).
func (f *Factory) connect(t *target, key, keySource string) (*api.Client, error) {
	st := t.Settings
	if st.InsecureSkipTLSVerify && strings.HasPrefix(t.URL, "https:") {
		f.warnOnce.Do(func() {
			fmt.Fprintln(f.IO.ErrOut, "warning: --insecure-skip-tls-verify: the server's certificate is not checked, "+
				"so anyone between you and the server can read the API key and passwords")
		})
	}
	var debug io.Writer
	if st.Debug {
		debug = f.IO.ErrOut
	}
	c, err := api.New(api.Options{
		BaseURL:            t.URL,
		APIKey:             key,
		KeySource:          keySource,
		UserAgent:          "dqo-users/" + f.Version,
		Transport:          f.Transport,
		Timeout:            st.Timeout,
		Grace:              requestGrace,
		Retries:            st.Retries,
		Backoff:            f.Backoff,
		CACertFile:         st.CACert,
		InsecureSkipVerify: st.InsecureSkipTLSVerify,
		Proxy:              f.Proxy,
		Debug:              debug,
	})
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return c, nil
}

// requestGrace is how long a request in flight may finish after Ctrl-C, so
// that its outcome is known and reported.
const requestGrace = 500 * time.Millisecond

// Printer returns the printer of a command's output options, with colour
// as --color, NO_COLOR, CI and the terminal decide.
func (f *Factory) Printer(opts output.Options) *output.Printer {
	return &output.Printer{
		Out:        f.IO.Out,
		ErrOut:     f.IO.ErrOut,
		IsTerminal: f.IO.IsStdoutTTY(),
		Color:      f.colorEnabled(),
		Options:    opts,
	}
}

// colorEnabled decides colour: --color, then NO_COLOR and CI, then whether
// stdout is a terminal.
func (f *Factory) colorEnabled() bool {
	switch f.settings.Color {
	case "always":
		return true
	case "never":
		return false
	}
	if f.env("NO_COLOR") != "" || f.env("CI") != "" || f.env("TERM") == "dumb" {
		return false
	}
	return f.IO.IsStdoutTTY()
}
