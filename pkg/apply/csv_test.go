package apply

import (
	"testing"
)

func TestParseCSVWithoutDomainColumnLeavesDomainsAlone(t *testing.T) {
	f, err := Parse("u.csv", []byte("email,accountRole\nana@example.com,editor\n"), FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	if f.Entries[0].DataDomainRoles != nil {
		t.Errorf("no dataDomainRoles column must leave domain roles alone (nil), got %v", f.Entries[0].DataDomainRoles)
	}
}
