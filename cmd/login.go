package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// LoginOptions are the options of "login".
type LoginOptions struct {
	WithToken bool
}

func newLoginCmd(f *Factory) *cobra.Command {
	opts := &LoginOptions{}
	c := &cobra.Command{
		Use:   "login",
		Short: "Store the address and API key of a DQOps instance",
		Long: `Verify an API key against a DQOps instance and store it, with the address,
in a profile of the configuration file (mode 0600), which becomes current.

The key is asked without echo on a terminal, or read from stdin with
--with-token; it is never a flag's value. Nothing is stored unless DQOps
accepts the key. Create a key in DQOps on your user profile screen.`,
		Example: `  $ dqo-users login --url https://dqops.example.com
  $ dqo-users login --url https://staging.example.com --profile staging
  $ dqo-users login --url http://localhost:8888 --with-token < key.txt`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return loginRun(c.Context(), f, opts)
		},
	}
	c.Flags().BoolVar(&opts.WithToken, "with-token", false, "read the API key from stdin")
	return c
}

func loginRun(ctx context.Context, f *Factory, opts *LoginOptions) error {
	f.creatingProfile = true
	name, err := f.ProfileName()
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	url, err := f.URL()
	if err != nil {
		return err
	}
	var key []byte
	switch {
	case opts.WithToken:
		if key, err = f.IO.ReadStdinSecret(ctx); err != nil {
			return fmt.Errorf("reading the API key from stdin: %w", err)
		}
	case f.IO.CanPrompt():
		fmt.Fprintf(f.IO.ErrOut, "Logging in to %s (profile %s).\n", url, name)
		if key, err = f.IO.ReadSecret(ctx, "API key: "); err != nil {
			return err
		}
	default:
		return usageErrorf("no terminal to ask for the API key on: pass --with-token and the key on stdin")
	}
	apiKey := strings.TrimSpace(string(key))
	if apiKey == "" {
		return usageErrorf("the API key is empty: nothing was stored")
	}
	client, err := f.newClient(apiKey)
	if err != nil {
		return err
	}
	profile, err := client.Profile(ctx)
	if err != nil {
		return explainLoginFailure(ctx, f, err)
	}
	p, _ := cfg.Profile(name)
	p.Name, p.URL, p.APIKey = name, url, apiKey
	if err := cfg.SetProfile(p); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err := cfg.Use(name); err != nil {
		return err
	}
	if err := cfg.Save(); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Logged in to %s as %s (%s); saved as profile %q in %s.\n",
		url, profile.User, profile.AccountRole, name, cfg.Path())
	return nil
}

func explainLoginFailure(ctx context.Context, f *Factory, err error) error {
	e := classify(ctx, err, f)
	switch api.Status(err) {
	case 401:
		e.Err = errors.New("the server rejected the API key (401): nothing was stored")
		e.Hint = "copy the key again from your user profile screen in DQOps"
	case 403:
		e.Err = errors.New("the key's account may not read its profile (403): nothing was stored")
	case 404:
		e = errNotPaired(err)
		e.Err = fmt.Errorf("%w: nothing was stored", e.Err)
	default:
		e.Err = fmt.Errorf("%w: nothing was stored", e.Err)
	}
	return e
}

func newLogoutCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the stored API key of a profile",
		Long: `Remove the API key stored for the current profile (or --profile). The
profile and its address stay, so "dqo-users login" needs no --url again.`,
		Example: `  $ dqo-users logout
  $ dqo-users logout --profile staging`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			name, err := f.ProfileName()
			if err != nil {
				return err
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			p, ok := cfg.Profile(name)
			if !ok || p.APIKey == "" {
				fmt.Fprintf(f.IO.ErrOut, "No API key is stored for profile %q.\n", name)
				return nil
			}
			p.APIKey = ""
			if err := cfg.SetProfile(p); err != nil {
				return err
			}
			if err := cfg.Save(); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Removed the API key of profile %q from %s.\n", name, cfg.Path())
			return nil
		},
	}
}
