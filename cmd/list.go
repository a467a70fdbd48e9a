package cmd

import (
	"context"
	"path"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// ListOptions are the options of "list".
type ListOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*api.Client, error)
	Printer func(output.Options) *output.Printer
	Context context.Context

	Role   api.Role
	Sort   string
	Match  string
	Output output.Options
}

// NewCmdList builds "list"; runF, when not nil, replaces the run function
// (tests of argument mapping).
func NewCmdList(f *Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{}
	opts.IO, opts.Client, opts.Printer = f.IO, f.Client, f.Printer
	var role string
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
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if role != "" {
				r, err := parseRoleFlag("role", role)
				if err != nil {
					return err
				}
				opts.Role = r
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
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	c.Flags().StringVar(&role, "role", "", "show only users with this account `ROLE`")
	c.Flags().StringVar(&opts.Sort, "sort", "email", "sort by `FIELD`: email, or role (strongest first, then email)")
	c.Flags().StringVar(&opts.Match, "match", "", "show only users whose email matches the `GLOB` (case-insensitive)")
	registerRoleCompletion(c, "role")
	_ = c.RegisterFlagCompletionFunc("sort", fixedCompletion("email", "role"))
	addOutputFlags(c, &opts.Output)
	return c
}

func listRun(opts *ListOptions) error {
	client, err := opts.Client()
	if err != nil {
		return err
	}
	users, err := client.ListUsers(opts.Context)
	if err != nil {
		return err
	}
	users = filterUsers(users, opts.Role, opts.Match)
	sortUsers(users, opts.Sort)
	return opts.Printer(opts.Output).Print(opts.Context, usersJSON(users), usersTable(users))
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
