package users

import (
	"fmt"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// The keys of a user in a file: the API's field names. They are the
// columns of a CSV file too.
const (
	keyEmail       = "email"
	keyAccountRole = "accountRole"
	keyDomainRoles = "dataDomainRoles"
)

// The keys of a user that only YAML and JSON can hold: where the entry
// applies, in a file for several instances.
const (
	keyInstances       = "instances"
	keyExceptInstances = "exceptInstances"
	// keyProfile is what list --profile a,b adds to each user: output for
	// reading, refused as input.
	keyProfile = "profile"
)

var (
	userKeys  = []string{keyEmail, keyAccountRole, keyDomainRoles}
	entryKeys = []string{keyEmail, keyAccountRole, keyDomainRoles, keyInstances, keyExceptInstances}
)

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
	// Instances, when not nil, are the only instances the entry applies to
	// (its instances: key), and ExceptInstances those it does not apply to
	// (exceptInstances:): URLs as api.NormalizeURL writes them. An entry has
	// one of them at most; without either it applies to every instance.
	// File.For picks the entries of one instance.
	Instances, ExceptInstances []string
	// scopeLine is the line of instances: or exceptInstances:.
	scopeLine int
}

// entriesFromList reads the users of a list.
func entriesFromList(list *node, probs *yamlfile.List) []Entry {
	entries := make([]Entry, 0, len(list.items))
	profileLine, profiles := 0, 0
	for _, item := range list.items {
		e, profile, ok := entryFromNode(item, probs)
		if profile > 0 {
			profileLine = cmpOr(profileLine, profile)
			profiles++
		}
		if ok {
			entries = append(entries, e)
		}
	}
	if profiles > 0 {
		// What list --profile a,b -o json prints: one item per user and
		// instance, each with its profile, a name that means something on
		// one machine only. Once for the file, not once per item.
		items := "an item carries"
		if profiles > 1 {
			items = fmt.Sprintf("%s items carry", text.Thousands(profiles))
		}
		probs.Add(profileLine, "%s the key %q: a list of several instances' users (list --profile) is for reading; "+
			"write a file for several instances with dqo-users export --profile, which scopes users by instances:", items, keyProfile)
	}
	return entries
}

// cmpOr is a unless it is 0, else b.
func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// entryFromNode reads one user; ok is false when it is not a mapping at all.
// profile is the line of a profile key, which the caller reports once.
func entryFromNode(n *node, probs *yamlfile.List) (e Entry, profile int, ok bool) {
	if n.kind != kindMap {
		probs.Add(n.line, "a user must be a mapping with email and accountRole, not %s", n.kind)
		return Entry{}, 0, false
	}
	e = Entry{Line: n.line}
	seen := map[string]bool{}
	var email, role, domains, only, except *node
	for i, k := range n.keys {
		v := n.values[i]
		if seen[k.value] {
			probs.Add(k.line, "key %s is given twice", text.Cite(k.value))
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
		case keyInstances:
			only, e.scopeLine = v, k.line
		case keyExceptInstances:
			except, e.scopeLine = v, k.line
		case keyProfile:
			profile = k.line
		default:
			probs.Add(k.line, "unknown key %s%s", text.Cite(k.value), suggestKey(k.value, entryKeys))
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
		who = text.CiteBare(e.Email)
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
	switch {
	case only != nil && except != nil:
		probs.Add(e.scopeLine, "%s: give %s or %s, not both", who, keyInstances, keyExceptInstances)
	case only != nil:
		e.Instances = urlsFromNode(only, who+": "+keyInstances, probs)
	case except != nil:
		e.ExceptInstances = urlsFromNode(except, who+": "+keyExceptInstances, probs)
	}
	return e, profile, true
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
			probs.Add(k.line, "%s: dataDomainRoles: data domain %s is given twice", who, text.Cite(domain))
			continue
		}
		if v.kind != kindScalar {
			probs.Add(v.line, "%s: dataDomainRoles: the role in data domain %s must be one of %s, not %s", who, text.Cite(domain), strings.Join(api.RoleNames(), ", "), v.kind)
			continue
		}
		r, err := api.ParseRole(v.value)
		if err != nil {
			probs.Add(v.line, "%s: dataDomainRoles: data domain %s: %s", who, text.Cite(domain), citeError(err, v.value))
			continue
		}
		roles[domain] = r
	}
	return roles
}

// urlsFromNode reads instance URLs: one, or a list of them, each as
// api.NormalizeURL writes it. what names the key in messages.
func urlsFromNode(n *node, what string, probs *yamlfile.List) []string {
	items := []*node{n}
	switch n.kind {
	case kindSeq:
		items = n.items
		if len(items) == 0 {
			probs.Add(n.line, "%s is an empty list: name at least one instance by its URL", what)
			return nil
		}
	case kindScalar:
	default:
		probs.Add(n.line, "%s must be a URL or a list of URLs, not %s", what, n.kind)
		return nil
	}
	urls := make([]string, 0, len(items))
	seen := map[string]bool{}
	for _, item := range items {
		if item.kind != kindScalar {
			probs.Add(item.line, "%s: an instance is a URL, not %s", what, item.kind)
			continue
		}
		u, err := api.NormalizeURL(item.value)
		if err != nil {
			// Profile names are local to one machine: a file names
			// instances by URL.
			probs.Add(item.line, "%s: %s; instances are named by URL, not by profile", what, citeError(err, strings.TrimSpace(item.value)))
			continue
		}
		canon := canonical(u)
		if seen[canon] {
			probs.Add(item.line, "%s: %s is given twice", what, text.CiteBare(u))
			continue
		}
		seen[canon] = true
		urls = append(urls, u)
	}
	return urls
}

func suggestKey(key string, keys []string) string {
	if s := text.Suggest(key, keys, keySynonyms); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return fmt.Sprintf(" (the keys are %s)", strings.Join(keys, ", "))
}

// keySynonyms are what people write for a user's keys from other tools'
// habits, as text.Suggest normalises them.
var keySynonyms = map[string]string{
	"role": keyAccountRole, "accountrole": keyAccountRole,
	"domains": keyDomainRoles, "domainroles": keyDomainRoles, "datadomains": keyDomainRoles,
	"instance": keyInstances, "only": keyInstances, "onlyinstances": keyInstances,
	"except": keyExceptInstances, "excludeinstances": keyExceptInstances, "notinstances": keyExceptInstances,
}
