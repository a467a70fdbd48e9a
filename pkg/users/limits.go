package users

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/output"
)

// DeleteLimit bounds how many users one run may delete on one instance, as
// Azure AD Connect's "prevent accidental deletes" does: a file cut to its
// first lines, applied with --prune, must not delete everyone else. The
// zero value is the default: a tenth of the instance's users, and at least
// DefaultMinDeletes.
type DeleteLimit struct {
	// N is the limit when set by the user; 0 refuses every delete.
	N int
	// Set is whether the user gave a number.
	Set bool
	// All lifts the limit.
	All bool
}

// DefaultMinDeletes is the least the default delete limit allows, so that
// a small instance can lose a few users without --max-deletes.
const DefaultMinDeletes = 5

// ParseDeleteLimit reads --max-deletes: a number of users, or "all".
func ParseDeleteLimit(s string) (DeleteLimit, error) {
	if strings.EqualFold(s, "all") {
		return DeleteLimit{All: true}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return DeleteLimit{}, fmt.Errorf("--max-deletes must be a number of users or all, not %q", s)
	}
	return DeleteLimit{N: n, Set: true}, nil
}

// Of returns the limit for an instance of that many users, and false when
// there is none.
func (l DeleteLimit) Of(users int) (int, bool) {
	switch {
	case l.All:
		return 0, false
	case l.Set:
		return l.N, true
	}
	return max(DefaultMinDeletes, users/10), true
}

// String is the limit as --max-deletes takes it, "default" for the default.
func (l DeleteLimit) String() string {
	switch {
	case l.All:
		return "all"
	case l.Set:
		return strconv.Itoa(l.N)
	}
	return "default"
}

// Limits bound what one run may change on one instance. They are checked
// on the plan before any write, and --force does not lift them.
type Limits struct {
	MaxDeletes DeleteLimit
	// MaxChanges bounds creates, updates and deletes together; 0 is none.
	MaxChanges int
	// MaxChangesSet is whether MaxChanges was given (0 then refuses every
	// change).
	MaxChangesSet bool
}

// LimitError is a plan over a limit: nothing of it may be made.
type LimitError struct {
	// Flag is the limit's flag: --max-deletes or --max-changes.
	Flag string
	// Count is what the plan would do, Limit what the flag allows.
	Count, Limit int
	// Default is whether the delete limit is the default one, of Users.
	Default bool
	Users   int
}

func (e *LimitError) Error() string {
	if e.Flag == "--max-changes" {
		return fmt.Sprintf("the plan makes %s, more than --max-changes %d allows: nothing was changed",
			output.Count(e.Count, "change"), e.Limit)
	}
	limit := fmt.Sprintf("--max-deletes %d", e.Limit)
	if e.Default {
		limit = fmt.Sprintf("the default limit of %d (a tenth of the instance's %s, at least %d)",
			e.Limit, output.Count(e.Users, "user"), DefaultMinDeletes)
	}
	return fmt.Sprintf("the plan deletes %s, more than %s allows: nothing was changed", output.Count(e.Count, "user"), limit)
}

// CheckLimits refuses a plan that deletes, or changes, more than the limits
// allow on an instance of users users. Demotions that stand for deletions
// (Change.CountsAsDelete) count as deletes.
func (p *Plan) CheckLimits(l Limits, users int) error {
	deletes, changes := 0, 0
	for _, c := range p.Changes {
		if c.Refused != "" {
			continue
		}
		changes++
		if c.Action == ActionDelete || c.CountsAsDelete {
			deletes++
		}
	}
	if limit, ok := l.MaxDeletes.Of(users); ok && deletes > limit {
		return &LimitError{Flag: "--max-deletes", Count: deletes, Limit: limit, Default: !l.MaxDeletes.Set, Users: users}
	}
	if l.MaxChangesSet && changes > l.MaxChanges {
		return &LimitError{Flag: "--max-changes", Count: changes, Limit: l.MaxChanges}
	}
	return nil
}
