package cmd

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// GetOptions are the options of "get".
type GetOptions struct {
	IO       *iostreams.IOStreams
	Targets  func() ([]*target, error)
	ClientOf func(context.Context, *target) (*api.Client, error)
	Printer  func(output.Options) *output.Printer
	Context  context.Context

	Emails []string
	Output output.Options
}

// NewCmdGet builds "get"; runF, when not nil, replaces the run function.
func NewCmdGet(f *Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{}
	opts.IO, opts.Targets, opts.ClientOf, opts.Printer = f.IO, f.Targets, f.ClientOf, f.Printer
	c := &cobra.Command{
		Use:   "get EMAIL...",
		Short: "Show one or more users",
		Long: `Show users by email. With one email, JSON output is one object; with
several, an array. Every email is looked up; each failure is reported and the
exit code is the first failure's. With several profiles (--profile dev,prod)
each instance is asked, and the users are one list with the profile first.`,
		Example: `  $ dqo-users get ana@example.com
  $ dqo-users get ana@example.com bo@example.com -o json
  $ dqo-users get ana@example.com --jq .accountRole`,
		Args: atLeastOne("EMAIL"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context = c.Context()
			if err := validateEmails(args); err != nil {
				return err
			}
			if err := opts.Output.Validate(userColumns()...); err != nil {
				return err
			}
			opts.Emails = args
			if runF != nil {
				return runF(opts)
			}
			return getRun(opts)
		},
		ValidArgsFunction: f.completeEmails,
	}
	addOutputFlags(c, &opts.Output)
	return c
}

func getRun(opts *GetOptions) error {
	ctx := opts.Context
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	printer := opts.Printer(opts.Output)
	if several(targets) {
		fl := newFleet(opts.IO, opts.ClientOf, targets, opts.Output.JSONErrors())
		return fleetList(ctx, fl, printer, userColumns(), 0, "no users", "user",
			func(ctx context.Context, client *api.Client, errOut io.Writer, emit func(any, []string) error) error {
				found, err := opts.get(ctx, client, errOut)
				for i := range found {
					if eerr := emit(users.NewUserJSON(&found[i]), usersTable(found[i : i+1]).Rows[0]); eerr != nil {
						return eerr
					}
				}
				return err
			})
	}
	client, err := opts.ClientOf(ctx, targets[0])
	if err != nil {
		return err
	}
	found, err := opts.get(ctx, client, opts.IO.ErrOut)
	if len(found) > 0 || len(opts.Emails) > 1 {
		var value any = usersJSON(found)
		if len(opts.Emails) == 1 {
			value = users.NewUserJSON(&found[0])
		}
		if perr := printer.Print(ctx, value, usersTable(found)); perr != nil {
			return perr
		}
	}
	return err
}

// get reads the users the options name, reporting each failure on errOut;
// the error is the first failure, reported.
func (opts *GetOptions) get(ctx context.Context, client *api.Client, errOut io.Writer) ([]api.User, error) {
	var found []api.User
	batch := newBatch(errOut, opts.Output.JSONErrors(), func(err error) error { return explainStatus(ctx, client, err) })
	for _, email := range opts.Emails {
		u, err := client.GetUser(ctx, email)
		if err != nil {
			if batch.fail(ctx, notFound(ctx, client, email, err)) {
				break
			}
			continue
		}
		found = append(found, *u)
	}
	return found, batch.err()
}
