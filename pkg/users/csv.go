package users

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// csvReader reads a CSV file of users: an export's start mark (optional),
// the header row, then one row a user, with the export's end mark among
// them.
type csvReader struct {
	f       *File
	r       *csv.Reader
	probs   *yamlfile.List
	columns CSVColumns
	// header is the header row; col maps a user's field to its column,
	// plus one (0: none); rows tells whether rows can be read as users.
	header []string
	col    map[string]int
	rows   bool
	// marked and ended are the start and end marks seen; users counts the
	// rows of users, for the message of a cut-off export, and lastUser is
	// whether the last row was one.
	marked, ended, lastUser bool
	users                   int
}

// parseCSV reads a CSV file; stop is the one problem to report when the
// export was cut off or is newer.
func parseCSV(f *File, data []byte, columns CSVColumns, probs *yamlfile.List) (stop *Problem) {
	c := &csvReader{f: f, r: csv.NewReader(bytes.NewReader(data)), probs: probs, columns: columns}
	c.r.FieldsPerRecord = -1
	c.r.TrimLeadingSpace = true
	record, err := c.r.Read()
	if err == nil && record[0] == csvStartMark {
		line, _ := c.r.FieldPos(0)
		if stop := c.startMark(record, line); stop != nil {
			return stop
		}
		record, err = c.r.Read()
	}
	switch {
	case errors.Is(err, io.EOF), err == nil && record[0] == csvEndMark:
		if c.marked && err != nil {
			return cutOff(0)
		}
		probs.Add(1, "the file holds no users; an empty list is the header alone: email,accountRole")
		return nil
	case err != nil:
		if c.marked {
			return cutOff(0)
		}
		csvProblem(err, probs)
		return nil
	}
	line, _ := c.r.FieldPos(0)
	c.readHeader(record, line)
	for {
		record, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if c.marked && !c.ended {
				return cutOff(c.users)
			}
			csvProblem(err, probs)
			break
		}
		c.row(record)
	}
	if c.marked && !c.ended {
		// A row without its line break may have lost cells.
		if c.lastUser && !bytes.HasSuffix(data, []byte("\n")) {
			c.users--
		}
		return cutOff(c.users)
	}
	return nil
}

// startMark reads "#dqo-users export,version=1[,instance=URL]".
func (c *csvReader) startMark(record []string, line int) (stop *Problem) {
	c.marked = true
	version := false
	for _, cell := range record[1:] {
		key, value, _ := strings.Cut(strings.TrimSpace(cell), "=")
		switch key {
		case "":
		case "version":
			v, stop := exportVersionOf(value, line, c.probs)
			if stop != nil {
				return stop
			}
			c.f.Export, version = v, true
		case keyInstance:
			if u, err := api.NormalizeURL(value); err != nil {
				c.probs.Add(line, "the start mark's instance: %s", citeError(err, strings.TrimSpace(value)))
			} else {
				c.f.Instances, c.f.instanceLine = []string{u}, line
			}
		default:
			c.probs.Add(line, "unknown cell %s in the start mark of an export (%s,version=%d[,instance=URL])", text.Cite(cell), csvStartMark, exportVersion)
		}
	}
	if !version {
		c.probs.Add(line, "the start mark of an export has no version= cell (%s,version=%d[,instance=URL])", csvStartMark, exportVersion)
	}
	return nil
}

// readHeader finds the columns of a user's fields, by their names or as
// --csv-columns maps them.
func (c *csvReader) readHeader(header []string, line int) {
	c.header, c.col = header, map[string]int{}
	if len(header) == 1 && strings.Contains(header[0], ";") {
		// ';' separates grants inside a cell, so it cannot be the
		// separator of the columns too: it is not guessed.
		c.probs.Add(line, "the header %s is separated by ';': columns are separated by ',' (';' separates data-domain roles inside a cell); save the file as CSV with ',' as the separator",
			text.Cite(header[0]))
		return
	}
	used := make([]bool, len(header))
	if len(c.columns) > 0 {
		for _, field := range userKeys {
			name, mapped := c.columns[field]
			if !mapped {
				continue
			}
			i := findColumn(header, name, used)
			if i < 0 {
				c.probs.Add(line, "column %s (%s=, in --csv-columns) is not in the header", text.Cite(name), field)
				continue
			}
			c.col[field], used[i] = i+1, true
		}
		// A field not mapped may still have its own column.
		for _, field := range userKeys {
			if _, mapped := c.columns[field]; !mapped {
				if i := findColumn(header, field, used); i >= 0 {
					c.col[field], used[i] = i+1, true
				}
			}
		}
		c.noticeIgnored(header, used, line)
	} else {
		for i, h := range header {
			h = strings.TrimSpace(h)
			name := ""
			for _, k := range userKeys {
				if strings.EqualFold(h, k) {
					name = k
				}
			}
			switch {
			case name == "":
				c.probs.Add(line, "unknown column %s%s", text.Cite(h), suggestKey(h, userKeys))
			case c.col[name] != 0:
				c.probs.Add(line, "column %q is given twice", name)
			default:
				c.col[name] = i + 1
			}
		}
	}
	for _, k := range []string{keyEmail, keyAccountRole} {
		if c.col[k] == 0 {
			if len(c.columns) > 0 {
				c.probs.Add(line, "no column for %s: name it in the header, or map one with --csv-columns %s=COLUMN", k, k)
			} else {
				c.probs.Add(line, "missing column %q: the header is email,accountRole[,dataDomainRoles]", k)
			}
		}
	}
	// The rows are read even when other columns are wrong, so that one run
	// reports every problem.
	c.rows = c.col[keyEmail] != 0
}

