package cmd

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/apply"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// ListOptions are the options of "list".
type ListOptions struct {
	IO      *iostreams.IOStreams
	Client  func() (*api.Client, error)
	Printer func(output.Options) *output.Printer
	Context context.Context

	Role api.Role
	// Sort is "email" or "role"; empty keeps the server's order, in which
	// users are written as they arrive.
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
		Long: `List every user of the DQOps instance with their account role, in the
server's order (DQOps sorts by email). Users are written as they arrive, so
a list of a million users starts at once and takes little memory; --sort
holds them until the last has come.

On a terminal the list is a table; piped, it is tab-separated without a
header, so "while read email role" works (-o table keeps the table). Use -o
for json, yaml, csv and more.

If the connection breaks part-way, the users written stay written, the error
says how many they were, and the exit code is the failure's.`,
		Example: `  $ dqo-users list
  $ dqo-users list --role admin
  $ dqo-users list --match @example.com --sort role
  $ dqo-users list --match 'ana*'
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
			case "", "email", "role":
			default:
				return usageErrorf("--sort must be email or role, not %q", opts.Sort)
			}
			if isGlob(opts.Match) {
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
	c.Flags().StringVar(&opts.Sort, "sort", "", "sort by `FIELD`: email (ignoring case), or role (strongest first, then email); default: the server's order")
	c.Flags().StringVar(&opts.Match, "match", "", "show only users whose email contains `PATTERN`, or matches it as a glob when it has *, ? or [ (ignoring case)")
	registerRoleCompletion(c, "role")
	_ = c.RegisterFlagCompletionFunc("sort", fixedCompletion("email", "role"))
	addOutputFlags(c, &opts.Output)
	return c
}

// listFlushDelay is how long a listed user waits, at most, before it is
// written, when the server pauses in the middle of the list.
const listFlushDelay = 100 * time.Millisecond

func listRun(opts *ListOptions) error {
	client, err := opts.Client()
	if err != nil {
		return err
	}
	ctx := opts.Context
	columns := userColumns()
	// The domain roles column says nothing when nobody has any; the table
	// decides that from the rows it shows, as they come.
	columns[2].OmitEmpty = true
	list, err := opts.Printer(opts.Output).List(ctx, columns, 0, "no users")
	if err != nil {
		return err
	}
	list.FlushAfter(listFlushDelay)
	keep := userFilter(opts.Role, opts.Match)
	// The list writer keeps neither the item nor the row: one of each
	// serves every user.
	var item apply.UserJSON
	var row []string
	var writeErr error // a failure to write, as opposed to one of the server
	write := func(u *api.User) error {
		grants := ""
		if u.HasGrants() {
			grants = u.GrantsString()
		}
		item = *apply.NewUserJSON(u)
		row = append(row[:0], u.Email, string(u.AccountRole), grants)
		writeErr = list.Add(&item, row)
		return writeErr
	}
	var held []api.User // only with --sort
	err = client.StreamUsers(ctx, func(u api.User) error {
		switch {
		case !keep(&u):
			return nil
		case opts.Sort != "":
			held = append(held, u)
			return nil
		}
		return write(&u)
	})
	switch {
	case writeErr != nil:
		// Close writes out what was printed before, and returns writeErr.
		return list.Close()
	case err != nil:
		return listBroken(ctx, list, err)
	}
	sortUsers(held, opts.Sort)
	for i := range held {
		if write(&held[i]) != nil {
			break
		}
	}
	return list.Close()
}

// brokenList is a list being written when its answer failed: a
// *output.ListWriter, or an *apply.Exporter.
type brokenList interface {
	Abort() error
	Written() int
}

// listBroken ends a list whose answer failed: what was written stays
// written. When the list broke off part-way, the error says how many users
// were written before it.
func listBroken(ctx context.Context, list brokenList, err error) error {
	if aerr := list.Abort(); aerr != nil {
		return aerr
	}
	var partial *api.PartialListError
	if !errors.As(err, &partial) {
		return err
	}
	e := classify(ctx, err)
	if e.Code == ExitInterrupted {
		return e
	}
	return &ExitError{Code: e.Code, Status: e.Status, Hint: e.Hint,
		Err: &brokenListError{partial: partial, written: list.Written()}}
}

// brokenListError is a list that broke off after some users were written.
type brokenListError struct {
	partial *api.PartialListError
	written int
}

// Error counts the users written rather than those received, some of
// which --role or --match may have left out.
func (e *brokenListError) Error() string {
	were := "were"
	if e.written == 1 {
		were = "was"
	}
	return fmt.Sprintf("%v; %s %s written before the failure", e.partial.Err, output.Count(e.written, "user"), were)
}

func (e *brokenListError) Unwrap() error { return e.partial }

// isGlob reports whether a --match pattern has a wildcard; without one it
// is matched as a substring.
func isGlob(pattern string) bool { return strings.ContainsAny(pattern, "*?[") }

// userFilter returns whether a user is listed: it has the role (when given)
// and its email matches the pattern (when given), ignoring case: as a glob
// when the pattern has a wildcard, else as a substring.
func userFilter(role api.Role, pattern string) func(*api.User) bool {
	pattern = strings.ToLower(pattern)
	glob := isGlob(pattern)
	return func(u *api.User) bool {
		if role != "" && u.AccountRole != role {
			return false
		}
		if pattern == "" {
			return true
		}
		email := strings.ToLower(u.Email)
		if glob {
			ok, _ := path.Match(pattern, email)
			return ok
		}
		return strings.Contains(email, pattern)
	}
}

// sortUsers orders by email (case-insensitive), or by role strongest first
// and then email; "" leaves the order as it is.
func sortUsers(users []api.User, by string) {
	if by == "" {
		return
	}
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
