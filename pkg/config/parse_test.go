package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// TestParseProblems checks that each mistake is one sentence with its line
// and, where a guess is possible, what was meant.
func TestParseProblems(t *testing.T) {
	for _, tt := range []struct {
		name, doc string
		want      string
	}{
		{"profile for profiles", "profile:\n  prod:\n    url: http://h\n",
			`line 1: unknown key "profile"; did you mean "profiles"?`},
		{"apikey", "profiles:\n  prod:\n    apikey: k\n",
			`line 3: unknown key "apikey" in profile "prod"; did you mean "api_key"?`},
		{"api-key", "profiles:\n  prod:\n    url: http://h\n    api-key: k\n",
			`line 4: unknown key "api-key" in profile "prod"; did you mean "api_key"?`},
		{"apiKey", "profiles:\n  prod:\n    apiKey: k\n", `did you mean "api_key"?`},
		{"token", "profiles:\n  prod:\n    token: k\n", `unknown key "token" in profile "prod"; did you mean "api_key"?`},
		{"urll", "profiles:\n  prod:\n    urll: http://h\n", `line 3: unknown key "urll" in profile "prod"; did you mean "url"?`},
		{"api_key_comand", "profiles:\n  p:\n    api_key_comand: pass\n", `did you mean "api_key_command"?`},
		{"cacert", "profiles:\n  p:\n    cacert: ca.pem\n", `did you mean "ca_cert"?`},
		{"url at the top level", "url: http://h\n",
			`line 1: "url" is a profile setting: put it under a profile's name (profiles: → NAME: → url:)`},
		{"apikey at the top level", "apikey: k\n", `line 1: unknown key "apikey"; did you mean "api_key", under a profile's name`},
		{"current-profile", "current-profile: prod\n", `line 1: unknown key "current-profile"; did you mean "current_profile"?`},
		{"profiles inside a profile", "profiles:\n  p:\n    profiles: {}\n",
			`line 3: "profiles" belongs at the top level of the file, not inside profile "p"`},
		{"unknown, no guess", "profiles:\n  p:\n    colour: red\n",
			`line 3: unknown key "colour" in profile "p" (a profile has url, api_key, api_key_command, api_key_store, ca_cert, audit_log)`},
		{"profile without indentation", "profiles:\nprod:\n  url: http://h\n",
			`line 2: unknown key "prod"; if it is a profile, indent it under profiles:`},
		{"unknown top key", "colour: red\n", `line 1: unknown key "colour" (the top level has current_profile: and profiles:)`},
		{"setting where a profile belongs", "profiles:\n  prod:\n    url: http://h\n  url: http://other\n",
			`line 4: "url" is a profile setting, not a profile: indent it under a profile's name (profiles: → NAME: → url:)`},
		{"key twice", "profiles:\n  p:\n    url: a\n    url: b\n", `line 4: key "url" is set twice in profile "p" (first on line 3)`},
		{"profile twice", "profiles:\n  p: {}\n  p: {}\n", `line 3: profile "p" is defined twice (first on line 2)`},
		{"top key twice", "profiles: {}\nprofiles: {}\n", `line 2: key "profiles" is set twice (first on line 1)`},
		{"upper case", "profiles:\n  Prod:\n    url: http://h\n",
			`line 2: invalid profile name "Prod": use lower-case letters, digits, '-' and '_'`},
		{"profiles a list", "profiles: [a, b]\n", `line 1: profiles must be a mapping of profile names to their settings, not a list`},
		{"profile a value", "profiles:\n  p: http://h\n", `line 2: profile "p" must be a mapping of settings (url, api_key`},
		{"url a list", "profiles:\n  p:\n    url: [a]\n", `line 3: url must be a single value, not a list`},
		{"current_profile a mapping", "current_profile: {a: b}\n", `line 1: current_profile must be a single value, not a mapping`},
		{"current_profile invalid", "current_profile: Prod\n", `line 1: current_profile is not a valid profile name`},
		{"not a mapping", "- a\n", `line 1: the configuration must be a mapping of settings`},
		{"second document", "profiles: {}\n---\nprofiles: {}\n", `a second YAML document begins here`},
		{"store", "profiles:\n  p:\n    api_key_store: vault\n", `line 3: api_key_store of profile "p" must be "keyring" (the key is in the keyring) or absent`},
		{"store and key", "profiles:\n  p:\n    api_key: k\n    api_key_store: keyring\n", `line 4: profile "p" has both an api_key and api_key_store: keyring: keep one`},
		{"syntax", "profiles:\n  p:\n    url: a: b\n", `line 3: not valid YAML: mapping values are not allowed in this context`},
		// libyaml's parser errors come one line short from yaml.v3; the one
		// YAML reader corrects them, for this file as for users files.
		{"mis-indented fifth line", "current_profile: a\nprofiles:\n  a:\n    url: http://x\n   bad: 1\n",
			`the configuration: line 5: not valid YAML: did not find expected key`},
		// The list that is never closed opens on line 3.
		{"unclosed list", "profiles:\n  p:\n    url: [a\n  q: {}\n", `line 3: not valid YAML: did not find expected ',' or ']'`},
		{"first line", "a: b: c\n", `the configuration: line 1: not valid YAML: mapping values are not allowed`},
		{"control character", "profiles:\n  p:\n    url: a\x01b\n", `line 3: not valid YAML: control characters are not allowed`},
		{"merge at the top", "<<: {profiles: {}}\n", `line 1: a merge key (<<) is only supported inside a profile's settings`},
		{"merge into itself", "profiles:\n  p: &a\n    <<: *a\n", `line 3: a YAML alias refers to a value that contains the alias itself`},
		{"alias bomb", aliasBomb, `YAML aliases expand to far more values than the file holds`},
		{"merge of a value", "profiles:\n  p:\n    <<: x\n", `line 3: a merge key (<<) takes a mapping (<<: *base), not a single value`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
			for _, dump := range []string{"!!", "config.", "unmarshal", "yaml:"} {
				if strings.Contains(err.Error(), dump) {
					t.Errorf("the message shows the parser's internals (%q): %s", dump, err)
				}
			}
		})
	}
}

