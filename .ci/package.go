// Command package builds the Debian and RPM packages of dqo-users for this
// machine's architecture from the release configuration, .goreleaser.yaml, so
// that `make package` and a release share one description of the packages.
// Like a release it runs the before-hooks, builds the binary as the build entry
// says, and hands the nfpms entry to nfpm, the library GoReleaser packages
// with, here as its command (go run github.com/goreleaser/nfpm/v2/cmd/nfpm).
// GoReleaser itself is not used because building it takes many minutes.
//
// It knows the parts of GoReleaser's configuration this project uses and stops
// at anything else (a field it does not translate, a template it cannot
// evaluate) rather than build packages that differ from the release's.
// `go test ./.ci` pins the nfpm configuration it makes of .goreleaser.yaml
// (golden files in testdata/, rewritten with -update), and `make
// release-check` compares its packages' file lists with GoReleaser's own.
//
//	go run .ci/package.go [-config .goreleaser.yaml] [-out dist] [-version 1.2.3]
package main

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"
)

// nfpmCommand is the nfpm that GoReleaser v2.15.1 links.
const nfpmCommand = "github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2"

// releaseConfig is the part of .goreleaser.yaml a package is made from.
type releaseConfig struct {
	ProjectName string `yaml:"project_name"`
	Before      struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Builds []map[string]any `yaml:"builds"`
	NFPMs  []map[string]any `yaml:"nfpms"`
}

// buildConfig is a GoReleaser build entry, limited to the fields in buildKeys.
type buildConfig struct {
	ID      string   `yaml:"id"`
	Main    string   `yaml:"main"`
	Binary  string   `yaml:"binary"`
	Env     []string `yaml:"env"`
	Goos    []string `yaml:"goos"`
	Goarch  []string `yaml:"goarch"`
	Flags   []string `yaml:"flags"`
	Ldflags []string `yaml:"ldflags"`
}

// toolEnv is the environment of the hooks and nfpm: the build entry's
// variables and flags (through GOFLAGS) and GoReleaser's architecture levels,
// as for the binary, so that the three compile the standard library and the
// modules they share once (on a cold build cache that saves minutes here).
// None of it changes what the hooks write or how nfpm packages.
func toolEnv(b buildConfig) []string {
	goflags := strings.TrimSpace(os.Getenv("GOFLAGS") + " " + strings.Join(b.Flags, " "))
	env := append(os.Environ(), "GOAMD64=v1", "GOARM64=v8.0", "GOFLAGS="+goflags)
	return append(env, b.Env...)
}

// buildKeys are the build fields understood; mod_timestamp only sets the
// binary's file time, which the packages do not keep.
var buildKeys = []string{"id", "main", "binary", "env", "goos", "goarch", "flags", "ldflags", "mod_timestamp"}

// nfpmsOwnKeys are the nfpms fields that GoReleaser consumes itself and that
// have no nfpm counterpart; packagedBuild and translate handle them.
var nfpmsOwnKeys = []string{"id", "ids", "formats", "package_name", "file_name_template", "bindir"}

// overridableKeys are the fields of an nfpms entry, or of one of its
// per-format overrides, that mean the same to nfpm, by their GoReleaser
// names; renamed maps those nfpm spells differently.
var (
	overridableKeys = []string{"contents", "dependencies", "recommends", "suggests", "conflicts", "replaces", "provides", "scripts", "umask", "deb", "rpm"}
	packageKeys     = []string{"vendor", "homepage", "maintainer", "description", "license", "section", "priority", "overrides"}
	renamed         = map[string]string{"dependencies": "depends"}
)

func main() {
	configPath := flag.String("config", ".goreleaser.yaml", "the release configuration")
	out := flag.String("out", "dist", "the directory the packages are written to")
	version := flag.String("version", "", "the packages' version (default: from the latest v-tag and the commits since)")
	flag.Parse()
	if err := run(*configPath, *out, *version); err != nil {
		fmt.Fprintln(os.Stderr, "package:", err)
		os.Exit(1)
	}
}

