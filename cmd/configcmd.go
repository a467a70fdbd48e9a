package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/config"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// ConfigOptions are the options of the "config" subcommands.
type ConfigOptions struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Printer func(output.Options) *output.Printer
	Context context.Context

	// Name is the profile of "config use".
	Name   string
	Output output.Options
}

// NewCmdConfig builds "config" and its subcommands.
func NewCmdConfig(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Show and switch the profiles of the configuration",
		Long: `Profiles let dqo-users speak to several DQOps instances. "login --profile
NAME" creates one; these commands list them, switch the current one, and show
the file with keys redacted.`,
		Example: `  $ dqo-users config list
  $ dqo-users config use staging
  $ dqo-users config view`,
		Args: noArgs,
	}
	c.AddCommand(NewCmdConfigList(f, nil), NewCmdConfigUse(f, nil), NewCmdConfigView(f, nil))
	return c
}

// profileOutput is a profile as "config list" shows it: never the key.
type profileOutput struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	Current   bool   `json:"current"`
	KeySource string `json:"key"`
}

// NewCmdConfigList builds "config list"; runF, when not nil, replaces the run
// function.
func NewCmdConfigList(f *Factory, runF func(*ConfigOptions) error) *cobra.Command {
	opts := &ConfigOptions{}
	opts.IO, opts.Config, opts.Printer = f.IO, f.Config, f.Printer
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the profiles",
		Long:    "List the profiles: name, address, whether it is current, and where its key is kept: keyring, file, command or none (never the key).",
		Example: `  $ dqo-users config list
  $ dqo-users config list -o json`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if err := opts.Output.Validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return configListRun(opts)
		},
	}
	addOutputFlags(c, &opts.Output)
	return c
}

func configListRun(opts *ConfigOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	current := cfg.Current()
	list := []profileOutput{}
	rows := [][]string{}
	for _, p := range cfg.Profiles() {
		key := keyLocation(p)
		mark := ""
		if p.Name == current {
			mark = "*"
		}
		list = append(list, profileOutput{p.Name, p.URL, p.Name == current, key})
		rows = append(rows, []string{mark, p.Name, p.URL, key})
	}
	return opts.Printer(opts.Output).Print(opts.Context, list, &output.Table{
		Columns: []output.Column{
			{Name: "current", Header: "CURRENT"},
			{Name: "name", Header: "NAME"},
			{Name: "url", Header: "URL"},
			{Name: "key", Header: "KEY"},
		},
		Rows:       rows,
		NameColumn: 1,
		Empty:      "no profiles: run `dqo-users login`",
	})
}

// NewCmdConfigUse builds "config use"; runF, when not nil, replaces the run
// function.
func NewCmdConfigUse(f *Factory, runF func(*ConfigOptions) error) *cobra.Command {
	opts := &ConfigOptions{}
	opts.IO, opts.Config, opts.Printer = f.IO, f.Config, f.Printer
	return &cobra.Command{
		Use:               "use NAME",
		Short:             "Make a profile the current one",
		Long:              "Make the named profile current: later commands use its address and key unless --profile or DQOPS_PROFILE says otherwise.",
		Example:           `  $ dqo-users config use staging`,
		Args:              exactlyOne("NAME"),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Context, opts.Name = c.Context(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return configUseRun(opts)
		},
	}
}

func configUseRun(opts *ConfigOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	err = config.Update(opts.Context, cfg.Path(), func(c *config.Config) error {
		if _, ok := c.Profile(opts.Name); !ok {
			return errNoProfile(c, opts.Name)
		}
		return c.Use(opts.Name)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Now using profile %q.\n", opts.Name)
	return nil
}

// NewCmdConfigView builds "config view"; runF, when not nil, replaces the run
// function.
func NewCmdConfigView(f *Factory, runF func(*ConfigOptions) error) *cobra.Command {
	opts := &ConfigOptions{}
	opts.IO, opts.Config, opts.Printer = f.IO, f.Config, f.Printer
	return &cobra.Command{
		Use:   "view",
		Short: "Show the configuration file with keys redacted",
		Long: `Print the configuration file's path and contents as YAML, every stored API
key replaced by [redacted], and for each profile where its key is kept
("key": keyring, file, command or none).`,
		Example: `  $ dqo-users config view`,
		Args:    noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return configViewRun(opts)
		},
	}
}

func configViewRun(opts *ConfigOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	profiles := map[string]map[string]string{}
	for _, p := range cfg.Profiles() {
		entry := map[string]string{"url": p.URL, "key": keyLocation(p)}
		if p.APIKey != "" {
			entry["api_key"] = "[redacted]"
		}
		if p.APIKeyStore != "" {
			entry["api_key_store"] = p.APIKeyStore
		}
		if p.APIKeyCommand != "" {
			entry["api_key_command"] = p.APIKeyCommand
		}
		if p.CACert != "" {
			entry["ca_cert"] = p.CACert
		}
		profiles[p.Name] = entry
	}
	doc := map[string]any{"current_profile": cfg.Current(), "profiles": profiles}
	fmt.Fprintf(opts.IO.Out, "# %s\n", cfg.Path())
	return output.WriteYAML(opts.IO.Out, doc)
}
