// Package apply is declarative user management: it reads a file of users
// (YAML, JSON or CSV), compares it with the users a DQOps server has, makes a
// Plan of the creates, updates and deletes that would make the server match
// the file, and executes that plan with a bounded number of requests in
// flight.
//
// The file uses the API's own field names. A YAML or JSON document is either
// a list of users or an object {users: [...]}, so "dqo-users list -o json"
// output is valid input:
//
//	users:
//	- email: ana@example.com
//	  accountRole: editor
//	- email: bo@example.com
//	  accountRole: viewer
//	  dataDomainRoles: {sales: editor}
//
// CSV has the header email,accountRole[,dataDomainRoles], with domain roles
// written sales=editor;hr=viewer.
//
// dataDomainRoles follows one rule everywhere: absent leaves the user's
// data-domain roles alone; present sets exactly those, so {} (or an empty CSV
// cell, when the column exists) means "no data-domain roles". A server
// without data domains (DQOps 1.0) has none, so {} is true of every user
// there, while a non-empty dataDomainRoles cannot be applied to it.
//
// The package never prints to a terminal: plans are written to an io.Writer,
// and execution reports through the Progress interface.
package apply

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// Format is a file format that apply reads and export writes.
type Format string

// The file formats.
const (
	FormatYAML Format = "yaml"
	FormatJSON Format = "json"
	FormatCSV  Format = "csv"
)

// Formats lists the format names, for flag help and completion.
func Formats() []string {
	return []string{string(FormatYAML), string(FormatJSON), string(FormatCSV)}
}

// ParseFormat reads a --format value: yaml (or yml), json or csv, any case.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yaml", "yml":
		return FormatYAML, nil
	case "json":
		return FormatJSON, nil
	case "csv":
		return FormatCSV, nil
	}
	return "", fmt.Errorf("unknown file format %q: use yaml, json or csv", s)
}

// DetectFormat decides the format of a file that was given no --format: by
// the name's extension, else by its content. Content that starts with { or [
// is JSON; a first line that is a CSV header naming the email column is
// CSV; anything else is YAML.
func DetectFormat(name string, data []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		return FormatYAML
	case ".json":
		return FormatJSON
	case ".csv":
		return FormatCSV
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return FormatJSON
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		first, _, hasComma := strings.Cut(line, ",")
		first = strings.ToLower(strings.Trim(strings.TrimSpace(first), `"`))
		if !strings.Contains(line, ":") && (first == "email" || (hasComma && isColumn(first))) {
			return FormatCSV
		}
		break
	}
	return FormatYAML
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// The keys of a user in a file: the API's field names.
const (
	keyEmail       = "email"
	keyAccountRole = "accountRole"
	keyDomainRoles = "dataDomainRoles"
	keyUsers       = "users"
)

var userKeys = []string{keyEmail, keyAccountRole, keyDomainRoles}

func isColumn(name string) bool {
	for _, k := range userKeys {
		if strings.EqualFold(name, k) {
			return true
		}
	}
	return false
}

// Entry is one user as the file wants it.
type Entry struct {
	// Email is the address as written in the file.
	Email string
	// AccountRole is the account role, lower-case.
	AccountRole api.Role
	// DataDomainRoles is nil when the file leaves the user's data-domain
	// roles alone, and otherwise exactly the roles wanted (empty: none).
	DataDomainRoles map[string]api.Role
	// Line is where the user starts in the file (1-based).
	Line int
}

// SetsDomainRoles reports whether the entry asks for data-domain roles that
// a server without data domains cannot have: a non-empty dataDomainRoles.
func (e Entry) SetsDomainRoles() bool {
	return len(e.DataDomainRoles) > 0
}

// File is a parsed, valid file of users.
type File struct {
	// Name is the file's name as given ("-" is shown as "stdin").
	Name string
	// Format is the format it was read in.
	Format Format
	// Entries are the users, in file order.
	Entries []Entry
}

// Problem is one thing wrong with a file, at a line.
type Problem struct {
	Line    int
	Message string
}

