package config

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// globalFlags are the global flags as the root command defines them.
func globalFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	pf := pflag.NewFlagSet("global", pflag.ContinueOnError)
	pf.String("url", "", "")
	pf.String("api-key-file", "", "")
	pf.String("profile", "", "")
	pf.String("config", "", "")
	pf.Bool("no-input", false, "")
	pf.String("color", "auto", "")
	pf.Duration("timeout", 30*time.Second, "")
	pf.Int("retries", 3, "")
	pf.String("ca-cert", "", "")
	pf.Bool("insecure-skip-tls-verify", false, "")
	pf.Bool("debug", false, "")
	if err := pf.Parse(args); err != nil {
		t.Fatal(err)
	}
	return pf
}

// Each setting comes from the strongest layer that gives it, and says which.
func TestResolveLayersAndSources(t *testing.T) {
	prod := &Profile{Name: "prod", URL: "https://prod.example.com", CACert: "ca.pem"}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		profile *Profile
		check   func(t *testing.T, st Settings)
	}{
		{"defaults", nil, nil, nil, func(t *testing.T, st Settings) {
			expect(t, st.Timeout == 30*time.Second && st.Retries == 3 && st.Color == "auto" && !st.NoInput && !st.Debug, "defaults: %+v", st)
			expect(t, st.Source("timeout") == SourceDefault && st.Source("url") == SourceDefault, "sources: %v", st.sources)
		}},
		{"profile", nil, nil, prod, func(t *testing.T, st Settings) {
			expect(t, st.URL == prod.URL && st.Source("url") == `profile "prod"`, "url %q from %s", st.URL, st.Source("url"))
			expect(t, st.CACert == "/etc/dqo/ca.pem", "a relative ca_cert is the file's directory's: %q", st.CACert)
		}},
		{"environment over profile", nil, map[string]string{"DQOPS_URL": "http://env:1", "DQOPS_TIMEOUT": "5s", "DQOPS_RETRIES": "0"}, prod, func(t *testing.T, st Settings) {
			expect(t, st.URL == "http://env:1" && st.Source("url") == "DQOPS_URL", "url %q from %s", st.URL, st.Source("url"))
			expect(t, st.Timeout == 5*time.Second && st.Source("timeout") == "DQOPS_TIMEOUT", "timeout %s", st.Timeout)
			expect(t, st.Retries == 0, "retries %d", st.Retries)
		}},
		{"flag over environment", []string{"--url", "http://flag:2", "--timeout", "1m"}, map[string]string{"DQOPS_URL": "http://env:1", "DQOPS_TIMEOUT": "5s"}, prod, func(t *testing.T, st Settings) {
			expect(t, st.URL == "http://flag:2" && st.Source("url") == "--url", "url %q from %s", st.URL, st.Source("url"))
			expect(t, st.Timeout == time.Minute && st.Source("timeout") == "--timeout", "timeout %s", st.Timeout)
		}},
		{"a blank variable is unset", nil, map[string]string{"DQOPS_URL": "  ", "DQOPS_PROFILE": ""}, nil, func(t *testing.T, st Settings) {
			expect(t, st.URL == "" && st.Profile == "" && st.Source("url") == SourceDefault, "%+v", st)
		}},
		{"booleans of the environment", nil, map[string]string{"DQOPS_DEBUG": "yes", "DQOPS_NO_INPUT": "1"}, nil, func(t *testing.T, st Settings) {
			expect(t, st.Debug && st.Source("debug") == "DQOPS_DEBUG", "debug %v", st.Debug)
			expect(t, st.NoInput && st.Source("no-input") == "DQOPS_NO_INPUT", "no-input from %s", st.Source("no-input"))
		}},
		{"false is false", nil, map[string]string{"DQOPS_DEBUG": "false", "DQOPS_NO_INPUT": "0"}, nil, func(t *testing.T, st Settings) {
			expect(t, !st.Debug && !st.NoInput, "%+v", st)
		}},
		{"CI forbids prompts and colour", nil, map[string]string{"CI": "true"}, nil, func(t *testing.T, st Settings) {
			expect(t, st.NoInput && st.Source("no-input") == "CI", "no-input from %s", st.Source("no-input"))
			expect(t, st.Color == "never" && st.Source("color") == "CI", "colour %s from %s", st.Color, st.Source("color"))
		}},
		{"--color wins over NO_COLOR", []string{"--color", "always"}, map[string]string{"NO_COLOR": "1"}, nil, func(t *testing.T, st Settings) {
			expect(t, st.Color == "always" && st.UseColor(false), "colour %s", st.Color)
		}},
		{"NO_COLOR and a dumb terminal", nil, map[string]string{"TERM": "dumb"}, nil, func(t *testing.T, st Settings) {
			expect(t, st.Color == "never" && !st.UseColor(true) && st.Source("color") == "TERM", "colour %s", st.Color)
		}},
		{"--config must exist", []string{"--config", "/x/c.yaml"}, map[string]string{"DQOPS_CONFIG": "/y"}, nil, func(t *testing.T, st Settings) {
			expect(t, st.ConfigPath == "/x/c.yaml" && st.ConfigMustExist, "%+v", st)
		}},
		{"DQOPS_CONFIG need not exist", nil, map[string]string{"DQOPS_CONFIG": "/y"}, nil, func(t *testing.T, st Settings) {
			expect(t, st.ConfigPath == "/y" && !st.ConfigMustExist, "%+v", st)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := NewResolver(globalFlags(t, tt.args...), func(k string) string { return tt.env[k] })
			st, err := r.Resolve(tt.profile, "/etc/dqo")
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, st)
		})
	}
}

func TestResolveRefusesBadValues(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, map[string]string{"DQOPS_TIMEOUT": "soon"}, `DQOPS_TIMEOUT="soon" is not a duration`},
		{nil, map[string]string{"DQOPS_RETRIES": "many"}, `DQOPS_RETRIES="many" is not a number`},
		{nil, map[string]string{"DQOPS_RETRIES": "11"}, "DQOPS_RETRIES must be between 0 and 10, not 11"},
		{[]string{"--retries", "-1"}, nil, "--retries must be between 0 and 10, not -1"},
		{[]string{"--timeout", "-1s"}, nil, "--timeout must not be negative"},
		{[]string{"--color", "pink"}, nil, `--color must be auto, always or never, not "pink"`},
		{nil, map[string]string{"DQOPS_PROFILE": "Prod"}, `DQOPS_PROFILE: invalid profile name "Prod"`},
	}
	for _, tt := range tests {
		r := NewResolver(globalFlags(t, tt.args...), func(k string) string { return tt.env[k] })
		_, err := r.Resolve(nil, "")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: error %v, want %q", tt.args, tt.env, err, tt.want)
		}
	}
}

// A profile's settings are resolved once per command line.
func TestResolveOncePerProfile(t *testing.T) {
	calls := 0
	r := NewResolver(globalFlags(t), func(k string) string { calls++; return "" })
	p := &Profile{Name: "a", URL: "http://a"}
	for range 3 {
		if _, err := r.Resolve(p, ""); err != nil {
			t.Fatal(err)
		}
	}
	first := calls
	if _, err := r.Resolve(p, ""); err != nil || calls != first {
		t.Errorf("resolved again: %d reads of the environment, then %d", first, calls)
	}
	if st, _ := r.Resolve(&Profile{Name: "b", URL: "http://b"}, ""); st.URL != "http://b" {
		t.Errorf("profile b has the url %q", st.URL)
	}
}

func expect(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}
