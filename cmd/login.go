package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// LoginOptions are the options of "login".
type LoginOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	// Target reads the profile to log in to, which need not exist yet.
	Target func() (*target, error)
	// Connect builds a client for the target with the key being verified.
	Connect func(t *target, key, keySource string) (*api.Client, error)
	Context context.Context

	WithToken bool
}

// NewCmdLogin builds "login"; runF, when not nil, replaces the run function.
func NewCmdLogin(f *Factory, runF func(*LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{}
	opts.IO, opts.Config, opts.Target, opts.Connect = f.IO, f.Config, f.loginTarget, f.connect
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
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if runF != nil {
				return runF(opts)
			}
			return loginRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.WithToken, "with-token", false, "read the API key from stdin")
	return c
}

func loginRun(opts *LoginOptions) error {
	ctx := opts.Context
	t, err := opts.Target()
	if err != nil {
		return err
	}
	name := t.Profile.Name
	var key []byte
	switch {
	case opts.WithToken:
		if key, err = opts.IO.ReadStdinSecret(ctx); err != nil {
			return fmt.Errorf("reading the API key from stdin: %w", err)
		}
	case opts.IO.CanPrompt():
		fmt.Fprintf(opts.IO.ErrOut, "Logging in to %s (profile %s).\n", t.URL, name)
		if key, err = opts.IO.ReadSecret(ctx, "API key: "); err != nil {
			return err
		}
	default:
		return usageErrorf("no terminal to ask for the API key on: pass --with-token and the key on stdin")
	}
	apiKey := strings.TrimSpace(string(key))
	if apiKey == "" {
		return usageErrorf("the API key is empty: nothing was stored")
	}
	client, err := opts.Connect(t, apiKey, "the API key given to login")
	if err != nil {
		return err
	}
	profile, err := client.Profile(ctx)
	if err != nil {
		return explainLoginFailure(ctx, err)
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	p, _ := cfg.Profile(name)
	p.Name, p.URL, p.APIKey = name, t.URL, apiKey
	if err := cfg.SetProfile(p); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err := cfg.Use(name); err != nil {
		return err
	}
	if err := cfg.Save(); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Logged in to %s as %s (%s); saved as profile %q in %s.\n",
		t.URL, profile.User, profile.AccountRole, name, cfg.Path())
	return nil
}

func explainLoginFailure(ctx context.Context, err error) error {
	e := classify(ctx, err)
	switch api.Status(err) {
	case 401:
		e.Err = errors.New("the server rejected the API key (401): nothing was stored")
		e.Hint = "copy the key again from your user profile screen in DQOps"
	case 403:
		e.Err = errors.New("the key's account may not read its profile (403): nothing was stored")
	case 404:
		e = errNotPaired()
		e.Err = fmt.Errorf("%w: nothing was stored", e.Err)
	default:
		e.Err = fmt.Errorf("%w: nothing was stored", e.Err)
	}
	return e
}
