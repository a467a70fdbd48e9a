package cmd

import (
	"context"
	"errors"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// PlanOptions are what diff and apply share: the file, how the plan is made,
// and what it is made with.
type PlanOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*api.Client, error)
	Printer func(output.Options) *output.Printer
	Context context.Context

	File   string
	Format string
	Prune  bool
	Force  bool
	// AllowLocalDomain accepts new users whose email domain has no dot.
	AllowLocalDomain bool
	// CSVColumns, Instance and IgnoreAbsentDomains say how the file is
	// read (users.ParseOptions): --csv-columns, --instance and
	// --ignore-absent-domains.
	CSVColumns          users.CSVColumns
	Instance            string
	IgnoreAbsentDomains bool
}

// plan reads the file, then the server, and compares them: what diff shows
// and apply carries out.
func (o *PlanOptions) plan() (*users.File, *api.Client, *users.Plan, error) {
	file, err := readUsersFile(o.Context, o.IO, o.File, o.Format, users.ParseOptions{
		CSVColumns: o.CSVColumns, Instance: o.Instance, IgnoreAbsentDomains: o.IgnoreAbsentDomains, AllowLocalDomain: o.AllowLocalDomain})
	if err != nil {
		return nil, nil, nil, err
	}
	client, err := o.Client()
	if err != nil {
		return nil, nil, nil, err
	}
	// A file bound to another instance is refused before any request; a
	// file for several is planned with the entries of this one.
	if err := file.CheckInstance(client.BaseURL()); err != nil {
		return nil, nil, nil, withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was sent; use the profile of the file's instance")
	}
	file = file.For(client.BaseURL())
	plan, err := makePlan(o.Context, client, file, o)
	if err != nil {
		return nil, nil, nil, err
	}
	return file, client, plan, nil
}

// readUsersFile reads and validates the whole file before any request; a
// problem is a usage error listing every problem with its line.
func readUsersFile(ctx context.Context, io *iostreams.IOStreams, name, format string, opts users.ParseOptions) (*users.File, error) {
	var data []byte
	var err error
	if name == "-" {
		// Through the streams' one reader of stdin, which later prompts share.
		data, err = io.ReadStdin(ctx)
	} else {
		data, err = files.ReadFile(ctx, name, files.MaxFileSize)
	}
	if errors.Is(err, files.ErrInterrupted) {
		return nil, err
	}
	if err != nil {
		return nil, usageErrorf("reading %s: %v", users.DisplayName(name), err)
	}
	var fm users.Format
	if format != "" {
		fm, _ = users.ParseFormat(format)
	} else {
		fm = users.DetectFormat(name, data)
	}
	file, err := opts.Parse(name, data, fm)
	var ve *users.ValidationError
	if errors.As(err, &ve) {
		return nil, withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was changed; fix the file and run again")
	}
	if err != nil {
		return nil, err
	}
	for _, n := range file.Notices {
		say(io.ErrOut, "note: %s\n", n)
	}
	return file, nil
}

// makePlan reads the caller's profile (who is applying, and the kind of
// instance) and the users, in one list call, checks the file's data-domain
// grants (reading the data domains when it has grants and the instance has
// domains), and compares the file with the users.
func makePlan(ctx context.Context, client *api.Client, file *users.File, o *PlanOptions) (*users.Plan, error) {
	who, current, err := callerAndUsers(ctx, client)
	if err != nil {
		return nil, err
	}
	if file.HasGrants() {
		flavour := client.DecideFlavour(who, current)
		rule, err := grantRule(ctx, client, flavour)
		if err != nil {
			return nil, err
		}
		if dropped, n := file.DropGrantsWhereAbsent(rule); n > 0 {
			say(o.IO.ErrOut, "note: %s has no data domains: the data-domain roles that %s gives are left out there (%d entries; domains: ignore-where-absent)\n",
				client.BaseURL(), file.Name, n)
			file = dropped
		}
		if err := file.CheckGrants(rule); err != nil {
			return nil, withHint(&ExitError{Code: ExitUsage, Err: err}, "nothing was changed; "+grantHint(flavour))
		}
	}
	plan := users.NewPlan(file, current, users.Options{Prune: o.Prune, Force: o.Force, Caller: who.User})
	if len(plan.Ambiguous) > 0 {
		return nil, withHint(&ExitError{Code: ExitUsage, Err: &users.ValidationError{File: file.Name, Problems: plan.Ambiguous}},
			"nothing was changed; write each email with the exact spelling the server has (`dqo-users list`)")
	}
	// A user to create is held to create's rules for a new email.
	var bad []users.Problem
	local := false
	for _, c := range plan.Changes {
		if c.Action == users.ActionCreate {
			if err := api.ValidateNewEmail(c.Email, o.AllowLocalDomain); err != nil {
				bad = append(bad, users.Problem{Line: c.Line, Message: err.Error()})
				local = local || errors.Is(err, api.ErrLocalDomain)
			}
		}
	}
	if len(bad) > 0 {
		hint := "nothing was changed; fix the emails of the users to create"
		if local {
			hint += ", or pass --allow-local-domain if this DQOps deployment uses domains without a dot"
		}
		return nil, withHint(&ExitError{Code: ExitUsage, Err: &users.ValidationError{File: file.Name, Problems: bad}}, hint)
	}
	return plan, nil
}
