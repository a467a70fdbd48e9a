package cmd_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/directory/directorytest"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// dbgCommandPaths lists every runnable, visible command as its path without
// "dqo-users ", e.g. "config view".
func dbgCommandPaths() []string {
	ios, _, _, _ := iostreams.Test()
	root := cmd.NewRootCmd(cmd.Env{IO: ios, Getenv: func(string) string { return "" }}, cmd.BuildInfo{})
	var paths []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, child := range c.Commands() {
			if child.Hidden {
				continue
			}
			if child.Runnable() {
				paths = append(paths, strings.TrimPrefix(child.CommandPath(), root.Name()+" "))
			}
			walk(child)
		}
	}
	walk(root)
	sort.Strings(paths)
	return paths
}

// dbgTraced is a trace line of a request: "debug: #N > METHOD URL".
var dbgTraced = regexp.MustCompile(`(?m)^debug: #\d+ > (GET|POST|PUT|DELETE) (\S+)$`)

// TestDebugTraceShowsNoSecret runs every command with --debug, a known API
// key and a known password, and finds neither anywhere in what it printed,
// while the trace shows each request's method, URL and status.
func TestDebugTraceShowsNoSecret(t *testing.T) {
	t.Parallel()
	srv, c := setupNet(t, "")
	c.build = cmd.BuildInfo{Version: "debug-test"}
	key := srv.AdminKey()
	const password = "Pw-known-7f3a9c"
	usersFile := c.file("users.yaml", "users:\n- email: admin@example.com\n  accountRole: admin\n- email: cy@corp.io\n  accountRole: editor\n")
	type step struct {
		path  string // the command, as dbgCommandPaths names it
		args  []string
		stdin string
		// requests says whether the command talks to the server.
		requests bool
		// serves says that the command serves until Ctrl-C (the sandbox),
		// which comes once it says so on stderr.
		serves bool
		// lazy, when set, gives the arguments in the step's own test (sync,
		// whose directory is skipped where slapd is missing).
		lazy func(t *testing.T) []string
	}
	steps := []step{
		{path: "list", args: []string{"list"}, requests: true},
		{path: "get", args: []string{"get", "bo@corp.io", "-o", "json"}, requests: true},
		{path: "create", args: []string{"create", "new@corp.io", "--role", "viewer", "--password-stdin"}, stdin: password + "\n", requests: true},
		{path: "update", args: []string{"update", "new@corp.io", "--role", "editor"}, requests: true},
		{path: "user-passwd", args: []string{"user-passwd", "new@corp.io", "--password-stdin"}, stdin: password, requests: true},
		{path: "passwd", args: []string{"passwd", "--password-stdin"}, stdin: password, requests: true},
		{path: "whoami", args: []string{"whoami"}, requests: true},
		{path: "domains", args: []string{"domains"}, requests: true},
		{path: "delete", args: []string{"delete", "new@corp.io", "--yes"}, requests: true},
		{path: "export", args: []string{"export"}, requests: true},
		{path: "apply", args: []string{"apply", "-f", usersFile, "--yes"}, requests: true},
		{path: "diff", args: []string{"diff", "-f", usersFile}, requests: true},
		{path: "sync", requests: true, lazy: func(t *testing.T) []string {
			b := newBranch(t, "debugtrace", []string{"ana"}, map[string][]string{"admins": {"ana"}})
			return []string{"sync", "-f", b.syncFile(c, b.mapping("admins", "admin"), "keep: [admin@example.com]\n"), "--yes"}
		}},
		{path: "login", args: []string{"login", "--with-token", "--profile", "work"}, stdin: key + "\n", requests: true},
		{path: "config list", args: []string{"config", "list"}},
		{path: "config view", args: []string{"config", "view"}},
		{path: "config use", args: []string{"config", "use", "work"}},
		{path: "logout", args: []string{"logout", "--profile", "work"}},
		{path: "version", args: []string{"version"}},
		{path: "help exit-codes", args: []string{"help", "exit-codes"}},
		{path: "help sync", args: []string{"help", "sync"}},
		{path: "completion", args: []string{"completion", "bash"}},
		{path: "sandbox", args: []string{"sandbox", "--listen", "127.0.0.1:0"}, serves: true},
	}
	covered := map[string]bool{}
	for _, s := range steps {
		covered[s.path] = true
	}
	for _, path := range dbgCommandPaths() {
		if !covered[path] {
			t.Errorf("command %q is not run by this test: add it to the steps", path)
		}
	}

	secrets := []string{key, strings.TrimPrefix(key, sandbox.KeyPrefix), password, directorytest.SyncPW}
	for _, s := range steps {
		t.Run(s.path, func(t *testing.T) {
			if s.lazy != nil {
				s.args = s.lazy(t)
			}
			inv := invocation{args: append(s.args, "--debug"), stdin: s.stdin}
			var r result
			if s.serves {
				r = runUntilServing(t, c, inv)
			} else if r = c.exec(inv); r.code != 0 {
				t.Fatalf("%v\n%s", s.args, r)
			}
			for _, secret := range secrets {
				if strings.Contains(r.stdout, secret) || strings.Contains(r.stderr, secret) {
					t.Errorf("%v shows a secret (%.6s...):\n%s", s.args, secret, r)
				}
			}
			if !s.requests {
				return
			}
			traced := dbgTraced.FindAllStringSubmatch(r.stderr, -1)
			if len(traced) == 0 {
				t.Fatalf("no request traced:\n%s", r.stderr)
			}
			for _, m := range traced {
				if !strings.HasPrefix(m[2], srv.URL+"/api/") {
					t.Errorf("traced URL %q", m[2])
				}
			}
			for _, want := range []string{"> Authorization: [redacted]\n", "> User-Agent: dqo-users/debug-test\n"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("trace lacks %q:\n%s", want, r.stderr)
				}
			}
			if !regexp.MustCompile(`(?m)^debug: #\d+ < HTTP/1\.1 20[014] [A-Za-z ]+ in \S+$`).MatchString(r.stderr) {
				t.Errorf("trace shows no status:\n%s", r.stderr)
			}
			if strings.Contains(strings.Join(s.args, " "), "password") || s.path == "passwd" {
				if !strings.Contains(r.stderr, "/password\n") && !strings.Contains(r.stderr, "/api/mypassword\n") {
					t.Errorf("no password request traced:\n%s", r.stderr)
				}
				if !strings.Contains(r.stderr, "> [redacted]\n") {
					t.Errorf("the password body is not shown as [redacted]:\n%s", r.stderr)
				}
			}
		})
	}
	if !srv.PasswordMatches(sandbox.AdminEmail, password) {
		t.Error("passwd did not set the password")
	}
}

