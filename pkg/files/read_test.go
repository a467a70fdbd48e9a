package files

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// zeros is an endless input, as /dev/zero, that counts what was read of it.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

func TestTooLargeErrorMessage(t *testing.T) {
	tests := []struct {
		err  TooLargeError
		want string
	}{
		{TooLargeError{"stdin", MaxSecretSize}, "stdin is larger than 4 KiB"},
		{TooLargeError{"users.yaml", MaxFileSize}, "users.yaml is larger than 256 MiB"},
		{TooLargeError{"x", 1536}, "x is larger than 1536 bytes"},
		{TooLargeError{"x", 100}, "x is larger than 100 bytes"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%q, want %q", got, tt.want)
		}
	}
}

func TestReadLineAtMost(t *testing.T) {
	tests := []struct {
		input string
		limit int64
		want  string
		err   error
	}{
		{"abc\nrest", 3, "abc\n", nil},
		{"abc\r\nrest", 3, "abc\r\n", nil},
		{"abc", 3, "abc", io.EOF},
		{"abcd\n", 3, "", &TooLargeError{}},
		{strings.Repeat("a", 10_000) + "\n", 10_000, strings.Repeat("a", 10_000) + "\n", nil},
		{strings.Repeat("a", 10_001) + "\n", 10_000, "", &TooLargeError{}},
	}
	for _, tt := range tests {
		got, err := ReadLine(bufio.NewReader(strings.NewReader(tt.input)), tt.limit, "line")
		var tl *TooLargeError
		switch {
		case tt.err == nil && err != nil, tt.err == io.EOF && err != io.EOF:
			t.Errorf("%.10q: error %v, want %v", tt.input, err, tt.err)
		case tt.err != nil && tt.err != io.EOF && !errors.As(err, &tl):
			t.Errorf("%.10q: error %v, want a *TooLargeError", tt.input, err)
		case string(got) != tt.want:
			t.Errorf("%.10q: %.10q, want %.10q", tt.input, got, tt.want)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name  string
		path  string
		limit int64
		want  string
		large bool
	}{
		{"small", write("small", "users: []\n"), 100, "users: []\n", false},
		{"empty", write("empty", ""), 100, "", false},
		{"at the cap", write("cap", "0123456789"), 10, "0123456789", false},
		{"over the cap", write("over", "0123456789a"), 10, "", true},
		{"a device without end", "/dev/zero", MaxSecretSize, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFile(context.Background(), tt.path, tt.limit)
			if errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(tt.path, "/dev/") {
				t.Skip(err)
			}
			if tt.large {
				expectTooLarge(t, err, tt.path, tt.limit)
			} else if err != nil || string(got) != tt.want {
				t.Errorf("%q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := ReadFile(context.Background(), filepath.Join(dir, "nosuch"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// A regular file over the cap is refused from its size: a sparse file of
// 256 MiB and one byte is not read (which would take 256 MiB of memory).
func TestReadFileRefusesFromSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = ReadFile(context.Background(), path, MaxFileSize)
	runtime.ReadMemStats(&after)
	expectTooLarge(t, err, path, MaxFileSize)
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Errorf("allocated %d bytes to refuse a file from its size", allocated)
	}
}

// readAtMost reads in chunks: what it returns is the input, byte for byte,
// whatever the size against the chunks, the cap and the size expected.
func TestReadAtMostChunks(t *testing.T) {
	for _, size := range []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 9<<20 + 3} {
		input := make([]byte, size)
		for i := range input {
			input[i] = byte(i * 7)
		}
		for _, hint := range []int64{0, int64(size), int64(size / 2), int64(size) * 2} {
			got, err := ReadAll(bytes.NewReader(input), int64(size), "in", hint)
			if err != nil || !bytes.Equal(got, input) {
				t.Errorf("%d bytes, size expected %d: %d bytes, %v", size, hint, len(got), err)
			}
			if size > 0 {
				_, err = ReadAll(bytes.NewReader(input), int64(size-1), "in", hint)
				expectTooLarge(t, err, "in", int64(size-1))
			}
		}
	}
}
