package cmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

// Every command of the tree, by its name and each alias, is built alone
// for a command line that runs it, and is the same command.
func TestEveryCommandIsBuiltAlone(t *testing.T) {
	env := Env{IO: &iostreams.IOStreams{}}
	f := newFactory(context.Background(), env, globalFlags(), nil)
	root := NewRootCmd(env, BuildInfo{})
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		for _, name := range append([]string{c.Name()}, c.Aliases...) {
			one := commandNamed(root.PersistentFlags(), []string{name})
			if one == nil {
				t.Errorf("%q is not among subcommands: a command line running it builds the whole tree", name)
				continue
			}
			if got := one(f, BuildInfo{}); got.Name() != c.Name() {
				t.Errorf("%q builds %q", name, got.Name())
			}
		}
	}
}

func TestCommandNamed(t *testing.T) {
	root := NewRootCmd(Env{IO: &iostreams.IOStreams{}}, BuildInfo{})
	tests := []struct {
		args []string
		want string // "" for the whole tree
	}{
		{[]string{"get", "a@b.io"}, "get"},
		{[]string{"ls"}, "list"},
		{[]string{"--profile", "list", "get", "a@b.io"}, "get"},
		{[]string{"--profile=x", "--debug", "--no-input", "delete", "a@b.io"}, "delete"},
		{[]string{"--timeout", "3s", "--retries", "0", "version"}, "version"},
		{[]string{"--debug=true", "whoami"}, "whoami"},
		{nil, ""},
		{[]string{"--debug"}, ""},
		{[]string{"help", "get"}, ""},
		{[]string{"completion", "bash"}, ""},
		{[]string{"__complete", "get", ""}, ""},
		{[]string{"lst"}, ""},
		{[]string{"-h"}, ""},
		{[]string{"--help", "get"}, ""},
		{[]string{"--nosuch", "get"}, ""},
		{[]string{"--", "get"}, ""},
	}
	for _, tt := range tests {
		got := ""
		if one := commandNamed(root.PersistentFlags(), tt.args); one != nil {
			got = one(newFactory(context.Background(), Env{IO: &iostreams.IOStreams{}}, globalFlags(), nil), BuildInfo{}).Name()
		}
		if got != tt.want {
			t.Errorf("%q runs %q, want %q", tt.args, got, tt.want)
		}
	}
}

// A command built alone says in its help, usage errors and flags exactly
// what it says in the whole tree.
func TestCommandAloneActsAsInTheTree(t *testing.T) {
	run := func(whole bool, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		env := Env{IO: &iostreams.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
			Getenv: func(string) string { return "" }}
		global := globalFlags()
		f := newFactory(context.Background(), env, global, args)
		root := newRootCmd(f, BuildInfo{Version: "1"}, args, global)
		if whole {
			root = newRootCmd(f, BuildInfo{Version: "1"}, nil, global)
		}
		code := execute(context.Background(), f, root, args)
		return code, out.String(), errOut.String()
	}
	for _, c := range subcommands {
		for _, args := range [][]string{{c.names[0], "--help"}, {c.names[0], "--nosuch-flag"}} {
			code, out, errOut := run(false, args...)
			wantCode, wantOut, wantErr := run(true, args...)
			if code != wantCode || out != wantOut || errOut != wantErr {
				t.Errorf("%q alone: exit %d\n%s%s\nin the tree: exit %d\n%s%s", args, code, out, errOut, wantCode, wantOut, wantErr)
			}
		}
	}
}
