package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/config"
)

// manSections splits a man page into its sections, by .SH heading, in
// order.
func manSections(t *testing.T, page []byte) ([]string, map[string]string) {
	t.Helper()
	var order []string
	body := map[string]string{}
	heading := ""
	for _, line := range strings.SplitAfter(string(page), "\n") {
		if rest, ok := strings.CutPrefix(line, ".SH "); ok {
			heading = strings.Trim(strings.TrimSpace(rest), `"`)
			order = append(order, heading)
			continue
		}
		if heading != "" {
			body[heading] += line
		}
	}
	return order, body
}

// TestManPageSections checks the committed dqo-users(1), as the packages
// install it, for the sections Debian's man conventions (man-pages(7))
// expect, in their order, and that each is complete: every exit code of
// "help exit-codes", every environment variable the code reads, the files
// it uses, and every key of the configuration file.
func TestManPageSections(t *testing.T) {
	t.Parallel()
	page, err := os.ReadFile(filepath.Join("..", "..", "docs", "man", "dqo-users.1"))
	if err != nil {
		t.Fatal(err)
	}
	order, body := manSections(t, page)
	want := []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLE", "SEE ALSO"}
	if !slices.Equal(order, want) {
		t.Fatalf("sections %q, want %q", order, want)
	}

	exits := body["EXIT STATUS"]
	for _, e := range cmd.ExitCodes() {
		entry := fmt.Sprintf(".TP\n.B %d\n%s: ", e.Code, roff(e.Name))
		if !strings.Contains(exits, entry) {
			t.Errorf("EXIT STATUS lacks exit code %d (%s)", e.Code, e.Name)
		}
	}

	environ := body["ENVIRONMENT"]
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\.B (.+)$`).FindAllStringSubmatch(environ, -1) {
		for _, name := range strings.Split(m[1], ", ") {
			documented[name] = true
		}
	}
	read := variablesRead(t, filepath.Join("..", ".."))
	if len(read) < 10 {
		t.Fatalf("found only %q read by the code: the scan is broken", read)
	}
	t.Logf("read by the code: %s", strings.Join(read, " "))
	// Read by Go's library on the tool's behalf.
	library := []string{"HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "XDG_CONFIG_HOME", "HOME", "SSL_CERT_FILE", "SSL_CERT_DIR"}
	for _, name := range slices.Concat(read, library) {
		if !documented[name] {
			t.Errorf("ENVIRONMENT lacks %s", name)
		}
	}

	files := body["FILES"]
	for _, s := range []string{`.I $XDG_CONFIG_HOME/dqo\-users/config.yaml`, ".I config.yaml.lock", `.B dqo\-users:URL`, `.SS "The configuration file"`,
		".B current_profile", "profiles:"} {
		if !strings.Contains(files, s+"\n") && !strings.Contains(files, s+" ") {
			t.Errorf("FILES lacks %q", s)
		}
	}
	format := files[strings.Index(files, ".SS "):]
	profile := reflect.TypeFor[config.Profile]()
	for i := range profile.NumField() {
		key, _, _ := strings.Cut(profile.Field(i).Tag.Get("yaml"), ",")
		if key == "-" || key == "" {
			continue
		}
		if !strings.Contains(format, ".B "+key+"\n") || !strings.Contains(format, "    "+key+": ") {
			t.Errorf("the configuration file's format does not describe, with an example, the profile key %s", key)
		}
	}
}

// variablesRead returns the environment variables the code under root
// reads by name (tests, the docs generator and .ci aside): string literals
// given to a function whose name has "env" in it (os.Getenv, a resolver's
// env), set as an env field (config's layers), or ranged over by a loop
// that calls such a function.
func variablesRead(t *testing.T, root string) []string {
	t.Helper()
	found := map[string]bool{}
	isEnvCall := func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return false
		}
		var name string
		switch f := call.Fun.(type) {
		case *ast.Ident:
			name = f.Name
		case *ast.SelectorExpr:
			name = f.Sel.Name
		}
		return strings.Contains(strings.ToLower(name), "env")
	}
	literal := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil && regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`).MatchString(s) {
				found[s] = true
			}
		}
	}
	fset := token.NewFileSet()
	for _, dir := range []string{"cmd", "pkg", "main.go"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && (d.Name() == "testdata" || d.Name() == "gen-docs"):
				return filepath.SkipDir
			case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if isEnvCall(n) {
						for _, a := range n.Args {
							literal(a)
						}
					}
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); ok && k.Name == "env" {
						literal(n.Value)
					}
				case *ast.RangeStmt:
					list, ok := n.X.(*ast.CompositeLit)
					if !ok {
						return true
					}
					calls := false
					ast.Inspect(n.Body, func(m ast.Node) bool {
						calls = calls || isEnvCall(m)
						return !calls
					})
					if calls {
						for _, e := range list.Elts {
							literal(e)
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	names := make([]string, 0, len(found))
	for name := range found {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// TestManSectionsOnlyOnTheRootPage checks that the sections go into
// dqo-users(1) alone, before its examples, and escape what roff would
// misread.
func TestManSectionsOnlyOnTheRootPage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	genDocs(t, dir)
	files := readTree(t, dir, "docs")
	for p, data := range files {
		if strings.HasSuffix(p, ".1") && p != "docs/man/dqo-users.1" && bytes.Contains(data, []byte(".SH \"EXIT STATUS\"")) {
			t.Errorf("%s has the root page's EXIT STATUS", p)
		}
	}
	if _, err := withRootSections([]byte(".SH NAME\nx\n"), []byte("s")); err == nil {
		t.Error("a page without EXAMPLE or SEE ALSO took the sections")
	}
	for in, want := range map[string]string{
		"--force":       `\-\-force`,
		`a\b`:           `a\eb`,
		".starts":       `\&.starts`,
		"'quoted":       `\&'quoted`,
		"plain text 12": "plain text 12",
	} {
		if got := roff(in); got != want {
			t.Errorf("roff(%q) = %q, want %q", in, got, want)
		}
	}
}