// ValidationError lists everything wrong with a file, in line order. Nothing
// may be applied from a file that has one.
type ValidationError struct {
	File     string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return e.at(e.Problems[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %d problems:", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(e.at(p))
	}
	return b.String()
}

func (e *ValidationError) at(p Problem) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, p.Message)
}

// problems collects the problems of one file.
type problems struct{ list []Problem }

func (p *problems) add(line int, format string, args ...any) {
	p.list = append(p.list, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
}

func (p *problems) err(file string) error {
	if len(p.list) == 0 {
		return nil
	}
	sort.SliceStable(p.list, func(i, j int) bool { return p.list[i].Line < p.list[j].Line })
	return &ValidationError{File: file, Problems: p.list}
}

// DisplayName is how a file name appears in messages: "-" is stdin.
func DisplayName(name string) string {
	if name == "-" || name == "" {
		return "stdin"
	}
	return name
}

// Parse reads and validates a whole file. Every problem is reported at once
// in a *ValidationError: syntax, unknown keys, missing or invalid emails,
// unknown roles, duplicate emails (ignoring case).
func Parse(name string, data []byte, format Format) (*File, error) {
	display := DisplayName(name)
	data = bytes.TrimPrefix(data, utf8BOM)
	var probs problems
	var entries []Entry
	switch format {
	case FormatYAML, FormatJSON:
		var root *node
		var err error
		if format == FormatYAML {
			root, err = parseYAML(data)
		} else {
			root, err = parseJSON(data)
		}
		if err != nil {
			var pe *Problem
			if errors.As(err, &pe) {
				probs.list = append(probs.list, *pe)
				return nil, probs.err(display)
			}
			return nil, err
		}
		entries = entriesFromNode(root, &probs)
	case FormatCSV:
		entries = parseCSV(data, &probs)
	default:
		return nil, fmt.Errorf("unknown file format %q", format)
	}
	checkDuplicates(entries, &probs)
	if err := probs.err(display); err != nil {
		return nil, err
	}
	return &File{Name: display, Format: format, Entries: entries}, nil
}

// CheckDataDomains returns a *ValidationError naming every user that sets
// data-domain roles, for a server that has no data domains.
func (f *File) CheckDataDomains(release string) error {
	var probs problems
	for _, e := range f.Entries {
		if e.SetsDomainRoles() {
			probs.add(e.Line, "%s: dataDomainRoles needs DQOps 1.13 or later, and this server is release %s", e.Email, release)
		}
	}
	return probs.err(f.Name)
}

// Problem is an error too: a syntax error at a line.
func (p *Problem) Error() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

func checkDuplicates(entries []Entry, probs *problems) {
	first := make(map[string]int, len(entries))
	for _, e := range entries {
		if e.Email == "" {
			continue
		}
		k := strings.ToLower(e.Email)
		if line, dup := first[k]; dup {
			probs.add(e.Line, "duplicate email %q: the same user (ignoring case) is already at line %d", e.Email, line)
			continue
		}
		first[k] = e.Line
	}
}

// node is a YAML or JSON value with the line it starts on.
type node struct {
	kind   nodeKind
	line   int
	value  string  // scalars
	keys   []*node // mappings: scalar keys, in order
	values []*node // mappings: the values of keys
	items  []*node // sequences
}

type nodeKind int

const (
	kindNull nodeKind = iota
	kindScalar
	kindMap
	kindSeq
)

func (k nodeKind) String() string {
	switch k {
	case kindNull:
		return "null"
	case kindScalar:
		return "a single value"
	case kindMap:
		return "a mapping"
	}
	return "a list"
}

// entriesFromNode reads users from a list, or from {users: list}.
func entriesFromNode(root *node, probs *problems) []Entry {
	list := root
	switch root.kind {
	case kindNull:
		probs.add(root.line, "the file holds no users; write users: [] for an empty list")
		return nil
	case kindMap:
		list = nil
		seen := map[string]bool{}
		for i, k := range root.keys {
			switch {
			case seen[k.value]:
				probs.add(k.line, "key %q is given twice", k.value)
			case k.value == keyUsers:
				list = root.values[i]
			case isColumn(k.value) && len(root.keys) <= 3:
				probs.add(root.line, "expected a list of users, or users: followed by the list; this looks like a single user, put it in a list")
				return nil
			default:
				probs.add(k.line, "unknown key %q: the document is a list of users, or has the one key users", k.value)
			}
			seen[k.value] = true
		}
		if list == nil {
			if len(probs.list) == 0 {
				probs.add(root.line, "no users key")
			}
			return nil
		}
		if list.kind != kindSeq {
			probs.add(list.line, "users must be a list, not %s", list.kind)
			return nil
		}
	case kindSeq:
	default:
		probs.add(root.line, "expected a list of users, or users: followed by the list")
		return nil
	}
	entries := make([]Entry, 0, len(list.items))
	for _, item := range list.items {
		if e, ok := entryFromNode(item, probs); ok {
			entries = append(entries, e)
		}
	}
	return entries
}

// entryFromNode reads one user; ok is false when it is not a mapping at all.
func entryFromNode(n *node, probs *problems) (Entry, bool) {
	if n.kind != kindMap {
		probs.add(n.line, "a user must be a mapping with email and accountRole, not %s", n.kind)
		return Entry{}, false
	}
	e := Entry{Line: n.line}
	seen := map[string]bool{}
	var email, role, domains *node
	for i, k := range n.keys {
		v := n.values[i]
		if seen[k.value] {
			probs.add(k.line, "key %q is given twice", k.value)
			continue
		}
		seen[k.value] = true
		switch k.value {
		case keyEmail:
			email = v
		case keyAccountRole:
			role = v
		case keyDomainRoles:
			domains = v
		default:
			probs.add(k.line, "unknown key %q%s", k.value, suggestKey(k.value))
		}
	}
	who := "user"
	switch {
	case email == nil:
		probs.add(n.line, "user without email")
	case email.kind != kindScalar:
		probs.add(email.line, "email must be a single value, not %s", email.kind)
	default:
		e.Email = email.value
		if err := api.ValidateEmail(e.Email); err != nil {
			probs.add(email.line, "%v", err)
		}
		who = e.Email
	}
	switch {
	case role == nil:
		probs.add(n.line, "%s: missing accountRole (one of %s)", who, strings.Join(api.RoleNames(), ", "))
	case role.kind != kindScalar:
		probs.add(role.line, "%s: accountRole must be one of %s, not %s", who, strings.Join(api.RoleNames(), ", "), role.kind)
	default:
		r, err := api.ParseRole(role.value)
		if err != nil {
			probs.add(role.line, "%s: accountRole: %v", who, err)
		}
		e.AccountRole = r
	}
	if domains != nil {
		e.DataDomainRoles = domainRolesFromNode(domains, who, probs)
	}
	return e, true
}

// domainRolesFromNode reads a dataDomainRoles mapping; the result is never
// nil, because the key was present.
func domainRolesFromNode(n *node, who string, probs *problems) map[string]api.Role {
	roles := map[string]api.Role{}
	if n.kind != kindMap {
		probs.add(n.line, "%s: dataDomainRoles must be a mapping of data domain to role, not %s; write {} for none, or leave the key out to keep the user's roles", who, n.kind)
		return roles
	}
	for i, k := range n.keys {
		v := n.values[i]
		domain := strings.TrimSpace(k.value)
		if domain == "" {
			probs.add(k.line, "%s: dataDomainRoles: empty data domain name", who)
			continue
		}
		if _, dup := roles[domain]; dup {
			probs.add(k.line, "%s: dataDomainRoles: data domain %q is given twice", who, domain)
			continue
		}
		if v.kind != kindScalar {
			probs.add(v.line, "%s: dataDomainRoles: the role in data domain %q must be one of %s, not %s", who, domain, strings.Join(api.RoleNames(), ", "), v.kind)
			continue
		}
		r, err := api.ParseRole(v.value)
		if err != nil {
			probs.add(v.line, "%s: dataDomainRoles: data domain %q: %v", who, domain, err)
			continue
		}
		roles[domain] = r
	}
	return roles
}

func suggestKey(key string) string {
	for _, k := range userKeys {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf(" (did you mean %q?)", k)
		}
	}
	switch strings.ToLower(key) {
	case "role", "account_role", "account-role":
		return fmt.Sprintf(" (did you mean %q?)", keyAccountRole)
	case "domains", "domainroles", "data_domain_roles", "data-domain-roles":
		return fmt.Sprintf(" (did you mean %q?)", keyDomainRoles)
	}
	return fmt.Sprintf(" (the keys are %s)", strings.Join(userKeys, ", "))
}

