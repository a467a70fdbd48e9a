package apply

import (
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// Index finds the server's users by email from one list call. It is the one
// rule by which delete, export and apply match an email to a user: the
// exact spelling first, else the same address ignoring case.
type Index struct {
	users  []api.User
	exact  map[string][]int
	folded map[string][]int
}

// NewIndex indexes users, as the server listed them.
func NewIndex(users []api.User) *Index {
	x := &Index{users: users, exact: make(map[string][]int, len(users)), folded: make(map[string][]int, len(users))}
	for i, u := range users {
		x.exact[u.Email] = append(x.exact[u.Email], i)
		k := strings.ToLower(u.Email)
		x.folded[k] = append(x.folded[k], i)
	}
	return x
}

// Find returns the position in the list of the user with that email, or
// false when there is none.
func (x *Index) Find(email string) (int, bool) {
	if i, ok := x.exact[email]; ok {
		return i[0], true
	}
	if i, ok := x.folded[strings.ToLower(email)]; ok {
		return i[0], true
	}
	return -1, false
}

// User returns the user at a position Find gave.
func (x *Index) User(i int) api.User { return x.users[i] }
