package directory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-ldap/ldap/v3"
	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/users"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// Config is a sync file, checked: every field holds a value that Read can
// use.
type Config struct {
	// Path is the file as named; Dir is the directory that relative paths
	// in it are taken from.
	Path, Dir string
	// SHA256 is the hex SHA-256 of the file's bytes, for the audit log.
	SHA256 string
	// Instances are the DQOps instances the file is meant for (instance:),
	// normalised; empty when it does not say. InstanceLine is the line of
	// instance:.
	Instances    []string
	InstanceLine int
	LDAP         LDAP
	Users        Users
	Groups       []Mapping
	Unmatched    Unmatched
	// Keep are the emails sync never changes, as written.
	Keep []string

	keep map[string]bool
	// info is the file as it was read, for the trust check of
	// bindPasswordCommand: the file that was read is the one checked.
	info fs.FileInfo
}

// LDAP is the sync file's ldap: section.
type LDAP struct {
	// URL is ldap://HOST:PORT or ldaps://HOST:PORT, with the port always
	// written.
	URL string
	// Host is the URL's host, without brackets: the name the server's
	// certificate must hold.
	Host     string
	StartTLS bool
	// Insecure allows plain ldap:// to a host that is not loopback.
	Insecure bool
	// CAFile is the PEM file of authorities to trust, resolved against the
	// sync file's directory; "" for the system's alone.
	CAFile string
	// BindDN is "" for an anonymous bind.
	BindDN string
	// At most one of the three is set, and only with BindDN.
	BindPasswordFile    string
	BindPasswordEnv     string
	BindPasswordCommand string
	// Timeout bounds each operation.
	Timeout time.Duration
}

// TLS reports whether the connection is encrypted (ldaps:// or StartTLS).
func (l LDAP) TLS() bool { return l.StartTLS || strings.HasPrefix(l.URL, "ldaps://") }

// Users is the sync file's users: section.
type Users struct {
	BaseDN         string
	Filter         string
	EmailAttribute string
}

// Mapping is one entry of groups:, a group (DN, or Filter under BaseDN) and
// the roles its members get.
type Mapping struct {
	DN     string
	Filter string
	BaseDN string
	// AccountRole is one of the five roles.
	AccountRole api.Role
	// DataDomainRoles maps a data domain to a role; never nil.
	DataDomainRoles map[string]api.Role
	// Line is the mapping's line in the file, for messages.
	Line int
}

// Unmatched is what sync does with the DQOps users in no mapped group: the
// plan's own setting (users.Options.Unmatched).
type Unmatched = users.Unmatched

// What sync may do with users in no mapped group.
const (
	// UnmatchedKeep leaves them as they are (the default).
	UnmatchedKeep = users.UnmatchedKeep
	// UnmatchedNone demotes them to role none without data-domain roles.
	UnmatchedNone = users.UnmatchedNone
	// UnmatchedDelete deletes them (with --prune).
	UnmatchedDelete = users.UnmatchedDelete
)

// HasGrants reports whether some mapping gives a data-domain role other
// than none.
func (c *Config) HasGrants() bool {
	for _, m := range c.Groups {
		if api.GrantsOf(m.DataDomainRoles) != nil {
			return true
		}
	}
	return false
}

// CheckGrants returns a *users.ValidationError naming, with its line, each
// mapping whose data-domain roles the instance would not keep, as the rule
// decides (a domain it does not have, or any grant on an instance without
// data domains): the check that apply makes of a users file's grants, made
// once per mapping rather than once per member.
func (c *Config) CheckGrants(rule api.GrantRule) error {
	var problems yamlfile.List
	for i, m := range c.Groups {
		for _, domain := range slices.Sorted(maps.Keys(m.DataDomainRoles)) {
			if err := rule.Check(domain, m.DataDomainRoles[domain]); err != nil {
				problems.Add(m.Line, "groups[%d].dataDomainRoles: %v", i+1, err)
			}
		}
	}
	if err := problems.Result(users.DisplayName(c.Path)); err != nil {
		return err
	}
	return nil
}

