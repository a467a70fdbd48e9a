package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/output"
)

func newConfigCmd(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Show and switch the profiles of the configuration",
		Long: `Profiles let dqo-users speak to several DQOps instances. "login --profile
NAME" creates one; these commands list them, switch the current one, and show
the file with keys redacted.`,
		Example: `  $ dqo-users config list
  $ dqo-users config use staging
  $ dqo-users config view`,
		Args: cobra.NoArgs,
	}
	c.AddCommand(newConfigListCmd(f), newConfigUseCmd(f), newConfigViewCmd(f))
	return c
}

// profileOutput is a profile as "config list" shows it: never the key.
type profileOutput struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	Current   bool   `json:"current"`
	KeySource string `json:"key"`
}

func newConfigListCmd(f *Factory) *cobra.Command {
	opts := &output.Options{}
	c := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the profiles",
		Long:    "List the profiles: name, address, whether it is current, and whether a key is stored (never the key).",
		Example: `  $ dqo-users config list
  $ dqo-users config list -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := opts.Validate(); err != nil {
				return err
			}
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			current := cfg.Current()
			var list []profileOutput
			rows := [][]string{}
			for _, p := range cfg.Profiles() {
				key := "none"
				switch {
				case p.APIKey != "":
					key = "stored"
				case p.APIKeyCommand != "":
					key = "command"
				}
				mark := ""
				if p.Name == current {
					mark = "*"
				}
				list = append(list, profileOutput{p.Name, p.URL, p.Name == current, key})
				rows = append(rows, []string{mark, p.Name, p.URL, key})
			}
			if list == nil {
				list = []profileOutput{}
			}
			return f.printer(*opts).Print(list, &output.Table{
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
		},
	}
	addOutputFlags(c, opts)
	return c
}

func newConfigUseCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:               "use NAME",
		Short:             "Make a profile the current one",
		Long:              "Make the named profile current: later commands use its address and key unless --profile or DQOPS_PROFILE says otherwise.",
		Example:           `  $ dqo-users config use staging`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: f.completeProfiles,
		RunE: func(c *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			if err := cfg.Use(args[0]); err != nil {
				return &ExitError{Code: ExitNotFound, Err: err, Hint: "`dqo-users config list` shows the profiles"}
			}
			if err := cfg.Save(); err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Now using profile %q.\n", args[0])
			return nil
		},
	}
}

func newConfigViewCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "view",
		Short:   "Show the configuration file with keys redacted",
		Long:    "Print the configuration file's path and contents as YAML, every stored API key replaced by [redacted].",
		Example: `  $ dqo-users config view`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			profiles := map[string]map[string]string{}
			for _, p := range cfg.Profiles() {
				entry := map[string]string{"url": p.URL}
				if p.APIKey != "" {
					entry["api_key"] = "[redacted]"
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
			fmt.Fprintf(f.IO.Out, "# %s\n", cfg.Path())
			enc := yaml.NewEncoder(f.IO.Out)
			enc.SetIndent(2)
			if err := enc.Encode(doc); err != nil {
				return err
			}
			return enc.Close()
		},
	}
}
