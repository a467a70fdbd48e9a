package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// LogoutOptions are the options of "logout".
type LogoutOptions struct {
	IO          *iostreams.IOStreams
	Config      func() (*config.Config, error)
	ProfileName func() (string, error)
}

// NewCmdLogout builds "logout"; runF, when not nil, replaces the run function.
func NewCmdLogout(f *Factory, runF func(*LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{}
	opts.IO, opts.Config, opts.ProfileName = f.IO, f.Config, f.ProfileName
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the stored API key of a profile",
		Long: `Remove the API key stored for the current profile (or --profile). The
profile and its address stay, so "dqo-users login" needs no --url again.`,
		Example: `  $ dqo-users logout
  $ dqo-users logout --profile staging`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(opts)
		},
	}
}

func logoutRun(opts *LogoutOptions) error {
	name, err := opts.ProfileName()
	if err != nil {
		return err
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	p, ok := cfg.Profile(name)
	if !ok || p.APIKey == "" {
		fmt.Fprintf(opts.IO.ErrOut, "No API key is stored for profile %q.\n", name)
		return nil
	}
	p.APIKey = ""
	if err := cfg.SetProfile(p); err != nil {
		return err
	}
	if err := cfg.Save(); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Removed the API key of profile %q from %s.\n", name, cfg.Path())
	return nil
}
