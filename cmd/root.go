// Package cmd holds the dqo-users commands: one file per command, each with
// an options struct, a constructor taking the Factory and an injectable run
// function, and a run function that does the work.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// BuildInfo is set at build time through -ldflags.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// Main runs dqo-users with the process's arguments and streams. It returns
// the exit code and, when Ctrl-C or SIGTERM ended the run, the signal, for
// exit to end the process by it.
//
// The first Ctrl-C or SIGTERM cancels the command's context: every wait ends
// at once, a request in flight gets half a second to finish, and the command
// says what it did before it returns. A second one ends the process at once,
// through exit.
func Main(build BuildInfo, exit func(code int, sig os.Signal)) (int, os.Signal) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	var first atomic.Value
	go func() {
		sig := <-signals
		first.Store(sig)
		cancel(Signal{sig})
		sig = <-signals
		exit(signalCode(sig), sig)
	}()
	env := Env{IO: iostreams.System(), Version: build.Version, Getenv: os.Getenv}
	code := Run(ctx, env, build, os.Args[1:])
	if sig, ok := first.Load().(os.Signal); ok && (code == ExitInterrupted || code == ExitTerminated) {
		return code, sig
	}
	return code, nil
}

// Run executes one command line in an environment; tests call it
// in-process. The context's cancellation is Ctrl-C.
func Run(ctx context.Context, env Env, build BuildInfo, args []string) int {
	global := globalFlags()
	f := newFactory(ctx, env, global, args)
	return execute(ctx, f, newRootCmd(f, build, args, global), args)
}

// execute runs one command line on a command tree.
func execute(ctx context.Context, f *Factory, root *cobra.Command, args []string) int {
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	executed, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if client := f.built(); client != nil {
		err = explainStatus(ctx, client, err)
	}
	var e *ExitError
	if !errors.As(err, &e) && (executed == nil || !executed.Flags().Parsed()) {
		// cobra refused the command line before parsing its flags (an
		// unknown command): a usage error like every other such mistake.
		e = &ExitError{Code: ExitUsage, Err: err}
	} else {
		e = classify(ctx, err)
	}
	if e.Code == ExitUsage && e.Hint == "" && executed != nil {
		e.Hint = fmt.Sprintf("run `%s --help` for usage", executed.CommandPath())
	}
	if !e.Reported {
		reportError(f.IO.ErrOut, e, wantsJSONErrors(executed))
	}
	return e.Code
}

// wantsJSONErrors reports whether the command ran with -o json or yaml,
// where errors are written as one JSON object.
func wantsJSONErrors(c *cobra.Command) bool {
	if c == nil {
		return false
	}
	flag := c.Flags().Lookup("output")
	if flag == nil {
		return false
	}
	v := flag.Value.String()
	return v == "json" || v == "yaml"
}

// NewRootCmd builds the command tree; gen-docs builds the same one.
func NewRootCmd(env Env, build BuildInfo) *cobra.Command {
	global := globalFlags()
	return newRootCmd(newFactory(context.Background(), env, global, nil), build, nil, global)
}

// newRootCmd builds the root command and, when args name one of its
// commands after the global flags, that command alone: one call of the tool
// need not build a dozen commands to run one. Any other command line (no
// command, help, completion, a name or flag it does not know) gets the whole
// tree, so that help, completion and suggestions see every command.
func newRootCmd(f *Factory, build BuildInfo, args []string, global *pflag.FlagSet) *cobra.Command {
	root := &cobra.Command{
		Use:   "dqo-users",
		Short: "Manage the users of a DQOps data-quality server",
		Long: `dqo-users manages the users of a DQOps instance through its REST API:
list, create, update roles, delete, and change passwords, from a terminal or a script.

Point it at DQOps with --url or DQOPS_URL (default http://localhost:8888) and
authenticate with an API key stored by "dqo-users login", or DQOPS_API_KEY, or
--api-key-file. Try it without DQOps: "dqo-users sandbox" serves a local copy
of the API.`,
		Example: `  $ dqo-users login --url https://dqops.example.com
  $ dqo-users list
  $ dqo-users create ana@example.com --role editor
  $ dqo-users update ana@example.com --role viewer
  $ dqo-users delete ana@example.com --yes`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// --version prints what "dqo-users version" does.
		Version:           versionLine(build),
		PersistentPreRunE: func(c *cobra.Command, _ []string) error { return checkCommandLine(c, f) },
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err}
	})
	root.CompletionOptions.HiddenDefaultCmd = false

	root.PersistentFlags().AddFlagSet(global)

	_ = root.RegisterFlagCompletionFunc("profile", f.completeProfiles)
	_ = root.RegisterFlagCompletionFunc("color", fixedCompletion("auto", "always", "never"))

	root.SetVersionTemplate("dqo-users {{.Version}}\n")
	root.Flags().Bool("version", false, "show the version of dqo-users")
	if one := commandNamed(root.PersistentFlags(), args); one != nil {
		root.AddCommand(one(f, build))
		// cobra would add its own completion command to the lone one.
		root.CompletionOptions.DisableDefaultCmd = true
		return root
	}
	for _, c := range subcommands {
		root.AddCommand(c.command(f, build))
	}
	root.AddCommand(newCompletionCmd(f))
	root.SetHelpCommand(newHelpCmd(root))
	return root
}