// runUntilServing runs a command that serves until Ctrl-C, and gives it
// Ctrl-C once it says on stderr that it serves.
func runUntilServing(t *testing.T, c *cli, inv invocation) result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	inv.ctx, inv.stdout, inv.stderr = ctx, out, errOut
	run := c.start(inv)
	run.waitForOutput(t, errOut, "Ctrl-C stops it.", time.Minute)
	cancel()
	r := run.result()
	r.stdout, r.stderr = out.String(), errOut.String()
	return r
}

// TestDebugFromEnvironment checks DQOPS_DEBUG, and that without it nothing
// is traced.
func TestDebugFromEnvironment(t *testing.T) {
	t.Parallel()
	srv, c := setupNet(t, "")
	for _, tt := range []struct {
		value string
		trace bool
	}{{"1", true}, {"true", true}, {"0", false}, {"false", false}, {"", false}} {
		c.env["DQOPS_DEBUG"] = tt.value
		r := c.run("list")
		expectExit(t, r, 0)
		if got := strings.Contains(r.stderr, "debug: #1 > GET "+srv.URL+"/api/users\n"); got != tt.trace {
			t.Errorf("DQOPS_DEBUG=%q: traced %v, want %v:\n%s", tt.value, got, tt.trace, r.stderr)
		}
	}
	// A failed request and the retries are traced too.
	c.env["DQOPS_DEBUG"] = "1"
	srv.SetFaults("GET /api/users drop x1")
	r := c.run("list")
	expectExit(t, r, 0, "debug: #1 ! GET "+srv.URL+"/api/users failed after ",
		"debug: * listing users: the connection was closed before an answer came; retry 1 of 3 in ",
		"debug: #2 < HTTP/1.1 200 OK in ")
}

