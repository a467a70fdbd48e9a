package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Settings are what dqo-users runs with, each taken from the strongest layer
// that gives it: a flag, else an environment variable, else the profile,
// else the default. Resolve decides them; nothing else looks at the layers.
type Settings struct {
	// ConfigPath is the configuration file (--config, DQOPS_CONFIG, or the
	// default location).
	ConfigPath string
	// Profile is the profile named by --profile or DQOPS_PROFILE, "" when
	// none is named (the file's current profile is used).
	Profile string
	// ProfileSource says where Profile came from, for messages:
	// "--profile" or "DQOPS_PROFILE".
	ProfileSource string
	// URL is the DQOps address: --url or DQOPS_URL, else the profile's;
	// "" when none of them gives one (the caller's default applies).
	URL string
	// APIKeyFile is --api-key-file.
	APIKeyFile string
	// EnvAPIKey is DQOPS_API_KEY.
	EnvAPIKey string
	// CACert is a PEM file of certificate authorities to trust: --ca-cert or
	// DQOPS_CA_CERT as given, or the profile's ca_cert with "~/" expanded
	// and a relative path taken from the configuration file's directory.
	CACert string
	// NoInputReason, when not empty, forbids prompts and names what did:
	// "--no-input", "DQOPS_NO_INPUT" or "CI".
	NoInputReason string
	// Color is --color: auto, always or never.
	Color string
	// Timeout bounds each request; 0 means none.
	Timeout time.Duration
	// Retries is how often a failed request is sent again.
	Retries int
	// InsecureSkipTLSVerify turns off the check of the server's certificate.
	InsecureSkipTLSVerify bool
	// Debug traces every request to stderr.
	Debug bool
}

// MaxRetries bounds --retries: with the backoff cap, 10 retries already wait
// close to a minute.
const MaxRetries = 10

// Layers are where settings come from, strongest first.
type Layers struct {
	// Flags are the command's flags, persistent ones included; only flags
	// the user set count, a flag's own default comes last.
	Flags *pflag.FlagSet
	// Getenv reads the environment; an empty or blank value is unset.
	Getenv func(string) string
	// Profile is the active profile, nil before the file is read.
	Profile *Profile
	// ConfigDir is the configuration file's directory, against which a
	// relative ca_cert of the profile is taken.
	ConfigDir string
}

// layer ties a setting to the flag, environment variable and profile key
// that can give it.
type layer struct {
	key, flag, env, profile string
}

var layers = []layer{
	{key: "config", flag: "config", env: "DQOPS_CONFIG"},
	{key: "profile", flag: "profile", env: "DQOPS_PROFILE"},
	{key: "url", flag: "url", env: "DQOPS_URL", profile: "url"},
	{key: "api-key-file", flag: "api-key-file"},
	{key: "api-key", env: "DQOPS_API_KEY"},
	{key: "ca-cert", flag: "ca-cert", env: "DQOPS_CA_CERT", profile: "ca_cert"},
	{key: "no-input", flag: "no-input", env: "DQOPS_NO_INPUT"},
	{key: "color", flag: "color"},
	{key: "timeout", flag: "timeout", env: "DQOPS_TIMEOUT"},
	{key: "retries", flag: "retries", env: "DQOPS_RETRIES"},
	{key: "insecure-skip-tls-verify", flag: "insecure-skip-tls-verify"},
	{key: "debug", flag: "debug", env: "DQOPS_DEBUG"},
}

