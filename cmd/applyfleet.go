package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/dqops-users/dqo-users/pkg/audit"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// applyOnEach applies a plan to each of several instances: all are planned
// at once and their plans shown in the order given, one confirmation names
// them all, then the changes are made on all at once, each with its own
// --parallel requests, or, with --rollout, one instance at a time in the
// order given, stopping at the first that fails or is refused.
func (opts *ApplyOptions) applyOnEach(targets []*target, plan func(context.Context, *member) (*planned, error), source audit.Source) error {
	ctx := opts.Context
	if opts.GeneratePasswords != "" {
		return withHint(usageErrorf("--generate-passwords is refused with several profiles: one password on many instances: nothing was sent"),
			"apply to one profile at a time, each with a passwords file of its own")
	}
	printer := opts.Printer(output.Options{})
	fl := newFleet(opts.IO, opts.ClientOf, targets, false)
	err := fl.step(ctx, func(ctx context.Context, m *member) error {
		p, err := plan(ctx, m)
		if err != nil {
			return err
		}
		m.state = p
		if p.plan.InSync() {
			m.summary = "in sync"
			return nil
		}
		if err := writePlanText(m.out, p, printer.Color); err != nil {
			return err
		}
		if err := p.plan.CheckLimits(p.limits, len(p.current)); err != nil {
			return limitError(err)
		}
		m.summary = output.Count(len(p.plan.Pending()), "change") + " to make"
		return nil
	}, nil)
	if err != nil {
		return err
	}
	var asked []string
	for _, m := range fl.alive() {
		if n := len(m.state.(*planned).plan.Pending()); n > 0 {
			asked = append(asked, output.Count(n, "change")+" to "+m.t.Label())
		}
	}
	if opts.DryRun {
		if err := opts.savePlan(plansOf(fl)...); err != nil {
			return err
		}
		say(opts.IO.ErrOut, "Dry run: nothing was changed.\n")
		return fl.finish()
	}
	if len(asked) > 0 && !opts.Yes {
		if err := opts.confirm("Apply " + joinAnd(asked) + "?"); err != nil {
			return err
		}
	}
	run := fl.step
	if opts.Rollout {
		run = fl.rollout
	}
	err = run(ctx, func(ctx context.Context, m *member) error {
		p := m.state.(*planned)
		if p.plan.InSync() {
			return nil
		}
		err := opts.makeChanges(ctx, p, source, m.errOut, false)
		if err == nil {
			m.summary = output.Count(len(p.plan.Pending()), "change") + " made"
		}
		return err
	}, nil)
	if err != nil {
		return err
	}
	return fl.finish()
}

// plansOf are the plans of the members that made one.
func plansOf(fl *fleet) []*planned {
	var ps []*planned
	for _, m := range fl.members {
		if p, ok := m.state.(*planned); ok {
			ps = append(ps, p)
		}
	}
	return ps
}

// diffOnEach shows the plan of each of several instances, in the order
// given: as text, each headed by its instance, or, with -o json, one array
// of plans, each with its profile and instance. Instances with changes
// pending exit 10, unless another failed.
func (opts *DiffOptions) diffOnEach(targets []*target) error {
	ctx := opts.Context
	f, err := opts.readFile()
	if err != nil {
		return err
	}
	if err := f.checkInstances(targets); err != nil {
		return err
	}
	printer := opts.Printer(output.Options{})
	jsonOut := opts.Output == output.FormatJSON
	var docs []json.RawMessage
	fl := newFleet(opts.IO, opts.ClientOf, targets, jsonOut)
	err = fl.step(ctx, func(ctx context.Context, m *member) error {
		p, err := opts.planFor(ctx, f, m.t, m.client, m.errOut)
		if err != nil {
			return err
		}
		m.state = p
		switch {
		case jsonOut:
			err = p.plan.WriteJSON(m.out)
		case p.plan.InSync():
			say(m.errOut, "No changes: the server matches %s (%s).\n", p.file.Name, output.Count(p.plan.Unchanged, "user"))
		default:
			err = writePlanText(m.out, p, printer.Color)
		}
		if err != nil {
			return err
		}
		if lerr := p.plan.CheckLimits(p.limits, len(p.current)); lerr != nil {
			say(m.errOut, "warning: apply would refuse this plan: %v\n", limitError(lerr).(*ExitError).Err)
		}
		if p.plan.InSync() {
			m.summary = "in sync"
			return nil
		}
		m.summary = output.Count(len(p.plan.Changes), "change") + " pending"
		return &ExitError{Code: ExitChanges, Err: errors.New("the server differs from the file"), Reported: true}
	}, func(m *member, held io.Reader) error {
		if !jsonOut {
			_, err := io.Copy(opts.IO.Out, held)
			return err
		}
		var doc bytes.Buffer
		if _, err := doc.ReadFrom(held); err != nil {
			return err
		}
		if doc.Len() > 0 {
			docs = append(docs, withInstance(withProfile(doc.Bytes(), m.t.Profile.Name), m.t.Canonical()))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if jsonOut {
		if err := output.WriteJSON(printer.Out, docs); err != nil {
			return err
		}
	}
	if err := opts.savePlan(plansOf(fl)...); err != nil {
		return err
	}
	return fl.finish()
}

// withInstance is a JSON object that begins with "profile", with
// "instance" after it.
func withInstance(item json.RawMessage, instance string) json.RawMessage {
	url, _ := json.Marshal(instance)
	i := bytes.IndexByte(item, ',')
	if i < 0 {
		return item
	}
	out := append([]byte{}, item[:i+1]...)
	out = append(append(append(out, `"instance":`...), url...), ',')
	return append(out, item[i+1:]...)
}