// yamlLine finds the line number in yaml.v3's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func parseYAML(data []byte) (*node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &node{kind: kindNull, line: 1}, nil
		}
		return nil, yamlProblem(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Problem{Line: extra.Line, Message: "a second YAML document: the file must hold one"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlProblem(err)
	}
	conv := yamlConverter{budget: 2*len(data) + 10000}
	root := conv.node(&doc, 0)
	if conv.budget < 0 {
		return nil, &Problem{Line: 1, Message: "YAML aliases expand to far more values than the file holds: refusing to expand them"}
	}
	return root, nil
}

// yamlParserErrors are libyaml's parser (not scanner) messages, whose line
// yaml.v3 reports 0-based: one less than the line of the problem.
var yamlParserErrors = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found undefined tag handle",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

func yamlProblem(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	// Without a line, the problem is on the first one (line 0 is not shown).
	line := 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		for _, p := range yamlParserErrors {
			if strings.HasPrefix(msg, p) {
				line++
				break
			}
		}
	}
	return &Problem{Line: line, Message: "not valid YAML: " + msg}
}

// yamlConverter turns yaml.v3 nodes into the parser's nodes. Aliases are
// expanded, so a few bytes of nested aliases could stand for billions of
// values (a "billion laughs" file): the budget, proportional to the file's
// size, bounds how many nodes the expansion may make, and the depth bounds
// recursion.
type yamlConverter struct {
	budget int
}

