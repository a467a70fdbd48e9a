// Command gen-docs writes the generated files that are committed with the
// source and shipped in release archives: docs/*.md (the Markdown reference),
// docs/man/*.1 (man pages; dqo-users.1 with EXIT STATUS, ENVIRONMENT and
// FILES, see man.go) and completions/dqo-users.{bash,zsh,fish,ps1}.
//
// It is a program of its own, so that the shipped dqo-users binary links no
// docs generator. It builds the same command tree as the binary. The output
// depends on nothing but that tree: no dates, no paths, no environment, so a
// test can regenerate it and compare. Generated files of commands that no
// longer exist are removed.
//
//	go run ./cmd/gen-docs --dir .
package main

//go:generate go run . --dir ../..

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run writes the files under --dir and returns the exit code.
func run(args []string, stderr io.Writer) int {
	fl := flag.NewFlagSet("gen-docs", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("dir", ".", "write docs/ and completions/ under `DIR`")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "gen-docs: unexpected argument %q\n", fl.Arg(0))
		return 2
	}
	root := cmd.NewRootCmd(cmd.Env{IO: iostreams.System(), Getenv: func(string) string { return "" }}, cmd.BuildInfo{})
	files, err := generatedFiles(root)
	if err != nil {
		fmt.Fprintf(stderr, "gen-docs: generating docs: %v\n", err)
		return 1
	}
	if err := writeGenerated(*dir, root.Name(), files); err != nil {
		fmt.Fprintf(stderr, "gen-docs: writing docs: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "Wrote %d files to %s and %s.\n", len(files),
		filepath.Join(*dir, "docs"), filepath.Join(*dir, "completions"))
	return 0
}

// manDate stands in for the man pages' date, which is then removed, so that
// a page changes only when the command does.
var manDate = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// generatedFiles renders every generated file in memory, keyed by its
// slash-separated path relative to the output directory.
func generatedFiles(root *cobra.Command) (map[string][]byte, error) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	disableAutoGenTag(root)

	files := map[string][]byte{}
	var walkErr error
	visitDocumented(root, func(c *cobra.Command) {
		if walkErr != nil {
			return
		}
		var md bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &md, func(s string) string { return s }); err != nil {
			walkErr = err
			return
		}
		files["docs/"+strings.ReplaceAll(c.CommandPath(), " ", "_")+".md"] = md.Bytes()

		var man bytes.Buffer
		date := manDate
		header := &doc.GenManHeader{Section: "1", Date: &date, Source: root.Name(), Manual: root.Name() + " manual"}
		if err := doc.GenMan(c, header, &man); err != nil {
			walkErr = err
			return
		}
		page := undateMan(man.Bytes())
		if c == root {
			var err error
			if page, err = withRootSections(page, rootSections(cmd.ExitCodes())); err != nil {
				walkErr = err
				return
			}
		}
		files["docs/man/"+strings.ReplaceAll(c.CommandPath(), " ", "-")+".1"] = page
	})
	if walkErr != nil {
		return nil, walkErr
	}

	name := root.Name()
	scripts := []struct {
		ext string
		gen func(*bytes.Buffer) error
	}{
		{"bash", func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) }},
		{"zsh", func(b *bytes.Buffer) error { return root.GenZshCompletion(b) }},
		{"fish", func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) }},
		{"ps1", func(b *bytes.Buffer) error { return root.GenPowerShellCompletionWithDesc(b) }},
	}
	for _, s := range scripts {
		var b bytes.Buffer
		if err := s.gen(&b); err != nil {
			return nil, err
		}
		files["completions/"+name+"."+s.ext] = b.Bytes()
	}
	return files, nil
}

// visitDocumented calls fn for c and every command below it that cobra/doc
// documents: available ones, not help topics (this skips hidden commands
// such as gen-docs, and help).
func visitDocumented(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, child := range c.Commands() {
		if !child.IsAvailableCommand() || child.IsAdditionalHelpTopicCommand() {
			continue
		}
		visitDocumented(child, fn)
	}
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, child := range c.Commands() {
		disableAutoGenTag(child)
	}
}

// undateMan empties the date field of the .TH title line.
func undateMan(page []byte) []byte {
	stamp := []byte(`"` + manDate.Format("Jan 2006") + `"`)
	lines := bytes.SplitAfter(page, []byte("\n"))
	for i, line := range lines {
		if bytes.HasPrefix(line, []byte(".TH ")) {
			lines[i] = bytes.Replace(line, stamp, []byte(`""`), 1)
			break
		}
	}
	return bytes.Join(lines, nil)
}

// isGeneratedPath reports whether a path relative to the output directory is
// one gen-docs owns, and so removes when it did not just write it.
func isGeneratedPath(rel, name string) bool {
	dir, base := path.Split(rel)
	switch dir {
	case "docs/":
		return strings.HasPrefix(base, name) && strings.HasSuffix(base, ".md")
	case "docs/man/":
		return strings.HasPrefix(base, name) && strings.HasSuffix(base, ".1")
	case "completions/":
		return strings.HasPrefix(base, name+".")
	}
	return false
}

// writeGenerated writes files under dir and removes the generated files of
// commands that are gone.
func writeGenerated(dir, name string, files map[string][]byte) error {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, sub := range []string{"docs", "docs/man", "completions"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(sub)), 0o755); err != nil {
			return err
		}
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(sub)))
		if err != nil {
			return err
		}
		for _, e := range entries {
			rel := sub + "/" + e.Name()
			if _, keep := files[rel]; keep || !e.Type().IsRegular() || !isGeneratedPath(rel, name) {
				continue
			}
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	for _, p := range paths {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), files[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}
