package users

import (
	"errors"
	"sort"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// Action is what a change does to a user.
type Action string

// The actions, in the order a plan lists and runs them.
const (
	ActionCreate Action = "create"
	ActionUpdate Action = "update"
	ActionDelete Action = "delete"
)

func (a Action) order() int {
	switch a {
	case ActionCreate:
		return 0
	case ActionUpdate:
		return 1
	}
	return 2
}

// Change is one request the plan makes: a create, an update or a delete.
type Change struct {
	Action Action
	// Email is the user's address: as the server has it for an update or a
	// delete, as the file gives it for a create.
	Email string
	// Before is the server's model (update, delete).
	Before *api.User
	// After is the model to send (create, update). For an update it is the
	// model read from the server, fields this client does not know
	// included, with the file's roles.
	After *api.User
	// Line is the entry's line in the file (create, update).
	Line int
	// FileGrants is whether the file's entry gives dataDomainRoles: then
	// they are the file's to change, since applying it again sets them.
	FileGrants bool
	// Refused, when not empty, says why the guard refused the change: it is
	// shown in the plan and never executed.
	Refused Refusal
	// Self marks a change to the caller's own account, which runs after
	// every other one so the caller keeps its rights until the end.
	Self bool
	// CountsAsDelete marks an update that stands for a deletion (sync's
	// demotion of a user who left every mapped group): delete limits count
	// it.
	CountsAsDelete bool
}

// Describe says what an update changes, e.g. "role viewer -> editor": the
// account role, and the data-domain grants (User.Grants).
func (c Change) Describe() string {
	if c.Before == nil || c.After == nil {
		return ""
	}
	var parts []string
	if c.Before.AccountRole != c.After.AccountRole {
		parts = append(parts, "role "+string(c.Before.AccountRole)+" -> "+string(c.After.AccountRole))
	}
	if !api.SameGrants(c.Before.DataDomainRoles, c.After.DataDomainRoles) {
		parts = append(parts, "domain roles "+grantsOrNone(*c.Before)+" -> "+grantsOrNone(*c.After))
	}
	return strings.Join(parts, ", ")
}

func grantsOrNone(u api.User) string {
	if s := u.GrantsString(); s != "" {
		return s
	}
	return "(none)"
}

// Plan is what applying a file would do to a server.
type Plan struct {
	// Changes are the creates, then the updates, then the deletes, each
	// sorted by email, refused ones included.
	Changes []Change
	// Unchanged counts the file's users the server already has as wanted.
	Unchanged int
	// NotInFile counts the server's users the file does not mention, that
	// --prune would delete (they are in Changes when Prune was set).
	NotInFile int
	// Prune is whether users absent from the file are deleted.
	Prune bool
	// Unmatched is Options.Unmatched: what becomes of the users the file
	// does not mention, when a sync file says.
	Unmatched Unmatched
	// Kept counts the server's users that Options.Keep names, which the
	// plan leaves as they are.
	Kept int
	// Caller is the email of the account applying the plan.
	Caller string
	// Ambiguous are the file's entries whose email several users of the
	// server have ignoring case, none exactly (Index.Find): nothing may be
	// applied while there are any.
	Ambiguous []Problem
}

// Options are the choices that shape a plan.
type Options struct {
	// Prune deletes the server's users that the file does not mention.
	Prune bool
	// Force lets the plan delete or demote the caller's own account and the
	// last admin.
	Force bool
	// Caller is the email of the account the API key belongs to.
	Caller string
	// Unmatched, when set, is what becomes of the server's users that the
	// file does not mention, as a sync file's unmatched: says. Prune
	// deletes them whatever it says.
	Unmatched Unmatched
	// Keep, when set, names the users the plan never changes (a sync
	// file's keep:): no entry creates or changes them, and they are
	// neither deleted nor demoted. Plan.Kept counts them.
	Keep func(email string) bool
	// AllowLookAlike lets the plan create a user whose email looks like an
	// existing user's (api.LookAlike); otherwise such a create is refused
	// (RefusedLookAlike) and the rest applied.
	AllowLookAlike bool
}

// Unmatched is what a plan does with the server's users that the file does
// not mention, as a sync file's unmatched: says. Without it (apply), they
// are deleted with Prune, and otherwise counted (Plan.NotInFile).
type Unmatched string

// What a plan may do with the users the file does not mention.
const (
	// UnmatchedKeep leaves them as they are: the plan counts them.
	UnmatchedKeep Unmatched = "keep"
	// UnmatchedNone demotes each to role none without data-domain roles
	// (DQOps keeps grants on demotion): an update that counts as a delete
	// (Change.CountsAsDelete), since it takes the user's access away.
	UnmatchedNone Unmatched = "none"
	// UnmatchedDelete deletes them, with Prune.
	UnmatchedDelete Unmatched = "delete"
)

// Usable returns the users of a list that a request can name, each once:
// a user whose email no request path can hold (api.Reachable: "", ".",
// "..", a NUL) cannot be read, changed or deleted through the API, so
// plans leave it out (a prune would otherwise fail on it for ever); a user
// listed twice is one user. unreachable names the users left out.
func Usable(current []api.User) (usable []api.User, unreachable []string) {
	seen := make(map[string]bool, len(current))
	usable = current[:0:0]
	for _, u := range current {
		switch {
		case api.Reachable(u.Email) != nil:
			unreachable = append(unreachable, u.Email)
		case seen[u.Email]:
		default:
			seen[u.Email] = true
			usable = append(usable, u)
		}
	}
	return usable, unreachable
}

// NewPlan compares the file with the server's users, read by one list call.
// Emails match as Index finds them. Data-domain roles compare as grants
// (User.Grants): an entry whose role is none, in the file or from the
// server, is no grant. A user whose entry does not set dataDomainRoles
// keeps its own grants.
func NewPlan(f *File, current []api.User, opts Options) *Plan {
	p := &Plan{Prune: opts.Prune, Unmatched: opts.Unmatched, Caller: opts.Caller}
	kept := func(email string) bool { return opts.Keep != nil && opts.Keep(email) }
	index := NewIndex(current)
	// Made at the first create: the look-alike keys of every user cost more
	// than the plans without a create should pay.
	var lookAlikes LookAlikeIndex
	matched := make([]bool, len(current))
	for _, e := range f.Entries {
		i, err := index.Find(e.Email)
		var amb *AmbiguousError
		if errors.As(err, &amb) {
			// Nothing is planned for it, and none of its matches is pruned.
			p.Ambiguous = append(p.Ambiguous, Problem{Line: e.Line, Message: amb.Error()})
			for _, m := range amb.Matches {
				j, _ := index.Find(m)
				matched[j] = true
			}
			continue
		}
		if kept(e.Email) {
			if err == nil {
				matched[i] = true
			}
			p.Kept++
			continue
		}
		if err != nil {
			after := &api.User{Email: e.Email, AccountRole: e.AccountRole, DataDomainRoles: api.GrantsOf(e.DataDomainRoles)}
			c := Change{Action: ActionCreate, Email: e.Email, After: after, Line: e.Line}
			if !opts.AllowLookAlike {
				if lookAlikes == nil {
					lookAlikes = NewLookAlikeIndex(current)
				}
				if like := lookAlikes.Of(e.Email); len(like) > 0 {
					c.Refused = RefusedLookAlike(e.Email, like)
				}
			}
			p.Changes = append(p.Changes, c)
			continue
		}
		matched[i] = true
		before := current[i]
		wanted := before.DataDomainRoles
		if e.DataDomainRoles != nil {
			wanted = e.DataDomainRoles
		}
		if before.AccountRole == e.AccountRole && api.SameGrants(before.DataDomainRoles, wanted) {
			p.Unchanged++
			continue
		}
		// The model read, with the file's roles; of the data-domain roles
		// only the grants are sent, which is all DQOps keeps.
		after := before
		after.AccountRole = e.AccountRole
		after.DataDomainRoles = api.GrantsOf(wanted)
		p.Changes = append(p.Changes, Change{Action: ActionUpdate, Email: before.Email, Before: &before, After: &after, Line: e.Line,
			FileGrants: e.DataDomainRoles != nil})
	}
	for i, u := range current {
		if matched[i] {
			continue
		}
		if kept(u.Email) {
			p.Kept++
			continue
		}
		p.NotInFile++
		before := u
		switch {
		case opts.Prune:
			p.Changes = append(p.Changes, Change{Action: ActionDelete, Email: u.Email, Before: &before})
		case opts.Unmatched == UnmatchedNone && (u.AccountRole != api.RoleNone || u.HasGrants()):
			// Every grant goes too: DQOps keeps them on demotion, and a
			// user in no mapped group is given none.
			after := u
			after.AccountRole, after.DataDomainRoles = api.RoleNone, nil
			p.Changes = append(p.Changes, Change{Action: ActionUpdate, Email: u.Email, Before: &before, After: &after,
				FileGrants: true, CountsAsDelete: true})
		}
	}
	sort.SliceStable(p.Changes, func(i, j int) bool {
		a, b := p.Changes[i], p.Changes[j]
		if a.Action != b.Action {
			return a.Action.order() < b.Action.order()
		}
		return api.FoldEmail(a.Email) < api.FoldEmail(b.Email)
	})
	for i := range p.Changes {
		p.Changes[i].Self = opts.Caller != "" && api.SameEmail(p.Changes[i].Email, opts.Caller)
	}
	if !opts.Force {
		_ = Guard(p.Changes, opts.Caller, func() ([]api.User, error) { return current, nil })
	}
	return p
}

// Count counts the changes of an action that will be made (not refused).
func (p *Plan) Count(a Action) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == a && c.Refused == "" {
			n++
		}
	}
	return n
}

// Refused counts the refused changes.
func (p *Plan) Refused() int {
	n := 0
	for _, c := range p.Changes {
		if c.Refused != "" {
			n++
		}
	}
	return n
}

// Pending returns the changes that will be made, in order.
func (p *Plan) Pending() []Change {
	var out []Change
	for _, c := range p.Changes {
		if c.Refused == "" {
			out = append(out, c)
		}
	}
	return out
}

// InSync reports whether the server already matches the file: no change,
// not even a refused one.
func (p *Plan) InSync() bool { return len(p.Changes) == 0 }
