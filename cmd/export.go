package cmd

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// ExportOptions are the options of "export".
type ExportOptions struct {
	IO       *iostreams.IOStreams
	Targets  func() ([]*target, error)
	ClientOf func(context.Context, *target) (*api.Client, error)
	Context  context.Context

	Format output.Format
	// To is --to: the file written whole, or left as it was.
	To string
	// NoInstance leaves out the instance the export is bound to.
	NoInstance bool
}

// NewCmdExport builds "export"; runF, when not nil, replaces the run function.
func NewCmdExport(f *Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{}
	opts.IO, opts.Targets, opts.ClientOf = f.IO, f.Targets, f.ClientOf
	var format output.Format
	c := &cobra.Command{
		Use:   "export",
		Short: "Write every user in the file format that apply reads",
		Long: `Write every user as a file that "apply" reads back without change:
"dqo-users export | dqo-users apply -f -" changes nothing. Users are written
in the server's order (DQOps sorts by email) as they arrive, so an export of
a million users takes little memory. If the connection breaks part-way, the
file is left unfinished and the error says how many users it holds.

On DQOps 1.13 and later every user is written with its data-domain grants
(not the "none" that DQOps lists for every domain where a user has no role),
{} when it has none, so the file pins the whole state: applying it later also
removes data-domain roles granted since. DQOps 1.0 has no data domains, and
the field is left out.

The file says which instance it is for (instance: in YAML and JSON, the
first row in CSV), and diff and apply refuse it for another one; --no-instance
leaves it out. It starts with a start mark and ends with an end mark written
after the last user, so a file cut off on the way (a failed or interrupted
export, a full disk) cannot pass for the whole list: diff and apply refuse
it. --to FILE writes the export to a temporary file beside FILE and puts it
in FILE's place only once it is whole: after any failure or Ctrl-C, FILE is
as it was.

With several profiles (--profile dev,prod) the file recreates every one of
the instances: instance: lists them, a user that is the same on all is one
entry, and a user that differs, or that some lack, has an entry for each
role it has, scoped with instances: [URL, ...]; "apply --profile dev,prod"
reads it back without a change. CSV cannot hold scopes: such an export is
YAML or JSON. It holds every instance's users in memory to compare them, and
is written only once every instance has been read.

Users whose emails differ only in letter case (a server may hold both
Ana@example.com and ana@example.com) are all written, with a warning:
"apply" refuses such a file until one spelling of each is removed or changed.
Users whose email no request can name ("", ".", "..", a NUL) are left out,
with a warning: no command can change them.`,
		Example: `  $ dqo-users export --to users.yaml
  $ dqo-users export -o csv --to users.csv
  $ dqo-users export -o json | jq '.users | length'`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			// The default is empty rather than "yaml" so that errors stay
			// sentences: -o yaml and json turn them into JSON objects.
			if opts.Format = format; opts.Format == "" {
				opts.Format = users.FormatYAML
			}
			if runF != nil {
				return runF(opts)
			}
			return exportRun(opts)
		},
	}
	formatFlag(c, &format, "output", "o", "output `FORMAT`: yaml, json or csv (default yaml)", users.Formats()...)
	c.Flags().StringVar(&opts.To, "to", "", "write the export to `FILE`, whole or not at all, rather than to stdout")
	c.Flags().BoolVar(&opts.NoInstance, "no-instance", false, "leave out the instance the file is for")
	return c
}

func exportRun(opts *ExportOptions) error {
	targets, err := opts.Targets()
	if err != nil {
		return err
	}
	if several(targets) {
		return opts.exportFleet(targets)
	}
	err = opts.exportOne(targets[0])
	if err == nil || opts.To == "" {
		return err
	}
	// Nothing of a failed export reached the file: say so, whatever the
	// failure (a signal's message included).
	e := *classify(opts.Context, err)
	e.Err = fmt.Errorf("%w; %s was left as it was", e.Err, opts.To)
	return &e
}

