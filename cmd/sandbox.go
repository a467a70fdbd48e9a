package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// SandboxOptions are the options of "sandbox".
type SandboxOptions struct {
	IO      *iostreams.IOStreams
	Context context.Context

	Listen string
	Server sandbox.Options
}

// NewCmdSandbox builds "sandbox"; runF, when not nil, replaces the run
// function.
func NewCmdSandbox(f *Factory, runF func(*SandboxOptions) error) *cobra.Command {
	opts := &SandboxOptions{}
	opts.IO = f.IO
	c := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve a local copy of the DQOps users API, for trying and testing",
		Long: `Serve an imitation of the DQOps users API that answers as DQOps does:
authentication, permissions per role, status codes, empty error bodies and
DQOps's quirks. It starts with an admin (admin@example.com) and a viewer
(viewer@example.com) and prints their throwaway API keys as export lines to
paste into a shell.

It imitates one of three kinds of instance:

  --api 1.0               DQOps 1.0: users have no data-domain roles
  --api 1.13 (default)    DQOps 1.13 without data domains (a TEAM licence):
                          every user's dataDomainRoles is {}, and grants
                          sent to it are not kept
  --domains sales,hr      DQOps 1.13 with data domains (ENTERPRISE): every
                          user lists "(default)" and every domain, "none"
                          where not granted, and GET /api/domains/ lists them

--case-sensitive-emails makes emails that differ only in letter case
distinct users, which DQOps Cloud may or may not do.

--state FILE keeps the users, their API keys and password hashes in FILE:
restarted with the same FILE (on the same port), the sandbox accepts the
keys it printed before, so a stored "dqo-users login" keeps working.

It listens on 127.0.0.1 only, unless --listen names another address: anyone
who can reach it can use the printed admin key.`,
		Example: `  $ dqo-users sandbox
  $ dqo-users sandbox --listen 127.0.0.1:0 > sandbox.env & sleep 1; . ./sandbox.env; dqo-users list
  $ dqo-users sandbox --api 1.0 --users-limit 5 --state users.json
  $ dqo-users sandbox --domains sales,marketing
  $ dqo-users sandbox --seed-users 100000 --latency 20ms
  $ dqo-users sandbox --faults "GET /api/users 503 x2"`,
		Args: noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Context = c.Context()
			if opts.Server.API != "1.0" && opts.Server.API != "1.13" {
				return usageErrorf("--api must be 1.0 or 1.13, not %q", opts.Server.API)
			}
			if opts.Server.SeedUsers < 0 || opts.Server.UsersLimit < 0 {
				return usageErrorf("--seed-users and --users-limit must not be negative")
			}
			if runF != nil {
				return runF(opts)
			}
			return sandboxRun(opts)
		},
	}
	fl := c.Flags()
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:8888", "`ADDRESS` to listen on (port 0 picks a free port)")
	fl.StringVar(&opts.Server.API, "api", "1.13", "DQOps API `RELEASE` to imitate: 1.0 or 1.13")
	fl.StringSliceVar(&opts.Server.Domains, "domains", nil, "data domain `NAMES` besides \"(default)\", comma-separated: an instance with data domains (1.13)")
	fl.BoolVar(&opts.Server.CaseSensitiveEmails, "case-sensitive-emails", false, "emails that differ in letter case are distinct users")
	fl.IntVar(&opts.Server.UsersLimit, "users-limit", 0, "the licence's users limit, `N` (default 1000)")
	fl.IntVar(&opts.Server.SeedUsers, "seed-users", 0, "add `N` synthetic users")
	fl.BoolVar(&opts.Server.Unlicensed, "unlicensed", false, "answer as an instance without a multi-user licence")
	fl.BoolVar(&opts.Server.NoAuth, "no-auth", false, "answer as a single-user instance: requests without a key act as the admin")
	fl.StringVar(&opts.Server.StateFile, "state", "", "keep the users and their API keys in `FILE` across restarts, so a stored login keeps working")
	fl.DurationVar(&opts.Server.Latency, "latency", 0, "add this `DURATION` to every request")
	fl.StringVar(&opts.Server.Faults, "faults", "", "inject faults by `SPEC`, e.g. \"GET /api/users 503 x2; POST /api/users drop-after x1\"")
	_ = c.RegisterFlagCompletionFunc("api", fixedCompletion("1.0", "1.13"))
	return c
}

func sandboxRun(opts *SandboxOptions) error {
	ctx := opts.Context
	// A long-running sandbox keeps only recent requests; tests read the log.
	opts.Server.MaxRequestLog = 10000
	srv, err := sandbox.New(opts.Server)
	if err != nil {
		return usageErrorf("%v", err)
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if errors.Is(err, syscall.EADDRINUSE) {
		return withHint(&ExitError{Code: ExitFailure, Err: fmt.Errorf("listening on %s: the address is in use", opts.Listen)},
			"another sandbox or DQOps may be running there; pick a free port with --listen 127.0.0.1:0")
	}
	if err != nil {
		return fmt.Errorf("listening on %s: %w", opts.Listen, err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		fmt.Fprintf(opts.IO.ErrOut, "warning: listening on %s, beyond this machine: anyone who can reach it can use the admin key below\n", addr)
	}
	host := addr.String()
	if addr.IP.IsUnspecified() {
		host = net.JoinHostPort("127.0.0.1", fmt.Sprint(addr.Port))
	}
	fmt.Fprintf(opts.IO.Out, "export DQOPS_URL=http://%s\n", host)
	if key := srv.AdminKey(); key != "" {
		fmt.Fprintf(opts.IO.Out, "export DQOPS_API_KEY=%s   # %s (admin)\n", key, sandbox.AdminEmail)
	} else {
		fmt.Fprintf(opts.IO.Out, "# %s is not an admin in this state file: no admin key\n", sandbox.AdminEmail)
	}
	if key := srv.ViewerKey(); key != "" {
		fmt.Fprintf(opts.IO.Out, "# export DQOPS_API_KEY=%s   # %s (viewer)\n", key, sandbox.ViewerEmail)
	}
	kind := "DQOps " + opts.Server.API
	switch {
	case len(opts.Server.Domains) > 0:
		kind += " with data domains " + strings.Join(append([]string{sandbox.DefaultDomain}, opts.Server.Domains...), ", ")
	case opts.Server.API == sandbox.API113:
		kind += " without data domains"
	}
	fmt.Fprintf(opts.IO.ErrOut, "Serving the users API of %s on http://%s (these keys are the sandbox's own, for testing). Ctrl-C stops it.\n", kind, host)

	server := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- server.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("stopping: %w", err)
	}
	fmt.Fprintln(opts.IO.ErrOut, "Sandbox stopped.")
	return nil
}