func run(configPath, out, version string) error {
	raw, err := os.ReadFile(configPath)
	if err != nil {
		return err
	}
	if version == "" {
		// Before the hooks, as GoReleaser does: they may touch the tree.
		if version, err = gitVersion(); err != nil {
			return err
		}
	}
	work, err := os.MkdirTemp("", "dqo-users-package-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	p, err := planPackages(raw, version, work, runtime.GOARCH)
	if err != nil {
		return fmt.Errorf("%s: %w", configPath, err)
	}
	for _, hook := range p.hooks {
		if err := runHook(hook, toolEnv(p.build)); err != nil {
			return err
		}
	}
	if err := goBuild(p.build, p.project, version, p.binary); err != nil {
		return err
	}
	cfgFile := filepath.Join(work, "nfpm.yaml")
	if err := os.WriteFile(cfgFile, p.nfpm, 0o600); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, format := range p.formats {
		c := command("go", "run", nfpmCommand, "package", "--config", cfgFile,
			"--packager", format, "--target", out+string(filepath.Separator))
		c.Env = toolEnv(p.build)
		if err := c.Run(); err != nil {
			return fmt.Errorf("nfpm %s: %w", format, err)
		}
	}
	return nil
}

// packagePlan is what run does for a release configuration, worked out
// before anything is run: the hooks, the build and where its binary goes,
// and nfpm's configuration with the formats to build.
type packagePlan struct {
	project string
	hooks   []string
	build   buildConfig
	binary  string
	nfpm    []byte
	formats []string
}

// planPackages reads a release configuration (.goreleaser.yaml's text)
// for packages of version on linux/arch, whose binary is built into work.
// It reads nothing but its arguments, so that package_test.go can pin what
// it makes of .goreleaser.yaml.
func planPackages(raw []byte, version, work, arch string) (packagePlan, error) {
	var cfg releaseConfig
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		return packagePlan{}, err
	}
	if len(cfg.NFPMs) != 1 {
		return packagePlan{}, fmt.Errorf("%d nfpms entries; this builds exactly one", len(cfg.NFPMs))
	}
	entry := cfg.NFPMs[0]
	build, err := packagedBuild(cfg.Builds, entry, arch)
	if err != nil {
		return packagePlan{}, err
	}
	binary := path.Join(filepath.ToSlash(work), cmp.Or(build.Binary, cfg.ProjectName))
	nfpmCfg, formats, err := translate(entry, cfg.ProjectName, version, binary, arch)
	if err != nil {
		return packagePlan{}, err
	}
	text, err := yaml.Marshal(nfpmCfg)
	if err != nil {
		return packagePlan{}, err
	}
	return packagePlan{project: cfg.ProjectName, hooks: cfg.Before.Hooks, build: build, binary: filepath.FromSlash(binary),
		nfpm: text, formats: formats}, nil
}

