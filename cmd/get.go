package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// GetOptions are the options of "get".
type GetOptions struct {
	IO      *iostreams.IOStreams
	Client  func(context.Context) (*api.Client, error)
	Printer func(output.Options) *output.Printer
	Context context.Context

	Emails []string
	Output output.Options
}

// NewCmdGet builds "get"; runF, when not nil, replaces the run function.
func NewCmdGet(f *Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{}
	opts.IO, opts.Client, opts.Printer = f.IO, f.Client, f.Printer
	c := &cobra.Command{
		Use:   "get EMAIL...",
		Short: "Show one or more users",
		Long: `Show users by email. With one email, JSON output is one object; with
several, an array. Every email is looked up; each failure is reported and the
exit code is the first failure's.`,
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
	client, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	ctx := opts.Context
	var found []api.User
	batch := newBatch(opts.IO.ErrOut, opts.Output.JSONErrors(), func(err error) error { return explainStatus(ctx, client, err) })
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
	if len(found) > 0 || len(opts.Emails) > 1 {
		var value any = usersJSON(found)
		if len(opts.Emails) == 1 {
			value = users.NewUserJSON(&found[0])
		}
		if err := opts.Printer(opts.Output).Print(ctx, value, usersTable(found)); err != nil {
			return err
		}
	}
	return batch.err()
}