// Keeps reports whether email is listed under keep:, compared as emails
// are everywhere (api.FoldEmail).
func (c *Config) Keeps(email string) bool { return c.keep[api.FoldEmail(email)] }

// DefaultTimeout bounds each LDAP operation when the file gives no timeout.
const DefaultTimeout = 30 * time.Second

// maxFileSize caps a sync file. It holds a few dozen lines; a megabyte
// allows thousands of mappings and keeps the YAML parser's memory small,
// where files.MaxFileSize (256 MiB, sized for an export of a million
// users) would let a mistaken path cost gigabytes.
const maxFileSize = 1 << 20

// Load reads and checks the sync file at path. A file with problems gives
// a *users.ValidationError listing each with its line; no value that could
// be a secret is quoted in it.
func Load(ctx context.Context, path string) (*Config, error) {
	type read struct {
		data []byte
		info fs.FileInfo
	}
	// The file is opened once: the trust check of a bindPasswordCommand
	// looks at the file whose content was read, not at whatever the path
	// names later. Ctrl-C ends the wait, also for a FIFO nobody writes.
	r, err := files.Wait(ctx, func() (read, error) {
		f, err := os.Open(path)
		if err != nil {
			return read{}, err
		}
		defer f.Close()
		stop := context.AfterFunc(ctx, func() { f.Close() })
		defer stop()
		info, err := f.Stat()
		switch {
		case err != nil:
			return read{}, err
		case info.IsDir():
			return read{}, errors.New("it is a directory")
		case info.Mode().IsRegular() && info.Size() > maxFileSize:
			return read{}, &files.TooLargeError{What: path, Limit: maxFileSize}
		}
		size := int64(0)
		if info.Mode().IsRegular() {
			size = info.Size()
		}
		data, err := files.ReadAll(f, maxFileSize, path, size)
		return read{data, info}, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading sync file %s: %w", path, err)
	}
	c, err := Parse(r.data, path, filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	c.info = r.info
	return c, nil
}

// Parse checks a sync file's content; name is the file's name for
// messages, dir the directory relative paths are taken from. Load calls
// it; a configuration from Parse alone cannot run a bindPasswordCommand,
// since no file was read whose trust could be checked.
func Parse(data []byte, name, dir string) (*Config, error) {
	sum := sha256.Sum256(data)
	c := &Config{Path: name, Dir: dir, SHA256: hex.EncodeToString(sum[:]), Unmatched: UnmatchedKeep,
		keep: map[string]bool{}}
	p := &parser{cfg: c}
	// The one YAML reader: lines corrected, aliases bounded, and syntax
	// messages that quote nothing of the file.
	root, err := yamlfile.Decode(data)
	var syntax *yamlfile.Problem
	if errors.As(err, &syntax) {
		return nil, &users.ValidationError{File: users.DisplayName(name), Problems: []users.Problem{*syntax}}
	} else if err != nil {
		return nil, err
	}
	p.top(root)
	if err := p.problems.Result(users.DisplayName(name)); err != nil {
		return nil, err
	}
	return c, nil
}

// The keys of each part of the file, and what people write for them out of
// other tools' habits (normalised as text.Suggest does).
var (
	topKeys     = []string{"instance", "ldap", "users", "groups", "unmatched", "keep"}
	ldapKeys    = []string{"url", "startTLS", "insecure", "caFile", "bindDN", "bindPasswordFile", "bindPasswordEnv", "bindPasswordCommand", "timeout"}
	usersKeys   = []string{"baseDN", "filter", "emailAttribute"}
	mappingKeys = []string{"dn", "filter", "baseDN", "accountRole", "dataDomainRoles"}
	synonyms    = map[string]string{
		"server": "url", "host": "url", "uri": "url", "address": "url", "ldapurl": "url",
		"tls": "startTLS", "usestarttls": "startTLS",
		"ca": "caFile", "cacert": "caFile", "tlscacert": "caFile", "cacertfile": "caFile", "rootca": "caFile",
		"insecureskipverify": "insecure", "allowinsecure": "insecure",
		"user": "bindDN", "username": "bindDN", "binduser": "bindDN",
		"passwordfile": "bindPasswordFile", "bindpwfile": "bindPasswordFile",
		"passwordenv": "bindPasswordEnv", "bindpwenv": "bindPasswordEnv",
		"passwordcommand": "bindPasswordCommand", "bindpwcommand": "bindPasswordCommand",
		"searchbase": "baseDN", "base": "baseDN", "searchbasedn": "baseDN", "basedns": "baseDN",
		"searchfilter": "filter", "userfilter": "filter",
		"mail": "emailAttribute", "email": "emailAttribute", "emailattr": "emailAttribute", "mailattribute": "emailAttribute",
		"group": "dn", "groupdn": "dn", "groupfilter": "filter",
		"role": "accountRole", "orgrole": "accountRole",
		"domains": "dataDomainRoles", "domainroles": "dataDomainRoles", "datadomains": "dataDomainRoles",
		"directory": "ldap",
		"mappings":  "groups", "groupmappings": "groups",
		"exclude": "keep", "protect": "keep", "protected": "keep", "ignore": "keep",
		"unmapped": "unmatched", "orphans": "unmatched",
		"instances": "instance",
	}
	// passwordKeys are keys that would put the password itself in the file.
	passwordKeys = map[string]bool{"password": true, "bindpassword": true, "bindpw": true, "pw": true,
		"pass": true, "secret": true, "credentials": true, "bindcredentials": true, "bindsecret": true}
)

// parser collects the problems of one file.
type parser struct {
	cfg      *Config
	problems yamlfile.List
	// meant records the keys a problem already pointed to (where.key,
	// or a problem's first word), so that a misspelt key is not also
	// reported missing.
	meant map[string]bool
}

// mentioned reports whether a problem already pointed to the key what
// (users.baseDN), misspelt or refused: it is then not also missing.
func (p *parser) mentioned(what string) bool { return p.meant[what] }

func (p *parser) add(line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if word, _, ok := strings.Cut(msg, " "); ok {
		p.mean(word)
	}
	p.problems.Add(line, "%s", msg)
}

func (p *parser) mean(what string) {
	if p.meant == nil {
		p.meant = map[string]bool{}
	}
	p.meant[what] = true
}

// resolve follows an alias; yamlfile.Decode has bounded what aliases
// stand for.
func (p *parser) resolve(n *yaml.Node) *yaml.Node {
	for depth := 0; n.Kind == yaml.AliasNode && n.Alias != nil && depth < 16; depth++ {
		n = n.Alias
	}
	return n
}

// keyName shows a key of the file in a message: quoted when it is short
// and printable, described when it could be a value that lost its place
// (a password written as a key).
func keyName(k string) string {
	if len(k) <= 32 && text.Printable(k) {
		return strconv.Quote(k)
	}
	return fmt.Sprintf("of %d characters", len(k))
}

// quote shows a value of the file that is never a secret (a role, a
// domain, an email under keep:): its first 64 characters, quoted.
func quote(s string) string {
	if r := []rune(s); len(r) > 64 {
		return strconv.Quote(string(r[:64])) + "..."
	}
	return strconv.Quote(s)
}

// fields walks the mapping n of the part named where: each known key once,
// in file order, given to fn; unknown and repeated keys are problems.
func (p *parser) fields(n *yaml.Node, where string, known []string, fn func(key string, v *yaml.Node)) {
	p.fieldsAt(n, where, known, func(key string, _ int, v *yaml.Node) { fn(key, v) })
}

// fieldsAt is fields, giving fn the key's line too.
func (p *parser) fieldsAt(n *yaml.Node, where string, known []string, fn func(key string, line int, v *yaml.Node)) {
	n = p.resolve(n)
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "%s must be a mapping of keys (%s)", where, strings.Join(known, ", "))
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := p.resolve(n.Content[i]), n.Content[i+1]
		name := k.Value
		if k.Kind != yaml.ScalarNode {
			p.add(k.Line, "%s: a key must be a word", where)
			continue
		}
		if !slices.Contains(known, name) {
			p.unknownKey(k.Line, where, name, known)
			continue
		}
		if line, dup := seen[name]; dup {
			p.add(k.Line, "%s.%s is given twice (also on line %d)", where, name, line)
			continue
		}
		seen[name] = k.Line
		fn(name, k.Line, v)
	}
}

func (p *parser) unknownKey(line int, where, name string, known []string) {
	if passwordKeys[text.Normalize(name)] {
		p.mean(where + ".password")
		p.add(line, "%s: the bind password is never written in the sync file: use bindPasswordFile, bindPasswordEnv or bindPasswordCommand", where)
		return
	}
	if s := text.Suggest(name, known, synonyms); s != "" {
		p.mean(where + "." + s)
		p.add(line, "%s: unknown key %s; did you mean %q?", where, keyName(name), s)
		return
	}
	p.add(line, "%s: unknown key %s; the keys are %s", where, keyName(name), strings.Join(known, ", "))
}

// str reads a scalar that must be a non-empty string; ok is false after
// a problem.
func (p *parser) str(v *yaml.Node, what string) (string, bool) {
	v = p.resolve(v)
	switch {
	case v.Kind != yaml.ScalarNode:
		p.add(v.Line, "%s must be a single value", what)
		return "", false
	case v.ShortTag() == "!!null" || strings.TrimSpace(v.Value) == "":
		p.add(v.Line, "%s is empty", what)
		return "", false
	case v.ShortTag() == "!!bool":
		p.add(v.Line, "%s must be text, not true or false", what)
		return "", false
	}
	return strings.TrimSpace(v.Value), true
}

func (p *parser) boolean(v *yaml.Node, what string) (value, ok bool) {
	v = p.resolve(v)
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
		p.add(v.Line, "%s must be true or false", what)
		return false, false
	}
	return strings.EqualFold(v.Value, "true"), true
}

func (p *parser) top(root *yaml.Node) {
	if root != nil {
		root = p.resolve(root)
	}
	if root == nil || root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		p.add(1, "the file is empty: it needs ldap:, users: and groups:")
		return
	}
	lines := map[string]int{}
	p.fieldsAt(root, "the file", topKeys, func(key string, line int, v *yaml.Node) {
		lines[key] = line
		switch key {
		case "instance":
			p.cfg.InstanceLine = line
			p.instance(v)
		case "ldap":
			p.ldap(line, v)
		case "users":
			p.users(line, v)
		case "groups":
			p.groups(v)
		case "unmatched":
			p.unmatched(v)
		case "keep":
			p.keep(v)
		}
	})
	if root.Kind != yaml.MappingNode {
		return
	}
	for _, key := range []string{"ldap", "users", "groups"} {
		if _, ok := lines[key]; !ok {
			p.add(root.Line, "%s: is missing", key)
		}
	}
}

func (p *parser) instance(v *yaml.Node) {
	v = p.resolve(v)
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	for _, item := range items {
		s, ok := p.str(item, "instance")
		if !ok {
			continue
		}
		u, err := api.NormalizeURL(s)
		if err != nil {
			p.add(item.Line, "instance is not a DQOps URL: %v", err)
			continue
		}
		p.cfg.Instances = append(p.cfg.Instances, u)
	}
}

func (p *parser) ldap(line int, v *yaml.Node) {
	l := &p.cfg.LDAP
	l.Timeout = DefaultTimeout
	urlLine, seen, passwords := 0, map[string]int{}, 0
	// tlsKnown is false when startTLS or insecure was refused: what the
	// URL allows then depends on a value that is not known.
	tlsKnown := true
	var rawURL string
	p.fields(v, "ldap", ldapKeys, func(key string, v *yaml.Node) {
		seen[key] = v.Line
		what := "ldap." + key
		switch key {
		case "url":
			rawURL, _ = p.str(v, what)
			urlLine = v.Line
		case "startTLS":
			var ok bool
			l.StartTLS, ok = p.boolean(v, what)
			tlsKnown = tlsKnown && ok
		case "insecure":
			var ok bool
			l.Insecure, ok = p.boolean(v, what)
			tlsKnown = tlsKnown && ok
		case "caFile":
			if s, ok := p.str(v, what); ok {
				l.CAFile = p.path(s)
			}
		case "bindDN":
			if s, ok := p.str(v, what); ok && p.dn(v.Line, what, s) {
				l.BindDN = s
			}
		case "bindPasswordFile":
			passwords++
			if s, ok := p.str(v, what); ok {
				l.BindPasswordFile = p.path(s)
			}
		case "bindPasswordEnv":
			passwords++
			if s, ok := p.str(v, what); ok {
				if strings.ContainsAny(s, "=\x00") {
					p.add(v.Line, "%s must name an environment variable, such as LDAP_PASSWORD", what)
				}
				l.BindPasswordEnv = s
			}
		case "bindPasswordCommand":
			passwords++
			if s, ok := p.str(v, what); ok {
				l.BindPasswordCommand = s
			}
		case "timeout":
			p.timeout(v, what)
		}
	})
	switch {
	case passwords > 1:
		p.add(line, "ldap: give one of bindPasswordFile, bindPasswordEnv and bindPasswordCommand")
	case passwords == 1 && seen["bindDN"] == 0 && !p.mentioned("ldap.bindDN"):
		p.add(line, "ldap: a bind password needs bindDN, the account it belongs to")
	case passwords == 0 && seen["bindDN"] > 0 && !p.mentioned("ldap.password") &&
		!p.mentioned("ldap.bindPasswordFile") && !p.mentioned("ldap.bindPasswordEnv") && !p.mentioned("ldap.bindPasswordCommand"):
		p.add(seen["bindDN"], "ldap.bindDN needs its password: give bindPasswordFile, bindPasswordEnv or bindPasswordCommand")
	}
	if urlLine == 0 {
		if p.resolve(v).Kind == yaml.MappingNode && !p.mentioned("ldap.url") {
			p.add(line, "ldap.url is missing: give ldaps://HOST or ldap://HOST with startTLS: true")
		}
		return
	}
	if rawURL != "" {
		p.url(urlLine, rawURL, tlsKnown)
	}
}

// url checks ldap.url and the transport security that goes with it.
func (p *parser) url(line int, raw string, tlsKnown bool) {
	l := &p.cfg.LDAP
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		p.add(line, "ldap.url must be ldaps://HOST[:PORT] or ldap://HOST[:PORT]")
		return
	}
	scheme := strings.ToLower(u.Scheme)
	port := map[string]string{"ldap": "389", "ldaps": "636"}[scheme]
	switch {
	case port == "":
		p.add(line, "ldap.url must start with ldaps:// or ldap://")
		return
	case u.User != nil:
		p.add(line, "ldap.url may not hold a user or password: give bindDN and a bind password source")
		return
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		p.add(line, "ldap.url must be the server alone, without a DN, attributes or filter: give them as users.baseDN and users.filter")
		return
	}
	host := u.Hostname()
	if u.Port() != "" {
		if n, err := strconv.Atoi(u.Port()); err != nil || n < 1 || n > 65535 {
			p.add(line, "ldap.url has an invalid port")
			return
		}
		port = u.Port()
	}
	l.Host = host
	l.URL = scheme + "://" + net.JoinHostPort(host, port)
	if !tlsKnown {
		return
	}
	switch {
	case scheme == "ldaps" && l.StartTLS:
		p.add(line, "ldap.startTLS goes with ldap://, not ldaps:// (which is TLS from the start): remove one")
	case l.Insecure && l.TLS():
		p.add(line, "ldap.insecure only allows plain ldap:// without startTLS; this connection is encrypted: remove insecure")
	case scheme == "ldap" && !l.StartTLS && !l.Insecure && !loopback(host):
		p.add(line, "ldap.url is plain ldap:// to %s: the password and every answer would cross the network unencrypted; "+
			"add startTLS: true, use ldaps://, or write insecure: true to accept it", host)
	}
	if l.CAFile != "" && !l.TLS() {
		p.add(line, "ldap.caFile is only used with ldaps:// or startTLS")
	}
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p *parser) timeout(v *yaml.Node, what string) {
	s, ok := p.str(v, what)
	if !ok {
		return
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		p.add(v.Line, "%s must be a duration such as 30s or 2m", what)
	case d <= 0:
		p.add(v.Line, "%s must be more than 0", what)
	case d > time.Hour:
		p.add(v.Line, "%s may be an hour at most", what)
	default:
		p.cfg.LDAP.Timeout = d
	}
}

