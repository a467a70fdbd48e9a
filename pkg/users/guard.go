package users

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// Refusal says why the guard refuses a change; it reads as the plan shows
// it, and commands that refuse a single change word it their own way.
type Refusal string

// The guard's refusals.
const (
	RefusedSelfDelete Refusal = "it is your own account; --force allows it"
	RefusedSelfDemote Refusal = "it is your own account, which would lose the right to manage users; --force allows it"
	RefusedLastAdmin  Refusal = "it would leave the instance without an admin; --force allows it"
	// RefusedSelfLastAdmin is a change of the caller's own account that,
	// forced, would also leave the instance without an admin: both are said,
	// so that --force is not given for the one without knowing the other.
	RefusedSelfLastAdmin Refusal = "it is your own account and the last admin: the instance would be left without an admin; --force allows it"
)

// RefusedLookAlike is the refusal of a create whose email looks like the
// emails of existing users (api.LookAlike): a user easily taken for one of
// them, which it is not. Both emails are quoted with every non-ASCII
// character escaped, so that the difference shows. --force does not lift
// it; --allow-lookalike (Options.AllowLookAlike) does.
func RefusedLookAlike(email string, existing []string) Refusal {
	quoted := make([]string, len(existing))
	for i, e := range existing {
		quoted[i] = strconv.QuoteToASCII(e)
	}
	return Refusal(fmt.Sprintf("%s looks like the existing user %s, another user; --allow-lookalike allows it",
		strconv.QuoteToASCII(email), strings.Join(quoted, ", ")))
}

// Guarded reports whether the refusal is the guard's (your own account,
// the last admin), which --force lifts and Guard decides again on the
// users of the moment.
func (r Refusal) Guarded() bool {
	switch r {
	case RefusedSelfDelete, RefusedSelfDemote, RefusedLastAdmin, RefusedSelfLastAdmin:
		return true
	}
	return false
}

// Sentence is how a command that makes one change alone (delete, update)
// refuses it: "refusing to delete your own account ana@example.com", with
// the reason; "" when the change is not refused.
func (c Change) Sentence() string {
	verb := "delete"
	if c.Action != ActionDelete {
		verb = "demote"
	}
	switch c.Refused {
	case RefusedSelfDelete:
		return fmt.Sprintf("refusing to %s your own account %s", verb, c.Email)
	case RefusedSelfDemote:
		return fmt.Sprintf("refusing to %s your own account %s: you would lose the right to manage users", verb, c.Email)
	case RefusedSelfLastAdmin:
		return fmt.Sprintf("refusing to %s your own account %s: it is also the last admin, and the instance would be left without one", verb, c.Email)
	case RefusedLastAdmin:
		return fmt.Sprintf("refusing to %s %s: it is the last admin", verb, c.Email)
	}
	return ""
}

// Guard is the one rule that keeps the caller's own account and the last
// admin, for delete, update and apply alike. It refuses (sets Refused on)
// the changes that delete or demote the caller's own account, and then,
// counting the admins left after the changes not refused, refuses the last
// ones in the order given that remove an admin until one is left. A refused
// change of the caller's own account that would leave no admin if forced
// says so (RefusedSelfLastAdmin).
//
// users gives every user of the server; it is called only when some change
// removes an admin (a refused change of the caller's own account too, to
// tell whether it is also the last admin), so that a command changing no
// admin makes no list call. Its error is returned.
func Guard(changes []Change, caller string, users func() ([]api.User, error)) error {
	removes := false
	for i := range changes {
		c := &changes[i]
		self := caller != "" && api.SameEmail(c.Email, caller)
		switch {
		case self && c.Action == ActionDelete:
			c.Refused = RefusedSelfDelete
		case self && c.RemovesAdmin():
			c.Refused = RefusedSelfDemote
		}
		removes = removes || c.RemovesAdmin()
	}
	if !removes {
		return nil
	}
	current, err := users()
	if err != nil {
		return err
	}
	admins := 0
	for _, u := range current {
		if u.AccountRole == api.RoleAdmin {
			admins++
		}
	}
	for _, c := range changes {
		if c.Refused != "" {
			continue
		}
		if c.addsAdmin() {
			admins++
		}
		if c.RemovesAdmin() {
			admins--
		}
	}
	for i := len(changes) - 1; i >= 0 && admins < 1; i-- {
		c := &changes[i]
		if c.Refused == "" && c.RemovesAdmin() {
			c.Refused = RefusedLastAdmin
			admins++
		}
	}
	// The caller is one of the admins left; is it the only one?
	for i := range changes {
		c := &changes[i]
		self := c.Refused == RefusedSelfDelete || c.Refused == RefusedSelfDemote
		if self && c.RemovesAdmin() && admins <= 1 {
			c.Refused = RefusedSelfLastAdmin
		}
	}
	return nil
}

// RemovesAdmin reports whether a change takes an admin away.
func (c Change) RemovesAdmin() bool {
	if c.Before == nil || c.Before.AccountRole != api.RoleAdmin {
		return false
	}
	return c.Action == ActionDelete || c.After.AccountRole != api.RoleAdmin
}

// addsAdmin reports whether a change makes an admin.
func (c Change) addsAdmin() bool {
	if c.After == nil || c.After.AccountRole != api.RoleAdmin {
		return false
	}
	return c.Before == nil || c.Before.AccountRole != api.RoleAdmin
}
