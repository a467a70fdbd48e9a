package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
	"go.yaml.in/yaml/v3"
)

// Parse reads a configuration document from memory (used by Load and tests).
func Parse(data []byte) (*Config, error) {
	c := newConfig("")
	if err := c.parse(data); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) parse(data []byte) error {
	nodes := 0
	for _, b := range []byte("\n,:-[{?") {
		nodes += bytes.Count(data, []byte{b})
	}
	if nodes > maxStructure {
		return &TooLargeError{Path: c.path, Limit: maxStructure, Structure: true}
	}
	d := &decoder{merged: map[*yaml.Node]settings{}}
	// The one YAML reader: its syntax messages quote nothing of the file.
	root, err := yamlfile.Decode(data)
	var p *yamlfile.Problem
	if errors.As(err, &p) {
		d.Add(p.Line, "%s", p.Message)
	}
	f := d.document(root)
	if e := d.Result(c.path); e != nil {
		e.Kind = errorKind(c.path)
		return e
	}
	c.data = f
	return nil
}

// decoder turns the YAML node tree into the configuration, collecting every
// problem in the one problem list instead of stopping at the first, so that
// one run shows them all.
type decoder struct {
	yamlfile.List
	// merged holds the settings of each profile mapping, decoded once
	// however often it is aliased or merged.
	merged map[*yaml.Node]settings
}

// setting is one value of a profile and the line of its key.
type setting struct {
	value string
	line  int
}

type settings map[string]setting

func (d *decoder) document(root *yaml.Node) file {
	f := file{Profiles: map[string]*Profile{}}
	if root == nil || isNull(resolve(root)) {
		return f
	}
	if root = resolve(root); root.Kind != yaml.MappingNode {
		d.Add(root.Line, "the configuration must be a mapping of settings (current_profile:, profiles:)")
		return f
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		name, ok := d.key(k, seen, "key%s is set twice (first on line %d)")
		if !ok {
			continue
		}
		switch name {
		case "current_profile":
			s, ok := d.scalar(v, name)
			if ok && s != "" && !validProfileName(s) {
				d.Add(k.Line, "current_profile is not a valid profile name: %s", profileNameRule)
			}
			f.CurrentProfile = s
		case "profiles":
			d.profiles(v, f.Profiles)
		default:
			d.Add(k.Line, "%s", unknownTopKey(name, resolve(v)))
		}
	}
	return f
}

// key checks a mapping key: a plain scalar, set once (twice is the message
// when it is not, given the name and the line of the first). Merge keys are
// reported here; a profile's settings handle their own.
func (d *decoder) key(k *yaml.Node, seen map[string]int, twice string) (string, bool) {
	k = resolve(k)
	if k.Kind != yaml.ScalarNode {
		d.Add(k.Line, "a key must be a plain name, not a %s", kindName(k))
		return "", false
	}
	if isMerge(k) {
		d.Add(k.Line, "a merge key (<<) is only supported inside a profile's settings")
		return "", false
	}
	name := keyText(k)
	if first, dup := seen[name]; dup {
		d.Add(k.Line, twice, namePhrase(name), first)
		return "", false
	}
	seen[name] = k.Line
	return name, true
}

// scalar returns a single value; null is empty. Tags other than YAML's own
// are refused, since such a "tag" is more likely a value that lost its quotes.
func (d *decoder) scalar(v *yaml.Node, what string) (string, bool) {
	n := resolve(v)
	if n.Kind != yaml.ScalarNode {
		d.Add(v.Line, "%s must be a single value, not a %s", what, kindName(n))
		return "", false
	}
	switch n.ShortTag() {
	case "!!null":
		return "", true
	case "!!str", "!!int", "!!float", "!!bool", "!!timestamp":
		return n.Value, true
	}
	d.Add(v.Line, "%s has a YAML tag (a word after '!') that is not supported here: quote the value", what)
	return "", false
}

func (d *decoder) profiles(v *yaml.Node, out map[string]*Profile) {
	n := resolve(v)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.Add(v.Line, "profiles must be a mapping of profile names to their settings, not a %s", kindName(n))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		name, ok := d.key(k, seen, "profile%s is defined twice (first on line %d)")
		switch vn := resolve(v); {
		case !ok:
		case isSetting(name) && !isNull(vn) && vn.Kind != yaml.MappingNode:
			d.Add(k.Line, "%q is a profile setting, not a profile: indent it under a profile's name (profiles: → NAME: → %s:)", name, name)
		case !validProfileName(name):
			d.Add(k.Line, "invalid profile name%s: %s", namePhrase(name), profileNameRule)
		default:
			p := d.profile(v, name)
			p.Name = name
			out[name] = p
		}
	}
}

