package cmd_test

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// TestHelpText holds every command to the help-text rules: a capitalised
// one-line summary without a full stop, a longer description, and examples
// that are commands to run, each after a `$ ` prompt.
func TestHelpText(t *testing.T) {
	t.Parallel()
	ios, _, _, _ := iostreams.Test()
	f := cmd.Env{IO: ios, Getenv: func(string) string { return "" }}
	root := cmd.NewRootCmd(f, cmd.BuildInfo{})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		for _, child := range c.Commands() {
			visit(child)
		}
		name := c.CommandPath()
		if strings.HasPrefix(c.Name(), "__") {
			return // cobra's own hidden completion requests
		}
		short := c.Short
		switch {
		case short == "":
			t.Errorf("%s: no Short", name)
		case strings.ToUpper(short[:1]) != short[:1]:
			t.Errorf("%s: Short %q does not start with a capital", name, short)
		case strings.HasSuffix(short, "."), strings.Contains(short, "\n"):
			t.Errorf("%s: Short %q is not one line without a full stop", name, short)
		}
		if strings.TrimSpace(c.Long) == "" || c.Long == c.Short {
			t.Errorf("%s: no Long description", name)
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s: no Example", name)
		}
		for _, line := range strings.Split(c.Example, "\n") {
			if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(line, "  $ ") {
				t.Errorf("%s: example line %q does not start with \"  $ \"", name, line)
			}
		}
	}
	visit(root)
}
