package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// VersionOptions are the options of "version".
type VersionOptions struct {
	IO    *iostreams.IOStreams
	Build BuildInfo
}

// NewCmdVersion builds "version"; runF, when not nil, replaces the run
// function.
func NewCmdVersion(f *Factory, build BuildInfo, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{}
	opts.IO, opts.Build = f.IO, build
	return &cobra.Command{
		Use:     "version",
		Short:   "Show the version of dqo-users",
		Long:    "Show the version, commit and build date of this dqo-users binary.",
		Example: `  $ dqo-users version`,
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *VersionOptions) error {
	fmt.Fprintf(opts.IO.Out, "dqo-users %s\n", versionLine(opts.Build))
	return nil
}

func versionLine(b BuildInfo) string {
	line := b.Version
	var extra []string
	if b.Commit != "" {
		extra = append(extra, "commit "+b.Commit)
	}
	if b.Date != "" {
		extra = append(extra, "built "+b.Date)
	}
	if len(extra) > 0 {
		line += " (" + strings.Join(extra, ", ") + ")"
	}
	return line
}
