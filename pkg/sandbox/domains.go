package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// DefaultDomain is the root data domain as DQOps 1.13 shows it (DQOps Cloud
// stores it under the empty name).
const DefaultDomain = "(default)"

// defaultDomainDisplayName is the root domain's display_name in
// GET /api/domains/.
const defaultDomainDisplayName = "Root data domain"

// grantsOf returns the grants among roles: a private copy without the
// entries whose role is none, nil when nothing is left. DQOps drops those
// entries on every write.
func grantsOf(roles map[string]string) map[string]string {
	var kept map[string]string
	for domain, role := range roles {
		if role == RoleNone {
			continue
		}
		if kept == nil {
			kept = make(map[string]string, len(roles))
		}
		kept[domain] = role
	}
	return kept
}

// checkDomains validates Options.Domains and returns them sorted by name.
func checkDomains(api string, unlicensed bool, domains []string) ([]string, error) {
	if len(domains) == 0 {
		return nil, nil
	}
	if api != API113 {
		return nil, fmt.Errorf("sandbox: data domains need API release %s, not %s", API113, api)
	}
	if unlicensed {
		return nil, errors.New("sandbox: data domains need a licensed instance (an ENTERPRISE licence), and this one is unlicensed")
	}
	sorted := slices.Clone(domains)
	slices.Sort(sorted)
	for i, name := range sorted {
		switch {
		case name == "":
			return nil, errors.New("sandbox: empty data domain name")
		case name == DefaultDomain:
			return nil, fmt.Errorf("sandbox: data domain %q is the root domain, which every instance has", name)
		case i > 0 && sorted[i-1] == name:
			return nil, fmt.Errorf("sandbox: data domain %q given twice", name)
		}
	}
	return sorted, nil
}

// domainView is how an instance shows its users' data-domain roles. The zero
// value is 1.0's: no dataDomainRoles field at all.
type domainView struct {
	// field tells whether the user model has dataDomainRoles (1.13).
	field bool
	// listed are the domains every user lists, "(default)" and the local
	// domains; empty on an instance without data domains, which shows {}
	// and none of the grants.
	listed []string
}

func newDomainView(api string, local []string) domainView {
	if api != API113 {
		return domainView{}
	}
	v := domainView{field: true}
	if len(local) > 0 {
		v.listed = append([]string{DefaultDomain}, local...)
	}
	return v
}

// withDomains tells whether the instance has data domains in use.
func (v *domainView) withDomains() bool { return len(v.listed) > 0 }

// noRoles is the dataDomainRoles of every user of an instance without data
// domains: one map, never written to.
var noRoles = map[string]string{}

// roles returns the dataDomainRoles of a user with these grants: nil in
// 1.0, where there is no such field; {} without data domains; else every
// listed domain, "none" where there is no grant, and the grants for other
// domains as stored.
func (v *domainView) roles(grants map[string]string) map[string]string {
	switch {
	case !v.field:
		return nil
	case !v.withDomains():
		return noRoles
	}
	shown := make(map[string]string, len(v.listed)+len(grants))
	for _, d := range v.listed {
		shown[d] = RoleNone
	}
	maps.Copy(shown, grants)
	return shown
}

// localDataDomain is LocalDataDomainModel of the 1.13.2 document.
type localDataDomain struct {
	DomainName      string `json:"domain_name"`
	DisplayName     string `json:"display_name"`
	CreatedAt       int64  `json:"created_at"`
	EnableScheduler bool   `json:"enable_scheduler"`
}

// serveDomains answers GET /api/domains/: the root domain first, then the
// local domains by name, all created when the sandbox started.
func (s *Server) serveDomains(w http.ResponseWriter) {
	created := s.started.UnixMilli()
	list := []localDataDomain{{DomainName: DefaultDomain, DisplayName: defaultDomainDisplayName, CreatedAt: created, EnableScheduler: true}}
	for _, name := range s.domains {
		list = append(list, localDataDomain{DomainName: name, DisplayName: name, CreatedAt: created, EnableScheduler: true})
	}
	data, err := json.Marshal(list)
	if err != nil {
		panic(fmt.Sprintf("sandbox: encoding data domains: %v", err)) // plain structs always encode
	}
	writeJSON(w, http.StatusOK, data)
}
