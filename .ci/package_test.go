package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Run with `go test ./.ci` (the pattern ./... skips directories whose name
// starts with a dot); -update rewrites the golden files.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestNFPMConfigOfTheRelease pins the nfpm configuration `make package`
// hands to nfpm for each architecture a release packages, from this
// repository's .goreleaser.yaml: a change to the release configuration shows
// here, as a diff to review, before it shows in a package.
func TestNFPMConfigOfTheRelease(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			p, err := planPackages(raw, "1.2.3", "/WORK", arch)
			if err != nil {
				t.Fatal(err)
			}
			if p.project != "dqo-users" || p.binary != filepath.FromSlash("/WORK/dqo-users") || strings.Join(p.formats, ",") != "deb,rpm" {
				t.Errorf("project %q, binary %q, formats %q", p.project, p.binary, p.formats)
			}
			if want := []string{"go run ./cmd/gen-docs --dir .", "bash .ci/man-gz.sh", "bash .ci/changelog.sh"}; strings.Join(p.hooks, "\n") != strings.Join(want, "\n") {
				t.Errorf("hooks %q, want %q", p.hooks, want)
			}
			golden(t, filepath.Join("testdata", "nfpm-"+arch+".yaml"), p.nfpm)
		})
	}
}

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./.ci -update` to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the nfpm configuration differs from %s; if the change is meant, run `go test ./.ci -update` and review the diff\n--- got\n%s--- want\n%s",
			path, got, want)
	}
}

// TestTranslate checks the translation's rules on small configurations:
// what GoReleaser adds (the binary, also where an override replaces the
// contents; amd64's level), what it renames, and what is refused rather than
// left out.
func TestTranslate(t *testing.T) {
	build := `builds:
  - id: b
    binary: tool
    goos: [linux]
    goarch: [amd64, arm64]
`
	// binaryAt is the content entry GoReleaser adds for the binary.
	binaryAt := func(dst string) map[string]any {
		return map[string]any{"src": "/WORK/tool", "dst": dst, "file_info": map[string]any{"mode": 0o755}}
	}
	tests := []struct {
		name   string
		config string
		arch   string
		want   map[string]any // what nfpm's configuration holds, key by key
		absent []string       // top-level keys it must not have
		err    string
	}{
		{name: "the binary in bindir, renamed fields, overrides with contents get the binary too", arch: "arm64", config: build + `nfpms:
  - package_name: pkg
    formats: [deb]
    bindir: /opt/bin
    dependencies: [libc6]
    recommends: [bash-completion]
    contents:
      - src: README.md
        dst: /usr/share/doc/pkg/README.md
    overrides:
      rpm:
        dependencies: [glibc]
        contents:
          - src: a
            dst: /b
`, want: map[string]any{
			"name": "pkg", "arch": "arm64", "platform": "linux", "version": "1.2.3",
			"depends": []any{"libc6"}, "recommends": []any{"bash-completion"},
			"contents": []any{map[string]any{"src": "README.md", "dst": "/usr/share/doc/pkg/README.md"}, binaryAt("/opt/bin/tool")},
			"overrides": map[string]any{"rpm": map[string]any{
				"depends":  []any{"glibc"},
				"contents": []any{map[string]any{"src": "a", "dst": "/b"}, binaryAt("/opt/bin/tool")},
			}},
		}, absent: []string{"dependencies", "deb", "formats", "bindir", "package_name"}},
		{name: "amd64 .debs carry the level; the project names the package", arch: "amd64", config: "project_name: proj\n" + build + "nfpms:\n  - formats: [deb]\n",
			want: map[string]any{"name": "proj", "arch": "amd64", "deb": map[string]any{"arch_variant": "v1"}, "contents": []any{binaryAt("/usr/bin/tool")}}},
		{name: "an unknown field is refused, not left out", arch: "amd64", config: build + "nfpms:\n  - formats: [deb]\n    apk: {}\n",
			err: "nfpms: apk not supported"},
		{name: "a template is refused", arch: "amd64", config: build + "nfpms:\n  - formats: [deb]\n    vendor: '{{ .ProjectName }}'\n",
			err: "holds a template or variable"},
		{name: "a variable nfpm would expand is refused", arch: "amd64", config: build + "nfpms:\n  - formats: [deb]\n    homepage: $HOME\n",
			err: "holds a template or variable"},
		{name: "only nfpm's file names", arch: "amd64", config: build + "nfpms:\n  - formats: [deb]\n    file_name_template: x\n",
			err: "only {{ .ConventionalFileName }}"},
		{name: "no formats", arch: "amd64", config: build + "nfpms:\n  - vendor: v\n", err: "nfpms formats"},
		{name: "a build for another architecture", arch: "riscv64", config: build + "nfpms:\n  - formats: [deb]\n", err: `build "b" is not made for linux/riscv64`},
		{name: "two nfpms entries", arch: "amd64", config: build + "nfpms:\n  - formats: [deb]\n  - formats: [rpm]\n", err: "2 nfpms entries"},
		{name: "an unknown build field", arch: "amd64", config: "builds:\n  - id: b\n    goos: [linux]\n    goarch: [amd64]\n    hooks: {}\nnfpms:\n  - formats: [deb]\n",
			err: "builds[0]: hooks not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := planPackages([]byte(tt.config), "1.2.3", "/WORK", tt.arch)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := yaml.Unmarshal(p.nfpm, &got); err != nil {
				t.Fatalf("nfpm's configuration is not YAML: %v\n%s", err, p.nfpm)
			}
			for key, want := range tt.want {
				if !reflect.DeepEqual(got[key], want) {
					t.Errorf("%s: %#v, want %#v", key, got[key], want)
				}
			}
			for _, key := range tt.absent {
				if _, ok := got[key]; ok {
					t.Errorf("nfpm's configuration has %s:\n%s", key, p.nfpm)
				}
			}
		})
	}
}