// Resolve reads every setting from the layers. A value that cannot be
// used (a timeout that is not a duration, a colour that is not auto, always
// or never, an invalid profile name) is a *SettingError naming where it came
// from; flags are already typed by their parser, so a bad value of a typed
// setting comes from the environment.
//
// viper holds the layers: a set flag is its flag layer, the environment its
// config layer, the profile its default layer and a flag's own default its
// last resort, which is the order dqo-users promises.
func Resolve(l Layers) (Settings, error) {
	getenv := func(name string) string {
		if l.Getenv == nil || name == "" {
			return ""
		}
		return strings.TrimSpace(l.Getenv(name))
	}
	v := viper.New()
	env := map[string]any{}
	for _, s := range layers {
		if s.flag != "" && l.Flags != nil {
			if f := l.Flags.Lookup(s.flag); f != nil {
				_ = v.BindPFlag(s.key, f)
			}
		}
		if val := getenv(s.env); val != "" {
			env[s.key] = val
		}
		if s.profile != "" && l.Profile != nil {
			if val := l.Profile.value(s.profile); val != "" {
				v.SetDefault(s.key, val)
			}
		}
	}
	if err := v.MergeConfigMap(env); err != nil {
		return Settings{}, err
	}
	fromFlag := func(name string) bool {
		if l.Flags == nil {
			return false
		}
		f := l.Flags.Lookup(name)
		return f != nil && f.Changed
	}

	st := Settings{
		ConfigPath:            v.GetString("config"),
		URL:                   v.GetString("url"),
		APIKeyFile:            v.GetString("api-key-file"),
		EnvAPIKey:             v.GetString("api-key"),
		Color:                 v.GetString("color"),
		InsecureSkipTLSVerify: v.GetBool("insecure-skip-tls-verify"),
		Debug:                 v.GetBool("debug"),
	}
	// Prompts are off when any layer says so; CI counts when set at all.
	switch {
	case fromFlag("no-input") && v.GetBool("no-input"):
		st.NoInputReason = "--no-input"
	case envTrue(getenv("DQOPS_NO_INPUT")):
		st.NoInputReason = "DQOPS_NO_INPUT"
	case getenv("CI") != "":
		st.NoInputReason = "CI"
	}
	if !fromFlag("debug") {
		// DQOPS_DEBUG=yes counts, as every boolean variable of the tool does.
		st.Debug = envTrue(getenv("DQOPS_DEBUG"))
	}
	if st.Profile = v.GetString("profile"); st.Profile != "" {
		st.ProfileSource = "DQOPS_PROFILE"
		if fromFlag("profile") {
			st.ProfileSource = "--profile"
		}
		if err := ValidateProfileName(st.Profile); err != nil {
			return Settings{}, &SettingError{Err: fmt.Errorf("%s: %w", st.ProfileSource, err)}
		}
	}

	timeout := v.GetString("timeout")
	d, err := time.ParseDuration(timeout)
	if err != nil && !fromFlag("timeout") {
		return Settings{}, &SettingError{Err: fmt.Errorf("DQOPS_TIMEOUT=%q is not a duration such as 30s or 2m", timeout)}
	}
	if st.Timeout = d; d < 0 {
		return Settings{}, &SettingError{Err: errors.New("--timeout must not be negative")}
	}
	retries := v.GetString("retries")
	n, err := strconv.Atoi(retries)
	if err != nil && !fromFlag("retries") {
		return Settings{}, &SettingError{Err: fmt.Errorf("DQOPS_RETRIES=%q is not a number of retries such as 3", retries)}
	}
	if st.Retries = n; n < 0 || n > MaxRetries {
		return Settings{}, &SettingError{Err: fmt.Errorf("--retries must be between 0 and %d, not %d", MaxRetries, n)}
	}
	switch st.Color {
	case "auto", "always", "never":
	default:
		return Settings{}, &SettingError{Err: fmt.Errorf("--color must be auto, always or never, not %q", st.Color)}
	}

	st.CACert = v.GetString("ca-cert")
	if st.CACert != "" && !fromFlag("ca-cert") && getenv("DQOPS_CA_CERT") == "" {
		st.CACert = profilePath(st.CACert, l.ConfigDir)
	}
	return st, nil
}

// profilePath reads a path written in the configuration file: "~/" is the
// home directory, and a relative path is relative to the file's directory.
func profilePath(path, configDir string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	if !filepath.IsAbs(path) && configDir != "" {
		path = filepath.Join(configDir, path)
	}
	return path
}

// envTrue reads a boolean environment variable: set, and not 0 or false.
func envTrue(v string) bool {
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// value returns the profile's setting stored under a configuration key.
func (p *Profile) value(key string) string {
	switch key {
	case "url":
		return p.URL
	case "ca_cert":
		return p.CACert
	}
	return ""
}

// SettingError is a setting whose value cannot be used.
type SettingError struct{ Err error }

func (e *SettingError) Error() string { return e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }
