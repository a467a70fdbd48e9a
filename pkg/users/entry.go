package users

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// The keys of a user in a file: the API's field names.
const (
	keyEmail       = "email"
	keyAccountRole = "accountRole"
	keyDomainRoles = "dataDomainRoles"
	keyUsers       = "users"
)

var userKeys = []string{keyEmail, keyAccountRole, keyDomainRoles}

func isColumn(name string) bool {
	for _, k := range userKeys {
		if strings.EqualFold(name, k) {
			return true
		}
	}
	return false
}

// Entry is one user as the file wants it.
type Entry struct {
	// Email is the address as written in the file.
	Email string
	// AccountRole is the account role, lower-case.
	AccountRole api.Role
	// DataDomainRoles is nil when the file leaves the user's data-domain
	// roles alone, and otherwise exactly the grants wanted, as written: an
	// entry whose role is none is no grant, so {} and {sales: none} both
	// mean "no grants".
	DataDomainRoles map[string]api.Role
	// Line is where the user starts in the file (1-based).
	Line int
}

// File is a parsed, valid file of users.
type File struct {
	// Name is the file's name as given ("-" is shown as "stdin").
	Name string
	// Format is the format it was read in.
	Format Format
	// Entries are the users, in file order.
	Entries []Entry
}

// Parse reads and validates a whole file. Every problem is reported at once
// in a *ValidationError (the first 1,000 by line, the rest counted): syntax,
// unknown keys, missing or invalid emails, unknown roles, duplicate emails
// (ignoring case).
func Parse(name string, data []byte, format Format) (*File, error) {
	display := DisplayName(name)
	data = bytes.TrimPrefix(data, utf8BOM)
	var probs yamlfile.List
	var entries []Entry
	switch format {
	case FormatYAML, FormatJSON:
		var root *node
		var err error
		if format == FormatYAML {
			root, err = parseYAML(data)
		} else {
			root, err = parseJSON(data)
		}
		if err != nil {
			var pe *Problem
			if errors.As(err, &pe) {
				return nil, &ValidationError{File: display, Problems: []Problem{*pe}}
			}
			return nil, err
		}
		entries = entriesFromNode(root, &probs)
	case FormatCSV:
		entries = parseCSV(data, &probs)
	default:
		return nil, fmt.Errorf("unknown file format %q", format)
	}
	checkDuplicates(entries, &probs)
	if err := errOf(&probs, display); err != nil {
		return nil, err
	}
	return &File{Name: display, Format: format, Entries: entries}, nil
}

// HasGrants reports whether some user of the file is given a data-domain
// grant: a dataDomainRoles entry whose role is not none.
func (f *File) HasGrants() bool {
	for _, e := range f.Entries {
		for _, role := range e.DataDomainRoles {
			if role != api.RoleNone {
				return true
			}
		}
	}
	return false
}

// CheckGrants returns a *ValidationError naming every grant of the file
// that the instance would not keep, as the rule decides: a domain it does
// not have, or any grant on an instance without data domains. Entries
// whose role is none are no grants and pass.
func (f *File) CheckGrants(rule api.GrantRule) error {
	var probs yamlfile.List
	for _, e := range f.Entries {
		for _, domain := range slices.Sorted(maps.Keys(e.DataDomainRoles)) {
			if err := rule.Check(domain, e.DataDomainRoles[domain]); err != nil {
				probs.Add(e.Line, "%s: dataDomainRoles: %v", citeBare(e.Email), err)
			}
		}
	}
	return errOf(&probs, f.Name)
}

func checkDuplicates(entries []Entry, probs *yamlfile.List) {
	first := make(map[string]int, len(entries))
	for _, e := range entries {
		if e.Email == "" {
			continue
		}
		k := api.FoldEmail(e.Email)
		if line, dup := first[k]; dup {
			probs.Add(e.Line, "duplicate email %s: the same user (ignoring case) is already at line %d", cite(e.Email), line)
			continue
		}
		first[k] = e.Line
	}
}

// node is a YAML or JSON value with the line it starts on.
type node struct {
	kind   nodeKind
	line   int
	value  string  // scalars
	keys   []*node // mappings: scalar keys, in order
	values []*node // mappings: the values of keys
	items  []*node // sequences
}

type nodeKind int

const (
	kindNull nodeKind = iota
	kindScalar
	kindMap
	kindSeq
)

func (k nodeKind) String() string {
	switch k {
	case kindNull:
		return "null"
	case kindScalar:
		return "a single value"
	case kindMap:
		return "a mapping"
	}
	return "a list"
}

