package iostreams

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// zeros is an endless input, as /dev/zero, that counts what was read of it.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

// expectTooLarge checks that err is a *files.TooLargeError about what, with limit.
func expectTooLarge(t *testing.T, err error, what string, limit int64) {
	t.Helper()
	var tl *files.TooLargeError
	if !errors.As(err, &tl) || tl.What != what || tl.Limit != limit {
		t.Fatalf("error %v, want a *files.TooLargeError for %s over %d bytes", err, what, limit)
	}
}

func TestReadStdinBounded(t *testing.T) {
	tests := []struct {
		input   string
		limit   int64
		tooMuch bool
	}{
		{"", 10, false},
		{"0123456789", 10, false},
		{"0123456789a", 10, true},
		{strings.Repeat("x", 100_000), 99_999, true},
		{strings.Repeat("x", 100_000), 100_000, false},
	}
	for _, tt := range tests {
		ios, in, _, _ := Test()
		in.WriteString(tt.input)
		got, err := ios.readStdin(context.Background(), tt.limit, "stdin")
		if tt.tooMuch {
			expectTooLarge(t, err, "stdin", tt.limit)
		} else if err != nil || string(got) != tt.input {
			t.Errorf("%d bytes, cap %d: %d bytes, %v", len(tt.input), tt.limit, len(got), err)
		}
	}
	// An endless stdin is refused after the cap, the buffered reader's
	// one read ahead at most.
	ios, _, _, _ := Test()
	z := &zeros{}
	ios.In = z
	_, err := ios.readStdin(context.Background(), 1<<20, "stdin")
	expectTooLarge(t, err, "stdin", 1<<20)
	if z.n > 1<<20+1+4096 {
		t.Errorf("read %d bytes of an endless stdin for a cap of 1 MiB", z.n)
	}
}

func TestReadStdinSecretBounded(t *testing.T) {
	max := strings.Repeat("k", int(files.MaxSecretSize))
	tests := []struct {
		input string
		want  string // "" with tooMuch
		large bool
	}{
		{max, max, false},
		{max + "\n", max, false},
		{max + "\r\n", max, false},
		{max + "k", "", true},
		{max + "k\n", "", true},
		{max + "\n\n", "", true},
	}
	for _, tt := range tests {
		ios, in, _, _ := Test()
		in.WriteString(tt.input)
		got, err := ios.ReadStdinSecret(context.Background())
		if tt.large {
			expectTooLarge(t, err, "stdin", files.MaxSecretSize)
		} else if err != nil || string(got) != tt.want {
			t.Errorf("%d bytes: %d bytes, %v", len(tt.input), len(got), err)
		}
	}
	// --password-stdin </dev/zero
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip(err)
	}
	defer zero.Close()
	ios, _, _, _ := Test()
	ios.In = zero
	_, err = ios.ReadStdinSecret(context.Background())
	expectTooLarge(t, err, "stdin", files.MaxSecretSize)
}

func TestPromptLineBounded(t *testing.T) {
	long := strings.Repeat("y", int(files.MaxLineSize)+1)
	ios := prompting(long + "\n")
	_, err := ios.Confirm(context.Background(), "Go on?")
	expectTooLarge(t, err, "the line typed", files.MaxLineSize)
	ios = prompting(long[1:] + "\r\n2\n")
	if _, err := ios.Select(context.Background(), "Role:", []string{"a", "b"}); err != nil {
		t.Errorf("a line of exactly %d bytes: %v", files.MaxLineSize, err)
	}
	// An endless line is refused after the cap, not read to its end.
	ios = prompting("")
	z := &zeros{}
	ios.In = z
	_, err = ios.Select(context.Background(), "Role:", []string{"a"})
	expectTooLarge(t, err, "the line typed", files.MaxLineSize)
	if z.n > 3*4096 {
		t.Errorf("read %d bytes of an endless line", z.n)
	}
}
