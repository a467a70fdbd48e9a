package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// DefaultURL is where DQOps listens when nothing else is configured.
const DefaultURL = "http://localhost:8888"

// GlobalOptions are the flags every command has.
type GlobalOptions struct {
	URL        string
	APIKeyFile string
	Profile    string
	ConfigPath string
	NoInput    bool
	Color      string
	Timeout    time.Duration
	// Retries is how often a failed request is sent again (--retries).
	Retries int
	// CACert is a PEM file of certificate authorities to trust (--ca-cert).
	CACert string
	// InsecureSkipTLSVerify turns off the server certificate check.
	InsecureSkipTLSVerify bool
	// Debug traces every request to stderr, secrets redacted (--debug).
	Debug bool
}

// Factory builds what commands need, lazily: "version" and "completion" read
// no configuration and build no client.
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

	Global GlobalOptions

	// creatingProfile lets login name a profile that does not exist yet;
	// for every other command a named but missing profile is an error.
	creatingProfile bool

	once     sync.Once
	cfg      *config.Config
	cfgErr   error
	keyOnce  sync.Once
	key      string
	keyErr   error
	warnOnce sync.Once
	clientMu sync.Mutex
	client   *api.Client
}

// env returns an environment variable; empty counts as unset.
func (f *Factory) env(name string) string {
	return strings.TrimSpace(f.Getenv(name))
}

// ConfigPath is --config, else DQOPS_CONFIG, else the default location.
func (f *Factory) ConfigPath() (string, error) {
	if f.Global.ConfigPath != "" {
		return f.Global.ConfigPath, nil
	}
	if p := f.env("DQOPS_CONFIG"); p != "" {
		return p, nil
	}
	return config.DefaultPath()
}

// Config loads the configuration file once.
func (f *Factory) Config() (*config.Config, error) {
	f.once.Do(func() {
		path, err := f.ConfigPath()
		if err != nil {
			f.cfgErr = err
			return
		}
		f.cfg, f.cfgErr = config.Load(path)
		if f.cfgErr == nil {
			if mode, bad := f.cfg.InsecureMode(); bad {
				fmt.Fprintf(f.IO.ErrOut, "warning: %s is readable by other users (mode %04o); run: chmod 600 %s\n", path, mode, path)
			}
		}
	})
	return f.cfg, f.cfgErr
}

// ProfileName is --profile, else DQOPS_PROFILE, else the config's current one.
func (f *Factory) ProfileName() (string, error) {
	name, source := f.Global.Profile, "--profile"
	if name == "" {
		name, source = f.env("DQOPS_PROFILE"), "DQOPS_PROFILE"
	}
	if name != "" {
		if err := config.ValidateProfileName(name); err != nil {
			return "", &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", source, err)}
		}
		return name, nil
	}
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	return cfg.Current(), nil
}

// profile returns the active profile (empty when it is not in the file).
func (f *Factory) profile() (config.Profile, error) {
	name, err := f.ProfileName()
	if err != nil {
		return config.Profile{}, err
	}
	cfg, err := f.Config()
	if err != nil {
		return config.Profile{}, err
	}
	p, ok := cfg.Profile(name)
	if !ok && !f.creatingProfile && (f.Global.Profile != "" || f.env("DQOPS_PROFILE") != "") {
		return config.Profile{}, withHint(usageErrorf("no profile named %q in %s", name, cfg.Path()),
			"`dqo-users config list` shows the profiles; `dqo-users login --profile "+name+"` creates it")
	}
	return p, nil
}

// URL is --url, else DQOPS_URL, else the profile's, else DefaultURL.
func (f *Factory) URL() (string, error) {
	raw := f.Global.URL
	if raw == "" {
		raw = f.env("DQOPS_URL")
	}
	if raw == "" {
		p, err := f.profile()
		if err != nil {
			return "", err
		}
		raw = p.URL
	}
	if raw == "" {
		raw = DefaultURL
	}
	u, err := api.NormalizeURL(raw)
	if err != nil {
		return "", &ExitError{Code: ExitUsage, Err: err}
	}
	return u, nil
}

// APIKey is the contents of --api-key-file, else DQOPS_API_KEY, else the
// profile's; empty when none is configured.
func (f *Factory) APIKey() (string, error) {
	f.keyOnce.Do(func() { f.key, f.keyErr = f.resolveKey() })
	return f.key, f.keyErr
}

func (f *Factory) resolveKey() (string, error) {
	key, source, err := f.findKey()
	if err != nil || key == "" {
		return "", err
	}
	if err := api.ValidateAPIKey(key); err != nil {
		return "", &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", source, err),
			Hint: "copy the key again from your user profile screen in DQOps"}
	}
	return key, nil
}

// findKey returns the configured key and where it came from, for messages
// that must name the source and never the key.
func (f *Factory) findKey() (key, source string, err error) {
	if f.Global.APIKeyFile != "" {
		source = "--api-key-file " + f.Global.APIKeyFile
		data, err := os.ReadFile(f.Global.APIKeyFile)
		if err != nil {
			return "", source, &ExitError{Code: ExitUsage, Err: fmt.Errorf("reading --api-key-file: %w", err)}
		}
		key := strings.TrimSpace(string(data))
		if key == "" {
			return "", source, &ExitError{Code: ExitUsage, Err: fmt.Errorf("--api-key-file %s is empty", f.Global.APIKeyFile)}
		}
		return key, source, nil
	}
	if k := f.env("DQOPS_API_KEY"); k != "" {
		return k, "DQOPS_API_KEY", nil
	}
	p, err := f.profile()
	if err != nil {
		return "", "", err
	}
	if p.APIKey == "" && p.APIKeyCommand != "" {
		key, err := f.runKeyCommand(p.Name, p.APIKeyCommand)
		return key, fmt.Sprintf("the api_key_command of profile %q", p.Name), err
	}
	return p.APIKey, fmt.Sprintf("the api_key of profile %q", p.Name), nil
}