// exportOne exports the users of one instance.
func (opts *ExportOptions) exportOne(t *target) error {
	ctx := opts.Context
	client, err := opts.ClientOf(ctx, t)
	if err != nil {
		return err
	}
	out, commit, err := opts.output()
	if err != nil {
		return err
	}
	defer commit(false)
	var instances []string
	if !opts.NoInstance {
		instances = []string{t.Canonical()}
	}
	// Whether the file has dataDomainRoles is whether the server's model
	// has them (DQOps 1.13, with or without data domains in use), which the
	// first user shows: no profile is read, so a caller whose profile is
	// refused exports as any other.
	var file *users.Exporter
	start := func(withDomains bool) error {
		f, err := users.NewExporter(out, opts.Format, users.ExportOptions{WithDomains: withDomains, Instances: instances})
		file = f
		return err
	}
	var unreachable []string
	var writeErr error
	err = eachUser(ctx, client, func(u *api.User) error {
		if api.Reachable(u.Email) != nil {
			unreachable = append(unreachable, u.Email)
			return nil
		}
		if file == nil {
			if writeErr = start(!u.NoRolesField); writeErr != nil {
				return writeErr
			}
		}
		writeErr = file.Add(u)
		return writeErr
	})
	if file == nil && err == nil {
		// No user came: an empty file is written as DQOps 1.13 has it.
		if serr := start(true); serr != nil {
			return serr
		}
	}
	warnUnreachable(opts.IO.ErrOut, unreachable)
	switch {
	case file == nil:
		return err
	case writeErr != nil:
		return file.Close()
	case err != nil && opts.To != "":
		// The users written went to the temporary file, which goes.
		_ = file.Abort()
		return err
	case err != nil:
		return listBroken(ctx, file, err)
	}
	if err := file.Close(); err != nil {
		return err
	}
	if err := commit(true); err != nil {
		return err
	}
	if opts.To != "" {
		say(opts.IO.ErrOut, "Wrote %s to %s.\n", output.Count(file.Written(), "user"), opts.To)
	}
	warnCaseTwins(opts.IO.ErrOut, file.CaseTwins())
	return nil
}

// output is where the export goes: stdout, or with --to a temporary file
// beside the file named, which commit(true) puts in its place and
// commit(false) removes, leaving the file as it was.
func (opts *ExportOptions) output() (io.Writer, func(ok bool) error, error) {
	if opts.To == "" {
		return opts.IO.Out, func(bool) error { return nil }, nil
	}
	f, err := files.Create(opts.To, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("writing the export to %s: %w", opts.To, err)
	}
	return f, func(ok bool) error {
		if !ok {
			f.Discard()
			return nil
		}
		if err := f.Commit(); err != nil {
			return fmt.Errorf("writing the export to %s: %w", opts.To, err)
		}
		return nil
	}, nil
}

