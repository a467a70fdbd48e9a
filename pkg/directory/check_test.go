package directory

import (
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

func TestWriteCheck(t *testing.T) {
	t.Parallel()
	cfg := &Config{Groups: []Mapping{
		{DN: "cn=admins,ou=groups,dc=example,dc=com", AccountRole: api.RoleAdmin},
		{DN: "cn=staff,ou=groups,dc=example,dc=com", AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor}},
		{DN: "cn=empty,ou=groups,dc=example,dc=com", AccountRole: api.RoleOperator},
	}}
	res := &Result{
		Users: 2503, GroupsRead: 5,
		Groups: []GroupSummary{
			{DN: "cn=admins,ou=groups,dc=example,dc=com", Mapping: 0, Members: 1},
			{DN: "cn=staff,ou=groups,dc=example,dc=com", Mapping: 1, Members: 2, Nested: 2, NotUsers: 1},
			{DN: "cn=empty,ou=groups,dc=example,dc=com", Mapping: 2},
		},
		People: []Person{
			{Email: "ana@example.com", AccountRole: api.RoleAdmin, DataDomainRoles: map[string]api.Role{},
				Groups: []string{"cn=admins,ou=groups,dc=example,dc=com"}},
			{Email: "bo@example.com", AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor},
				Groups: []string{"cn=staff,ou=groups,dc=example,dc=com"}},
		},
		Kept: []Person{{Email: "root@example.com", AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor},
			Groups: []string{"cn=staff,ou=groups,dc=example,dc=com"}}},
		Skipped: []Skipped{{DN: "uid=eve,ou=people,dc=example,dc=com", Reason: "no mail attribute"}},
		Notices: []Notice{{DN: "uid=fay\x1b[2J,ou=people,dc=example,dc=com", Message: "2 mail values; the first, fay@example.com, is used"}},
		Loops:   [][]string{{"cn=a,dc=example,dc=com", "cn=b,dc=example,dc=com", "cn=a,dc=example,dc=com"}},
	}
	var b strings.Builder
	if err := res.WriteCheck(&b, cfg); err != nil {
		t.Fatal(err)
	}
	want := `2,503 entries under users.baseDN match users.filter; 5 groups read (3 mapped, 2 nested).
3 people in mapped groups (1 under keep:, which sync leaves as they are); 1 member skipped.

Groups:
  admin     cn=admins,ou=groups,dc=example,dc=com  1 person                                                        -
  viewer    cn=staff,ou=groups,dc=example,dc=com   2 people (2 nested groups, 1 member not matching users.filter)  sales=editor
  operator  cn=empty,ou=groups,dc=example,dc=com   0 people (empty)                                                -
Loop of nested groups, each followed once: cn=a,dc=example,dc=com -> cn=b,dc=example,dc=com -> cn=a,dc=example,dc=com

People:
  EMAIL            ROLE    DATA DOMAINS  FROM
  ana@example.com  admin   -             cn=admins,ou=groups,dc=example,dc=com
  bo@example.com   viewer  sales=editor  cn=staff,ou=groups,dc=example,dc=com

Under keep:, left as they are:
  EMAIL             ROLE    DATA DOMAINS  FROM
  root@example.com  viewer  sales=editor  cn=staff,ou=groups,dc=example,dc=com

Skipped (not DQOps users):
  uid=eve,ou=people,dc=example,dc=com: no mail attribute

Notes:
  uid=fay` + "\uFFFD" + `[2J,ou=people,dc=example,dc=com: 2 mail values; the first, fay@example.com, is used
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
