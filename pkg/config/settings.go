package config

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Settings are what dqo-users runs with, each taken from the strongest layer
// that gives it: a flag, else an environment variable, else the profile,
// else the default. A Resolver decides them, and Source says which layer
// gave each.
type Settings struct {
	// ConfigPath is the configuration file (--config, DQOPS_CONFIG); ""
	// when neither names one (DefaultPath applies).
	ConfigPath string
	// ConfigMustExist is whether the file was named by --config, which
	// must name a file that exists (as kubectl's --kubeconfig must), unless
	// the command creates it.
	ConfigMustExist bool
	// Profile is the profile named by --profile or DQOPS_PROFILE, "" when
	// none is named (the file's current profile is used), or the first of
	// Profiles.
	Profile string
	// Profiles are the profiles a command acts on when --profile or
	// DQOPS_PROFILE names several, comma-separated ("dev,prod"), in the
	// order given, each once.
	Profiles []string
	// AllProfiles is --all-profiles: every profile of the configuration.
	AllProfiles bool
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
	// NoInput forbids prompts; Source("no-input") names what did:
	// "--no-input", "DQOPS_NO_INPUT" or "CI".
	NoInput bool
	// Color is --color as the environment settles it: "always", "never"
	// (also for NO_COLOR, CI and TERM=dumb), or "auto", colour on a terminal.
	Color string
	// Timeout bounds each request; 0 means none.
	Timeout time.Duration
	// Retries is how often a failed request is sent again.
	Retries int
	// InsecureSkipTLSVerify turns off the check of the server's certificate.
	InsecureSkipTLSVerify bool
	// Debug traces every request to stderr.
	Debug bool
	// AuditLog is the file every change is recorded in (--audit-log,
	// DQOPS_AUDIT_LOG, or the profile's audit_log, taken as ca_cert is);
	// "" for none.
	AuditLog string

	sources map[string]string
}

// Source names the layer a setting came from, as messages name it: the
// flag ("--url"), the environment variable ("DQOPS_URL"), the profile
// (`profile "prod"`), or "default". key is the setting's flag name
// ("url", "timeout", "no-input", "color", ...).
func (s Settings) Source(key string) string { return cmp.Or(s.sources[key], SourceDefault) }

// SourceDefault is the Source of a setting no layer gives.
const SourceDefault = "default"

// Several reports whether the command acts on several profiles: more than
// one named, or --all-profiles.
func (s Settings) Several() bool { return len(s.Profiles) > 1 || s.AllProfiles }

// UseColor is whether output to a terminal (or not) is coloured.
func (s Settings) UseColor(terminal bool) bool {
	return s.Color == "always" || s.Color != "never" && terminal
}

// MaxRetries bounds --retries: with the backoff cap, 10 retries already wait
// close to a minute.
const MaxRetries = 10

// layer ties a setting to the flag and environment variable that can give
// it; a profile gives url, ca-cert and audit-log.
type layer struct {
	key, flag, env string
}

var layers = []layer{
	{key: "config", flag: "config", env: "DQOPS_CONFIG"},
	{key: "profile", flag: "profile", env: "DQOPS_PROFILE"},
	{key: "url", flag: "url", env: "DQOPS_URL"},
	{key: "api-key-file", flag: "api-key-file"},
	{key: "api-key", env: "DQOPS_API_KEY"},
	{key: "ca-cert", flag: "ca-cert", env: "DQOPS_CA_CERT"},
	{key: "no-input", flag: "no-input", env: "DQOPS_NO_INPUT"},
	{key: "color", flag: "color"},
	{key: "timeout", flag: "timeout", env: "DQOPS_TIMEOUT"},
	{key: "retries", flag: "retries", env: "DQOPS_RETRIES"},
	{key: "insecure-skip-tls-verify", flag: "insecure-skip-tls-verify"},
	{key: "debug", flag: "debug", env: "DQOPS_DEBUG"},
	{key: "audit-log", flag: "audit-log", env: "DQOPS_AUDIT_LOG"},
	{key: "all-profiles", flag: "all-profiles"},
}

// Resolver decides the settings of one command line: its flags, the
// environment and, for each profile it is asked about, that profile. It is
// the one place that looks at the layers. Each profile's settings are
// resolved once; the flags are read when first asked, after cobra has
// parsed them.
type Resolver struct {
	flags  *pflag.FlagSet
	getenv func(string) string

	mu   sync.Mutex
	done map[string]resolved
}

type resolved struct {
	st  Settings
	err error
}

// NewResolver returns the resolver of a command line's flags (the global
// ones, with the command's own; nil for none) and an environment (nil for
// none; an empty or blank value is unset).
func NewResolver(flags *pflag.FlagSet, getenv func(string) string) *Resolver {
	return &Resolver{flags: flags, getenv: getenv, done: map[string]resolved{}}
}

