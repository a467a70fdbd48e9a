package api

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
)

// Grants returns the user's data-domain grants: its dataDomainRoles without
// the entries whose role is none, in a map of its own; nil when there are
// none. DQOps 1.13 with data domains lists every domain for every user,
// "none" where the user has no role, and drops such entries on write, so an
// entry whose role is none is no grant. This is the one notion of what a
// user is granted: tables, plans, diff, apply and export show and compare
// grants; only JSON and YAML of list and get show dataDomainRoles as sent.
func (u User) Grants() map[string]Role {
	return GrantsOf(u.DataDomainRoles)
}

// HasGrants reports whether the user has a data-domain grant: an entry of
// dataDomainRoles whose role is not none.
func (u User) HasGrants() bool {
	for _, role := range u.DataDomainRoles {
		if role != RoleNone {
			return true
		}
	}
	return false
}

// GrantsOf returns the grants among data-domain roles, as User.Grants does.
func GrantsOf(roles map[string]Role) map[string]Role {
	// Counted first: an instance with many domains lists them all for every
	// user, while a user holds few grants.
	n := 0
	for _, role := range roles {
		if role != RoleNone {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	grants := make(map[string]Role, n)
	for domain, role := range roles {
		if role != RoleNone {
			grants[domain] = role
		}
	}
	return grants
}

// SameGrants reports whether two sets of data-domain roles grant the same:
// equal once the entries whose role is none are left out (nil, empty and
// all-none alike grant nothing).
func SameGrants(a, b map[string]Role) bool {
	return grantsWithin(a, b) && grantsWithin(b, a)
}

// grantsWithin reports whether every grant of a is in b.
func grantsWithin(a, b map[string]Role) bool {
	for domain, role := range a {
		if role != RoleNone && b[domain] != role {
			return false
		}
	}
	return true
}

// GrantsString renders the user's grants as "domain=role;domain=role",
// sorted by domain; "" when it has none.
func (u User) GrantsString() string {
	var parts []string
	for _, domain := range slices.Sorted(maps.Keys(u.DataDomainRoles)) {
		if role := u.DataDomainRoles[domain]; role != RoleNone {
			parts = append(parts, domain+"="+string(role))
		}
	}
	return strings.Join(parts, ";")
}

// GrantRule is what an instance keeps of data-domain grants: one for any of
// its data domains when it has them ("(default)" is always one), none when
// it has not (DQOps 1.13 without data domains, and 1.0). An entry whose
// role is none is no grant, and passes everywhere.
type GrantRule struct {
	Flavour Flavour
	// Domains are the names of the instance's data domains, as
	// GET /api/domains/ lists them; Check needs them only for an instance
	// with data domains.
	Domains []string
}

// Check returns nil when the instance keeps a grant of role in domain, and
// otherwise a *GrantError that says why not.
func (r GrantRule) Check(domain string, role Role) error {
	if role == RoleNone {
		return nil
	}
	if !r.Flavour.HasDomains() {
		return &GrantError{Domain: domain, Role: role, Flavour: r.Flavour}
	}
	if err := r.CheckDomain(domain); err != nil {
		err.Role = role
		return err
	}
	return nil
}

// CheckDomain returns nil when domain is one of the data domains of an
// instance that has them ("(default)" always is), and otherwise a
// *GrantError that lists them, with the closest name. It is Check's test of
// the name alone, for a domain named without a role (a grant to remove); an
// instance without data domains has no names to test against, and gives nil.
func (r GrantRule) CheckDomain(domain string) *GrantError {
	if !r.Flavour.HasDomains() || domain == DefaultDomain || slices.Contains(r.Domains, domain) {
		return nil
	}
	known := r.Domains
	if !slices.Contains(known, DefaultDomain) {
		known = append([]string{DefaultDomain}, known...)
	}
	return &GrantError{Domain: domain, Flavour: r.Flavour, Known: known, Suggestion: text.Suggest(domain, known, domainSynonyms)}
}

// DomainNames returns the names of data domains, in their order.
func DomainNames(domains []Domain) []string {
	names := make([]string, len(domains))
	for i, d := range domains {
		names[i] = d.Name
	}
	return names
}

// GrantError is a data-domain grant that an instance would not keep.
type GrantError struct {
	Domain  string
	Role    Role
	Flavour Flavour
	// Known are the instance's data domains, when it has them and Domain is
	// not one of them.
	Known []string
	// Suggestion is the known domain closest to Domain, "" when none is close.
	Suggestion string
}

// grantErrorNamesShown bounds how many known domains a message lists.
const grantErrorNamesShown = 20

func (e *GrantError) Error() string {
	switch e.Flavour {
	case FlavourDomains:
		msg := "unknown data domain " + text.Cite(e.Domain)
		if e.Suggestion != "" {
			msg += " (did you mean " + text.Cite(e.Suggestion) + "?)"
		}
		shown := make([]string, 0, grantErrorNamesShown+1)
		for i, name := range e.Known {
			if i == grantErrorNamesShown {
				shown = append(shown, fmt.Sprintf("and %d more", len(e.Known)-i))
				break
			}
			shown = append(shown, text.Cite(name))
		}
		return msg + "; the instance's data domains are " + strings.Join(shown, ", ")
	case FlavourRelease10:
		return "this instance has no data domains (DQOps 1.0: data domains came with DQOps 1.13), so it cannot keep a grant of " +
			string(e.Role) + " in " + text.Cite(e.Domain)
	}
	return "this instance has no data domains (DQOps 1.13 without data domains in use), so it would not keep a grant of " +
		string(e.Role) + " in " + text.Cite(e.Domain)
}

// domainSynonyms are what people write for the default data domain, so
// that "default" and "root" find "(default)".
var domainSynonyms = map[string]string{"default": DefaultDomain, "root": DefaultDomain}