func (c *yamlConverter) node(y *yaml.Node, depth int) *node {
	c.budget--
	if c.budget < 0 || depth > 64 {
		return &node{kind: kindNull, line: y.Line}
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return &node{kind: kindNull, line: max(y.Line, 1)}
		}
		return c.node(y.Content[0], depth+1)
	case yaml.AliasNode:
		n := c.node(y.Alias, depth+1)
		n.line = y.Line
		return n
	case yaml.MappingNode:
		n := &node{kind: kindMap, line: y.Line}
		for i := 0; i+1 < len(y.Content) && c.budget >= 0; i += 2 {
			n.keys = append(n.keys, c.node(y.Content[i], depth+1))
			n.values = append(n.values, c.node(y.Content[i+1], depth+1))
		}
		return n
	case yaml.SequenceNode:
		n := &node{kind: kindSeq, line: y.Line}
		for _, item := range y.Content {
			if c.budget < 0 {
				break
			}
			n.items = append(n.items, c.node(item, depth+1))
		}
		return n
	}
	if y.ShortTag() == "!!null" {
		return &node{kind: kindNull, line: y.Line}
	}
	return &node{kind: kindScalar, line: y.Line, value: y.Value}
}

// parseJSON reads JSON token by token, so that every value knows its line:
// the offset where each token ends gives it.
func parseJSON(data []byte) (*node, error) {
	p := &jsonParser{dec: json.NewDecoder(bytes.NewReader(data)), lines: newLineIndex(data)}
	p.dec.UseNumber()
	if len(bytes.TrimSpace(data)) == 0 {
		return &node{kind: kindNull, line: 1}, nil
	}
	root, err := p.value()
	if err != nil {
		return nil, p.problem(err)
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Problem{Line: p.lines.at(p.dec.InputOffset()), Message: "not valid JSON: more after the end of the document"}
	}
	return root, nil
}

type jsonParser struct {
	dec   *json.Decoder
	lines lineIndex
}

