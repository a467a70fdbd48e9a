package cmd_test

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

func TestVersionAndHelp(t *testing.T) {
	t.Parallel()
	// A configuration path that cannot be read proves these commands never
	// load the configuration.
	c := newCLI(t, nil)
	c.env["DQOPS_CONFIG"] = t.TempDir()
	for _, tty := range []bool{false, true} {
		r := c.exec(invocation{args: []string{"version"}, stdoutTTY: tty, stdinTTY: tty})
		expectCode(t, r, 0)
		if want := "dqo-users 1.2.3-test (commit abc1234, built 2025-01-02)\n"; r.stdout != want {
			t.Errorf("version %q, want %q", r.stdout, want)
		}

		r = c.exec(invocation{args: []string{"help", "exit-codes"}, stdoutTTY: tty})
		expectCode(t, r, 0)
		for _, line := range []string{
			"  0  ok ", "  1  error ", "  2  usage ", "  3  cancelled ", "  4  auth ", "  5  forbidden ",
			"  6  not_found ", "  7  already_exists ", "  8  user_limit ", "130  interrupted ",
		} {
			expectContains(t, "help exit-codes", r.stdout, line)
		}
	}
	r := c.run("--help")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout, "Usage:", "dqo-users [command]", "create", "delete", "whoami")
	r = c.run("help", "create")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout, "--password-stdin", "$ dqo-users create")
	r = c.run("help", "nosuch")
	expectCode(t, r, 2)
	r = c.run("nosuch")
	expectCode(t, r, 2)
	expectContains(t, "stderr", r.stderr, `unknown command "nosuch"`)
	r = c.run("completion", "bash")
	expectCode(t, r, 0)
	expectContains(t, "stdout", r.stdout, "bash completion")
}

// The README's table of exit codes is the one help exit-codes prints.
func TestREADMEExitCodes(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (\d+) \| (\w+) \| (.*) \|$`)
	var inREADME []string
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		inREADME = append(inREADME, m[1]+" "+m[2]+" "+m[3])
	}
	r := newCLI(t, nil).run("help", "exit-codes")
	expectCode(t, r, 0)
	line := regexp.MustCompile(`(?m)^ *(\d+)  (\w+) +(.*)$`)
	var inHelp []string
	for _, m := range line.FindAllStringSubmatch(r.stdout, -1) {
		inHelp = append(inHelp, m[1]+" "+m[2]+" "+m[3])
	}
	if len(inHelp) < 14 || !slices.Equal(inREADME, inHelp) {
		t.Errorf("README:\n%q\nhelp exit-codes:\n%q", inREADME, inHelp)
	}
}
