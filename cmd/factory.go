package cmd

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
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
}

// Factory builds what commands need, lazily: "version" and "completion" read
// no configuration and build no client.
type Factory struct {
	IO      *iostreams.IOStreams
	Version string
	// Getenv reads the environment; tests give their own.
	Getenv func(string) string
	// Transport, when set, carries every request (tests, fault injection).
	Transport http.RoundTripper

	Global GlobalOptions

	once     sync.Once
	cfg      *config.Config
	cfgErr   error
	keyOnce  sync.Once
	key      string
	keyErr   error
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
	if f.Global.Profile != "" {
		return f.Global.Profile, config.ValidateProfileName(f.Global.Profile)
	}
	if p := f.env("DQOPS_PROFILE"); p != "" {
		return p, config.ValidateProfileName(p)
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
	p, _ := cfg.Profile(name)
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
	if f.Global.APIKeyFile != "" {
		data, err := os.ReadFile(f.Global.APIKeyFile)
		if err != nil {
			return "", &ExitError{Code: ExitUsage, Err: fmt.Errorf("reading --api-key-file: %w", err)}
		}
		key := strings.TrimSpace(string(data))
		if key == "" {
			return "", &ExitError{Code: ExitUsage, Err: fmt.Errorf("--api-key-file %s is empty", f.Global.APIKeyFile)}
		}
		return key, nil
	}
	if k := f.env("DQOPS_API_KEY"); k != "" {
		return k, nil
	}
	p, err := f.profile()
	if err != nil {
		return "", err
	}
	if p.APIKey == "" && p.APIKeyCommand != "" {
		return runKeyCommand(p.Name, p.APIKeyCommand)
	}
	return p.APIKey, nil
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
	}
	return api.New(api.Options{
		BaseURL:   u,
		APIKey:    key,
		UserAgent: "dqo-users/" + f.Version,
		Transport: f.Transport,
		Timeout:   f.Global.Timeout,
	})
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

func errNotPaired(err error) *ExitError {
	return &ExitError{Code: ExitForbidden, Status: 404,
		Err:  fmt.Errorf("this DQOps instance is not paired with DQOps Cloud, so user management is not available"),
		Hint: "user management needs a TEAM or ENTERPRISE licence and an instance paired with DQOps Cloud"}
}

// runKeyCommand runs a profile's api_key_command and returns its stdout, as
// credential helpers do. Its output is never shown: it is the key.
func runKeyCommand(profile, command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	c.Stderr = os.Stderr
	out, err := c.Output()
	if err != nil {
		return "", fmt.Errorf("running api_key_command of profile %q: %w", profile, err)
	}
	key := strings.TrimSpace(string(out))
	if key == "" {
		return "", fmt.Errorf("api_key_command of profile %q printed no key", profile)
	}
	return key, nil
}