// path resolves a path of the file against the file's directory.
func (p *parser) path(s string) string {
	if filepath.IsAbs(s) || p.cfg.Dir == "" {
		return s
	}
	return filepath.Join(p.cfg.Dir, s)
}

func (p *parser) dn(line int, what, s string) bool {
	if _, err := ldap.ParseDN(s); err != nil {
		p.add(line, "%s is not a valid DN: %v", what, err)
		return false
	}
	return true
}

func (p *parser) filter(line int, what, s string) bool {
	if !strings.HasPrefix(s, "(") {
		p.add(line, "%s must be written in parentheses, such as (objectClass=person)", what)
		return false
	}
	if _, err := ldap.CompileFilter(s); err != nil {
		p.add(line, "%s is not a valid LDAP filter: %v", what, err)
		return false
	}
	return true
}

// attributeName matches an attribute description: a name or an OID.
var attributeName = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)+)$`)

func (p *parser) users(line int, v *yaml.Node) {
	u := &p.cfg.Users
	u.EmailAttribute = "mail"
	p.fields(v, "users", usersKeys, func(key string, v *yaml.Node) {
		what := "users." + key
		s, ok := p.str(v, what)
		if !ok {
			return
		}
		switch key {
		case "baseDN":
			if p.dn(v.Line, what, s) {
				u.BaseDN = s
			}
		case "filter":
			if p.filter(v.Line, what, s) {
				u.Filter = s
			}
		case "emailAttribute":
			if !attributeName.MatchString(s) {
				p.add(v.Line, "%s must be an attribute name, such as mail", what)
				return
			}
			u.EmailAttribute = s
		}
	})
	if p.resolve(v).Kind != yaml.MappingNode {
		return
	}
	if u.BaseDN == "" && !p.mentioned("users.baseDN") {
		p.add(line, "users.baseDN is missing: give where the people are, such as ou=people,dc=example,dc=com")
	}
	if u.Filter == "" && !p.mentioned("users.filter") {
		p.add(line, "users.filter is missing: give which entries are people who may have access, such as (objectClass=person)")
	}
}

func (p *parser) groups(v *yaml.Node) {
	v = p.resolve(v)
	if v.Kind != yaml.SequenceNode {
		p.add(v.Line, "groups must be a list of mappings, each with dn: (or filter: and baseDN:) and accountRole:")
		return
	}
	if len(v.Content) == 0 {
		p.add(v.Line, "groups is empty: map at least one group")
	}
	for i, item := range v.Content {
		p.mapping(item, fmt.Sprintf("groups[%d]", i+1))
	}
}

func (p *parser) mapping(v *yaml.Node, where string) {
	m := Mapping{Line: p.resolve(v).Line, DataDomainRoles: map[string]api.Role{}}
	ok, seen := true, map[string]bool{}
	p.fields(v, where, mappingKeys, func(key string, v *yaml.Node) {
		seen[key] = true
		what := where + "." + key
		if key == "dataDomainRoles" {
			ok = p.domainRoles(v, what, m.DataDomainRoles) && ok
			return
		}
		s, good := p.str(v, what)
		if !good {
			ok = false
			return
		}
		switch key {
		case "dn":
			ok = p.dn(v.Line, what, s) && ok
			m.DN = s
		case "baseDN":
			ok = p.dn(v.Line, what, s) && ok
			m.BaseDN = s
		case "filter":
			ok = p.filter(v.Line, what, s) && ok
			m.Filter = s
		case "accountRole":
			role, err := api.ParseRole(s)
			if err != nil {
				p.add(v.Line, "%s: %v", what, err)
				ok = false
				return
			}
			m.AccountRole = role
		}
	})
	if p.resolve(v).Kind != yaml.MappingNode {
		return
	}
	switch {
	case seen["dn"] && seen["filter"]:
		p.add(m.Line, "%s: give dn: or filter:, not both", where)
		ok = false
	case !seen["dn"] && !seen["filter"] && !p.mentioned(where+".dn") && !p.mentioned(where+".filter"):
		p.add(m.Line, "%s: give the group, as dn: or as filter: with baseDN:", where)
		ok = false
	case seen["dn"] && seen["baseDN"]:
		p.add(m.Line, "%s: baseDN goes with filter:; a dn: names the group itself", where)
		ok = false
	case seen["filter"] && !seen["baseDN"]:
		p.add(m.Line, "%s: filter: needs baseDN:, where the groups are searched", where)
		ok = false
	}
	if !seen["accountRole"] && !p.mentioned(where+".accountRole") {
		p.add(m.Line, "%s: accountRole is missing (admin, editor, operator, viewer or none)", where)
		ok = false
	}
	if ok {
		p.cfg.Groups = append(p.cfg.Groups, m)
	}
}

func (p *parser) domainRoles(v *yaml.Node, what string, into map[string]api.Role) bool {
	v = p.resolve(v)
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return true
	}
	if v.Kind != yaml.MappingNode {
		p.add(v.Line, "%s must map each data domain to a role, such as sales: editor", what)
		return false
	}
	ok := true
	for i := 0; i+1 < len(v.Content); i += 2 {
		k := p.resolve(v.Content[i])
		domain, good := p.str(k, what+" (a domain)")
		if !good {
			ok = false
			continue
		}
		if !text.Printable(domain) {
			p.add(k.Line, "%s: the domain %s holds a character that cannot be shown", what, quote(domain))
			ok = false
			continue
		}
		if _, dup := into[domain]; dup {
			p.add(k.Line, "%s: the domain %s is given twice", what, quote(domain))
			ok = false
			continue
		}
		s, good := p.str(v.Content[i+1], what+"."+domain)
		if !good {
			ok = false
			continue
		}
		role, err := api.ParseRole(s)
		if err != nil {
			p.add(v.Content[i+1].Line, "%s.%s: %v", what, domain, err)
			ok = false
			continue
		}
		into[domain] = role
	}
	return ok
}

func (p *parser) unmatched(v *yaml.Node) {
	s, ok := p.str(v, "unmatched")
	if !ok {
		return
	}
	switch u := Unmatched(strings.ToLower(s)); u {
	case UnmatchedKeep, UnmatchedNone, UnmatchedDelete:
		p.cfg.Unmatched = u
	default:
		names := []string{"keep", "none", "delete"}
		if g := text.Suggest(s, names, map[string]string{"demote": "none", "remove": "delete", "prune": "delete", "ignore": "keep"}); g != "" {
			p.add(v.Line, "unmatched is %s; did you mean %q? It is one of keep, none, delete", quote(s), g)
			return
		}
		p.add(v.Line, "unmatched is %s: it is one of keep (the default), none, delete", quote(s))
	}
}

func (p *parser) keep(v *yaml.Node) {
	v = p.resolve(v)
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return
	}
	if v.Kind != yaml.SequenceNode {
		p.add(v.Line, "keep must be a list of emails")
		return
	}
	for _, item := range v.Content {
		s, ok := p.str(item, "keep")
		if !ok {
			continue
		}
		if err := api.ValidateEmail(s); err != nil {
			p.add(item.Line, "keep: %s is not an email address", quote(s))
			continue
		}
		if f := api.FoldEmail(s); !p.cfg.keep[f] {
			p.cfg.keep[f] = true
			p.cfg.Keep = append(p.cfg.Keep, s)
		}
	}
}
