package cmd

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// ExportOptions are the options of "export".
type ExportOptions struct {
	IO      *iostreams.IOStreams
	Client  func(context.Context) (*api.Client, error)
	Context context.Context

	Format output.Format
}

// NewCmdExport builds "export"; runF, when not nil, replaces the run function.
func NewCmdExport(f *Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{}
	opts.IO, opts.Client = f.IO, f.Client
	var format string
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

Users whose emails differ only in letter case (a server may hold both
Ana@example.com and ana@example.com) are all written, with a warning:
"apply" refuses such a file until one spelling of each is removed or changed.`,
		Example: `  $ dqo-users export > users.yaml
  $ dqo-users export -o csv > users.csv
  $ dqo-users export -o json | jq '.users | length'`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			// The default is empty rather than "yaml" so that errors stay
			// sentences: -o yaml and json turn them into JSON objects.
			name := format
			if name == "" {
				name = string(users.FormatYAML)
			}
			var err error
			if opts.Format, err = users.ParseFormat(name); err != nil {
				return usageErrorf("--output: %v", err)
			}
			if runF != nil {
				return runF(opts)
			}
			return exportRun(opts)
		},
	}
	c.Flags().StringVarP(&format, "output", "o", "", "output `FORMAT`: yaml, json or csv (default yaml)")
	_ = c.RegisterFlagCompletionFunc("output", fixedCompletion(output.Names(users.Formats())...))
	return c
}

func exportRun(opts *ExportOptions) error {
	client, err := opts.Client(opts.Context)
	if err != nil {
		return err
	}
	ctx := opts.Context
	// Whether the file has dataDomainRoles is whether the server's model
	// has them (DQOps 1.13, with or without data domains in use), which the
	// first user shows: no profile is read, so a caller whose profile is
	// refused exports as any other.
	var file *users.Exporter
	start := func(withDomains bool) error {
		f, err := users.NewExporter(opts.IO.Out, opts.Format, users.ExportOptions{WithDomains: withDomains})
		file = f
		return err
	}
	var writeErr error
	err = eachUser(ctx, client, func(u *api.User) error {
		if file == nil {
			if writeErr = start(!u.NoRolesField); writeErr != nil {
				return writeErr
			}
		}
		writeErr = file.Add(u)
		return writeErr
	})
	if file == nil {
		// No user came: an empty file is written as DQOps 1.13 has it.
		if serr := start(true); serr != nil {
			return serr
		}
	}
	switch {
	case writeErr != nil:
		return file.Close()
	case err != nil:
		return listBroken(ctx, file, err)
	}
	if err := file.Close(); err != nil {
		return err
	}
	warnCaseTwins(opts.IO.ErrOut, file.CaseTwins())
	return nil
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