// TestParseNeverQuotesAValue puts a key where it does not belong in every
// way found so far: no message shows any part of it.
func TestParseNeverQuotesAValue(t *testing.T) {
	const key = "Zq7vKEYMATERIAL0123456789abcdefXYZ"
	for _, doc := range []string{
		"profiles:\n  prod:\n    url: http://h\n  api_key: " + key + "\n",
		"profiles:\n  prod:\n  api_key: " + key + "\n",
		"api_key: " + key + "\n",
		"profiles:\n  prod:\n    api_key: [" + key + "]\n",
		"profiles:\n  prod:\n    api_key:\n      " + key + ": x\n",
		"profiles:\n  prod:\n    " + key + ": x\n",
		"profiles:\n  prod: {" + key + "}\n",
		"profiles:\n  " + key + ": {}\n",
		"profiles:\n  prod:\n    api_key: *" + key + "\n",
		"profiles:\n  prod:\n    api_key: !" + key + " x\n",
		"profiles:\n  prod:\n    api_key: !!binary " + key + "\n",
		"current_profile: " + key + "\n",
		key + "\n",
		key + ": x\n",
		"profiles:\n  prod: " + key + "\n",
		"profiles:\n  prod:\n    api_key: \"" + key + "\n",
		"profiles:\n  prod:\n    api_key: " + key + "\n   url: x\n",
		"profiles:\n  prod:\n    api_key: " + key + "\n    api_key: " + key + "\n",
		"profiles:\n  prod:\n    api_key: " + key + "\n    api_key_store: keyring\n",
	} {
		_, err := Parse([]byte(doc))
		if err == nil {
			t.Errorf("accepted:\n%s", doc)
			continue
		}
		for i := 0; i+4 <= len(key); i++ {
			if strings.Contains(err.Error(), key[i:i+4]) {
				t.Errorf("the message shows part of the key (%q):\n%s\n%s", key[i:i+4], err, doc)
				break
			}
		}
	}
}

// aliasBomb is a few hundred bytes whose aliases stand for a billion values.
var aliasBomb = func() string {
	var b strings.Builder
	b.WriteString("a: &a [x,x,x,x,x,x,x,x,x,x]\n")
	for i := 1; i < 9; i++ {
		prev, cur := string(rune('a'+i-1)), string(rune('a'+i))
		fmt.Fprintf(&b, "%s: &%s [%s]\n", cur, cur, strings.TrimSuffix(strings.Repeat("*"+prev+",", 10), ","))
	}
	b.WriteString("profiles: *i\n")
	return b.String()
}()