// findColumn is the index of the header's column of that name, not used
// yet: exactly, else ignoring case and the spaces around it; -1 if none.
func findColumn(header []string, name string, used []bool) int {
	name = strings.TrimSpace(name)
	if i := slices.IndexFunc(header, func(h string) bool { return strings.TrimSpace(h) == name }); i >= 0 && !used[i] {
		return i
	}
	for i, h := range header {
		if !used[i] && strings.EqualFold(strings.TrimSpace(h), name) {
			return i
		}
	}
	return -1
}

// maxNamedColumns bounds the columns a notice names; it counts the rest.
const maxNamedColumns = 10

// noticeIgnored tells, once, which columns a mapping leaves out.
func (c *csvReader) noticeIgnored(header []string, used []bool, line int) {
	var names []string
	ignored := 0
	for i, h := range header {
		if used[i] {
			continue
		}
		if ignored++; ignored <= maxNamedColumns {
			names = append(names, text.Cite(strings.TrimSpace(h)))
		}
	}
	if ignored == 0 {
		return
	}
	list := strings.Join(names, ", ")
	if more := ignored - len(names); more > 0 {
		list += ", and " + text.Thousands(more) + " more"
	}
	what := "column"
	if ignored > 1 {
		what = "columns"
	}
	c.f.Notices = append(c.f.Notices, c.f.Name+":"+strconv.Itoa(line)+": ignoring the "+what+" that --csv-columns does not map: "+list)
}

// row reads one row after the header: a marker row, or a user.
func (c *csvReader) row(record []string) {
	line, _ := c.r.FieldPos(0)
	c.lastUser = false
	switch record[0] {
	case csvEndMark:
		c.ended = true
		return
	case csvStartMark:
		c.probs.Add(line, "the start mark of an export belongs on the first line")
		return
	}
	if len(record) == 1 && strings.TrimSpace(record[0]) == "" {
		return
	}
	c.users++
	c.lastUser = true
	if !c.rows {
		return
	}
	if len(record) != len(c.header) {
		c.probs.Add(line, "expected %d fields (%s), found %d", len(c.header), text.CiteBare(strings.Join(c.header, ",")), len(record))
		return
	}
	cell := func(k string) string { return csvCell(record[c.col[k]-1]) }
	e := Entry{Line: line, Email: cell(keyEmail)}
	who := text.CiteBare(e.Email)
	if err := api.ValidateEmail(e.Email); err != nil {
		c.probs.Add(line, "%s", citeError(err, e.Email))
		who = "user"
	}
	if c.col[keyAccountRole] != 0 {
		if role := cell(keyAccountRole); role == "" {
			c.probs.Add(line, "%s: missing accountRole (one of %s)", who, strings.Join(api.RoleNames(), ", "))
		} else if r, err := api.ParseRole(role); err != nil {
			c.probs.Add(line, "%s: accountRole: %s", who, citeError(err, role))
		} else {
			e.AccountRole = r
		}
	}
	if c.col[keyDomainRoles] != 0 {
		e.DataDomainRoles = parseDomainCell(cell(keyDomainRoles), who, line, c.probs)
	}
	c.f.Entries = append(c.f.Entries, e)
}

// csvCell is a cell's value. One that export guarded with a ' reads back
// exactly as written, untrimmed: a formula cell ('=...), one with a leading
// tab or CR, and one starting with '#', which a reader that skips comment
// rows would otherwise lose. Any other is trimmed, as a hand-written file
// may pad its cells.
func csvCell(raw string) string {
	if strings.HasPrefix(raw, "'#") {
		return raw[1:]
	}
	if restored := output.RestoreCSVCell(raw); restored != raw {
		return restored
	}
	return strings.TrimSpace(raw)
}

// parseDomainCell reads "sales=editor;hr=viewer" (',' is accepted too); an
// empty cell is no data-domain roles. who names the user in messages, cited.
func parseDomainCell(s, who string, line int, probs *yamlfile.List) map[string]api.Role {
	roles := map[string]api.Role{}
	for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ';' || r == ',' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		domain, role, ok := strings.Cut(part, "=")
		domain = strings.TrimSpace(domain)
		if !ok || domain == "" {
			probs.Add(line, "%s: dataDomainRoles %s: write DOMAIN=ROLE, e.g. sales=editor;hr=viewer", who, text.Cite(part))
			continue
		}
		r, err := api.ParseRole(role)
		if err != nil {
			probs.Add(line, "%s: dataDomainRoles: data domain %s: %s", who, text.Cite(domain), citeError(err, role))
			continue
		}
		if _, dup := roles[domain]; dup {
			probs.Add(line, "%s: dataDomainRoles: data domain %s is given twice", who, text.Cite(domain))
			continue
		}
		roles[domain] = r
	}
	return roles
}

func csvProblem(err error, probs *yamlfile.List) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		probs.Add(pe.Line, "not valid CSV: %v", pe.Err)
		return
	}
	probs.Add(0, "not valid CSV: %v", err)
}