// entriesFromNode reads users from a list, or from {users: list}.
func entriesFromNode(root *node, probs *yamlfile.List) []Entry {
	list := root
	switch root.kind {
	case kindNull:
		probs.Add(root.line, "the file holds no users; write users: [] for an empty list")
		return nil
	case kindMap:
		list = nil
		seen := map[string]bool{}
		for i, k := range root.keys {
			switch {
			case seen[k.value]:
				probs.Add(k.line, "key %s is given twice", cite(k.value))
			case k.value == keyUsers:
				list = root.values[i]
			case isColumn(k.value) && len(root.keys) <= 3:
				probs.Add(root.line, "expected a list of users, or users: followed by the list; this looks like a single user, put it in a list")
				return nil
			default:
				probs.Add(k.line, "unknown key %s: the document is a list of users, or has the one key users", cite(k.value))
			}
			seen[k.value] = true
		}
		if list == nil {
			if probs.Len() == 0 {
				probs.Add(root.line, "no users key")
			}
			return nil
		}
		if list.kind != kindSeq {
			probs.Add(list.line, "users must be a list, not %s", list.kind)
			return nil
		}
	case kindSeq:
	default:
		probs.Add(root.line, "expected a list of users, or users: followed by the list")
		return nil
	}
	entries := make([]Entry, 0, len(list.items))
	for _, item := range list.items {
		if e, ok := entryFromNode(item, probs); ok {
			entries = append(entries, e)
		}
	}
	return entries
}

// entryFromNode reads one user; ok is false when it is not a mapping at all.
func entryFromNode(n *node, probs *yamlfile.List) (Entry, bool) {
	if n.kind != kindMap {
		probs.Add(n.line, "a user must be a mapping with email and accountRole, not %s", n.kind)
		return Entry{}, false
	}
	e := Entry{Line: n.line}
	seen := map[string]bool{}
	var email, role, domains *node
	for i, k := range n.keys {
		v := n.values[i]
		if seen[k.value] {
			probs.Add(k.line, "key %s is given twice", cite(k.value))
			continue
		}
		seen[k.value] = true
		switch k.value {
		case keyEmail:
			email = v
		case keyAccountRole:
			role = v
		case keyDomainRoles:
			domains = v
		default:
			probs.Add(k.line, "unknown key %s%s", cite(k.value), suggestKey(k.value))
		}
	}
	who := "user"
	switch {
	case email == nil:
		probs.Add(n.line, "user without email")
	case email.kind != kindScalar:
		probs.Add(email.line, "email must be a single value, not %s", email.kind)
	default:
		e.Email = email.value
		if err := api.ValidateEmail(e.Email); err != nil {
			probs.Add(email.line, "%s", citeError(err, e.Email))
		}
		who = citeBare(e.Email)
	}
	switch {
	case role == nil:
		probs.Add(n.line, "%s: missing accountRole (one of %s)", who, strings.Join(api.RoleNames(), ", "))
	case role.kind != kindScalar:
		probs.Add(role.line, "%s: accountRole must be one of %s, not %s", who, strings.Join(api.RoleNames(), ", "), role.kind)
	default:
		r, err := api.ParseRole(role.value)
		if err != nil {
			probs.Add(role.line, "%s: accountRole: %s", who, citeError(err, role.value))
		}
		e.AccountRole = r
	}
	if domains != nil {
		e.DataDomainRoles = domainRolesFromNode(domains, who, probs)
	}
	return e, true
}

// domainRolesFromNode reads a dataDomainRoles mapping; the result is never
// nil, because the key was present. who names the user in messages, cited.
func domainRolesFromNode(n *node, who string, probs *yamlfile.List) map[string]api.Role {
	if n.kind != kindMap {
		probs.Add(n.line, "%s: dataDomainRoles must be a mapping of data domain to role, not %s; write {} for none, or leave the key out to keep the user's roles", who, n.kind)
		return map[string]api.Role{}
	}
	roles := make(map[string]api.Role, len(n.keys))
	for i, k := range n.keys {
		v := n.values[i]
		domain := strings.TrimSpace(k.value)
		if domain == "" {
			probs.Add(k.line, "%s: dataDomainRoles: empty data domain name", who)
			continue
		}
		if _, dup := roles[domain]; dup {
			probs.Add(k.line, "%s: dataDomainRoles: data domain %s is given twice", who, cite(domain))
			continue
		}
		if v.kind != kindScalar {
			probs.Add(v.line, "%s: dataDomainRoles: the role in data domain %s must be one of %s, not %s", who, cite(domain), strings.Join(api.RoleNames(), ", "), v.kind)
			continue
		}
		r, err := api.ParseRole(v.value)
		if err != nil {
			probs.Add(v.line, "%s: dataDomainRoles: data domain %s: %s", who, cite(domain), citeError(err, v.value))
			continue
		}
		roles[domain] = r
	}
	return roles
}

func suggestKey(key string) string {
	if s := text.Suggest(key, userKeys, keySynonyms); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return fmt.Sprintf(" (the keys are %s)", strings.Join(userKeys, ", "))
}

// keySynonyms are what people write for a user's keys from other tools'
// habits, as text.Suggest normalises them.
var keySynonyms = map[string]string{
	"role": keyAccountRole, "accountrole": keyAccountRole,
	"domains": keyDomainRoles, "domainroles": keyDomainRoles, "datadomains": keyDomainRoles,
}
