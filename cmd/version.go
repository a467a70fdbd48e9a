package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// VersionOptions are the options of "version".
type VersionOptions struct {
	IO    *iostreams.IOStreams
	Build BuildInfo

	// Output is empty for the line people read, else json or yaml.
	Output output.Format
}

// NewCmdVersion builds "version"; runF, when not nil, replaces the run
// function.
func NewCmdVersion(f *Factory, build BuildInfo, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{}
	opts.IO, opts.Build = f.IO, build
	c := &cobra.Command{
		Use:   "version",
		Short: "Show the version of dqo-users",
		Long: `Show the version, commit and build date of this dqo-users binary, as a line
(also "dqo-users --version"), or with -o json or yaml as an object of
version, commit and date.`,
		Example: `  $ dqo-users version
  $ dqo-users --version
  $ dqo-users version -o json --jq .version`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	formatFlag(c, &opts.Output, "output", "o", "output `FORMAT`: json or yaml (default: one line)", versionFormats...)
	return c
}

// versionFormats are what version's -o accepts besides its line.
var versionFormats = []output.Format{output.FormatJSON, output.FormatYAML}

// versionJSON is the build as -o json shows it.
type versionJSON struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
}

func versionRun(opts *VersionOptions) error {
	b := opts.Build
	switch opts.Output {
	case output.FormatJSON:
		return output.WriteJSON(opts.IO.Out, versionJSON{b.Version, b.Commit, b.Date})
	case output.FormatYAML:
		return output.WriteYAML(opts.IO.Out, versionJSON{b.Version, b.Commit, b.Date})
	}
	fmt.Fprintf(opts.IO.Out, "dqo-users %s\n", versionLine(b))
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
