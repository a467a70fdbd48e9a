package directory

import (
	"errors"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// CheckGrants checks each mapping's data-domain roles against the
// instance once, naming the mapping's line; a mapping whose roles are all
// none gives no grant.
func TestCheckGrants(t *testing.T) {
	t.Parallel()
	file := `ldap:
  url: ldap://127.0.0.1
users:
  baseDN: ou=people,dc=example,dc=com
  filter: (objectClass=person)
groups:
  - dn: cn=a,dc=example,dc=com
    accountRole: viewer
    dataDomainRoles: {salse: editor, hr: none}
  - dn: cn=b,dc=example,dc=com
    accountRole: editor
`
	cfg, err := Parse([]byte(file), "sync.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.HasGrants() {
		t.Errorf("HasGrants is false")
	}
	domains := api.GrantRule{Flavour: api.FlavourDomains, Domains: []string{"sales", "hr"}}
	err = cfg.CheckGrants(domains)
	var ve *users.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Line != 7 ||
		!strings.Contains(ve.Problems[0].Message, `groups[1].dataDomainRoles: unknown data domain "salse" (did you mean "sales"?)`) {
		t.Errorf("with data domains: %v", err)
	}
	if err := cfg.CheckGrants(api.GrantRule{Flavour: api.FlavourNoDomains}); err == nil || !strings.Contains(err.Error(), "sync.yaml:7:") {
		t.Errorf("without data domains: %v", err)
	}
	none, err := Parse([]byte(strings.Replace(file, "salse: editor", "sales: none", 1)), "sync.yaml", ".")
	if err != nil {
		t.Fatal(err)
	}
	if none.HasGrants() || none.CheckGrants(api.GrantRule{Flavour: api.FlavourNoDomains}) != nil {
		t.Errorf("roles of none are grants")
	}
}