// Resolve returns the settings with profile p's layer, or without any
// profile for nil. configDir is the configuration file's directory, against
// which a relative ca_cert of the profile is taken. A value that cannot be
// used (a timeout that is not a duration, a colour that is not auto, always
// or never, an invalid profile name) is an error naming where it came
// from.
func (r *Resolver) Resolve(p *Profile, configDir string) (Settings, error) {
	name := ""
	if p != nil {
		name = "profile " + p.Name
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.done[name]; ok {
		return d.st, d.err
	}
	st, err := r.resolve(p, configDir)
	r.done[name] = resolved{st, err}
	return st, err
}

func (r *Resolver) env(name string) string {
	if r.getenv == nil || name == "" {
		return ""
	}
	return strings.TrimSpace(r.getenv(name))
}

// flag is the flag of that name, nil when there is none.
func (r *Resolver) flag(name string) *pflag.Flag {
	if r.flags == nil || name == "" {
		return nil
	}
	return r.flags.Lookup(name)
}

func (r *Resolver) flagSet(name string) bool {
	f := r.flag(name)
	return f != nil && f.Changed
}

// resolve builds the layers in viper, whose order is dqo-users's: a flag
// the user set is viper's flag layer, the environment its configuration
// layer, the profile its default layer, and a flag's own default its last
// resort.
func (r *Resolver) resolve(p *Profile, configDir string) (Settings, error) {
	v := viper.New()
	env := map[string]any{}
	sources := map[string]string{}
	var profile map[string]string // the profile's settings, by the key of their layer
	if p != nil {
		profile = map[string]string{
			"url":       p.URL,
			"ca-cert":   profilePath(p.CACert, configDir),
			"audit-log": profilePath(p.AuditLog, configDir),
		}
	}
	for _, s := range layers {
		switch {
		case r.flagSet(s.flag):
			sources[s.key] = "--" + s.flag
		case r.env(s.env) != "":
			sources[s.key] = s.env
		case profile[s.key] != "":
			sources[s.key] = fmt.Sprintf("profile %q", p.Name)
		}
		if f := r.flag(s.flag); f != nil {
			_ = v.BindPFlag(s.key, f)
		}
		if val := r.env(s.env); val != "" {
			env[s.key] = val
		}
		if val := profile[s.key]; val != "" {
			v.SetDefault(s.key, val)
		}
	}
	// Booleans of the environment count when set and not 0 or false
	// (DQOPS_DEBUG=yes); CI forbids prompts when set at all.
	for _, key := range []string{"debug", "no-input"} {
		if val, ok := env[key].(string); ok {
			env[key] = val != "0" && !strings.EqualFold(val, "false")
		}
	}
	if _, ok := env["no-input"]; !ok && r.env("CI") != "" && !r.flagSet("no-input") {
		env["no-input"], sources["no-input"] = true, "CI"
	}
	// NO_COLOR, CI and a dumb terminal turn colour off unless --color says.
	for _, name := range []string{"NO_COLOR", "CI", "TERM"} {
		if val := r.env(name); val != "" && (name != "TERM" || val == "dumb") && !r.flagSet("color") {
			env["color"], sources["color"] = "never", name
			break
		}
	}
	if err := v.MergeConfigMap(env); err != nil {
		return Settings{}, err
	}

	st := Settings{
		ConfigPath:            v.GetString("config"),
		ConfigMustExist:       r.flagSet("config"),
		URL:                   v.GetString("url"),
		APIKeyFile:            v.GetString("api-key-file"),
		EnvAPIKey:             v.GetString("api-key"),
		CACert:                v.GetString("ca-cert"),
		Color:                 v.GetString("color"),
		InsecureSkipTLSVerify: v.GetBool("insecure-skip-tls-verify"),
		Debug:                 v.GetBool("debug"),
		AuditLog:              v.GetString("audit-log"),
		AllProfiles:           v.GetBool("all-profiles"),
		NoInput:               v.GetBool("no-input"),
		sources:               sources,
	}
	if named := v.GetString("profile"); named != "" {
		for name := range strings.SplitSeq(named, ",") {
			name = strings.TrimSpace(name)
			if err := ValidateProfileName(name); err != nil {
				return Settings{}, fmt.Errorf("%s: %w", sources["profile"], err)
			}
			if !slices.Contains(st.Profiles, name) {
				st.Profiles = append(st.Profiles, name)
			}
		}
		st.Profile = st.Profiles[0]
	}
	if st.AllProfiles && len(st.Profiles) > 0 {
		return Settings{}, fmt.Errorf("--all-profiles and %s cannot be used together: give one of them", sources["profile"])
	}
	var err error
	if st.Timeout, err = time.ParseDuration(v.GetString("timeout")); err != nil {
		return Settings{}, fmt.Errorf("DQOPS_TIMEOUT=%q is not a duration such as 30s or 2m", v.GetString("timeout"))
	}
	if st.Timeout < 0 {
		return Settings{}, fmt.Errorf("%s must not be negative", cmp.Or(sources["timeout"], "--timeout"))
	}
	if st.Retries, err = strconv.Atoi(v.GetString("retries")); err != nil {
		return Settings{}, fmt.Errorf("DQOPS_RETRIES=%q is not a number of retries such as 3", v.GetString("retries"))
	}
	if st.Retries < 0 || st.Retries > MaxRetries {
		return Settings{}, fmt.Errorf("%s must be between 0 and %d, not %d", cmp.Or(sources["retries"], "--retries"), MaxRetries, st.Retries)
	}
	if !slices.Contains([]string{"auto", "always", "never"}, st.Color) {
		return Settings{}, fmt.Errorf("--color must be auto, always or never, not %q", st.Color)
	}
	return st, nil
}

// profilePath reads a path written in the configuration file: "~/" is the
// home directory, and a relative path is relative to the file's directory;
// none stays none.
func profilePath(path, configDir string) string {
	if path == "" {
		return ""
	}
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
