package cmd_test

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// benchSandbox serves 100,000 users (plus the two built-in ones).
func benchSandbox(b *testing.B) (*sandbox.Server, *httptest.Server) {
	b.Helper()
	sb, err := sandbox.New(sandbox.Options{SeedUsers: 100000, UsersLimit: 200000, MaxRequestLog: 100})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	b.Cleanup(srv.Close)
	return sb, srv
}

// BenchmarkList100k runs "dqo-users list" in-process against the sandbox
// over loopback HTTP: request, decode, sort check, print.
func BenchmarkList100k(b *testing.B) {
	sb, srv := benchSandbox(b)
	env := map[string]string{
		"DQOPS_URL":     srv.URL,
		"DQOPS_API_KEY": sb.AdminKey(),
		"DQOPS_CONFIG":  filepath.Join(b.TempDir(), "config.yaml"),
	}
	for _, args := range [][]string{{"list", "-o", "json"}, {"list"}} {
		b.Run(args[len(args)-1], func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				ios, _, _, _ := iostreams.Test()
				ios.Out = io.Discard
				f := &cmd.Factory{IO: ios, Version: "bench", Getenv: func(k string) string { return env[k] }}
				if code := cmd.Run(context.Background(), f, cmd.BuildInfo{}, args); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
