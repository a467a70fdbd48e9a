package cmd

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// completionShells are the shells "completion" writes a script for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// newCompletionCmd replaces cobra's default "completion" command, whose help
// has no examples, with one documented like the others. gen-docs writes the
// same scripts into completions/.
func newCompletionCmd(f *Factory) *cobra.Command {
	var noDescriptions bool
	c := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script for bash, zsh, fish or PowerShell",
		Long: `Print a script that lets the shell complete dqo-users commands, flags and
values: the server's users' emails for get, update, delete and user-passwd,
roles for --role, the data domains for --domain-role and --remove-domain-role,
profile names for --profile and formats for -o. Emails and domains are
fetched from the server with a short timeout; when not logged in or the
server is unreachable, nothing is offered and nothing is printed.

Load the script into the current shell, or install it once for every new
shell:

  bash (needs the bash-completion package)
    source <(dqo-users completion bash)
    dqo-users completion bash > ~/.local/share/bash-completion/completions/dqo-users

  zsh (needs "autoload -U compinit && compinit" in ~/.zshrc)
    source <(dqo-users completion zsh)
    dqo-users completion zsh > "${fpath[1]}/_dqo-users"

  fish
    dqo-users completion fish | source
    dqo-users completion fish > ~/.config/fish/completions/dqo-users.fish

  PowerShell (add the line to $PROFILE to keep it)
    dqo-users completion powershell | Out-String | Invoke-Expression

Release archives carry the same scripts in completions/.`,
		Example: `  $ source <(dqo-users completion bash)
  $ dqo-users completion zsh > "${fpath[1]}/_dqo-users"
  $ dqo-users completion fish > ~/.config/fish/completions/dqo-users.fish
  $ dqo-users completion powershell | Out-String | Invoke-Expression`,
		Args:      usageArgs(cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs)),
		ValidArgs: completionShells,
		RunE: func(c *cobra.Command, args []string) error {
			root, out, desc := c.Root(), f.IO.Out, !noDescriptions
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, desc)
			case "zsh":
				if desc {
					return root.GenZshCompletion(out)
				}
				return root.GenZshCompletionNoDesc(out)
			case "fish":
				return root.GenFishCompletion(out, desc)
			default:
				if desc {
					return root.GenPowerShellCompletionWithDesc(out)
				}
				return root.GenPowerShellCompletion(out)
			}
		},
	}
	c.Flags().BoolVar(&noDescriptions, "no-descriptions", false, "leave out the descriptions shown next to completions")
	return c
}

func registerRoleCompletion(c *cobra.Command, flag string) {
	_ = c.RegisterFlagCompletionFunc(flag, fixedCompletion(api.RoleNames()...))
}

func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completionTimeout bounds the request that fetches emails for completion,
// so that a slow or absent server never hangs the shell.
const completionTimeout = 2 * time.Second

// completionClient is a client for shell completion, which must answer at
// once: one short attempt, no retries, and a profile's api_key_command gets
// no more time than the request.
func (f *Factory) completionClient(c *cobra.Command) (*api.Client, error) {
	t, err := f.Target()
	if err != nil {
		return nil, err
	}
	t.Settings.Timeout, t.Settings.Retries = f.completionTimeout, 0
	key, source, err := findKey(c.Context(), t, f.IO.ErrOut, f.completionTimeout)
	if err != nil {
		return nil, err
	}
	return f.Connect(t, key, source)
}

// completeEmails offers the server's users' emails, silently nothing when
// not configured or unreachable.
func (f *Factory) completeEmails(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	client, err := f.completionClient(c)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	ctx, cancel := context.WithTimeout(c.Context(), f.completionTimeout)
	defer cancel()
	users, err := client.ListUsers(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	taken := make(map[string]bool, len(args))
	for _, a := range args {
		taken[api.FoldEmail(a)] = true
	}
	prefix := api.FoldEmail(toComplete)
	var emails []string
	for _, u := range users {
		l := api.FoldEmail(u.Email)
		if !taken[l] && strings.HasPrefix(l, prefix) {
			emails = append(emails, text.Safe(u.Email)+"\t"+text.Safe(string(u.AccountRole)))
		}
	}
	sort.Strings(emails)
	return emails, cobra.ShellCompDirectiveNoFileComp
}

// completeFirstEmail completes only the first argument, for commands that
// take one email.
func (f *Factory) completeFirstEmail(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return f.completeEmails(c, args, toComplete)
}

// completeProfiles offers the configured profile names.
func (f *Factory) completeProfiles(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	cfg, err := f.Config()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var names []string
	for _, p := range cfg.Profiles() {
		names = append(names, p.Name+"\t"+text.Safe(p.URL))
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
