package cmd

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/iostreams"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// answers is a transport that answers each path with a recorded answer,
// body of unknown length as the sandbox's list is: the tool's work without
// the network and without the server's.
type answers map[string]*httptest.ResponseRecorder

func (a answers) RoundTrip(req *http.Request) (*http.Response, error) {
	rec, ok := a[req.URL.Path]
	if !ok {
		return nil, io.ErrUnexpectedEOF
	}
	return &http.Response{StatusCode: rec.Code, Status: http.StatusText(rec.Code), Header: rec.Header().Clone(),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, ContentLength: -1, Request: req,
		Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes()))}, nil
}

// recordAnswers records the sandbox's answers to the list and the profile
// for n seeded users.
func recordAnswers(b *testing.B, n int) (answers, int) {
	sb, err := sandbox.New(sandbox.Options{SeedUsers: n, UsersLimit: 2 * n, MaxRequestLog: 10})
	if err != nil {
		b.Fatal(err)
	}
	a := answers{}
	for _, path := range []string{"/api/users", "/api/environment/profile", "/api/users/user000001@example.com"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+sb.AdminKey())
		sb.ServeHTTP(rec, req)
		a[path] = rec
	}
	return a, a["/api/users"].Body.Len()
}

// BenchmarkListAndExport100k runs list and export in-process on a recorded
// answer of 100,000 users, written to a discarding stdout: decoding,
// filtering, and writing each format.
func BenchmarkListAndExport100k(b *testing.B) {
	a, size := recordAnswers(b, 100_000)
	for _, args := range []string{
		"list -o json", "list -o yaml", "list -o csv", "list -o tsv", "list -o name", "list",
		"list --sort role", "list --match 99", "list --jq .[].email",
		"export", "export -o json", "export -o csv",
	} {
		b.Run(strings.ReplaceAll(args, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				ios := &iostreams.IOStreams{In: strings.NewReader(""), Out: discard{}, ErrOut: io.Discard}
				f := Env{IO: ios, Version: "bench", Transport: a, Getenv: func(name string) string {
					return map[string]string{"DQOPS_URL": "http://dqops.test", "DQOPS_API_KEY": "bench-key-0123456789",
						"DQOPS_CONFIG": b.TempDir() + "/none.yaml"}[name]
				}}
				if code := Run(context.Background(), f, BuildInfo{}, strings.Fields(args)); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}

// BenchmarkStartup measures the in-process part of starting a command:
// building the command tree, whole (help, completion, gen-docs) and with
// only the command that runs, and one whole get on a recorded answer
// (settings, configuration, client, request, printing), without process
// start, package initialisation or the network.
func BenchmarkStartup(b *testing.B) {
	env0 := Env{IO: &iostreams.IOStreams{In: strings.NewReader(""), Out: discard{}, ErrOut: io.Discard}}
	get := []string{"get", "user000001@example.com", "-o", "json"}
	b.Run("tree/whole", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewRootCmd(env0, BuildInfo{})
		}
	})
	b.Run("tree/get-alone", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			global := globalFlags()
			newRootCmd(newFactory(context.Background(), env0, global, get), BuildInfo{}, get, global)
		}
	})
	a, _ := recordAnswers(b, 10)
	env := map[string]string{"DQOPS_URL": "http://dqops.test", "DQOPS_API_KEY": "bench-key-0123456789",
		"DQOPS_CONFIG": b.TempDir() + "/none.yaml"}
	b.Run("get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f := Env{IO: &iostreams.IOStreams{In: strings.NewReader(""), Out: discard{}, ErrOut: io.Discard},
				Version: "bench", Transport: a, Getenv: func(name string) string { return env[name] }}
			if code := Run(context.Background(), f, BuildInfo{}, get); code != 0 {
				b.Fatalf("exit %d", code)
			}
		}
	})
}

// discard is io.Discard without its io.ReaderFrom, which would hide the
// cost of buffering.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
