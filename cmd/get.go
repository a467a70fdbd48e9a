package cmd

import (
	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// GetOptions are the options of "get".
type GetOptions struct {
	Emails []string
	Output output.Options
}

func newGetCmd(f *Factory) *cobra.Command {
	opts := &GetOptions{}
	c := &cobra.Command{
		Use:   "get EMAIL...",
		Short: "Show one or more users",
		Long: `Show users by email. With one email, JSON output is one object; with
several, an array. Every email is looked up; each failure is reported and the
exit code is the first failure's.`,
		Example: `  $ dqo-users get ana@example.com
  $ dqo-users get ana@example.com bo@example.com -o json
  $ dqo-users get ana@example.com --jq .accountRole`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := validateEmails(args); err != nil {
				return err
			}
			if err := opts.Output.Validate(userColumns()...); err != nil {
				return err
			}
			opts.Emails = args
			return getRun(c, f, opts)
		},
		ValidArgsFunction: f.completeEmails,
	}
	addOutputFlags(c, &opts.Output)
	return c
}

func getRun(c *cobra.Command, f *Factory, opts *GetOptions) error {
	client, err := f.Client()
	if err != nil {
		return err
	}
	ctx := c.Context()
	var users []api.User
	batch := newBatch(f, c)
	for _, email := range opts.Emails {
		u, err := client.GetUser(ctx, email)
		if err != nil {
			if batch.fail(ctx, notFound(email, err)) {
				break
			}
			continue
		}
		users = append(users, *u)
	}
	if len(users) > 0 || len(opts.Emails) > 1 {
		var value any = usersOutput(users)
		if len(opts.Emails) == 1 {
			value = toOutput(users[0])
		}
		if err := f.printer(opts.Output).Print(value, usersTable(users)); err != nil {
			return err
		}
	}
	return batch.err()
}
