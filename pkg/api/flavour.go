package api

// Flavour is the kind of DQOps instance as far as data domains go. The
// three answer differently: 1.0 has no dataDomainRoles at all; 1.13
// without data domains shows {} for every user and keeps no grant sent to
// it; 1.13 with data domains lists "(default)" and every domain for every
// user, "none" where the user has no role.
type Flavour int

// The flavours. The zero value is none of them.
const (
	// FlavourRelease10 is DQOps 1.0: no data domains, no dataDomainRoles
	// field, and no can_use_data_domains in the profile.
	FlavourRelease10 Flavour = iota + 1
	// FlavourNoDomains is DQOps 1.13 without data domains in use (a TEAM
	// licence, or an ENTERPRISE one without local domains).
	FlavourNoDomains
	// FlavourDomains is DQOps 1.13 with data domains: an ENTERPRISE licence
	// and data domains in use.
	FlavourDomains
)

func (f Flavour) String() string {
	switch f {
	case FlavourRelease10:
		return "DQOps 1.0"
	case FlavourNoDomains:
		return "DQOps 1.13 without data domains"
	case FlavourDomains:
		return "DQOps 1.13 with data domains"
	}
	return "an unknown kind of instance"
}

// HasDomains reports whether the instance has data domains, and so keeps
// data-domain grants.
func (f Flavour) HasDomains() bool { return f == FlavourDomains }

// Flavour tells the instance's flavour from the caller's profile. DQOps
// sets can_use_data_domains exactly when the licence is ENTERPRISE and data
// domains are in use; 1.0's profile has no such field.
func (p *Profile) Flavour() Flavour {
	switch {
	case p.CanUseDataDomains != nil && *p.CanUseDataDomains:
		return FlavourDomains
	case p.SupportsDataDomains():
		return FlavourNoDomains
	}
	return FlavourRelease10
}

// DecideFlavour is the one rule that tells the flavours apart: from the
// caller's profile when it could be read (p not nil), else from the shape
// of the users' dataDomainRoles, which the trace (--debug) notes. An
// instance with data domains lists at least "(default)" for every user, so
// a user with any entry means data domains; when no user has one, the
// users cannot tell 1.0 from 1.13 without data domains, and the answer is
// the latter: neither keeps a grant, and {} is true of every user of both.
func (c *Client) DecideFlavour(p *Profile, users []User) Flavour {
	if p != nil {
		return p.Flavour()
	}
	for _, u := range users {
		if len(u.DataDomainRoles) > 0 {
			c.note("the profile could not be read: %s, since user %q lists data domains", FlavourDomains, u.Email)
			return FlavourDomains
		}
	}
	c.note("the profile could not be read: no data domains, since none of the %d users lists any (DQOps 1.0 or 1.13 without data domains)", len(users))
	return FlavourNoDomains
}
