package users

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// parseCSV reads email,accountRole[,dataDomainRoles] with a header row.
func parseCSV(data []byte, probs *yamlfile.List) []Entry {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		probs.Add(1, "the file holds no users; an empty list is the header alone: email,accountRole")
		return nil
	}
	if err != nil {
		csvProblem(err, probs)
		return nil
	}
	headerLine, _ := r.FieldPos(0)
	col := map[string]int{}
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
			probs.Add(headerLine, "unknown column %s%s", cite(h), suggestKey(h))
		case col[name] != 0:
			probs.Add(headerLine, "column %q is given twice", name)
		default:
			col[name] = i + 1
		}
	}
	for _, k := range []string{keyEmail, keyAccountRole} {
		if col[k] == 0 {
			probs.Add(headerLine, "missing column %q: the header is email,accountRole[,dataDomainRoles]", k)
		}
	}
	if probs.Len() > 0 {
		return nil
	}
	var entries []Entry
	for {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			csvProblem(err, probs)
			return entries
		}
		line, _ := r.FieldPos(0)
		if len(record) != len(header) {
			if len(record) == 1 && strings.TrimSpace(record[0]) == "" {
				continue
			}
			probs.Add(line, "expected %d fields (%s), found %d", len(header), citeBare(strings.Join(header, ",")), len(record))
			continue
		}
		// A cell that -o csv neutralised against spreadsheet formulas
		// ('=...) reads back exactly as written, a leading tab or CR too;
		// any other is trimmed, as a hand-written file may pad its cells.
		cell := func(k string) string {
			raw := record[col[k]-1]
			if restored := output.RestoreCSVCell(raw); restored != raw {
				return restored
			}
			return strings.TrimSpace(raw)
		}
		e := Entry{Line: line, Email: cell(keyEmail)}
		who := citeBare(e.Email)
		if err := api.ValidateEmail(e.Email); err != nil {
			probs.Add(line, "%s", citeError(err, e.Email))
			who = "user"
		}
		if role := cell(keyAccountRole); role == "" {
			probs.Add(line, "%s: missing accountRole (one of %s)", who, strings.Join(api.RoleNames(), ", "))
		} else if r, err := api.ParseRole(role); err != nil {
			probs.Add(line, "%s: accountRole: %s", who, citeError(err, role))
		} else {
			e.AccountRole = r
		}
		if col[keyDomainRoles] != 0 {
			e.DataDomainRoles = parseDomainCell(cell(keyDomainRoles), who, line, probs)
		}
		entries = append(entries, e)
	}
	return entries
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
			probs.Add(line, "%s: dataDomainRoles %s: write DOMAIN=ROLE, e.g. sales=editor;hr=viewer", who, cite(part))
			continue
		}
		r, err := api.ParseRole(role)
		if err != nil {
			probs.Add(line, "%s: dataDomainRoles: data domain %s: %s", who, cite(domain), citeError(err, role))
			continue
		}
		if _, dup := roles[domain]; dup {
			probs.Add(line, "%s: dataDomainRoles: data domain %s is given twice", who, cite(domain))
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
