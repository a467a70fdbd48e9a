package users

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// A create whose email looks like an existing user's is refused, with both
// emails escaped, and the rest of the plan stands; the guard does not count
// the refused create's admin role, and AllowLookAlike lets it through. An
// entry that is the same email in other ASCII letter case is that user.
func TestPlanRefusesLookAlikes(t *testing.T) {
	current := []api.User{
		{Email: "admin@example.com", AccountRole: api.RoleAdmin},
		{Email: "\u017fam@example.com", AccountRole: api.RoleViewer}, // ſam: a long s
		{Email: "\u212aim@example.com", AccountRole: api.RoleViewer}, // Kim: a Kelvin sign
		{Email: "ana@example.com", AccountRole: api.RoleEditor},
		{Email: "Bo@example.com", AccountRole: api.RoleViewer},
	}
	file := mustParse(t, `users:
- {email: admin@example.com, accountRole: editor}
- {email: sam@example.com, accountRole: admin}
- {email: kim@example.com, accountRole: admin}
- {email: "\u0430na@example.com", accountRole: viewer}
- {email: "\uff41na@example.com", accountRole: viewer}
- {email: bo@example.com, accountRole: editor}
- {email: new@example.com, accountRole: viewer}
`)
	p := NewPlan(file, current, Options{Caller: "admin@example.com"})
	var text bytes.Buffer
	if err := p.WriteText(&text, false); err != nil {
		t.Fatal(err)
	}
	want := `+ create new@example.com (viewer)
! create sam@example.com (admin) refused: "sam@example.com" looks like the existing user "\u017fam@example.com", another user; --allow-lookalike allows it
! create kim@example.com (admin) refused: "kim@example.com" looks like the existing user "\u212aim@example.com", another user; --allow-lookalike allows it
! create аna@example.com (viewer) refused: "\u0430na@example.com" looks like the existing user "ana@example.com", another user; --allow-lookalike allows it
! create ａna@example.com (viewer) refused: "\uff41na@example.com" looks like the existing user "ana@example.com", another user; --allow-lookalike allows it
~ update Bo@example.com: role viewer -> editor
! update admin@example.com: role admin -> editor refused: it is your own account and the last admin: the instance would be left without an admin; --force allows it
Plan: 1 to create, 1 to update, 0 to delete, 0 unchanged, 5 refused. 3 users on the server are not in the file; --prune would delete them.
`
	got := text.String()
	if !sameLines(got, want) {
		t.Errorf("plan:\n%s\nwant (in any order):\n%s", got, want)
	}
	for _, c := range p.Changes {
		if c.Refused != "" && strings.HasPrefix(c.Email, "new") {
			t.Errorf("new@example.com refused: %s", c.Refused)
		}
		if c.Action == ActionCreate && c.Email != "new@example.com" && c.Refused.Guarded() {
			t.Errorf("a look-alike's refusal is the guard's, which --force lifts: %s", c.Refused)
		}
	}

	allowed := NewPlan(file, current, Options{Caller: "admin@example.com", AllowLookAlike: true, Force: true})
	if n, creates := allowed.Refused(), allowed.Count(ActionCreate); n != 0 || creates != 5 {
		t.Errorf("with AllowLookAlike: %d refused, %d creates; want 0 and 5", n, creates)
	}
	// Force alone does not create a look-alike.
	forced := NewPlan(file, current, Options{Caller: "admin@example.com", Force: true})
	if n := forced.Refused(); n != 4 {
		t.Errorf("with Force: %d refused, want the 4 look-alikes", n)
	}
}

// sameLines reports whether a and b hold the same lines, in any order.
func sameLines(a, b string) bool {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	slices.Sort(la)
	slices.Sort(lb)
	return slices.Equal(la, lb)
}

// The index finds every look-alike of an email among many users, each
// once, and never the same email in other ASCII case.
func TestLookAlikeIndex(t *testing.T) {
	var current []api.User
	for i := range 1000 {
		current = append(current, api.User{Email: fmt.Sprintf("user%04d@example.com", i)})
	}
	current = append(current, api.User{Email: "\u017fam@example.com"}, api.User{Email: "SAM@example.com"},
		api.User{Email: "\uff53am@example.com"}, api.User{Email: "sarn@example.com"})
	x := NewLookAlikeIndex(current)
	got := x.Of("sam@example.com")
	want := []string{"sarn@example.com", "\uff53am@example.com", "\u017fam@example.com"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("look-alikes of sam@example.com: %q, want %q", got, want)
	}
	if got := x.Of("user0001@example.com"); len(got) != 0 {
		t.Errorf("look-alikes of user0001@example.com: %q", got)
	}
	// The index and the one rule agree on every user.
	for _, u := range current {
		if like, found := api.LookAlike(u.Email, "sam@example.com"), slices.Contains(got, u.Email); like != found {
			t.Errorf("%q: LookAlike says %v, the index %v", u.Email, like, found)
		}
	}
}
