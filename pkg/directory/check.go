package directory

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// WriteCheck writes what `sync --check` shows: how many people and groups
// the directory holds for the file, each mapped group with its count of
// people, and who would get which roles. Every value from the directory
// is made safe to print.
func (r *Result) WriteCheck(w io.Writer, cfg *Config) error {
	ew := &errWriter{w: w}
	people := len(r.People) + len(r.Kept)
	ew.printf("%s under users.baseDN match users.filter; %s read (%d mapped, %d nested).\n",
		plural(r.Users, "entry", "entries"), plural(r.GroupsRead, "group", "groups"), len(r.Groups), r.GroupsRead-len(r.Groups))
	ew.printf("%s in mapped groups", plural(people, "person", "people"))
	if len(r.Kept) > 0 {
		ew.printf(" (%d under keep:, which sync leaves as they are)", len(r.Kept))
	}
	if len(r.Skipped) > 0 {
		ew.printf("; %s skipped", plural(len(r.Skipped), "member", "members"))
	}
	ew.printf(".\n\nGroups:\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, g := range r.Groups {
		m := cfg.Groups[g.Mapping]
		var notes []string
		if g.Nested > 0 {
			notes = append(notes, plural(g.Nested, "nested group", "nested groups"))
		}
		if g.NotUsers > 0 {
			notes = append(notes, plural(g.NotUsers, "member", "members")+" not matching users.filter")
		}
		if g.Members == 0 {
			notes = append(notes, "empty")
		}
		note := ""
		if len(notes) > 0 {
			note = " (" + strings.Join(notes, ", ") + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s%s\t%s\n", m.AccountRole, text.Safe(g.DN), plural(g.Members, "person", "people"), note, grantsText(m.DataDomainRoles))
	}
	tw.Flush()
	for _, loop := range r.Loops {
		safe := make([]string, len(loop))
		for i, dn := range loop {
			safe[i] = text.Safe(dn)
		}
		ew.printf("Loop of nested groups, each followed once: %s\n", strings.Join(safe, " -> "))
	}
	for _, part := range []struct {
		title string
		list  []Person
	}{{"People", r.People}, {"Under keep:, left as they are", r.Kept}} {
		if len(part.list) == 0 {
			continue
		}
		ew.printf("\n%s:\n", part.title)
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  EMAIL\tROLE\tDATA DOMAINS\tFROM\n")
		for _, p := range part.list {
			groups := make([]string, len(p.Groups))
			for i, g := range p.Groups {
				groups[i] = text.Safe(g)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", text.Safe(p.Email), p.AccountRole, grantsText(p.DataDomainRoles), strings.Join(groups, "; "))
		}
		tw.Flush()
	}
	if len(r.Skipped) > 0 {
		ew.printf("\nSkipped (not DQOps users):\n")
		for _, s := range r.Skipped {
			ew.printf("  %s: %s\n", text.Safe(s.DN), text.Safe(s.Reason))
		}
	}
	if len(r.Notices) > 0 {
		ew.printf("\nNotes:\n")
		for _, n := range r.Notices {
			ew.printf("  %s: %s\n", text.Safe(n.DN), text.Safe(n.Message))
		}
	}
	return ew.err
}

// grantsText writes data-domain roles as domain=role, sorted; "-" for none.
func grantsText(grants map[string]api.Role) string {
	if len(grants) == 0 {
		return "-"
	}
	domains := make([]string, 0, len(grants))
	for d := range grants {
		domains = append(domains, d)
	}
	sort.Strings(domains)
	for i, d := range domains {
		domains[i] = text.Safe(d) + "=" + string(grants[d])
	}
	return strings.Join(domains, ",")
}

// errWriter keeps the first write error, so a summary of many lines checks
// it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
