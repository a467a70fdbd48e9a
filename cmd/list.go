package cmd

import (
	"path"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// ListOptions are the options of "list".
type ListOptions struct {
	Role   string
	Sort   string
	Match  string
	Output output.Options
}

func newListCmd(f *Factory) *cobra.Command {
	opts := &ListOptions{}
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the users of the DQOps instance",
		Long: `List every user of the DQOps instance with their account role, sorted by email.

On a terminal the list is a table; piped, it is tab-separated without a
header, so "while read email role" works. Use -o for json, yaml, csv and more.`,
		Example: `  $ dqo-users list
  $ dqo-users list --role admin
  $ dqo-users list --match '*@example.com' --sort role
  $ dqo-users list -o json --jq '.[].email'
  $ dqo-users list | while IFS=$'\t' read -r email role _; do echo "$email is $role"; done`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.Role != "" {
				r, err := api.ParseRole(opts.Role)
				if err != nil {
					return usageErrorf("--role: %v", err)
				}
				opts.Role = string(r)
			}
			switch opts.Sort {
			case "email", "role":
			default:
				return usageErrorf("--sort must be email or role, not %q", opts.Sort)
			}
			if opts.Match != "" {
				if _, err := path.Match(opts.Match, ""); err != nil {
					return usageErrorf("--match %q is not a valid pattern: %v", opts.Match, err)
				}
			}
			if err := opts.Output.Validate(userColumns()...); err != nil {
				return err
			}
			return listRun(c, f, opts)
		},
	}
	c.Flags().StringVar(&opts.Role, "role", "", "show only users with this account `ROLE`")
	c.Flags().StringVar(&opts.Sort, "sort", "email", "sort by email, or by role (strongest first, then email)")
	c.Flags().StringVar(&opts.Match, "match", "", "show only users whose email matches the `GLOB` (case-insensitive)")
	registerRoleCompletion(c, "role")
	_ = c.RegisterFlagCompletionFunc("sort", fixedCompletion("email", "role"))
	addOutputFlags(c, &opts.Output)
	return c
}

func listRun(c *cobra.Command, f *Factory, opts *ListOptions) error {
	client, err := f.Client()
	if err != nil {
		return err
	}
	users, err := client.ListUsers(c.Context())
	if err != nil {
		return err
	}
	users = filterUsers(users, api.Role(opts.Role), opts.Match)
	sortUsers(users, opts.Sort)
	return f.printer(opts.Output).Print(usersOutput(users), usersTable(users))
}

// filterUsers keeps the users with the role (when given) whose email matches
// the glob (when given), in place.
func filterUsers(users []api.User, role api.Role, glob string) []api.User {
	if role == "" && glob == "" {
		return users
	}
	glob = strings.ToLower(glob)
	kept := users[:0]
	for _, u := range users {
		if role != "" && u.AccountRole != role {
			continue
		}
		if glob != "" {
			if ok, _ := path.Match(glob, strings.ToLower(u.Email)); !ok {
				continue
			}
		}
		kept = append(kept, u)
	}
	return kept
}

// sortUsers orders by email (case-insensitive), or by role strongest first
// and then email. The server sorts too, but case-sensitively.
func sortUsers(users []api.User, by string) {
	less := func(i, j int) bool {
		if by == "role" {
			ri, rj := users[i].AccountRole.Rank(), users[j].AccountRole.Rank()
			if ri != rj {
				return ri >= 0 && (rj < 0 || ri < rj)
			}
		}
		return strings.ToLower(users[i].Email) < strings.ToLower(users[j].Email)
	}
	// The server's order is usually right already; checking is linear.
	if !sort.SliceIsSorted(users, less) {
		sort.SliceStable(users, less)
	}
}