func (d *decoder) profile(v *yaml.Node, name string) *Profile {
	n := resolve(v)
	if isNull(n) {
		return &Profile{}
	}
	if n.Kind != yaml.MappingNode {
		d.Add(v.Line, "profile %q must be a mapping of settings (%s), not a %s", name, settingList, kindName(n))
		return &Profile{}
	}
	s := d.settings(n, name)
	p := &Profile{
		URL:           s["url"].value,
		APIKey:        s["api_key"].value,
		APIKeyStore:   s["api_key_store"].value,
		APIKeyCommand: s["api_key_command"].value,
		CACert:        s["ca_cert"].value,
		AuditLog:      s["audit_log"].value,
	}
	switch line := s["api_key_store"].line; {
	case p.APIKeyStore != "" && p.APIKeyStore != KeyStoreKeyring:
		d.Add(line, "api_key_store of profile %q must be %q (the key is in the keyring) or absent", name, KeyStoreKeyring)
	case p.APIKeyStore == KeyStoreKeyring && p.APIKey != "":
		d.Add(line, "profile %q has both an api_key and api_key_store: %s: keep one", name, KeyStoreKeyring)
	}
	return p
}

// settings decodes a profile's mapping, with YAML merge keys (<<: *base):
// keys set in the mapping itself win over merged ones, and earlier merged
// mappings over later ones.
func (d *decoder) settings(n *yaml.Node, profile string) settings {
	// Decode refused a mapping merged into itself, so this ends.
	if s, ok := d.merged[n]; ok {
		return s
	}
	s := settings{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind == yaml.ScalarNode && isMerge(k) {
			merges = append(merges, d.mergeSources(v)...)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.Add(k.Line, "a key must be a plain name, not a %s", kindName(k))
			continue
		}
		name := keyText(k)
		if prev, dup := s[name]; dup {
			d.Add(k.Line, "key%s is set twice in profile %q (first on line %d)", namePhrase(name), profile, prev.line)
			continue
		}
		if !isSetting(name) {
			d.Add(k.Line, "%s", unknownProfileKey(name, profile))
			continue
		}
		if value, ok := d.scalar(v, name); ok {
			s[name] = setting{value: value, line: k.Line}
		}
	}
	for _, m := range merges {
		for name, value := range d.settings(m, profile) {
			if _, set := s[name]; !set {
				s[name] = value
			}
		}
	}
	d.merged[n] = s
	return s
}

func (d *decoder) mergeSources(v *yaml.Node) []*yaml.Node {
	n := resolve(v)
	var list []*yaml.Node
	switch n.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{n}
	case yaml.SequenceNode:
		for _, e := range n.Content {
			if e = resolve(e); e.Kind == yaml.MappingNode {
				list = append(list, e)
				continue
			}
			d.Add(e.Line, "a merge key (<<) takes mappings (<<: *base), not a %s", kindName(e))
		}
		return list
	}
	d.Add(v.Line, "a merge key (<<) takes a mapping (<<: *base), not a %s", kindName(n))
	return nil
}

// resolve follows an alias to the node it names, which Decode found and
// which is never an alias itself.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func isMerge(n *yaml.Node) bool { return n.ShortTag() == "!!merge" }

// keyText is a key as written; a null key (~, null, nothing) is empty.
func keyText(n *yaml.Node) string {
	if isNull(n) {
		return ""
	}
	return n.Value
}

// kindNames name the kinds of a resolved node in messages; any other is a
// "single value".
var kindNames = map[yaml.Kind]string{yaml.MappingNode: "mapping", yaml.SequenceNode: "list"}

func kindName(n *yaml.Node) string { return cmp.Or(kindNames[n.Kind], "single value") }

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
	if s := text.Suggest(name, topKeys, synonyms); s != "" {
		return fmt.Sprintf("unknown key%s; did you mean %q?", namePhrase(name), s)
	}
	if s := text.Suggest(name, settingKeys, synonyms); s != "" {
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
	if s := text.Suggest(name, settingKeys, synonyms); s != "" {
		return fmt.Sprintf("unknown key%s in profile %q; did you mean %q?", namePhrase(name), profile, s)
	}
	if s := text.Suggest(name, topKeys, synonyms); s != "" {
		return fmt.Sprintf("%q belongs at the top level of the file, not inside profile %q", s, profile)
	}
	return fmt.Sprintf("unknown key%s in profile %q (a profile has %s)", namePhrase(name), profile, settingList)
}
