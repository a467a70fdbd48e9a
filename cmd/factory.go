package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// Env is what one run of dqo-users gets from its process: the streams, the
// environment, the build's version, and the parts tests replace.
type Env struct {
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
	// MaxBodySize, when set, caps the server's answers below
	// api.MaxBodySize (tests of the cap).
	MaxBodySize int64
	// CompletionTimeout bounds the request of a shell completion (0: 2s).
	CompletionTimeout time.Duration
}

// Factory gives commands what they need, each built on first use from the
// command line's global flags (read once cobra has parsed them), the
// environment and the configuration file: "version" and "completion" read
// no configuration and build no client. A command's constructor copies the
// fields it uses into its options; run functions never see the Factory.
type Factory struct {
	IO *iostreams.IOStreams
	// Version is the build's version; Args the command line, without the
	// program's name (the audit log records it).
	Version string
	Args    []string
	// Getenv reads the environment, as the settings do (a sync file's
	// bindPasswordEnv).
	Getenv func(string) string
	// Settings are those of the command line and the environment, without
	// a profile's.
	Settings func() (config.Settings, error)
	// Config loads the configuration file once. A file named by --config
	// must exist, as kubectl's --kubeconfig must; one named by
	// DQOPS_CONFIG, or the default one, that does not exist yet is an empty
	// configuration, since scripts set the variable before their first
	// login.
	Config func() (*config.Config, error)
	// NewConfig is Config for login, which creates the file --config names.
	NewConfig func() (*config.Config, error)
	// Profile is the profile a command acts on, and whether the user named
	// it (--profile, DQOPS_PROFILE) rather than left it to the file's
	// current profile.
	Profile func() (name string, named bool, err error)
	// Target is the instance a command acts on: the active profile, which
	// must exist when named, and the settings with the profile's layer. A
	// command line that names several profiles is refused: only the
	// commands that act on several ask for Targets.
	Target func() (*target, error)
	// Targets are the instances a command acts on: those of the profiles
	// named (--profile a,b, DQOPS_PROFILE, --all-profiles), in the order
	// given, or the one of Target.
	Targets func() ([]*target, error)
	// TargetNamed is the instance of a profile named for a purpose of its
	// own (diff --against): the profile must exist.
	TargetNamed func(name string) (*target, error)
	// ClientOf builds the API client of one of Targets once, with its key.
	ClientOf func(ctx context.Context, t *target) (*api.Client, error)
	// LoginTarget is Target for login, whose profile may not exist yet.
	LoginTarget func() (*target, error)
	// Client builds the API client of Target once, with its key.
	Client func(ctx context.Context) (*api.Client, error)
	// Connect builds a client for a target with the given key (login
	// verifies a key before storing it).
	Connect func(t *target, key, keySource string) (*api.Client, error)
	// Printer returns the printer of a command's output options, with
	// colour as the settings and the terminal decide.
	Printer func(opts output.Options) *output.Printer

	// built is the client Client built, nil before: a failure no command
	// explained is read against it (explainStatus).
	built func() *api.Client
	// completionTimeout bounds the request of a shell completion.
	completionTimeout time.Duration
}

