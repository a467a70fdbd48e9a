package cmd

import (
	"errors"
	"fmt"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// diffAgainst compares the instance of --profile with the one of
// --against: the plan that would make the first's users those of the
// second, as diff shows a plan from a file. Grants are compared only when
// both instances have data domains.
func (opts *DiffOptions) diffAgainst() error {
	ctx := opts.Context
	here, err := opts.Target()
	if err != nil {
		return err
	}
	there, err := opts.TargetNamed(opts.Against)
	if err != nil {
		return err
	}
	if api.SameServer(here.URL, there.URL) {
		return usageErrorf("--against %s is the instance compared (%s): name another profile", opts.Against, here.Label())
	}
	type side struct {
		t       *target
		users   []api.User
		flavour api.Flavour
		err     error
	}
	sides := []*side{{t: here}, {t: there}}
	done := make(chan struct{})
	for _, s := range sides {
		go func() {
			defer func() { done <- struct{}{} }()
			client, err := opts.ClientOf(ctx, s.t)
			if err != nil {
				s.err = err
				return
			}
			who, list, err := callerAndUsers(ctx, client, opts.IO.ErrOut)
			if err != nil {
				s.err = fmt.Errorf("%s: %w", s.t.Label(), err)
				return
			}
			s.users, s.flavour = list, client.DecideFlavour(who, list)
		}()
	}
	<-done
	<-done
	if err := errors.Join(sides[0].err, sides[1].err); err != nil {
		return err
	}
	grants := sides[0].flavour.HasDomains() && sides[1].flavour.HasDomains()
	file := &users.File{Name: there.Label()}
	for _, u := range sides[1].users {
		e := users.Entry{Email: u.Email, AccountRole: u.AccountRole}
		if grants {
			if e.DataDomainRoles = u.Grants(); e.DataDomainRoles == nil {
				e.DataDomainRoles = map[string]api.Role{}
			}
		}
		file.Entries = append(file.Entries, e)
	}
	plan := users.NewPlan(file, sides[0].users, users.Options{Prune: true, Force: true})
	compared := "grants compared: both instances have data domains"
	if !grants {
		compared = "grants not compared: " + noDomains(sides[0].t, sides[0].flavour, sides[1].t, sides[1].flavour)
	}
	printer := opts.Printer(output.Options{})
	switch {
	case opts.Output == output.FormatJSON:
		err = plan.WriteJSON(printer.Out)
	case plan.InSync():
		say(opts.IO.ErrOut, "No differences: %s has the users of %s (%s; %s).\n", here.Label(), there.Label(), output.Count(plan.Unchanged, "user"), compared)
	default:
		say(printer.Out, "Plan for %s, to match %s (%s):\n", here.Label(), there.Label(), compared)
		err = plan.WriteText(printer.Out, printer.Color)
	}
	if err != nil {
		return err
	}
	if !plan.InSync() {
		return &ExitError{Code: ExitChanges, Err: errors.New("the instances differ"), Reported: true}
	}
	return nil
}

// noDomains says which of two instances has no data domains.
func noDomains(a *target, fa api.Flavour, b *target, fb api.Flavour) string {
	switch {
	case !fa.HasDomains() && !fb.HasDomains():
		return "neither instance has data domains"
	case !fa.HasDomains():
		return a.Label() + " has no data domains"
	}
	return b.Label() + " has no data domains"
}