// packagedBuild returns the one build the nfpms entry packages, and checks
// that it is built for linux on arch (this machine's).
func packagedBuild(builds []map[string]any, entry map[string]any, arch string) (buildConfig, error) {
	var ids []string
	if err := convert(entry["ids"], &ids); err != nil {
		return buildConfig{}, fmt.Errorf("nfpms ids: %w", err)
	}
	var found []buildConfig
	for i, raw := range builds {
		if err := knownKeys(fmt.Sprintf("builds[%d]", i), raw, buildKeys); err != nil {
			return buildConfig{}, err
		}
		var b buildConfig
		if err := convert(raw, &b); err != nil {
			return buildConfig{}, fmt.Errorf("builds[%d]: %w", i, err)
		}
		if len(ids) == 0 || slices.Contains(ids, b.ID) {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		return buildConfig{}, fmt.Errorf("the nfpms entry packages %d builds; this handles exactly one", len(found))
	}
	b := found[0]
	if !slices.Contains(b.Goos, "linux") || !slices.Contains(b.Goarch, arch) {
		return buildConfig{}, fmt.Errorf("build %q is not made for linux/%s", b.ID, arch)
	}
	return b, nil
}

// translate turns a GoReleaser nfpms entry into an nfpm configuration for
// linux on arch (this machine's), adding the binary as GoReleaser does (mode
// 0755 in bindir, in every format even where an override replaces the
// contents). It returns the configuration and the formats to build.
func translate(entry map[string]any, project, version, binary, arch string) (map[string]any, []string, error) {
	if err := knownKeys("nfpms", entry, slices.Concat(nfpmsOwnKeys, overridableKeys, packageKeys)); err != nil {
		return nil, nil, err
	}
	for key, value := range entry {
		if key == "file_name_template" {
			if value != "{{ .ConventionalFileName }}" {
				return nil, nil, fmt.Errorf("nfpms file_name_template %q: only {{ .ConventionalFileName }}, nfpm's own naming, is supported", value)
			}
		} else if err := noTemplates("nfpms "+key, value); err != nil {
			return nil, nil, err
		}
	}
	var formats []string
	if err := convert(entry["formats"], &formats); err != nil || len(formats) == 0 {
		return nil, nil, fmt.Errorf("nfpms formats: want a list of formats, have %v", entry["formats"])
	}
	name, bindir := project, "/usr/bin"
	if err := convert(entry["package_name"], &name); err != nil {
		return nil, nil, fmt.Errorf("nfpms package_name: %w", err)
	}
	if err := convert(entry["bindir"], &bindir); err != nil {
		return nil, nil, fmt.Errorf("nfpms bindir: %w", err)
	}
	binaryContent := map[string]any{
		"src":       binary,
		"dst":       path.Join(bindir, filepath.Base(binary)),
		"file_info": map[string]any{"mode": 0o755},
	}

	cfg := map[string]any{"name": name, "arch": arch, "platform": "linux", "version": version}
	for key, value := range entry {
		switch {
		case slices.Contains(nfpmsOwnKeys, key):
		case key == "overrides":
			overrides, err := translateOverrides(value, binaryContent)
			if err != nil {
				return nil, nil, err
			}
			cfg[key] = overrides
		default:
			cfg[cmp.Or(renamed[key], key)] = value
		}
	}
	contents, _ := cfg["contents"].([]any)
	cfg["contents"] = append(slices.Clone(contents), binaryContent)
	if arch == "amd64" {
		// GoReleaser marks its amd64 .deb with the level it builds for.
		deb := map[string]any{}
		if given, ok := cfg["deb"].(map[string]any); ok {
			deb = maps.Clone(given)
		}
		deb["arch_variant"] = "v1"
		cfg["deb"] = deb
	}
	return cfg, formats, nil
}

// translateOverrides renames the fields of each per-format override and adds
// the binary to any override that replaces the contents.
func translateOverrides(value any, binaryContent map[string]any) (map[string]any, error) {
	perFormat, ok := value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("nfpms overrides: want a map of formats, have %v", value)
	}
	result := map[string]any{}
	for format, raw := range perFormat {
		fields, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("nfpms overrides %s: want a map, have %v", format, raw)
		}
		if err := knownKeys("nfpms overrides "+format, fields, overridableKeys); err != nil {
			return nil, err
		}
		o := map[string]any{}
		for key, v := range fields {
			o[cmp.Or(renamed[key], key)] = v
		}
		if contents, ok := o["contents"].([]any); ok {
			o["contents"] = append(slices.Clone(contents), binaryContent)
		}
		result[format] = o
	}
	return result, nil
}

// noTemplates refuses strings GoReleaser would expand ({{ templates }}) and
// strings nfpm would expand ($VARIABLES) but GoReleaser would not: either
// way the packages made here would differ from the release's.
func noTemplates(where string, value any) error {
	switch v := value.(type) {
	case string:
		if strings.Contains(v, "{{") || strings.Contains(v, "$") {
			return fmt.Errorf("%s: %q holds a template or variable that only one of GoReleaser and nfpm expands", where, v)
		}
	case []any:
		for i, item := range v {
			if err := noTemplates(fmt.Sprintf("%s[%d]", where, i), item); err != nil {
				return err
			}
		}
	case map[string]any:
		for key, item := range v {
			if err := noTemplates(where+" "+key, item); err != nil {
				return err
			}
		}
	}
	return nil
}

