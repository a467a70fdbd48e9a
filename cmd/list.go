package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// ListOptions are the options of "list".
type ListOptions struct {
	IO       *iostreams.IOStreams
	Targets  func() ([]*target, error)
	ClientOf func(context.Context, *target) (*api.Client, error)
	Printer  func(output.Options) *output.Printer
	Context  context.Context

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
	opts.IO, opts.Targets, opts.ClientOf, opts.Printer = f.IO, f.Targets, f.ClientOf, f.Printer
	var role string
	c := &cobra.Command{
		Use:   "list",
		Short: "List the users of the DQOps instance",
		Long: `List every user of the DQOps instance with their account role, in the
server's order (DQOps sorts by email). Users are written as they arrive, so
a list of a million users starts at once and takes little memory; --sort
holds them until the last has come.

On a terminal the list is a table; piped, it is tab-separated without a
header, so "while read email role" works (-o table keeps the table). Use -o
for json, yaml, csv and more.

If the connection breaks part-way, the users written stay written, the error
says how many they were, and the exit code is the failure's.

With several profiles (--profile dev,prod or --all-profiles) the instances
are asked at once and listed one after the other, in the order given: tables
and csv gain a first PROFILE column, JSON and YAML items a "profile" field,
and -o name prints profile/email.`,
		Example: `  $ dqo-users list
  $ dqo-users list --role admin
  $ dqo-users list --match @example.com --sort role
  $ dqo-users list --match 'ana*'
  $ dqo-users list -o json --jq '.[].email'
  $ dqo-users list --profile dev,prod --role admin
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
	ctx := opts.Context
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	columns := userColumns()
	// The domain roles column says nothing when nobody has any; the table
	// decides that from the rows it shows, as they come.
	columns[2].OmitEmpty = true
	printer := opts.Printer(opts.Output)
	if several(targets) {
		fl := newFleet(opts.IO, opts.ClientOf, targets, opts.Output.JSONErrors())
		return fleetList(ctx, fl, printer, columns, 0, "no users", "user", opts.produce)
	}
	client, err := opts.ClientOf(ctx, targets[0])
	if err != nil {
		return err
	}
	list, err := printer.List(ctx, columns, 0, "no users")
	if err != nil {
		return err
	}
	list.FlushAfter(listFlushDelay)
	var writeErr error // a failure to write, as opposed to one of the server
	err = opts.produce(ctx, client, opts.IO.ErrOut, func(item any, row []string) error {
		writeErr = list.Add(item, row)
		return writeErr
	})
	switch {
	case writeErr != nil:
		// Close writes out what was printed before, and returns writeErr.
		return list.Close()
	case err != nil:
		return listBroken(ctx, list, err)
	}
	return list.Close()
}

// produce gives the users of one instance that the options keep, in the
// server's order or sorted.
func (opts *ListOptions) produce(ctx context.Context, client *api.Client, _ io.Writer, emit func(item any, row []string) error) error {
	keep := userFilter(opts.Role, opts.Match)
	// The list writer keeps neither the item nor the row: one of each
	// serves every user.
	var item users.UserJSON
	var row []string
	write := func(u *api.User) error {
		grants := ""
		if u.HasGrants() {
			grants = u.GrantsString()
		}
		item = *users.NewUserJSON(u)
		row = append(row[:0], u.Email, string(u.AccountRole), grants)
		return emit(&item, row)
	}
	var held []api.User // only with --sort
	err := eachUser(ctx, client, func(u *api.User) error {
		switch {
		case !keep(u):
			return nil
		case opts.Sort != "":
			held = append(held, *u)
			return nil
		}
		return write(u)
	})
	if err != nil {
		return err
	}
	sortUsers(held, opts.Sort)
	for i := range held {
		if err := write(&held[i]); err != nil {
			return err
		}
	}
	return nil
}

// listBatch is how many users the decoding goroutine of eachUser hands
// over at once, and listHandOver how long a user may wait in a batch before
// it is handed over anyway, when the server pauses in the middle of the
// list.
const (
	listBatch    = 256
	listHandOver = 20 * time.Millisecond
)

// errStopped stops the decoding of a list whose writing failed.
var errStopped = errors.New("the list's writing stopped")

// eachUser calls fn for each user of the instance, in the server's order,
// in the calling goroutine, while another goroutine reads and decodes the
// answer, so that on two cores decoding the next users overlaps writing
// these (StreamUsers does both in one). fn must not keep u. An error of fn
// stops the list and is returned; otherwise StreamUsers' error is, once fn
// has seen every user that came before the failure.
func eachUser(ctx context.Context, client *api.Client, fn func(u *api.User) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []api.User, 4)
	free := make(chan []api.User, 6)
	stop := make(chan struct{})
	var listErr error
	go func() {
		defer close(batches)
		h := &handOver{batches: batches, free: free, stop: stop}
		err := client.StreamUsers(ctx, h.add)
		h.finish()
		listErr = err
	}()
	var fnErr error
	for batch := range batches {
		for i := 0; fnErr == nil && i < len(batch); i++ {
			if fnErr = fn(&batch[i]); fnErr != nil {
				close(stop)
				cancel() // a read in progress ends too
			}
		}
		select {
		case free <- batch:
		default:
		}
	}
	if fnErr != nil {
		return fnErr
	}
	return listErr
}

// handOver gathers decoded users into batches for eachUser, and hands a
// batch over when it is full, when it has waited listHandOver, and at the
// end.
type handOver struct {
	batches chan<- []api.User
	free    <-chan []api.User
	stop    <-chan struct{}

	mu    sync.Mutex
	batch []api.User
	timer *time.Timer
	done  bool
}

func (h *handOver) add(u api.User) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.batch = append(h.batch, u)
	switch {
	case len(h.batch) >= listBatch:
		if !h.send() {
			return errStopped
		}
	case len(h.batch) > 1:
	case h.timer == nil:
		h.timer = time.AfterFunc(listHandOver, h.waited)
	default:
		h.timer.Reset(listHandOver)
	}
	return nil
}

// waited is the timer's: the batch has waited long enough.
func (h *handOver) waited() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done {
		h.send()
	}
}

// finish hands over what is left, once the list has ended.
func (h *handOver) finish() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.timer != nil {
		h.timer.Stop()
	}
	h.send()
	h.done = true
}

// send hands the batch over, with mu held; false when the writing stopped.
func (h *handOver) send() bool {
	if len(h.batch) == 0 {
		return true
	}
	select {
	case h.batches <- h.batch:
	case <-h.stop:
		return false
	}
	select {
	case h.batch = <-h.free:
		h.batch = h.batch[:0]
	default:
		h.batch = make([]api.User, 0, listBatch)
	}
	return true
}

// brokenList is a list being written when its answer failed: a
// *output.ListWriter, or an *users.Exporter.
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
	broken := &brokenListError{partial: partial, written: list.Written()}
	if e.Code == ExitInterrupted || e.Code == ExitTerminated {
		broken.cause = e.Err
	}
	return &ExitError{Code: e.Code, Status: e.Status, Hint: e.Hint, Err: broken}
}

// brokenListError is a list that broke off after some users were written.
type brokenListError struct {
	partial *api.PartialListError
	written int
	// cause, when set, is what broke the list instead of the answer: a
	// signal.
	cause error
}

// Error counts the users written rather than those received, some of
// which --role or --match may have left out.
func (e *brokenListError) Error() string {
	were := "were"
	if e.written == 1 {
		were = "was"
	}
	if e.cause != nil {
		return fmt.Sprintf("%v; %s %s written before it", e.cause, output.Count(e.written, "user"), were)
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
	pattern = api.FoldEmail(pattern)
	glob := isGlob(pattern)
	return func(u *api.User) bool {
		if role != "" && u.AccountRole != role {
			return false
		}
		if pattern == "" {
			return true
		}
		email := api.FoldEmail(u.Email)
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
		return api.FoldEmail(users[i].Email) < api.FoldEmail(users[j].Email)
	}
	// The server's order is usually right already; checking is linear.
	if !sort.SliceIsSorted(users, less) {
		sort.SliceStable(users, less)
	}
}
