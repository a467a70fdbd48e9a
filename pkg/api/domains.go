package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultDomain is the name DQOps gives the root data domain.
const DefaultDomain = "(default)"

// Domain is a data domain of a DQOps 1.13 instance (LocalDataDomainModel).
type Domain struct {
	// Name is the domain's name, as data-domain roles name it; the root
	// domain is DefaultDomain.
	Name string `json:"domain_name"`
	// DisplayName is the user-friendly name ("Root data domain" for the root).
	DisplayName string `json:"display_name,omitempty"`
	// CreatedAt is when the domain was created; zero when the server did
	// not say.
	CreatedAt time.Time `json:"-"`
	// EnableScheduler tells whether the job scheduler runs for the domain.
	EnableScheduler bool `json:"enable_scheduler"`
}

// domainFields is Domain as the API writes it, created_at kept raw.
type domainFields struct {
	Name            string          `json:"domain_name"`
	DisplayName     string          `json:"display_name,omitempty"`
	CreatedAt       json.RawMessage `json:"created_at,omitempty"`
	EnableScheduler bool            `json:"enable_scheduler"`
}

// UnmarshalJSON reads created_at as the document types it (int64, epoch
// milliseconds), and as Jackson may write a Java Instant instead (decimal
// seconds, or an RFC 3339 string); null or absent is the zero time.
func (d *Domain) UnmarshalJSON(data []byte) error {
	var f domainFields
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	created, err := parseCreatedAt(f.CreatedAt)
	if err != nil {
		return fmt.Errorf("field \"created_at\": %w", err)
	}
	*d = Domain{Name: f.Name, DisplayName: f.DisplayName, CreatedAt: created, EnableScheduler: f.EnableScheduler}
	return nil
}

// MarshalJSON writes the document's form: created_at in epoch
// milliseconds, left out when unknown.
func (d Domain) MarshalJSON() ([]byte, error) {
	f := domainFields{Name: d.Name, DisplayName: d.DisplayName, EnableScheduler: d.EnableScheduler}
	if !d.CreatedAt.IsZero() {
		f.CreatedAt = strconv.AppendInt(nil, d.CreatedAt.UnixMilli(), 10)
	}
	return json.Marshal(f)
}

func parseCreatedAt(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		return time.Parse(time.RFC3339Nano, s)
	}
	if !bytes.ContainsAny(raw, ".eE") {
		ms, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("not a time: %s", quoteStart(raw))
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	// Decimal seconds, read digit by digit: a float64 would lose the
	// milliseconds.
	whole, frac, _ := strings.Cut(string(raw), ".")
	secs, err1 := strconv.ParseInt(whole, 10, 64)
	frac = (frac + "000000000")[:9]
	nanos, err2 := strconv.ParseUint(frac, 10, 64)
	if err1 != nil || err2 != nil || strings.ContainsAny(whole+frac, "eE+") {
		return time.Time{}, fmt.Errorf("not a time: %s", quoteStart(raw))
	}
	if strings.HasPrefix(whole, "-") {
		return time.Unix(secs, -int64(nanos)).UTC(), nil
	}
	return time.Unix(secs, int64(nanos)).UTC(), nil
}

// ListDomains returns the data domains of the instance (GET /api/domains/,
// DQOps 1.13), the root domain "(default)" first; an instance without data
// domains lists it alone. DQOps 1.0 has no such operation: a *StatusError
// with 404.
func (c *Client) ListDomains(ctx context.Context) ([]Domain, error) {
	domains := []Domain{}
	err := c.do(ctx, &call{op: "listing data domains", what: "a list of data domains", method: http.MethodGet,
		path: "/api/domains/", want: http.StatusOK, out: &domains})
	if err != nil {
		return nil, err
	}
	if domains == nil { // a null body
		domains = []Domain{}
	}
	return domains, nil
}

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