// goBuild builds the binary for linux on this machine's architecture with
// the build entry's environment, flags and ldflags, whose templates get the
// values a release gives them.
func goBuild(b buildConfig, project, version, output string) error {
	commit, err := git("rev-parse", "HEAD")
	if err != nil {
		return err
	}
	commitDate, err := git("log", "-1", "--format=%cI")
	if err != nil {
		return err
	}
	fields := map[string]string{
		"ProjectName": project, "Version": version, "Commit": commit, "FullCommit": commit,
		"ShortCommit": commit[:min(7, len(commit))], "Date": time.Now().UTC().Format(time.RFC3339),
		"CommitDate": commitDate, "Os": "linux", "Arch": runtime.GOARCH,
	}
	var ldflags []string
	for _, text := range b.Ldflags {
		t, err := template.New("ldflags").Option("missingkey=error").Parse(text)
		if err != nil {
			return fmt.Errorf("build %q ldflags: %w", b.ID, err)
		}
		var expanded bytes.Buffer
		if err := t.Execute(&expanded, fields); err != nil {
			return fmt.Errorf("build %q ldflags: %w", b.ID, err)
		}
		ldflags = append(ldflags, expanded.String())
	}
	args := append([]string{"build"}, b.Flags...)
	args = append(args, "-ldflags", strings.Join(ldflags, " "), "-o", output, cmp.Or(b.Main, "."))
	c := command("go", args...)
	c.Env = append(toolEnv(b), "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if err := c.Run(); err != nil {
		return fmt.Errorf("building %s: %w", output, err)
	}
	return nil
}

// gitVersion is the release version of the last v-tag (v1.2.3 gives 1.2.3),
// or 0.0.0 before the first; when HEAD is not that tag's commit, or the tree
// has changes, build metadata says how far it is (1.2.3+git5.abc1234.dirty),
// which dpkg and rpm both order after 1.2.3 and before 1.2.4.
func gitVersion() (string, error) {
	base, since := "0.0.0", "HEAD"
	if tag, err := git("describe", "--tags", "--match", "v[0-9]*", "--abbrev=0"); err == nil {
		base, since = strings.TrimPrefix(tag, "v"), tag+"..HEAD"
	} else if _, err := git("rev-parse", "HEAD"); err != nil {
		return "", err
	}
	count, err := git("rev-list", "--count", since)
	if err != nil {
		return "", err
	}
	commit, err := git("rev-parse", "--short", "HEAD")
	if err != nil {
		return "", err
	}
	changes, err := git("status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return "", err
	}
	if since != "HEAD" && count == "0" && changes == "" {
		return base, nil
	}
	meta := "git" + count + "." + commit
	if changes != "" {
		meta += ".dirty"
	}
	return base + "+" + meta, nil
}

// runHook runs a before-hook as GoReleaser would, split into words, in env;
// hooks that need a shell's quoting or operators are refused.
func runHook(hook string, env []string) error {
	if strings.ContainsAny(hook, "\"'`$\\|&;<>(){}*?") {
		return fmt.Errorf("before hook %q needs a shell; this runs plain commands", hook)
	}
	words := strings.Fields(hook)
	if len(words) == 0 {
		return nil
	}
	c := command(words[0], words[1:]...)
	c.Env = env
	if err := c.Run(); err != nil {
		return fmt.Errorf("before hook %q: %w", hook, err)
	}
	return nil
}

func command(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Stdout, c.Stderr = os.Stdout, os.Stderr
	return c
}

func git(args ...string) (string, error) {
	var stderr bytes.Buffer
	c := exec.Command("git", args...)
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// knownKeys fails on a field outside allowed, which this would otherwise
// leave out of the package without a word.
func knownKeys(where string, m map[string]any, allowed []string) error {
	var unknown []string
	for key := range m {
		if !slices.Contains(allowed, key) {
			unknown = append(unknown, key)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("%s: %s not supported by .ci/package.go (it would be left out)", where, strings.Join(unknown, ", "))
	}
	return nil
}

// convert decodes a value read as YAML into a typed destination; a missing
// value leaves the destination as it is.
func convert(value any, dst any) error {
	if value == nil {
		return nil
	}
	text, err := yaml.Marshal(value)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(text, dst); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}
