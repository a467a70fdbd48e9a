package cmd_test

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// scriptSandboxes maps each running script to the sandbox it started, for
// the commands that look at the sandbox's state.
var scriptSandboxes sync.Map // *testscript.TestScript -> *sandbox.Server

// updateScripts rewrites the scripts' cmp files from what the commands print.
var updateScripts = flag.Bool("update-scripts", false, "rewrite the testscript files' expected output")

// TestScripts runs the end-to-end scripts of testdata/script, which call
// dqo-users: this test binary running cmd.Main (TestMain), so that no
// script waits for a build.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Setup: func(env *testscript.Env) error {
			env.Setenv("DQOPS_CONFIG", filepath.Join(env.WorkDir, ".config", "dqo-users", "config.yaml"))
			// Fail fast: the scripts' faults are meant, not to be retried.
			env.Setenv("DQOPS_RETRIES", "0")
			// No keyring: scripts log in with --insecure-storage, and a
			// script that forgets must not reach the developer's keyring.
			env.Setenv("DBUS_SESSION_BUS_ADDRESS", noSessionBus)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sandbox":          cmdSandbox,
			"sandbox-users":    cmdSandboxUsers,
			"sandbox-password": cmdSandboxPassword,
			"exits":            cmdExits,
		},
	})
}

// cmdSandbox starts a sandbox for the rest of the script and points
// DQOPS_URL and DQOPS_API_KEY at it. It writes the admin's and the viewer's
// keys to $WORK/admin.key and $WORK/viewer.key, for login and --api-key-file.
//
//	sandbox [--api 1.0|1.13] [--domains NAMES] [--unlicensed] [--users-limit N] [--viewer] [--no-auth] [--faults SPEC] [--prefix /PATH]
func cmdSandbox(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! sandbox")
	}
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	api := fs.String("api", "1.13", "API release: 1.0 or 1.13")
	unlicensed := fs.Bool("unlicensed", false, "an instance without a multi-user licence")
	limit := fs.Int("users-limit", 0, "the licence's users limit")
	viewer := fs.Bool("viewer", false, "set DQOPS_API_KEY to the viewer's key")
	noAuth := fs.Bool("no-auth", false, "a single-user instance")
	faults := fs.String("faults", "", "fault-injection spec")
	prefix := fs.String("prefix", "", "serve under this path prefix, as behind a reverse proxy")
	domains := fs.String("domains", "", "data domains, comma-separated: an instance with data domains")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		ts.Fatalf("usage: sandbox [--api 1.0|1.13] [--domains NAMES] [--unlicensed] [--users-limit N] [--viewer] [--no-auth] [--faults SPEC] [--prefix /PATH]")
	}
	var domainList []string
	if *domains != "" {
		domainList = strings.Split(*domains, ",")
	}
	if _, running := scriptSandboxes.Load(ts); running {
		ts.Fatalf("a sandbox is already running in this script")
	}
	sb, err := sandbox.New(sandbox.Options{API: *api, Domains: domainList, Unlicensed: *unlicensed, UsersLimit: *limit, NoAuth: *noAuth, Faults: *faults})
	ts.Check(err)
	var h http.Handler = sb
	if *prefix != "" {
		h = http.StripPrefix(*prefix, h)
	}
	srv := httptest.NewServer(h)
	scriptSandboxes.Store(ts, sb)
	ts.Defer(func() {
		srv.Close()
		scriptSandboxes.Delete(ts)
	})
	url := srv.URL
	if *prefix != "" {
		url += *prefix + "/"
	}
	key := sb.AdminKey()
	if *viewer {
		key = sb.ViewerKey()
	}
	ts.Setenv("DQOPS_URL", url)
	ts.Setenv("DQOPS_API_KEY", key)
	ts.Setenv("SANDBOX_HOST", strings.TrimPrefix(srv.URL, "http://"))
	ts.Check(os.WriteFile(ts.MkAbs("admin.key"), []byte(sb.AdminKey()+"\n"), 0o600))
	ts.Check(os.WriteFile(ts.MkAbs("viewer.key"), []byte(sb.ViewerKey()+"\n"), 0o600))
}

func scriptSandbox(ts *testscript.TestScript) *sandbox.Server {
	sb, ok := scriptSandboxes.Load(ts)
	if !ok {
		ts.Fatalf("no sandbox: run the sandbox command first")
	}
	return sb.(*sandbox.Server)
}

// cmdSandboxUsers prints the sandbox's users, one "EMAIL ROLE [DOMAIN=ROLE,...]"
// a line, for stdout to check.
func cmdSandboxUsers(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: sandbox-users")
	}
	for _, u := range scriptSandbox(ts).Users() {
		line := u.Email + " " + u.AccountRole
		if len(u.DataDomainRoles) > 0 {
			var domains []string
			for d, r := range u.DataDomainRoles {
				domains = append(domains, d+"="+r)
			}
			sort.Strings(domains)
			line += " " + strings.Join(domains, ",")
		}
		fmt.Fprintln(ts.Stdout(), line)
	}
}

// cmdSandboxPassword checks that the user's password is the content of a
// file (so the password is nowhere in the script's command lines).
//
//	[!] sandbox-password EMAIL FILE
func cmdSandboxPassword(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: [!] sandbox-password EMAIL FILE")
	}
	password := strings.TrimSuffix(ts.ReadFile(args[1]), "\n")
	matches := scriptSandbox(ts).PasswordMatches(args[0], password)
	switch {
	case matches && neg:
		ts.Fatalf("the password of %s is the content of %s", args[0], args[1])
	case !matches && !neg:
		ts.Fatalf("the password of %s is not the content of %s", args[0], args[1])
	}
}

// cmdExits runs a program as exec does and checks its exit code, which
// exec cannot: "! exec" only knows that it failed.
//
//	exits CODE PROGRAM [ARGS...]
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not an exit code", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got, _ = exitStatus(ee.ProcessState)
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}
