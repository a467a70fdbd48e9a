package users

import (
	"bytes"
	"maps"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// FuzzExportRoundTrip checks that what export writes, apply reads back as
// the same users, in every format: a file accepted by Parse is encoded with
// exported and parsed again. (FuzzParse, in entry_test.go, checks Parse alone.)
func FuzzExportRoundTrip(f *testing.F) {
	f.Add([]byte("users:\n- email: a@b.c\n  accountRole: editor\n  dataDomainRoles: {sales: viewer}\n"), 0, true)
	f.Add([]byte(`[{"email":"Ana@X.io","accountRole":"Admin"},{"email":"b@x.io","accountRole":"none","dataDomainRoles":{}}]`), 1, false)
	f.Add([]byte("email,accountRole,dataDomainRoles\na@b.c,viewer,sales=editor;hr=none\n\"q,x\"@b.c,operator,\n"), 2, true)
	f.Fuzz(func(t *testing.T, data []byte, which int, withDomains bool) {
		formats := []Format{FormatYAML, FormatJSON, FormatCSV}
		file, err := Parse("fuzz", data, formats[uint(which)%3])
		if err != nil {
			return
		}
		users := make([]api.User, 0, len(file.Entries))
		for _, e := range file.Entries {
			users = append(users, api.User{Email: e.Email, AccountRole: e.AccountRole, DataDomainRoles: e.DataDomainRoles})
		}
		for _, format := range formats {
			var buf bytes.Buffer
			if err := encode(&buf, format, users, withDomains); err != nil {
				t.Fatalf("encoding as %s: %v", format, err)
			}
			again, err := parseExport(format, buf.Bytes())
			if err != nil {
				t.Fatalf("the %s export does not parse: %v\n%s", format, err, buf.String())
			}
			if len(again.Entries) != len(users) {
				t.Fatalf("%s: %d users became %d\n%s", format, len(users), len(again.Entries), buf.String())
			}
			byEmail := make(map[string]Entry, len(again.Entries))
			for _, e := range again.Entries {
				byEmail[e.Email] = e
			}
			for _, u := range users {
				e, ok := byEmail[u.Email]
				if !ok || e.AccountRole != u.AccountRole {
					t.Fatalf("%s: user %q became %+v (found %v)\n%s", format, u.Email, e, ok, buf.String())
				}
				want := u.DataDomainRoles
				if withDomains && want == nil {
					want = map[string]api.Role{}
				}
				if !withDomains {
					want = nil
				}
				if (want == nil) != (e.DataDomainRoles == nil) || !maps.Equal(want, e.DataDomainRoles) {
					t.Fatalf("%s: domain roles of %q %v became %v\n%s", format, u.Email, want, e.DataDomainRoles,
						strings.TrimSpace(buf.String()))
				}
			}
		}
	})
}
