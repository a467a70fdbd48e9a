package config

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParse feeds arbitrary documents to the configuration parser: it never
// panics, and a document it accepts survives being saved and read again
// (what Save writes, Load must read back to the same profiles).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"current_profile: prod\nprofiles:\n  prod:\n    url: https://dqops.example.com\n    api_key: k1\n",
		"profiles:\n  default:\n    url: http://localhost:8888\n    api_key_command: pass show dqops\n    ca_cert: ca.pem\n",
		"profiles:\n  a: null\n  b: {}\n",
		"profiles:\n  Prod:\n    url: x\n",
		"profiles:\n  p:\n    urll: typo\n",
		"profiles: [1, 2]\n",
		"current_profile: [x]\n",
		"a: &a [*a]\n",
		"profiles:\n  p:\n    url: 1\n    api_key: 0x10\n",
		"%YAML 1.2\n---\nprofiles: {}\n",
		"---\n---\n",
		"profiles:\n  p: &x {url: u}\n  q: *x\n",
		"\xff\xfe",
		"profiles:\n  a: &b {url: u}\n  c: {<<: *b, api_key_store: keyring}\n",
		"profiles:\n  p:\n    <<: [{url: a}, {ca_cert: c}]\n",
		"profile:\n  p: {}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		for _, p := range c.Profiles() {
			if ValidateProfileName(p.Name) != nil {
				t.Fatalf("accepted an invalid profile name %q", p.Name)
			}
		}
		saved, err := yaml.Marshal(&c.data)
		if err != nil {
			t.Fatalf("saving %#v: %v", c.data, err)
		}
		again, err := Parse(saved)
		if err != nil {
			t.Fatalf("the saved document does not parse: %v\n%s", err, saved)
		}
		if c.Current() != again.Current() {
			t.Fatalf("current profile %q became %q\n%s", c.Current(), again.Current(), saved)
		}
		if a, b := c.Profiles(), again.Profiles(); !reflect.DeepEqual(a, b) {
			t.Fatalf("profiles changed when saved and read again:\n  %#v\n  %#v\n%s", a, b, saved)
		}
	})
}

// TestFuzzRegressions pins what FuzzParse found, through Save and Load.
func TestFuzzRegressions(t *testing.T) {
	path := t.TempDir() + "/config.yaml"
	c, err := Load(t.Context(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A profile with nothing set (after "logout" of a profile without a URL,
	// or written by hand) used to vanish on the next load.
	if err := c.SetProfile(Profile{Name: "work"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Use("work"); err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	again, err := Load(t.Context(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := again.Profile("work"); !ok || again.Current() != "work" {
		t.Errorf("the empty profile vanished: %v, current %q", again.Profiles(), again.Current())
	}
	// Upper case used to be folded silently by viper.
	if _, err := Parse([]byte("profiles:\n  Prod:\n    url: http://h\n")); err == nil || !strings.Contains(err.Error(), `invalid profile name "Prod"`) {
		t.Errorf("upper-case profile name: %v", err)
	}
}
