package cmd

import (
	"github.com/spf13/cobra"
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
roles for --role, profile names for --profile and formats for -o. Emails are
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
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
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
