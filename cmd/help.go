package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/directory"
)

// newHelpCmd replaces cobra's help command with one that also has the
// "exit-codes" and "sync" topics.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	help := &cobra.Command{
		Use:   "help [command]",
		Short: "Show the help of any command, or of the exit codes",
		Long: `Show the help of a command: what it does, its flags and examples, the same
as "dqo-users COMMAND --help". "dqo-users help exit-codes" lists the exit
codes that scripts can act on; "dqo-users help sync" describes the sync file
of "dqo-users sync".`,
		Example: `  $ dqo-users help
  $ dqo-users help config use
  $ dqo-users help exit-codes
  $ dqo-users help sync`,
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var names []string
			for _, sub := range root.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					names = append(names, sub.Name()+"\t"+sub.Short)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, _, err := root.Find(args)
			if target == nil || err != nil {
				return usageErrorf("unknown help topic %q", strings.Join(args, " "))
			}
			target.InitDefaultHelpFlag()
			return target.Help()
		},
	}
	help.AddCommand(&cobra.Command{
		Use:   "exit-codes",
		Short: "List the exit codes of dqo-users and what they mean",
		Long: `List every exit code dqo-users ends with, for scripts to act on, with the
name that the "code" field of a JSON error object (-o json) carries.`,
		Example: `  $ dqo-users help exit-codes
  $ dqo-users get ana@example.com >/dev/null 2>&1; [ $? -eq 6 ] && echo "no such user"`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			w := c.OutOrStdout()
			fmt.Fprintln(w, "Exit codes of dqo-users (the name is the \"code\" of JSON error objects):")
			fmt.Fprintln(w)
			for _, e := range exitCodes {
				fmt.Fprintf(w, "  %3d  %-15s %s\n", e.Code, e.Name, e.Meaning)
			}
			fmt.Fprintln(w)
			fmt.Fprintln(w, "After Ctrl-C or SIGTERM dqo-users says what it did, then ends by that signal:")
			fmt.Fprintln(w, "a shell's $? is 130 or 143, and a script that ran it stops there too.")
			return nil
		},
	})
	help.AddCommand(&cobra.Command{
		Use:   "audit-log",
		Short: "Describe the audit log of every change dqo-users makes",
		Long:  auditLogHelp,
		Example: `  $ dqo-users apply -f users.yaml --yes --audit-log /var/log/dqo-users/audit.jsonl
  $ export DQOPS_AUDIT_LOG=$HOME/dqo-users-audit.jsonl
  $ jq -c 'select(.outcome != "done")' audit.jsonl`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return c.Help()
		},
	})
	help.AddCommand(&cobra.Command{
		Use:   "sync",
		Short: "Describe the sync file that dqo-users sync reads",
		Long: `Describe the sync file that "dqo-users sync -f FILE" reads: where the
directory is, who in it may be a DQOps user, which groups give which roles,
and what becomes of the DQOps users in no mapped group. "dqo-users sync
--help" describes the command.

` + directory.Reference,
		Example: `  $ dqo-users help sync
  $ dqo-users sync -f sync.yaml --check`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := io.WriteString(c.OutOrStdout(), directory.Reference)
			return err
		},
	})
	return help
}

// auditLogHelp documents the audit log's fields.
const auditLogHelp = `With --audit-log FILE, DQOPS_AUDIT_LOG or a profile's audit_log: setting,
every command that changes users (create, update, delete, passwd, user-passwd,
apply, apply --plan, sync) appends one line of JSON to FILE for each change,
once its outcome is known. The file is created with mode 0600, opened for
appending, and proven writable before the first change: when it cannot be
opened, nothing is sent (exit 1, the file named); when a line cannot be
written after a change, no further change is started and the command exits 1
naming the file and the change whose record is missing. Each line is one
write, so that several runs appending to one file leave whole lines.

Fields of a line:
  time        when the outcome was known, RFC 3339 in UTC
  tool        "dqo-users VERSION"
  operator    email: the caller's account as the server knows it ("unknown"
              when it will not say); localUser: the local user running the
              tool; keySource: where the key came from: profile,
              environment, file or none (never the key)
  instance    the instance's URL, as keys are stored for it
  profile     the profile, when one gives the instance
  action      create, update, delete or password-changed
  email       the user changed
  before      accountRole and dataDomainRoles (grants) before the change
  after       the same after it (none for a delete or a password change)
  source      command: the command line (no flag takes a secret); or
              file and sha256: the users file; or plan and sha256: the saved
              plan; or sync and sha256: the sync file
  outcome     done, failed (with status, the HTTP status when the server
              answered, and error), or unknown (cut short by Ctrl-C: check
              with "dqo-users list")

A password change is recorded as the action password-changed, without the
password; no key or password is ever written to the log.`
