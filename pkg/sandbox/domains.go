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

// grant is one data-domain role of a user. A role of none is no grant and
// never stored.
type grant struct {
	domain string
	role   string
}

// sortedGrants returns the grants of a stored role map, sorted by domain,
// for the list encoder (nil when there are none).
func sortedGrants(roles map[string]string) []grant {
	if len(roles) == 0 {
		return nil
	}
	grants := make([]grant, 0, len(roles))
	for _, domain := range slices.Sorted(maps.Keys(roles)) {
		grants = append(grants, grant{domain: domain, role: roles[domain]})
	}
	return grants
}

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
	// domains, sorted; empty on an instance without data domains, which
	// shows {} and none of the grants.
	listed []string
	// listedKeys are listed encoded as JSON object keys, colon included.
	listedKeys [][]byte
}

func newDomainView(api string, local []string) domainView {
	if api != API113 {
		return domainView{}
	}
	v := domainView{field: true}
	if len(local) == 0 {
		return v
	}
	v.listed = append([]string{DefaultDomain}, local...)
	slices.Sort(v.listed)
	for _, domain := range v.listed {
		v.listedKeys = append(v.listedKeys, append(appendJSONString(nil, domain), ':'))
	}
	return v
}

// withDomains tells whether the instance has data domains in use.
func (v *domainView) withDomains() bool { return len(v.listed) > 0 }

// appendRoles appends the dataDomainRoles object of a user with these
// grants: every listed domain, "none" where there is no grant, and the
// grants for other domains as stored. Both lists are sorted, so one merge
// gives the keys in order without a map or a sort per user.
func (v *domainView) appendRoles(dst []byte, grants []grant) []byte {
	dst = append(dst, '{')
	if !v.withDomains() {
		return append(dst, '}')
	}
	i, j := 0, 0
	for i < len(v.listed) || j < len(grants) {
		if i > 0 || j > 0 {
			dst = append(dst, ',')
		}
		switch {
		case j == len(grants) || (i < len(v.listed) && v.listed[i] < grants[j].domain):
			dst = append(dst, v.listedKeys[i]...)
			dst = append(dst, `"none"`...)
			i++
			continue
		case i < len(v.listed) && v.listed[i] == grants[j].domain:
			dst = append(dst, v.listedKeys[i]...)
			i++
		default:
			dst = appendJSONString(dst, grants[j].domain)
			dst = append(dst, ':')
		}
		dst = appendJSONString(dst, grants[j].role)
		j++
	}
	return append(dst, '}')
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
