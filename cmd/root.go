// Package cmd holds the dqo-users commands: one file per command, each with
// an options struct, a constructor taking the Factory, and a run function.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// BuildInfo is set at build time through -ldflags.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// Main runs dqo-users with the process's arguments and streams and returns
// the exit code.
func Main(build BuildInfo) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := &Factory{IO: iostreams.System(), Version: build.Version, Getenv: os.Getenv}
	return Run(ctx, f, build, os.Args[1:])
}

// Run executes one command line with the given factory; tests call it
// in-process. The context's cancellation is Ctrl-C.
func Run(ctx context.Context, f *Factory, build BuildInfo, args []string) int {
	root := NewRootCmd(f, build)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	executed, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	var e *ExitError
	if !isRunError(err) && !errors.As(err, &e) {
		e = &ExitError{Code: ExitUsage, Err: err}
	} else {
		e = classify(ctx, err, f)
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

// runError marks an error returned by a command's run function, as opposed
// to one from argument or flag parsing, which is a usage error.
type runError struct{ err error }

func (e runError) Error() string { return e.err.Error() }
func (e runError) Unwrap() error { return e.err }

// NewRootCmd builds the command tree; gen-docs builds the same one.
func NewRootCmd(f *Factory, build BuildInfo) *cobra.Command {
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
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			return f.prepare(c)
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err}
	})
	root.CompletionOptions.HiddenDefaultCmd = false

	g := &f.Global
	pf := root.PersistentFlags()
	pf.StringVar(&g.URL, "url", "", "DQOps address, e.g. https://dqops.example.com (env DQOPS_URL)")
	pf.StringVar(&g.APIKeyFile, "api-key-file", "", "read the API key from `FILE` (env DQOPS_API_KEY holds a key)")
	pf.StringVar(&g.Profile, "profile", "", "use the named profile of the configuration (env DQOPS_PROFILE)")
	pf.StringVar(&g.ConfigPath, "config", "", "configuration `FILE` (env DQOPS_CONFIG)")
	pf.BoolVar(&g.NoInput, "no-input", false, "never prompt; what would be asked is an error (env DQOPS_NO_INPUT=1, or CI set)")
	pf.StringVar(&g.Color, "color", "auto", "colour output: auto, always or never (NO_COLOR is honoured)")
	pf.DurationVar(&g.Timeout, "timeout", 30*time.Second, "bound on each request, 0 for none (env DQOPS_TIMEOUT)")
	pf.IntVar(&g.Retries, "retries", 3, "retries of a request that failed on the network or with 429, 502, 503, 504 (env DQOPS_RETRIES)")
	pf.StringVar(&g.CACert, "ca-cert", "", "also trust the certificate authorities in PEM `FILE` (env DQOPS_CA_CERT; profile's ca_cert)")
	pf.BoolVar(&g.InsecureSkipTLSVerify, "insecure-skip-tls-verify", false, "do not check the server's TLS certificate (unsafe; prints a warning)")
	pf.BoolVar(&g.Debug, "debug", false, "trace each request and response to stderr, secrets redacted (env DQOPS_DEBUG=1)")

	_ = root.RegisterFlagCompletionFunc("profile", f.completeProfiles)
	_ = root.RegisterFlagCompletionFunc("color", fixedCompletion("auto", "always", "never"))

	root.AddCommand(
		newListCmd(f),
		newGetCmd(f),
		newCreateCmd(f),
		newUpdateCmd(f),
		newDeleteCmd(f),
		newPasswdCmd(f),
		newUserPasswdCmd(f),
		newWhoamiCmd(f),
		newLoginCmd(f),
		newLogoutCmd(f),
		newConfigCmd(f),
		newSandboxCmd(f),
		newVersionCmd(f, build),
		newExportCmd(f),
		newDiffCmd(f),
		newApplyCmd(f),
		newCompletionCmd(f),
	)
	root.SetHelpCommand(newHelpCmd(root))
	markRunErrors(root)
	return root
}

// markRunErrors wraps every run function so that Run can tell its errors
// from cobra's argument and flag errors.
func markRunErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if err := run(cmd, args); err != nil {
				return runError{err}
			}
			return nil
		}
	}
	for _, child := range c.Commands() {
		markRunErrors(child)
	}
}

// prepare applies the environment to the global options before any command.
func (f *Factory) prepare(c *cobra.Command) error {
	if !c.Flags().Changed("timeout") {
		if v := f.env("DQOPS_TIMEOUT"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return usageErrorf("DQOPS_TIMEOUT=%q is not a duration such as 30s or 2m", v)
			}
			f.Global.Timeout = d
		}
	}
	if f.Global.Timeout < 0 {
		return usageErrorf("--timeout must not be negative")
	}
	if !c.Flags().Changed("retries") {
		if v := f.env("DQOPS_RETRIES"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return usageErrorf("DQOPS_RETRIES=%q is not a number of retries such as 3", v)
			}
			f.Global.Retries = n
		}
	}
	if f.Global.Retries < 0 || f.Global.Retries > maxRetries {
		return usageErrorf("--retries must be between 0 and %d, not %d", maxRetries, f.Global.Retries)
	}
	if !c.Flags().Changed("debug") && envTrue(f.env("DQOPS_DEBUG")) {
		f.Global.Debug = true
	}
	switch f.Global.Color {
	case "auto", "always", "never":
	default:
		return usageErrorf("--color must be auto, always or never, not %q", f.Global.Color)
	}
	f.IO.NoInput = f.Global.NoInput || envTrue(f.env("DQOPS_NO_INPUT")) || f.env("CI") != ""
	return nil
}

// maxRetries bounds --retries: with the backoff cap, 10 retries already wait
// close to a minute.
const maxRetries = 10

// envTrue reads a boolean environment variable: set, and not 0 or false.
func envTrue(v string) bool {
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// colorEnabled decides colour: --color, then NO_COLOR and CI, then whether
// stdout is a terminal.
func (f *Factory) colorEnabled() bool {
	switch f.Global.Color {
	case "always":
		return true
	case "never":
		return false
	}
	if f.env("NO_COLOR") != "" || f.env("CI") != "" || f.env("TERM") == "dumb" {
		return false
	}
	return f.IO.IsStdoutTTY()
}

// isRunError reports whether err came from a command's run function.
func isRunError(err error) bool {
	var re runError
	return errors.As(err, &re)
}