// globalFlags are the flags of every command, whose settings the Factory
// reads.
func globalFlags() *pflag.FlagSet {
	pf := pflag.NewFlagSet("global", pflag.ContinueOnError)
	pf.String("url", "", "DQOps address `URL`, e.g. https://dqops.example.com (env DQOPS_URL)")
	pf.String("api-key-file", "", "read the API key from `FILE` (env DQOPS_API_KEY holds a key)")
	pf.String("profile", "", "use the profile `NAME` of the configuration, or several, comma-separated (env DQOPS_PROFILE)")
	pf.Bool("all-profiles", false, "act on every profile of the configuration")
	pf.String("config", "", "configuration `FILE` (env DQOPS_CONFIG)")
	pf.Bool("no-input", false, "never prompt; what would be asked is an error (env DQOPS_NO_INPUT=1, or CI set)")
	pf.String("color", "auto", "colour output `WHEN`: auto, always or never (NO_COLOR is honoured)")
	pf.Duration("timeout", 30*time.Second, "bound on each request, a `DURATION` such as 30s, 0 for none (env DQOPS_TIMEOUT)")
	pf.Int("retries", 3, "`N` retries of a request that failed on the network or with 429, 502, 503, 504 (env DQOPS_RETRIES)")
	pf.String("ca-cert", "", "also trust the certificate authorities in PEM `FILE` (env DQOPS_CA_CERT; profile's ca_cert)")
	pf.Bool("insecure-skip-tls-verify", false, "do not check the server's TLS certificate (unsafe; prints a warning)")
	pf.Bool("debug", false, "trace each request and response to stderr, secrets redacted (env DQOPS_DEBUG=1)")
	pf.String("audit-log", "", "append a JSON line for every change made to `FILE` (env DQOPS_AUDIT_LOG; profile's audit_log)")
	return pf
}

// checkCommandLine runs before every command: it checks the flags and the
// settings, and tells the streams whether prompts are allowed. cobra checks
// required flags and flag groups after this hook; checked here, their
// errors are usage errors like every other mistake on the command line.
func checkCommandLine(c *cobra.Command, f *Factory) error {
	if err := c.ValidateRequiredFlags(); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if err := exclusiveFlags(c); err != nil {
		return err
	}
	if err := c.ValidateFlagGroups(); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	st, err := f.Settings()
	if err != nil {
		return err
	}
	if st.Several() && c.Annotations[annotationOneProfile] != "" {
		return errOneProfile(st, c.CommandPath()[len(c.Root().Name())+1:])
	}
	if st.NoInput {
		f.IO.NoInputReason = st.Source("no-input")
	}
	return nil
}

// annotationOneProfile marks a command that acts on one profile: several
// (--profile a,b, --all-profiles) are refused before anything else.
const annotationOneProfile = "dqo-users/one-profile"

// oneProfile is the annotation of such a command.
var oneProfile = map[string]string{annotationOneProfile: "true"}

// subcommand is a command of the tree with the names that run it: its
// name, then its aliases, declared here alone.
type subcommand struct {
	names []string
	build func(*Factory, BuildInfo) *cobra.Command
}

// command builds the command with its aliases.
func (s subcommand) command(f *Factory, b BuildInfo) *cobra.Command {
	c := s.build(f, b)
	c.Aliases = s.names[1:]
	return c
}

// subcommands are the commands of the tree but completion and help, which
// need the whole tree.
var subcommands = []subcommand{
	{[]string{"list", "ls"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdList(f, nil) }},
	{[]string{"get"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdGet(f, nil) }},
	{[]string{"create"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdCreate(f, nil) }},
	{[]string{"update"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdUpdate(f, nil) }},
	{[]string{"delete", "rm"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdDelete(f, nil) }},
	{[]string{"passwd"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdPasswd(f, nil) }},
	{[]string{"user-passwd"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdUserPasswd(f, nil) }},
	{[]string{"whoami"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdWhoami(f, nil) }},
	{[]string{"domains"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdDomains(f, nil) }},
	{[]string{"login"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdLogin(f, nil) }},
	{[]string{"logout"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdLogout(f, nil) }},
	{[]string{"config"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdConfig(f) }},
	{[]string{"sandbox"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdSandbox(f, nil) }},
	{[]string{"version"}, func(f *Factory, b BuildInfo) *cobra.Command { return NewCmdVersion(f, b, nil) }},
	{[]string{"export"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdExport(f, nil) }},
	{[]string{"diff"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdDiff(f, nil) }},
	{[]string{"apply"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdApply(f, nil) }},
	{[]string{"sync"}, func(f *Factory, _ BuildInfo) *cobra.Command { return NewCmdSync(f, nil) }},
}

// commandNamed returns the constructor of the command that args run, found
// as cobra finds it: the first argument that is not a global flag or its
// value. It returns nil when it cannot tell (a flag it does not know, a
// shorthand, --) or the command is not among subcommands.
func commandNamed(global *pflag.FlagSet, args []string) func(*Factory, BuildInfo) *cobra.Command {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") {
			for _, c := range subcommands {
				if slices.Contains(c.names, arg) {
					return c.command
				}
			}
			return nil
		}
		name, _, inline := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		flag := global.Lookup(name)
		if !strings.HasPrefix(arg, "--") || flag == nil {
			return nil
		}
		if !inline && flag.NoOptDefVal == "" {
			i++ // the flag's value
		}
	}
	return nil
}
