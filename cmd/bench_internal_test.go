package cmd

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// BenchmarkDecodeAndPrint100k decodes a 100,000-user list response and
// prints it as list does (JSON, and the piped table), with the command's own
// table and output code: the tool's work without HTTP.
func BenchmarkDecodeAndPrint100k(b *testing.B) {
	sb, err := sandbox.New(sandbox.Options{SeedUsers: 100000, UsersLimit: 200000, MaxRequestLog: 10})
	if err != nil {
		b.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/users", nil)
	req.Header.Set("Authorization", "Bearer "+sb.AdminKey())
	sb.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	b.SetBytes(int64(len(body)))
	for _, format := range []output.Format{output.FormatJSON, output.FormatTable} {
		b.Run(string(format), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var users []api.User
				if err := json.NewDecoder(bytes.NewReader(body)).Decode(&users); err != nil {
					b.Fatal(err)
				}
				sortUsers(users, "email")
				p := &output.Printer{Out: io.Discard, Options: output.Options{Format: format}}
				if err := p.Print(b.Context(), usersJSON(users), usersTable(users)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