// TestDebugKeyCommandProfile checks a profile's api_key_command: the key it
// prints is used and never shown, its stderr passes through, its failures
// never show what it printed, and it cannot eat a password given on stdin.
func TestDebugKeyCommandProfile(t *testing.T) {
	t.Parallel()
	srv, c := setupNet(t, "")
	key := srv.AdminKey()
	keyFile := filepath.Join(c.dir, "key")
	os.WriteFile(keyFile, []byte(key+"\n"), 0o600)
	config := c.env["DQOPS_CONFIG"]
	writeProfile := func(command string) {
		t.Helper()
		doc := fmt.Sprintf("current_profile: work\nprofiles:\n  work:\n    url: %s\n    api_key_command: %q\n", srv.URL, command)
		if err := os.WriteFile(config, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	delete(c.env, "DQOPS_URL")
	delete(c.env, "DQOPS_API_KEY")
	secret := strings.TrimPrefix(key, sandbox.KeyPrefix)
	noKey := func(r result) {
		t.Helper()
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("the key is shown:\n%s", r)
		}
	}

	writeProfile("echo 'helper: unlocking' >&2; cat " + keyFile)
	r := c.run("list", "--debug")
	expectExit(t, r, 0, "helper: unlocking\n", "> Authorization: [redacted]\n")
	noKey(r)

	// The command's stdin is not ours: --password-stdin still gets the password.
	writeProfile("cat >/dev/null; cat " + keyFile)
	r = c.runStdin("Pw-stdin-1\n", "passwd", "--password-stdin")
	expectExit(t, r, 0)
	if !srv.PasswordMatches(sandbox.AdminEmail, "Pw-stdin-1") {
		t.Error("the password was not the one on stdin")
	}

	for _, tt := range []struct {
		command string
		code    int
		want    []string
	}{
		{"cat " + keyFile + "; echo 'helper: locked' >&2; exit 3", 1,
			[]string{"helper: locked\n", `error: api_key_command of profile "work" failed (exit status 3)`}},
		{"cat " + keyFile + "; cat " + keyFile, 1,
			[]string{`error: api_key_command of profile "work" printed more than one line: it must print the key alone`}},
		{"true", 1, []string{`error: api_key_command of profile "work" printed no key`}},
		{"printf 'a\\tb'", 2, []string{`error: the api_key_command of profile "work": the API key contains a space (character 2 of 3)`}},
	} {
		writeProfile(tt.command)
		r := c.run("list", "--debug")
		expectExit(t, r, tt.code, tt.want...)
		noKey(r)
		if n := len(srv.arrivals()); n != 2 {
			t.Errorf("%s: a request was sent (%d in all)", tt.command, n)
		}
	}

	// A file, or a directory above it, that another local user could write
	// names no command to run (tests run as root, where chmod still sets the
	// bits that are checked). A group's members are pkg/config's to test.
	writeProfile("cat " + keyFile)
	for _, tt := range []struct {
		path string
		mode os.FileMode
		want string
	}{
		{config, 0o622, "error: the api_key_command of configuration file " + config +
			" is not run: it is writable by others (mode 0622), so another local user could choose the command; to fix: chmod go-w " + config},
		{config, 0o602, "to fix: chmod go-w " + config},
		{c.dir, 0o777, "its directory " + c.dir + " is writable by others without the sticky bit (mode 0777), so another local user could choose the command; to fix: chmod o-w " + c.dir},
	} {
		info, err := os.Stat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(tt.path, tt.mode)
		srv.forgetArrivals()
		r := c.run("list")
		os.Chmod(tt.path, info.Mode()&(os.ModePerm|os.ModeSticky))
		expectExit(t, r, 2, tt.want)
		noKey(r)
		if n := len(srv.arrivals()); n != 0 {
			t.Errorf("mode %04o of %s: a request was sent", tt.mode, tt.path)
		}
	}
	os.Chmod(c.dir, os.ModeSticky|0o777) // the sticky bit, as /tmp has
	expectExit(t, c.run("list"), 0)
	os.Chmod(c.dir, 0o700)
	srv.forgetArrivals()

	c.keyCommandTimeout = 200 * time.Millisecond
	writeProfile("sleep 5; cat " + keyFile)
	r = c.run("list")
	expectExit(t, r, 1, `error: api_key_command of profile "work" did not finish within 200ms`)
	if r.elapsed > 3*time.Second {
		t.Errorf("the timeout took %s", r.elapsed)
	}
}

// TestDebugConfigFileModeWarning checks the warning for a configuration file
// that others may read, which holds keys (tests run as root, where chmod
// still sets the bits that are checked).
func TestDebugConfigFileModeWarning(t *testing.T) {
	t.Parallel()
	srv, c := setupNet(t, "")
	config := c.env["DQOPS_CONFIG"]
	doc := fmt.Sprintf("profiles:\n  default:\n    url: %s\n    api_key: %s\n", srv.URL, srv.AdminKey())
	os.WriteFile(config, []byte(doc), 0o600)
	delete(c.env, "DQOPS_API_KEY")
	for _, tt := range []struct {
		mode  os.FileMode
		warn  bool
		reach string
	}{{0o600, false, ""}, {0o400, false, ""}, {0o640, true, "readable"}, {0o604, true, "readable"},
		{0o666, true, "readable and writable"}, {0o610, true, "open"}} {
		if err := os.Chmod(config, tt.mode); err != nil {
			t.Fatal(err)
		}
		r := c.run("list")
		expectExit(t, r, 0)
		want := fmt.Sprintf("warning: %s is %s by other users (mode %04o); run: chmod 600 %s\n", config, tt.reach, tt.mode, config)
		if got := strings.Contains(r.stderr, want); got != tt.warn || (!tt.warn && strings.Contains(r.stderr, "warning")) {
			t.Errorf("mode %04o: warned %v, want %v:\n%s", tt.mode, got, tt.warn, r.stderr)
		}
	}
	// Saving writes 0600 whatever the file had.
	os.Chmod(config, 0o644)
	expectExit(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
	if info, err := os.Stat(config); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("after login the file has mode %v, %v", info.Mode().Perm(), err)
	}
}
