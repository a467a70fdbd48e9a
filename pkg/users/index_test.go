package users

import (
	"errors"
	"fmt"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

func TestIndexFind(t *testing.T) {
	users := []api.User{{Email: "Ana@x.io"}, {Email: "ana@x.io"}, {Email: "Bo@x.io"}, {Email: "cy@x.io"},
		{Email: "ſam@x.io"}, {Email: "sam@x.io"}, {Email: "İr@x.io"}}
	x := NewIndex(users)
	tests := []struct {
		email     string
		want      string // the user found, "" for an error
		ambiguous bool
	}{
		{email: "Ana@x.io", want: "Ana@x.io"},
		{email: "ana@x.io", want: "ana@x.io"},
		{email: "ANA@x.io", ambiguous: true},
		{email: "bo@X.IO", want: "Bo@x.io"},
		{email: "cy@x.io", want: "cy@x.io"},
		{email: "dee@x.io"},
		// As SameEmail has them, ignoring ASCII case only: ſam is not sam
		// (a look-alike, another user), İ is not i.
		{email: "SAM@x.io", want: "sam@x.io"},
		{email: "ir@x.io"},
		{email: "İR@x.io", want: "İr@x.io"},
	}
	for _, tt := range tests {
		i, err := x.Find(tt.email)
		var amb *AmbiguousError
		switch {
		case tt.want != "":
			if err != nil || x.User(i).Email != tt.want {
				t.Errorf("Find(%q) = %d, %v; want %s", tt.email, i, err, tt.want)
			}
		case tt.ambiguous:
			if !errors.As(err, &amb) || len(amb.Matches) != 2 || amb.Error() != fmt.Sprintf("%q is ambiguous: %s, %s", tt.email, amb.Matches[0], amb.Matches[1]) {
				t.Errorf("Find(%q) = %d, %v; want ambiguous", tt.email, i, err)
			}
		default:
			if !errors.Is(err, ErrNoUser) {
				t.Errorf("Find(%q) = %d, %v; want ErrNoUser", tt.email, i, err)
			}
		}
	}
}

// An ambiguous entry plans nothing, and none of its matches is pruned.
func TestPlanRefusesAmbiguousEntries(t *testing.T) {
	users := []api.User{{Email: "Ana@x.io", AccountRole: api.RoleEditor}, {Email: "ana@x.io", AccountRole: api.RoleViewer},
		{Email: "admin@x.io", AccountRole: api.RoleAdmin}}
	p := NewPlan(mustParse(t, "- {email: ANA@x.io, accountRole: admin}\n- {email: admin@x.io, accountRole: admin}\n"), users,
		Options{Prune: true, Caller: "admin@x.io"})
	if len(p.Ambiguous) != 1 || p.Ambiguous[0].Line != 1 {
		t.Errorf("ambiguous %+v", p.Ambiguous)
	}
	if len(p.Changes) != 0 {
		t.Errorf("changes %+v", p.Changes)
	}
}
