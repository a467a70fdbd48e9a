package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/dqops-users/dqo-users/pkg/files"
)

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.yaml")
	c, err := Load(t.Context(), path, LoadOptions{})
	if err != nil || len(c.Profiles()) != 0 || c.Path() != path {
		t.Errorf("a missing file: %v, %v", c, err)
	}
	_, err = Load(t.Context(), path, LoadOptions{MustExist: true})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Path != path || err.Error() != "configuration file "+path+" does not exist" {
		t.Errorf("a missing file that must exist: %v", err)
	}
	if _, err := Load(t.Context(), t.TempDir(), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "it is a directory") {
		t.Errorf("a directory: %v", err)
	}
}

// TestLoadTooLarge checks the cap on a regular file, found from its size
// without reading; the cap on a stream is the shared reader's (pkg/files).
func TestLoadTooLarge(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(files.MaxFileSize + 1) // sparse: costs no disk
	f.Close()
	_, err = Load(t.Context(), path, LoadOptions{})
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Path != path || err.Error() != "configuration file "+path+" is larger than 256 MiB: a configuration holds a few lines per profile" {
		t.Errorf("a file over the cap: %v", err)
	}
}

// TestTooLargeErrorPath checks that both caps name the file by its path
// as given, white space at its end included, and a document parsed from
// memory as the configuration.
func TestTooLargeErrorPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err  *TooLargeError
		want string
	}{
		{&TooLargeError{Path: "/tmp/config.yaml ", Limit: maxStructure, Structure: true},
			"configuration file /tmp/config.yaml  has more than 250000 lines and separators: a configuration holds a few lines per profile"},
		{&TooLargeError{Path: "config.yaml\t", Limit: files.MaxFileSize},
			"configuration file config.yaml\t is larger than 256 MiB: a configuration holds a few lines per profile"},
		{&TooLargeError{Limit: maxStructure, Structure: true},
			"the configuration has more than 250000 lines and separators: a configuration holds a few lines per profile"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.err, got, tt.want)
		}
	}
	path := filepath.Join(t.TempDir(), "config.yaml ")
	os.WriteFile(path, []byte(strings.Repeat("a:\n", maxStructure/2+1)), 0o600)
	_, err := Load(t.Context(), path, LoadOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "configuration file "+path+" has more than") {
		t.Errorf("a file whose name ends in a space: %v", err)
	}
}

// TestLoadNUL checks that a file with a NUL byte is refused with the line
// of the NUL.
func TestLoadNUL(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, []byte(strings.Repeat("# comment\n", 200_000)+"profiles: {}\x00\n"), 0o600)
	_, err := Load(t.Context(), path, LoadOptions{})
	var pe *ParseError
	if !errors.As(err, &pe) || err.Error() != "configuration file "+path+":200001: a NUL byte: this is not a YAML text file" {
		t.Errorf("a NUL after two megabytes: %v", err)
	}
}

// TestLoadUTF16 checks that a UTF-16 file, whose NUL bytes are text, is read.
func TestLoadUTF16(t *testing.T) {
	doc := "profiles:\n  p:\n    url: http://h\n"
	data := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(doc)) {
		data = append(data, byte(u), byte(u>>8))
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(path, data, 0o600)
	c, err := Load(t.Context(), path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := c.Profile("p"); !ok || p.URL != "http://h" {
		t.Errorf("read %+v", p)
	}
}

// TestParseStructureCap checks that a document of many tiny nodes, which
// would take a hundred times its size in memory, is refused before it is
// parsed, and that a file of thousands of profiles is not.
func TestParseStructureCap(t *testing.T) {
	_, err := Parse([]byte(strings.Repeat("a:\n", maxStructure/2+1)))
	var tl *TooLargeError
	if !errors.As(err, &tl) || !tl.Structure || !strings.Contains(err.Error(), "has more than 250000 lines and separators") {
		t.Errorf("many nodes: %v", err)
	}
	var b strings.Builder
	b.WriteString("profiles:\n")
	for i := range 5000 {
		b.WriteString("  p" + strings.Repeat("x", i%7) + strconv.Itoa(i) + ":\n    url: https://dqops-" + strconv.Itoa(i) + ".example.com:8888/x\n    api_key_command: pass show dqops/p\n")
	}
	if c, err := Parse([]byte(b.String())); err != nil || len(c.Profiles()) != 5000 {
		t.Errorf("5000 profiles: %v", err)
	}
}

// BenchmarkParseWorstCase measures the memory of the costliest document
// under the caps: a flow list of one-letter items up to the structure cap.
func BenchmarkParseWorstCase(b *testing.B) {
	doc := []byte("[" + strings.Repeat("a,", maxStructure-2) + "a]")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err == nil {
			b.Fatal("a list accepted")
		}
	}
}
