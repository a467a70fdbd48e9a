package users

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// Index finds the server's users by email from one list call. It is the one
// rule by which delete, apply and diff match an email to a user: the
// exact spelling wins; else the one user whose email is the same ignoring
// letter case; two or more such users and no exact match is ambiguous,
// since whether DQOps treats emails case-insensitively is not documented.
type Index struct {
	users  []api.User
	exact  map[string]int
	folded map[string][]int
}

// NewIndex indexes users, as the server listed them.
func NewIndex(users []api.User) *Index {
	x := &Index{users: users, exact: make(map[string]int, len(users)), folded: make(map[string][]int, len(users))}
	for i, u := range users {
		if _, dup := x.exact[u.Email]; !dup {
			x.exact[u.Email] = i
		}
		k := api.FoldEmail(u.Email)
		x.folded[k] = append(x.folded[k], i)
	}
	return x
}

// ErrNoUser is the error of Find for an email no user has.
var ErrNoUser = errors.New("no such user")

// AmbiguousError is an email that several users have ignoring letter case,
// none of them exactly: acting on any of them could be acting on the wrong
// one.
type AmbiguousError struct {
	Email   string
	Matches []string
}

func (e *AmbiguousError) Error() string {
	shown := make([]string, len(e.Matches))
	for i, m := range e.Matches {
		shown[i] = text.Safe(m)
	}
	return fmt.Sprintf("%q is ambiguous: %s", e.Email, strings.Join(shown, ", "))
}

// Find returns the position in the list of the user with that email: the
// exact spelling, else the only user with it ignoring case. It fails with
// ErrNoUser or an *AmbiguousError.
func (x *Index) Find(email string) (int, error) {
	if i, ok := x.exact[email]; ok {
		return i, nil
	}
	switch found := x.folded[api.FoldEmail(email)]; len(found) {
	case 0:
		return -1, ErrNoUser
	case 1:
		return found[0], nil
	default:
		matches := make([]string, len(found))
		for j, i := range found {
			matches[j] = x.users[i].Email
		}
		return -1, &AmbiguousError{Email: email, Matches: matches}
	}
}

// User returns the user at a position Find gave.
func (x *Index) User(i int) api.User { return x.users[i] }

// LookAlikeIndex finds the users whose emails look like an email
// (api.LookAlike): each user is indexed once under each of its look-alike
// keys (api.LookAlikeKeys), so that finding the look-alikes of an email
// takes as many look-ups as it has keys, not a comparison with every user.
type LookAlikeIndex map[string][]string

// NewLookAlikeIndex indexes users, as the server listed them.
func NewLookAlikeIndex(users []api.User) LookAlikeIndex {
	x := make(LookAlikeIndex, len(users))
	for _, u := range users {
		for _, k := range api.LookAlikeKeys(u.Email) {
			x[k] = append(x[k], u.Email)
		}
	}
	return x
}

// Of returns the emails of the users that look like email, sorted, each
// once: none that is the same email ignoring ASCII case (api.SameEmail).
func (x LookAlikeIndex) Of(email string) []string {
	var found []string
	for _, k := range api.LookAlikeKeys(email) {
		for _, e := range x[k] {
			if !api.SameEmail(e, email) && !slices.Contains(found, e) {
				found = append(found, e)
			}
		}
	}
	slices.Sort(found)
	return found
}
