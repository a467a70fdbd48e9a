package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// LogoutOptions are the options of "logout".
type LogoutOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	// Profile is the profile to log out of, and whether the user named it.
	Profile func() (name string, named bool, err error)
	Context context.Context
}

// NewCmdLogout builds "logout"; runF, when not nil, replaces the run function.
func NewCmdLogout(f *Factory, runF func(*LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{}
	opts.IO, opts.Config, opts.Profile = f.IO, f.Config, f.Profile
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the stored API key of a profile",
		Long: `Remove the API key stored for the current profile (or --profile): the
keyring item and any key in the configuration file. The profile and its
address stay, so "dqo-users login" needs no --url again. An api_key_command
stays too: it is the user's own.`,
		Example: `  $ dqo-users logout
  $ dqo-users logout --profile staging`,
		Args:        noArgs,
		Annotations: oneProfile,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(opts)
		},
	}
}

// errNoKeyStored ends a logout that finds nothing to remove, with nothing
// written.
var errNoKeyStored = errors.New("no API key stored")

func logoutRun(opts *LogoutOptions) error {
	name, named, err := opts.Profile()
	if err != nil {
		return err
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	if _, ok := cfg.Profile(name); !ok && named {
		return errNoProfile(cfg, name)
	}
	var where string
	err = config.Update(opts.Context, cfg.Path(), func(c *config.Config) error {
		p, _ := c.Profile(name)
		switch keyLocation(p) {
		case keyInKeyring:
			service, err := keyringService(p.URL)
			if err != nil {
				return &ExitError{Code: ExitUsage, Err: fmt.Errorf("profile %q: %w", name, err)}
			}
			if err := deleteKey(service, name); err != nil && !errors.Is(err, config.ErrNotInKeyring) {
				return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%w: the key stays, and so does the profile's record of it", err),
					Hint: "unlock the keyring and run `dqo-users logout` again"}
			}
			where = fmt.Sprintf("the keyring (service %s)", service)
		case keyInFile:
			where = c.Path()
		default:
			return errNoKeyStored
		}
		p.APIKey, p.APIKeyStore = "", ""
		return c.SetProfile(p)
	})
	if errors.Is(err, errNoKeyStored) {
		fmt.Fprintf(opts.IO.ErrOut, "No API key is stored for profile %q.\n", name)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Removed the API key of profile %q from %s.\n", name, where)
	return nil
}