// exportFleet writes one file that recreates several instances: a user the
// same on all is one entry; one that differs, or that some lack, has an
// entry for each role it has, scoped by the instances' URLs. Every instance
// is read before anything is written.
func (opts *ExportOptions) exportFleet(targets []*target) error {
	ctx := opts.Context
	if opts.Format == users.FormatCSV {
		return withHint(usageErrorf("an export of several instances cannot be CSV, which has no room for the instances of each user: nothing was sent"),
			"use -o yaml or -o json")
	}
	fl := newFleet(opts.IO, opts.ClientOf, targets, false)
	err := fl.step(ctx, func(ctx context.Context, m *member) error {
		list, err := m.client.ListUsers(ctx)
		if err != nil {
			return err
		}
		list, unreachable := users.Usable(list)
		warnUnreachable(m.errOut, unreachable)
		m.state = list
		m.summary = output.Count(len(list), "user")
		return nil
	}, nil)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(fl.members, func(m *member) bool { return m.err != nil }) {
		e := fl.finish().(*ExitError)
		say(opts.IO.ErrOut, "error: nothing was written: an export of several instances needs every one of them\n")
		return e
	}
	// by email, each instance's user, or nil where it has none.
	type held struct {
		user *api.User
		sig  string
	}
	byEmail := map[string][]held{}
	withDomains := false
	for i, m := range fl.members {
		for _, u := range m.state.([]api.User) {
			withDomains = withDomains || !u.NoRolesField
			if byEmail[u.Email] == nil {
				byEmail[u.Email] = make([]held, len(fl.members))
			}
			byEmail[u.Email][i] = held{user: &u, sig: string(u.AccountRole) + "\x00" + u.GrantsString()}
		}
	}
	emails := slices.SortedFunc(maps.Keys(byEmail), func(a, b string) int {
		return cmp.Or(strings.Compare(api.FoldEmail(a), api.FoldEmail(b)), strings.Compare(a, b))
	})
	instances := make([]string, len(fl.members))
	for i, m := range fl.members {
		instances[i] = m.t.Canonical()
	}
	out, commit, err := opts.output()
	if err != nil {
		return err
	}
	defer commit(false)
	var scope []string
	if !opts.NoInstance {
		scope = instances
	}
	file, err := users.NewExporter(out, opts.Format, users.ExportOptions{WithDomains: withDomains, Instances: scope})
	if err != nil {
		return err
	}
	for _, email := range emails {
		on := byEmail[email]
		// One entry for each role the user has, in the order of the first
		// instance that has it; none scoped when every instance agrees.
		var sigs []string
		for _, h := range on {
			if h.user != nil && !slices.Contains(sigs, h.sig) {
				sigs = append(sigs, h.sig)
			}
		}
		everywhere := len(sigs) == 1 && !slices.ContainsFunc(on, func(h held) bool { return h.user == nil })
		for _, sig := range sigs {
			var where []string
			var user *api.User
			for i, h := range on {
				if h.user != nil && h.sig == sig {
					where = append(where, instances[i])
					user = h.user
				}
			}
			if everywhere {
				where = nil
			}
			if err := file.AddScoped(user, where); err != nil {
				return err
			}
		}
	}
	if err := file.Close(); err != nil {
		return err
	}
	if err := commit(true); err != nil {
		return err
	}
	if opts.To != "" {
		say(opts.IO.ErrOut, "Wrote %d entries to %s.\n", file.Written(), opts.To)
	}
	return fl.finish()
}

// warnUnreachable names, once, the users whose email no request can name:
// every command leaves them out.
func warnUnreachable(w io.Writer, emails []string) {
	if len(emails) == 0 {
		return
	}
	names := make([]string, 0, maxTwinsNamed)
	for _, e := range emails[:min(len(emails), maxTwinsNamed)] {
		names = append(names, strconv.QuoteToASCII(e))
	}
	more := ""
	if len(emails) > maxTwinsNamed {
		more = fmt.Sprintf(" and %d more", len(emails)-maxTwinsNamed)
	}
	say(w, "warning: the server lists %s whose email no request can name (%s%s): they are left out, as no command can change them\n",
		output.Count(len(emails), "user"), strings.Join(names, ", "), more)
}

// maxTwinsNamed bounds the case twins a warning names.
const maxTwinsNamed = 5

// warnCaseTwins tells of users whose emails differ only in letter case: the
// file holds them all, as the server does, and apply refuses it until one
// spelling of each is removed or changed.
func warnCaseTwins(w io.Writer, twins []users.CaseTwin) {
	if len(twins) == 0 {
		return
	}
	names := make([]string, 0, maxTwinsNamed)
	for _, t := range twins[:min(len(twins), maxTwinsNamed)] {
		names = append(names, fmt.Sprintf("%s (%d users)", text.Safe(t.Email), t.Users))
	}
	more := ""
	if len(twins) > maxTwinsNamed {
		more = fmt.Sprintf(" and %d more", len(twins)-maxTwinsNamed)
	}
	say(w, "warning: the server holds users whose emails differ only in letter case, and the file holds them all: %s%s; "+
		"apply refuses the file until one spelling of each is removed or changed (`dqo-users list --match EMAIL` shows the spellings)\n",
		strings.Join(names, ", "), more)
}
