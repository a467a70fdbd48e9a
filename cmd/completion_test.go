package cmd_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// The emails of a sandbox with two seeded users, as completion offers them:
// sorted, each with its role as the description.
var sandboxEmails = []string{
	"admin@example.com\tadmin",
	"user000001@example.com\teditor",
	"user000002@example.com\toperator",
	"viewer@example.com\tviewer",
}

// completionSandbox serves a sandbox with two seeded users.
func completionSandbox(t *testing.T, opts sandbox.Options) *testServer {
	t.Helper()
	opts.SeedUsers = 2
	return startSandbox(t, opts)
}

// completionCLI is a harness whose environment is vars and a configuration
// file of the test's own, and nothing else; every run is bounded by 30s.
func completionCLI(t *testing.T, vars map[string]string) *cli {
	c := newCLI(t, nil)
	maps.Copy(c.env, vars)
	c.timeout = 30 * time.Second
	return c
}

// completion is a run of __complete.
type completion struct {
	result
	values    []string // the completions, description included
	directive string   // cobra's ":N" line
}

// complete runs `dqo-users __complete ARGS...` and checks what every
// completion must be: exit 0, a directive, nothing on stderr but cobra's
// directive line.
func complete(t *testing.T, c *cli, args ...string) completion {
	t.Helper()
	r := completion{result: c.run(append([]string{"__complete"}, args...)...)}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	r.directive = lines[len(lines)-1]
	r.values = lines[:len(lines)-1]
	if r.code != cmd.ExitOK {
		t.Errorf("__complete %q: exit %d, want 0\nstderr: %s", args, r.code, r.stderr)
	}
	if !strings.HasPrefix(r.directive, ":") {
		t.Errorf("__complete %q: no directive line in %q", args, r.stdout)
	}
	for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
		if !strings.HasPrefix(line, "Completion ended with directive:") {
			t.Errorf("__complete %q: stderr has more than the directive line: %q", args, r.stderr)
			break
		}
	}
	return r
}

func expectValues(t *testing.T, r completion, what string, want []string) {
	t.Helper()
	if !slices.Equal(r.values, want) {
		t.Errorf("%s: completions\n  %q\nwant\n  %q", what, r.values, want)
	}
}

func TestCompletionOfEmails(t *testing.T) {
	t.Parallel()
	srv := completionSandbox(t, sandbox.Options{})
	c := completionCLI(t, map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": srv.AdminKey()})

	all := sandboxEmails
	without := func(emails ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(v string) bool {
			e, _, _ := strings.Cut(v, "\t")
			return slices.Contains(emails, e)
		})
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"get, first argument", []string{"get", ""}, all},
		{"get, by prefix", []string{"get", "u"}, without("admin@example.com", "viewer@example.com")},
		{"get, prefix of another case", []string{"get", "VIEW"}, []string{"viewer@example.com\tviewer"}},
		{"get, given emails left out", []string{"get", "admin@example.com", "Viewer@Example.com", ""}, without("admin@example.com", "viewer@example.com")},
		{"delete, first argument", []string{"delete", ""}, all},
		{"delete, given emails left out", []string{"delete", "user000001@example.com", ""}, without("user000001@example.com")},
		{"rm alias", []string{"rm", "admin@example.com", ""}, without("admin@example.com")},
		{"update, first argument", []string{"update", ""}, all},
		{"update, no second argument", []string{"update", "admin@example.com", ""}, []string{}},
		{"user-passwd, first argument", []string{"user-passwd", "a"}, []string{"admin@example.com\tadmin"}},
		{"user-passwd, no second argument", []string{"user-passwd", "admin@example.com", ""}, []string{}},
		{"no match", []string{"get", "nobody"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := complete(t, c, tt.args...)
			expectValues(t, r, strings.Join(tt.args, " "), tt.want)
			if r.directive != ":4" {
				t.Errorf("directive %s, want :4 (no file completion)", r.directive)
			}
		})
	}
}

func TestCompletionOfFixedValues(t *testing.T) {
	t.Parallel()
	// Nothing here needs a server: the URL is a closed port, so a request
	// would show up as missing values.
	c := completionCLI(t, map[string]string{"DQOPS_URL": "http://" + closedPort(t)})
	roles := []string{"admin", "editor", "operator", "viewer", "none"}
	formats := []string{"table", "wide", "json", "yaml", "csv", "tsv", "name"}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"create --role", []string{"create", "ana@example.com", "--role", ""}, roles},
		{"update --role", []string{"update", "ana@example.com", "--role", ""}, roles},
		{"list --role", []string{"list", "--role", ""}, roles},
		{"list -o", []string{"list", "-o", ""}, formats},
		{"get --output", []string{"get", "ana@example.com", "--output", ""}, formats},
		{"whoami -o", []string{"whoami", "-o", ""}, formats},
		{"config list -o", []string{"config", "list", "-o", ""}, formats},
		{"--color", []string{"list", "--color", ""}, []string{"auto", "always", "never"}},
		{"completion shells", []string{"completion", ""}, []string{"bash", "zsh", "fish", "powershell"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := complete(t, c, tt.args...)
			expectValues(t, r, strings.Join(tt.args, " "), tt.want)
		})
	}
}

