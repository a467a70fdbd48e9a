package config

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// The keys of the file, at the top level and in a profile.
var (
	topKeys     = []string{"current_profile", "profiles"}
	settingKeys = []string{"url", "api_key", "api_key_command", "api_key_store", "ca_cert", "audit_log"}
	settingList = strings.Join(settingKeys, ", ")
)

// synonyms are what people write for a key from other tools' habits, after
// text.Suggest normalises it; spelling mistakes are found by edit distance instead.
var synonyms = map[string]string{
	"address": "url", "host": "url", "server": "url", "endpoint": "url", "baseurl": "url",
	"token": "api_key", "key": "api_key", "apitoken": "api_key", "secret": "api_key",
	"command": "api_key_command", "keycommand": "api_key_command", "apikeycmd": "api_key_command",
	"keycmd": "api_key_command", "tokencommand": "api_key_command", "apikeyhelper": "api_key_command",
	"store": "api_key_store", "keystore": "api_key_store", "keyring": "api_key_store", "storage": "api_key_store",
	"ca": "ca_cert", "cafile": "ca_cert", "cabundle": "ca_cert", "cacertificate": "ca_cert",
	"certificateauthority": "ca_cert", "cacerts": "ca_cert",
	"current": "current_profile", "currentcontext": "current_profile", "activeprofile": "current_profile",
	"contexts": "profiles", "servers": "profiles", "instances": "profiles",
}

func isSetting(name string) bool { return slices.Contains(settingKeys, name) }

// namePhrase quotes a name from the file for a message, unless it could be
// a secret: a long or odd "name" is often a value that lost its place, such
// as an API key written where a key belongs, and is described instead.
func namePhrase(name string) string {
	if len(name) <= 24 && text.Printable(name) {
		return fmt.Sprintf(" %q", name)
	}
	return fmt.Sprintf(" of %d characters", len(name))
}

// unknownTopKey explains a key the top level does not have: a misspelling,
// a profile's setting or a profile that lost its indentation.
func unknownTopKey(name string, value *yaml.Node) string {
	if s := guessKey(name, topKeys); s != "" {
		return fmt.Sprintf("unknown key%s; did you mean %q?", namePhrase(name), s)
	}
	if s := guessKey(name, settingKeys); s != "" {
		if s == name {
			return fmt.Sprintf("%q is a profile setting: put it under a profile's name (profiles: → NAME: → %s:)", s, s)
		}
		return fmt.Sprintf("unknown key%s; did you mean %q, under a profile's name (profiles: → NAME: → %s:)?", namePhrase(name), s, s)
	}
	if value.Kind == yaml.MappingNode && validProfileName(name) {
		return fmt.Sprintf("unknown key%s; if it is a profile, indent it under profiles:", namePhrase(name))
	}
	return fmt.Sprintf("unknown key%s (the top level has current_profile: and profiles:)", namePhrase(name))
}

// unknownProfileKey explains a key a profile does not have.
func unknownProfileKey(name, profile string) string {
	if s := guessKey(name, settingKeys); s != "" {
		return fmt.Sprintf("unknown key%s in profile %q; did you mean %q?", namePhrase(name), profile, s)
	}
	if s := guessKey(name, topKeys); s != "" {
		return fmt.Sprintf("%q belongs at the top level of the file, not inside profile %q", s, profile)
	}
	return fmt.Sprintf("unknown key%s in profile %q (a profile has %s)", namePhrase(name), profile, settingList)
}

// guessKey returns the key of keys that name most likely means, or "".
func guessKey(name string, keys []string) string { return text.Suggest(name, keys, synonyms) }
