package apply

import (
	"errors"
	"fmt"
	"strings"
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

// A file of 10,000 bad lines makes a message of 20 problems and a count.
func TestParseCSVManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("email,accountRole\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "user%d@example.com,king\n", i)
	}
	_, err := Parse("u.csv", []byte(b.String()), FormatCSV)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *ValidationError", err)
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		"u.csv has 10,000 problems:",
		`  u.csv:2: user0@example.com: accountRole: unknown role "king": use one of admin, editor, operator, viewer, none`,
		`  u.csv:21: user19@example.com: accountRole: unknown role "king": use one of admin, editor, operator, viewer, none`,
		"  ... and 9,980 more problems",
	}
	if len(lines) != 22 || lines[0] != want[0] || lines[1] != want[1] || lines[20] != want[2] || lines[21] != want[3] {
		t.Errorf("got %d lines:\n%s\nwant 22: %q, %q ... %q, %q", len(lines), strings.Join(lines[:min(len(lines), 25)], "\n"), want[0], want[1], want[2], want[3])
	}
	if len(ve.Problems) != maxProblems || ve.Omitted != 10_000-maxProblems {
		t.Errorf("kept %d, omitted %d", len(ve.Problems), ve.Omitted)
	}
}