func TestCompletionOfProfiles(t *testing.T) {
	t.Parallel()
	srv := completionSandbox(t, sandbox.Options{})
	url := srv.URL
	c := completionCLI(t, nil)
	for _, profile := range []string{"staging", "prod"} {
		r := c.runStdin(srv.AdminKey(), "login", "--url", url, "--profile", profile, "--with-token")
		if r.code != cmd.ExitOK {
			t.Fatalf("login --profile %s: exit %d\n%s", profile, r.code, r.stderr)
		}
	}
	want := []string{"prod\t" + url, "staging\t" + url}
	for _, args := range [][]string{
		{"list", "--profile", ""},
		{"get", "--profile", ""},
		{"config", "use", ""},
	} {
		expectValues(t, complete(t, c, args...), strings.Join(args, " "), want)
	}

	// Emails come through the key stored by login: no DQOPS_API_KEY here.
	expectValues(t, complete(t, c, "get", "--profile", "staging", ""), "get --profile staging", sandboxEmails)
}

func TestCompletionIsSilentWithoutAServer(t *testing.T) {
	t.Parallel()
	url := completionSandbox(t, sandbox.Options{}).URL
	slow := completionSandbox(t, sandbox.Options{Faults: "slow=10s"})
	slowURL, slowKey := slow.URL, slow.AdminKey()
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"not logged in (401)", map[string]string{"DQOPS_URL": url}},
		{"key rejected (401)", map[string]string{"DQOPS_URL": url, "DQOPS_API_KEY": sandbox.KeyPrefix + "wrong"}},
		{"unreachable", map[string]string{"DQOPS_URL": "http://" + closedPort(t), "DQOPS_API_KEY": "any"}},
		{"slow server", map[string]string{"DQOPS_URL": slowURL, "DQOPS_API_KEY": slowKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := completionCLI(t, tt.env)
			// A shorter bound than the shell's 2s: what is tested is that
			// the bound holds against a server taking 10s.
			c.completionTimeout = 300 * time.Millisecond
			for _, args := range [][]string{{"get", ""}, {"delete", "a"}, {"update", ""}, {"user-passwd", ""}} {
				t.Run(args[0], func(t *testing.T) {
					t.Parallel()
					r := complete(t, c, args...)
					expectValues(t, r, strings.Join(args, " "), []string{})
					if r.directive != ":4" {
						t.Errorf("directive %s, want :4", r.directive)
					}
					// A shell must never wait for the 10s the slow server
					// takes.
					if r.elapsed > 5*time.Second {
						t.Errorf("took %s", r.elapsed.Round(time.Millisecond))
					}
				})
			}
		})
	}
}

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	// A configuration that cannot be read: printing a script must not try.
	c := completionCLI(t, map[string]string{"DQOPS_CONFIG": t.TempDir()})
	tests := []struct {
		shell string
		want  []string
	}{
		{"bash", []string{"# bash completion V2 for dqo-users", "complete -o default -F __start_dqo-users dqo-users"}},
		{"zsh", []string{"#compdef dqo-users", "compdef _dqo-users dqo-users"}},
		{"fish", []string{"# fish completion for dqo-users", "complete -c dqo-users"}},
		{"powershell", []string{"# powershell completion for dqo-users", "Register-ArgumentCompleter"}},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			r := c.run("completion", tt.shell)
			if r.code != cmd.ExitOK || r.stderr != "" {
				t.Fatalf("completion %s: exit %d, stderr %q", tt.shell, r.code, r.stderr)
			}
			for _, s := range tt.want {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("completion %s: script lacks %q", tt.shell, s)
				}
			}
			// The default script describes the values; --no-descriptions
			// changes the script (bash and fish take it as an argument of
			// __complete, zsh and PowerShell use __completeNoDesc).
			plain := c.run("completion", tt.shell, "--no-descriptions")
			if plain.code != cmd.ExitOK || plain.stdout == r.stdout {
				t.Errorf("completion %s --no-descriptions: exit %d, same script: %v", tt.shell, plain.code, plain.stdout == r.stdout)
			}
		})
	}

	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		r := c.run(args...)
		if r.code != cmd.ExitUsage || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q; want a usage error", args, r.code, r.stdout)
		}
	}
}

// Completion makes one attempt: a failing server is not retried, so the
// shell never waits for a backoff.
func TestCompletionDoesNotRetry(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{Faults: "GET /api/users 503"})
	c := completionCLI(t, map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": srv.AdminKey(), "DQOPS_RETRIES": "3"})
	r := complete(t, c, "get", "")
	expectValues(t, r, "get", []string{})
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests sent, want 1: %+v", n, srv.Requests())
	}
}