// newFactory builds the Factory of one command line, whose global flags
// are flags; ctx ends with the run (Ctrl-C), and with it every read of
// the configuration.
func newFactory(ctx context.Context, env Env, flags *pflag.FlagSet, args []string) *Factory {
	resolver := config.NewResolver(flags, env.Getenv)
	f := &Factory{IO: env.IO, Version: env.Version, Args: args, Getenv: env.Getenv, completionTimeout: env.CompletionTimeout}
	if f.completionTimeout == 0 {
		f.completionTimeout = completionTimeout
	}
	f.Settings = func() (config.Settings, error) {
		st, err := resolver.Resolve(nil, "")
		if err != nil {
			return st, &ExitError{Code: ExitUsage, Err: err}
		}
		return st, nil
	}
	load := func(creating bool) (*config.Config, error) {
		st, err := f.Settings()
		if err != nil {
			return nil, err
		}
		path := st.ConfigPath
		if path == "" {
			if path, err = config.DefaultPath(); err != nil {
				return nil, err
			}
		}
		cfg, err := config.Load(ctx, path, config.LoadOptions{MustExist: st.ConfigMustExist && !creating})
		if err != nil {
			return nil, configError(err)
		}
		if mode, bad := cfg.InsecureMode(); bad {
			warnConfigMode(env.IO.ErrOut, path, mode)
		}
		return cfg, nil
	}
	f.Config = sync.OnceValues(func() (*config.Config, error) { return load(false) })
	f.NewConfig = sync.OnceValues(func() (*config.Config, error) { return load(true) })
	// chosen is the profile named on the command line, else cfg's current.
	chosen := func(cfg func() (*config.Config, error)) (string, bool, error) {
		st, err := f.Settings()
		if err != nil {
			return "", false, err
		}
		if st.Several() {
			return "", false, errOneProfile(st, "")
		}
		if st.Profile != "" {
			return st.Profile, true, nil
		}
		c, err := cfg()
		if err != nil {
			return "", false, err
		}
		return c.Current(), false, nil
	}
	f.Profile = func() (string, bool, error) { return chosen(f.Config) }
	// resolve is the target of profile name of cfg.
	resolve := func(cfg *config.Config, name string, named, creating bool) (*target, error) {
		p, ok := cfg.Profile(name)
		if !ok && !creating && named {
			return nil, errNoProfile(cfg, name)
		}
		st, err := resolver.Resolve(&p, filepath.Dir(cfg.Path()))
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
	targetOf := func(creating bool) (*target, error) {
		load := f.Config
		if creating {
			load = f.NewConfig
		}
		name, named, err := chosen(load)
		if err != nil {
			return nil, err
		}
		cfg, err := load()
		if err != nil {
			return nil, err
		}
		return resolve(cfg, name, named, creating)
	}
	f.Target = func() (*target, error) { return targetOf(false) }
	f.TargetNamed = func(name string) (*target, error) {
		if err := config.ValidateProfileName(name); err != nil {
			return nil, &ExitError{Code: ExitUsage, Err: err}
		}
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		return resolve(cfg, name, true, false)
	}
	f.Targets = func() ([]*target, error) {
		st, err := f.Settings()
		if err != nil {
			return nil, err
		}
		if !st.Several() {
			t, err := f.Target()
			if err != nil {
				return nil, err
			}
			return []*target{t}, nil
		}
		if err := checkSeveral(st); err != nil {
			return nil, err
		}
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		names := st.Profiles
		if st.AllProfiles {
			for _, p := range cfg.Profiles() {
				names = append(names, p.Name)
			}
			if len(names) == 0 {
				return nil, withHint(usageErrorf("--all-profiles: %s has no profiles", cfg.Path()), "`dqo-users login --profile NAME` creates one")
			}
		}
		var targets []*target
		seen := map[string]*target{}
		for _, name := range names {
			t, err := resolve(cfg, name, true, false)
			if err != nil {
				return nil, err
			}
			if other, ok := seen[t.Canonical()]; ok {
				return nil, usageErrorf("profiles %q and %q are the same instance (%s): name each instance once", other.Profile.Name, name, t.Canonical())
			}
			seen[t.Canonical()] = t
			targets = append(targets, t)
		}
		return targets, nil
	}
	f.LoginTarget = func() (*target, error) { return targetOf(true) }
	var warnOnce sync.Once
	// One writer of every client's trace, so that the instances of a
	// command on several write whole lines.
	trace := &lockedWriter{w: env.IO.ErrOut}
	f.Connect = func(t *target, key, keySource string) (*api.Client, error) {
		st := t.Settings
		if st.InsecureSkipTLSVerify && strings.HasPrefix(t.URL, "https:") {
			warnOnce.Do(func() {
				fmt.Fprintln(env.IO.ErrOut, "warning: --insecure-skip-tls-verify: the server's certificate is not checked, "+
					"so anyone between you and the server can read the API key and passwords")
			})
		}
		var debug io.Writer
		if st.Debug {
			debug = trace
		}
		c, err := api.New(api.Options{
			BaseURL:            t.URL,
			APIKey:             key,
			KeySource:          keySource,
			UserAgent:          "dqo-users/" + env.Version,
			Transport:          env.Transport,
			Timeout:            st.Timeout,
			Grace:              requestGrace,
			Retries:            st.Retries,
			Backoff:            env.Backoff,
			CACertFile:         st.CACert,
			InsecureSkipVerify: st.InsecureSkipTLSVerify,
			Proxy:              env.Proxy,
			Debug:              debug,
			MaxBodySize:        env.MaxBodySize,
		})
		if err != nil {
			return nil, &ExitError{Code: ExitUsage, Err: err}
		}
		return c, nil
	}
	var client struct {
		once sync.Once
		c    *api.Client
		err  error
	}
	f.Client = func(ctx context.Context) (*api.Client, error) {
		client.once.Do(func() {
			t, err := f.Target()
			if err != nil {
				client.err = err
				return
			}
			key, source, err := findKey(ctx, t, env.IO.ErrOut, env.KeyCommandTimeout)
			if err != nil {
				client.err = err
				return
			}
			client.c, client.err = f.Connect(t, key, source)
		})
		return client.c, client.err
	}
	type built struct {
		once sync.Once
		c    *api.Client
		err  error
	}
	var clientsMu sync.Mutex
	clients := map[string]*built{}
	f.ClientOf = func(ctx context.Context, t *target) (*api.Client, error) {
		clientsMu.Lock()
		b, ok := clients[t.Canonical()]
		if !ok {
			b = &built{}
			clients[t.Canonical()] = b
		}
		clientsMu.Unlock()
		b.once.Do(func() {
			key, source, err := findKey(ctx, t, env.IO.ErrOut, env.KeyCommandTimeout)
			if err != nil {
				b.err = err
				return
			}
			b.c, b.err = f.Connect(t, key, source)
		})
		return b.c, b.err
	}
	f.built = func() *api.Client {
		if client.c != nil {
			return client.c
		}
		clientsMu.Lock()
		defer clientsMu.Unlock()
		if len(clients) == 1 {
			for _, b := range clients {
				return b.c
			}
		}
		return nil // several instances explain their own failures
	}
	f.Printer = func(opts output.Options) *output.Printer {
		st, _ := f.Settings() // checked before any command runs
		return &output.Printer{
			Out:        env.IO.Out,
			ErrOut:     env.IO.ErrOut,
			IsTerminal: env.IO.IsStdoutTTY(),
			Color:      st.UseColor(env.IO.IsStdoutTTY()),
			Options:    opts,
		}
	}
	return f
}

// warnConfigMode says what other users can do with a configuration file
// that holds a secret.
func warnConfigMode(w io.Writer, path string, mode fs.FileMode) {
	reach := "open" // execute bits alone
	switch r, wr := mode&0o044 != 0, mode&0o022 != 0; {
	case r && wr:
		reach = "readable and writable"
	case r:
		reach = "readable"
	case wr:
		reach = "writable"
	}
	say(w, "warning: %s is %s by other users (mode %04o); run: chmod 600 %s\n", path, reach, mode, path)
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

// errOneProfile refuses several profiles to a command that acts on one.
// what names the command ("passwd"), "" for "this command".
func errOneProfile(st config.Settings, what string) *ExitError {
	if what == "" {
		what = "this command"
	}
	if st.AllProfiles {
		return withHint(usageErrorf("%s acts on one profile, not on every profile (--all-profiles)", what), "give one profile with --profile NAME")
	}
	return withHint(usageErrorf("%s acts on one profile, and %s names several: %s", what, profileSource(st), strings.Join(st.Profiles, ", ")),
		"give one profile with --profile NAME")
}

// profileSource is what named the profiles: --profile, DQOPS_PROFILE or
// --all-profiles.
func profileSource(st config.Settings) string {
	if st.AllProfiles {
		return "--all-profiles"
	}
	return st.Source("profile")
}

// checkSeveral refuses what cannot go with several profiles: an address or
// a key given for all of them, which would send one instance's key to the
// others.
func checkSeveral(st config.Settings) error {
	for _, s := range []struct{ key, why string }{
		{"url", "each profile's own URL is used"},
		{"api-key-file", "each profile's own key is used, and one key sent to several instances would reach servers it does not belong to"},
		{"api-key", "each profile's own key is used, and one key sent to several instances would reach servers it does not belong to"},
	} {
		if src := st.Source(s.key); src != config.SourceDefault && !strings.HasPrefix(src, "profile ") {
			return withHint(usageErrorf("%s cannot be combined with several profiles (%s): %s", src, profileSource(st), s.why),
				"leave it out, or give one profile")
		}
	}
	return nil
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

// Label names the instance in prompts and plans: the profile and the URL,
// "prod (https://dqops.example.com)", or the URL alone when no profile of
// the file gives it (--url, DQOPS_URL).
func (t *target) Label() string {
	if name := t.ProfileName(); name != "" {
		return fmt.Sprintf("%s (%s)", name, text.Safe(t.URL))
	}
	return text.Safe(t.URL)
}

// ProfileName is the profile that gives the target its address, "" when
// none does.
func (t *target) ProfileName() string {
	if t.Exists && api.SameServer(t.URL, profileURL(t.Profile)) {
		return t.Profile.Name
	}
	return ""
}

// Canonical is the target's canonical URL (api.CanonicalURL), as keys,
// saved plans and exports name an instance.
func (t *target) Canonical() string {
	u, err := api.CanonicalURL(t.URL)
	if err != nil {
		return t.URL
	}
	return u
}

// safeURL is a URL from the command line or a file, for a message.
func safeURL(u string) string { return text.Safe(u) }

// lockedWriter serialises the writes of several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// requestGrace is how long a request in flight may finish after Ctrl-C, so
// that its outcome is known and reported.
const requestGrace = 500 * time.Millisecond
