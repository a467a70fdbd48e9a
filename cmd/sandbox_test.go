package cmd_test

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestSandboxFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want sandbox.Options
		code int
	}{
		{name: "defaults: 1.13 without data domains", args: nil, want: sandbox.Options{API: "1.13"}},
		{name: "--domains", args: []string{"--domains", "sales,marketing", "--domains", "hr"},
			want: sandbox.Options{API: "1.13", Domains: []string{"sales", "marketing", "hr"}}},
		{name: "--case-sensitive-emails", args: []string{"--case-sensitive-emails"}, want: sandbox.Options{API: "1.13", CaseSensitiveEmails: true}},
		{name: "--api 1.0", args: []string{"--api", "1.0"}, want: sandbox.Options{API: "1.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			var got *cmd.SandboxOptions
			c := cmd.NewCmdSandbox(&cmd.Factory{IO: ios}, func(o *cmd.SandboxOptions) error { got = o; return nil })
			// Not nil: cobra reads os.Args (the test binary's) for nil.
			c.SetArgs(append([]string{}, tt.args...))
			c.SetOut(io.Discard)
			c.SetErr(io.Discard)
			if err := c.Execute(); err != nil {
				t.Fatal(err)
			}
			if got.Server.API != tt.want.API || !slices.Equal(got.Server.Domains, tt.want.Domains) ||
				got.Server.CaseSensitiveEmails != tt.want.CaseSensitiveEmails {
				t.Errorf("options %+v, want %+v", got.Server, tt.want)
			}
		})
	}
}

// serveSandboxCommand runs "dqo-users sandbox" in-process on a free port
// until the test ends, and returns a harness pointed at it with its admin
// key, and what it said on stderr.
func serveSandboxCommand(t *testing.T, args ...string) (*cli, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	c := newCLI(t, nil)
	run := c.start(invocation{args: append([]string{"sandbox", "--listen", "127.0.0.1:0"}, args...), stdout: out, stderr: errOut, ctx: ctx})
	t.Cleanup(func() {
		cancel()
		run.result()
	})
	run.waitForOutput(t, errOut, "Ctrl-C", 10*time.Second)
	m := regexp.MustCompile(`(?m)^export DQOPS_URL=(\S+)\nexport DQOPS_API_KEY=(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the sandbox printed no address:\n%s\n%s", out, errOut)
	}
	c.env["DQOPS_URL"], c.env["DQOPS_API_KEY"] = m[1], m[2]
	return c.likeCI(), errOut.String()
}

func TestSandboxCommandFlavours(t *testing.T) {
	t.Parallel()
	t.Run("with data domains", func(t *testing.T) {
		c, said := serveSandboxCommand(t, "--domains", "sales,marketing")
		expectContains(t, "stderr", said, "Serving the users API of DQOps 1.13 with data domains (default), sales, marketing on http://127.0.0.1:")
		r := c.run("domains", "-o", "name")
		expectExit(t, r, 0)
		if r.stdout != "(default)\nmarketing\nsales\n" {
			t.Errorf("domains: %q", r.stdout)
		}
		expectExit(t, c.run("create", "ana@example.com", "--role", "viewer", "--domain-role", "sales=editor"), 0)
		r = c.run("list")
		if r.stdout != "admin@example.com\tadmin\t\nana@example.com\tviewer\tsales=editor\nviewer@example.com\tviewer\t\n" {
			t.Errorf("list: %q", r.stdout)
		}
	})
	t.Run("without data domains", func(t *testing.T) {
		c, said := serveSandboxCommand(t)
		expectContains(t, "stderr", said, "Serving the users API of DQOps 1.13 without data domains on")
		expectExit(t, c.run("create", "ana@example.com", "--role", "viewer", "--domain-role", "sales=editor"), 2, "this instance has no data domains")
	})
	t.Run("case-sensitive emails", func(t *testing.T) {
		c, _ := serveSandboxCommand(t, "--case-sensitive-emails")
		for _, email := range []string{"Ana@example.com", "ana@example.com"} {
			expectExit(t, c.run("create", email, "--role", "viewer"), 0, fmt.Sprintf("Created user %s", email))
		}
		r := c.run("list", "-o", "name")
		if !strings.Contains(r.stdout, "Ana@example.com\nana@example.com\n") {
			t.Errorf("two users that differ in case, want both:\n%s", r.stdout)
		}
	})
	t.Run("data domains need 1.13", func(t *testing.T) {
		r := newCLI(t, nil).run("sandbox", "--listen", "127.0.0.1:0", "--api", "1.0", "--domains", "sales")
		expectExit(t, r, 2, "data domains need API release 1.13")
	})
}

// A busy port is said to be so, with the way out: a free port.
func TestSandboxOnABusyPort(t *testing.T) {
	t.Parallel()
	busy := startSandbox(t, sandbox.Options{})
	addr := strings.TrimPrefix(busy.URL, "http://")
	c := newCLI(t, nil)
	r := c.run("sandbox", "--listen", addr)
	expectExit(t, r, 1, "listening on "+addr+": the address is in use", "--listen 127.0.0.1:0")
	r = c.run("sandbox", "--help")
	expectContains(t, "help", r.stdout, "--state FILE", "API keys", "stored \"dqo-users login\" keeps working")
}