// hasKey reports whether an API key is configured, for error messages.
func (f *Factory) hasKey() bool {
	k, err := f.APIKey()
	return err == nil && k != ""
}

// Client builds the API client once, from the resolved URL and key.
func (f *Factory) Client() (*api.Client, error) {
	f.clientMu.Lock()
	defer f.clientMu.Unlock()
	if f.client != nil {
		return f.client, nil
	}
	c, err := f.newClient("")
	if err != nil {
		return nil, err
	}
	f.client = c
	return c, nil
}

// newClient builds a client; a non-empty key replaces the configured one
// (login verifies a key before storing it).
func (f *Factory) newClient(key string) (*api.Client, error) {
	u, err := f.URL()
	if err != nil {
		return nil, err
	}
	if key == "" {
		if key, err = f.APIKey(); err != nil {
			return nil, err
		}
	} else if err := api.ValidateAPIKey(key); err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	caCert, err := f.caCertFile()
	if err != nil {
		return nil, err
	}
	if f.Global.InsecureSkipTLSVerify && strings.HasPrefix(u, "https:") {
		f.warnOnce.Do(func() {
			fmt.Fprintln(f.IO.ErrOut, "warning: --insecure-skip-tls-verify: the server's certificate is not checked, "+
				"so anyone between you and the server can read the API key and passwords")
		})
	}
	var debug io.Writer
	if f.Global.Debug {
		debug = f.IO.ErrOut
	}
	c, err := api.New(api.Options{
		BaseURL:            u,
		APIKey:             key,
		UserAgent:          "dqo-users/" + f.Version,
		Transport:          f.Transport,
		Timeout:            f.Global.Timeout,
		Retries:            f.Global.Retries,
		Backoff:            f.Backoff,
		CACertFile:         caCert,
		InsecureSkipVerify: f.Global.InsecureSkipTLSVerify,
		Proxy:              f.Proxy,
		Debug:              debug,
	})
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return c, nil
}

// caCertFile is --ca-cert, else DQOPS_CA_CERT, else the profile's ca_cert (a
// relative path there is relative to the configuration file's directory).
func (f *Factory) caCertFile() (string, error) {
	if f.Global.CACert != "" {
		return f.Global.CACert, nil
	}
	if p := f.env("DQOPS_CA_CERT"); p != "" {
		return p, nil
	}
	p, err := f.profile()
	if err != nil || p.CACert == "" {
		return "", err
	}
	path := p.CACert
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	if !filepath.IsAbs(path) {
		cfg, err := f.Config()
		if err != nil {
			return "", err
		}
		path = filepath.Join(filepath.Dir(cfg.Path()), path)
	}
	return path, nil
}

// caller returns the email of the account the key belongs to.
func (f *Factory) caller(ctx context.Context, c *api.Client) (*api.Profile, error) {
	p, err := c.Profile(ctx)
	if err != nil {
		if api.IsStatus(err, 404) {
			return nil, errNotPaired(err)
		}
		return nil, err
	}
	return p, nil
}

// callerAndUsers reads who the caller is and every user, with one profile
// and one list call: what delete, export and apply start from.
func (f *Factory) callerAndUsers(ctx context.Context) (*api.Client, *api.Profile, []api.User, error) {
	client, err := f.Client()
	if err != nil {
		return nil, nil, nil, err
	}
	caller, err := f.caller(ctx, client)
	if err != nil {
		return nil, nil, nil, err
	}
	users, err := client.ListUsers(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	return client, caller, users, nil
}

func errNotPaired(err error) *ExitError {
	return &ExitError{Code: ExitForbidden, Status: 404,
		Err:  fmt.Errorf("this DQOps instance is not paired with DQOps Cloud, so user management is not available"),
		Hint: "user management needs a TEAM or ENTERPRISE licence and an instance paired with DQOps Cloud; if this is not DQOps, check --url and its path prefix"}
}

// defaultKeyCommandTimeout bounds a profile's api_key_command.
const defaultKeyCommandTimeout = 30 * time.Second

// runKeyCommand runs a profile's api_key_command and returns its stdout, as
// credential helpers do. Its output is the key: it is never shown, nor put
// in an error. The command's stderr passes through (a helper may explain a
// failure there); its stdin is empty, so that it never eats a password given
// on ours.
func (f *Factory) runKeyCommand(profile, command string) (string, error) {
	timeout := f.KeyCommandTimeout
	if timeout <= 0 {
		timeout = defaultKeyCommandTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	c.Stdin = nil
	c.Stderr = f.IO.ErrOut
	// A helper that leaves a child holding stdout open must not hang us.
	c.WaitDelay = time.Second
	out, err := c.Output()
	fail := func(format string, args ...any) error {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("api_key_command of profile %q "+format, append([]any{profile}, args...)...),
			Hint: "run the command yourself to check that it prints the key alone; `dqo-users config view` shows it"}
	}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return "", fail("did not finish within %s", timeout)
	case errors.As(err, &exitErr):
		return "", fail("failed (%s)", exitErr.ProcessState.String())
	case err != nil:
		return "", fail("could not be run: %v", err)
	}
	key := strings.TrimSpace(string(out))
	switch {
	case key == "":
		return "", fail("printed no key")
	case strings.ContainsAny(key, "\r\n"):
		return "", fail("printed more than one line: it must print the key alone")
	}
	return key, nil
}