// TestParseProblemsListed checks that every problem is listed with its line,
// in order, up to twenty, and the rest counted: the one problem list's
// layout, as users files have it.
func TestParseProblemsListed(t *testing.T) {
	_, err := Parse([]byte("profile: {}\nprofiles:\n  p:\n    urll: x\n"))
	want := "the configuration has 2 problems:\n  line 1: unknown key \"profile\"; did you mean \"profiles\"?\n" +
		"  line 4: unknown key \"urll\" in profile \"p\"; did you mean \"url\"?"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	var doc strings.Builder
	doc.WriteString("profiles:\n  p:\n")
	for i := range 25 {
		fmt.Fprintf(&doc, "    k%d: x\n", i)
	}
	_, err = Parse([]byte(doc.String()))
	var pe *ParseError
	if !errors.As(err, &pe) || len(pe.Problems) != 25 || pe.Omitted != 0 || !strings.HasSuffix(err.Error(), "\n  ... and 5 more problems") ||
		strings.Count(err.Error(), "\n") != 21 || !strings.HasPrefix(err.Error(), "the configuration has 25 problems:\n  line 3: ") {
		t.Errorf("25 problems: %v", err)
	}
}

// TestParseAccepts checks what a valid file may contain: YAML's aliases and
// merge keys, null profiles, numbers as values, and the keyring store.
func TestParseAccepts(t *testing.T) {
	doc := `current_profile: b
profiles:
  a: &base
    url: http://a
    api_key: ka
    ca_cert: ca.pem
  b:
    <<: *base
    api_key: kb
  c: *base
  d:
  e: {}
  f:
    url: 8888
    api_key_store: keyring
  g:
    <<: [{url: http://g1}, {url: http://g2, ca_cert: g.pem}]
`
	c, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Profile{
		"a": {Name: "a", URL: "http://a", APIKey: "ka", CACert: "ca.pem"},
		"b": {Name: "b", URL: "http://a", APIKey: "kb", CACert: "ca.pem"},
		"c": {Name: "c", URL: "http://a", APIKey: "ka", CACert: "ca.pem"},
		"d": {Name: "d"},
		"e": {Name: "e"},
		"f": {Name: "f", URL: "8888", APIKeyStore: KeyStoreKeyring},
		"g": {Name: "g", URL: "http://g1", CACert: "g.pem"},
	}
	if got := c.Profiles(); len(got) != len(want) {
		t.Errorf("%d profiles, want %d: %v", len(got), len(want), got)
	}
	for name, w := range want {
		if p, ok := c.Profile(name); !ok || p != w {
			t.Errorf("profile %s: %+v, want %+v", name, p, w)
		}
	}
	if c.Current() != "b" {
		t.Errorf("current %q", c.Current())
	}
	for _, empty := range []string{"", "\n", "# nothing\n", "---\n", "~\n", "profiles:\n", "profiles: {}\n---\n"} {
		if c, err := Parse([]byte(empty)); err != nil || len(c.Profiles()) != 0 || c.Current() != DefaultProfile {
			t.Errorf("%q: %v", empty, err)
		}
	}
}

func TestSuggest(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"profile", "profiles"}, {"Profiles", "profiles"}, {"currentProfile", "current_profile"},
		{"api_kye", "api_key"}, {"API_KEY", "api_key"}, {"uri", "url"}, {"host", "url"},
		{"api_key_cmd", "api_key_command"}, {"ca-cert", "ca_cert"}, {"keystore", "api_key_store"},
		{"colour", ""}, {"", ""}, {strings.Repeat("a", 100), ""}, {"u", ""},
	} {
		keys := append(append([]string{}, topKeys...), settingKeys...)
		if got := text.Suggest(tt.name, keys, synonyms); got != tt.want {
			t.Errorf("text.Suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// BenchmarkParseTypical measures what every command pays to read a usual
// file of a few profiles.
func BenchmarkParseTypical(b *testing.B) {
	doc := []byte("current_profile: prod\nprofiles:\n  prod:\n    url: https://dqops.example.com/dqops/\n" +
		"    api_key_command: pass show dqops/prod\n    ca_cert: ~/corp-ca.pem\n" +
		"  staging:\n    url: http://staging:8888\n    api_key: \"dqo-abc\"\n  local: {}\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}