func (p *jsonParser) line() int { return p.lines.at(p.dec.InputOffset()) }

func (p *jsonParser) problem(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Problem{Line: p.lines.at(se.Offset), Message: "not valid JSON: " + se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Problem{Line: p.lines.last(), Message: "not valid JSON: the document ends too early"}
	}
	return &Problem{Line: p.line(), Message: "not valid JSON: " + err.Error()}
}

func (p *jsonParser) value() (*node, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	line := p.line()
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: kindMap, line: line}
			for p.dec.More() {
				key, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				keyLine := p.line()
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, &node{kind: kindScalar, line: keyLine, value: key.(string)})
				n.values = append(n.values, v)
			}
			_, err := p.dec.Token()
			return n, err
		case '[':
			n := &node{kind: kindSeq, line: line}
			for p.dec.More() {
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := p.dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %q", t)
	case nil:
		return &node{kind: kindNull, line: line}, nil
	case string:
		return &node{kind: kindScalar, line: line, value: t}, nil
	case json.Number:
		return &node{kind: kindScalar, line: line, value: t.String()}, nil
	case bool:
		return &node{kind: kindScalar, line: line, value: strconv.FormatBool(t)}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	var nl lineIndex
	for i, b := range data {
		if b == '\n' {
			nl = append(nl, i)
		}
	}
	return nl
}

// at is the line of the byte just before offset: a token that ends at
// offset is on that line.
func (l lineIndex) at(offset int64) int {
	return sort.SearchInts(l, int(max(offset-1, 0))) + 1
}

func (l lineIndex) last() int { return len(l) + 1 }

// parseCSV reads email,accountRole[,dataDomainRoles] with a header row.
func parseCSV(data []byte, probs *problems) []Entry {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		probs.add(1, "the file holds no users; an empty list is the header alone: email,accountRole")
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
			probs.add(headerLine, "unknown column %q%s", h, suggestKey(h))
		case col[name] != 0:
			probs.add(headerLine, "column %q is given twice", name)
		default:
			col[name] = i + 1
		}
	}
	for _, k := range []string{keyEmail, keyAccountRole} {
		if col[k] == 0 {
			probs.add(headerLine, "missing column %q: the header is email,accountRole[,dataDomainRoles]", k)
		}
	}
	if len(probs.list) > 0 {
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
			probs.add(line, "expected %d fields (%s), found %d", len(header), strings.Join(header, ","), len(record))
			continue
		}
		cell := func(k string) string { return strings.TrimSpace(record[col[k]-1]) }
		e := Entry{Line: line, Email: cell(keyEmail)}
		who := e.Email
		if err := api.ValidateEmail(e.Email); err != nil {
			probs.add(line, "%v", err)
			who = "user"
		}
		if role := cell(keyAccountRole); role == "" {
			probs.add(line, "%s: missing accountRole (one of %s)", who, strings.Join(api.RoleNames(), ", "))
		} else if r, err := api.ParseRole(role); err != nil {
			probs.add(line, "%s: accountRole: %v", who, err)
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
// empty cell is no data-domain roles.
func parseDomainCell(s, who string, line int, probs *problems) map[string]api.Role {
	roles := map[string]api.Role{}
	for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ';' || r == ',' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		domain, role, ok := strings.Cut(part, "=")
		domain = strings.TrimSpace(domain)
		if !ok || domain == "" {
			probs.add(line, "%s: dataDomainRoles %q: write DOMAIN=ROLE, e.g. sales=editor;hr=viewer", who, part)
			continue
		}
		r, err := api.ParseRole(role)
		if err != nil {
			probs.add(line, "%s: dataDomainRoles: data domain %q: %v", who, domain, err)
			continue
		}
		if _, dup := roles[domain]; dup {
			probs.add(line, "%s: dataDomainRoles: data domain %q is given twice", who, domain)
			continue
		}
		roles[domain] = r
	}
	return roles
}

func csvProblem(err error, probs *problems) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		probs.add(pe.Line, "not valid CSV: %v", pe.Err)
		return
	}
	probs.add(0, "not valid CSV: %v", err)
}
