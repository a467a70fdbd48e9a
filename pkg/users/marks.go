package users

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// An export starts with a start mark, the format version (and the
// instance), and ends with an end mark written after its last user, so
// that a file cut off on the way (a failed or interrupted export, a full
// disk) cannot pass for the whole list, which a prune would take as the
// users to keep:
//
//	export: 1                          YAML (JSON: "export": 1)
//	instance: https://dqops.example.com:443
//	users: [...]
//	end: {users: 25}
//
//	#dqo-users export,version=1,instance=https://dqops.example.com:443     CSV
//	email,accountRole,dataDomainRoles
//	...
//	#dqo-users end,users=25
//
// A file with the start mark and no end mark after it is refused, whatever
// else is wrong with it; the end mark's count is for people, so users may
// be added to an export and removed from it (in CSV, rows after the end
// mark are users like any other). A file without a start mark is a file
// written by hand, read as it always was.
const (
	// exportVersion is the format version this reader knows.
	exportVersion = 1
	// csvStartMark and csvEndMark are the exact first cells of a CSV
	// export's marker rows. Any other row that starts with '#' is a user:
	// the reader skips no comments, so a user #x@example.com is never lost.
	csvStartMark = "#dqo-users export"
	csvEndMark   = "#dqo-users end"
)

// cutOff is the one problem of an export without its end mark.
func cutOff(whole int) *Problem {
	users := "users"
	if whole == 1 {
		users = "user"
	}
	return &Problem{Message: fmt.Sprintf("the export has no end mark: it was cut off after %s %s", text.Thousands(whole), users)}
}

// newer is the one problem of an export in a format this version does not
// know.
func newer(line, version int) *Problem {
	return &Problem{Line: line, Message: fmt.Sprintf("the file was written by a newer dqo-users (export format %d; this one reads format %d): upgrade dqo-users to read it",
		version, exportVersion)}
}

// exportVersionOf reads the start mark's version: a problem when it is no
// version, stop when it is a newer one.
func exportVersionOf(value string, line int, probs *yamlfile.List) (version int, stop *Problem) {
	n, err := strconv.Atoi(strings.TrimSpace(value))
	switch {
	case err != nil || n < 1:
		probs.Add(line, "%s must be %d, the format version of an export", keyExport, exportVersion)
		return 0, nil
	case n > exportVersion:
		return 0, newer(line, n)
	}
	return n, nil
}

// checkMarks reads the marks of a parsed YAML or JSON document. stop is the
// one problem to report when the export was cut off or is newer.
func checkMarks(f *File, root *node, data []byte, probs *yamlfile.List) (stop *Problem) {
	start, end := -1, -1
	for i, k := range root.keys {
		switch {
		case k.value == keyExport && start < 0:
			start = i
		case k.value == keyEnd:
			end = i
		}
	}
	if end >= 0 {
		checkEnd(root.values[end], probs)
	}
	if start < 0 {
		return nil
	}
	v := root.values[start]
	if v.kind != kindScalar {
		probs.Add(v.line, "%s must be %d, the format version of an export", keyExport, exportVersion)
	} else if f.Export, stop = exportVersionOf(v.value, v.line, probs); stop != nil {
		return stop
	}
	if end < start {
		return cutOff(wholeUsers(f.Format, root, data))
	}
	return nil
}

// checkEnd checks the shape of an end mark, {users: N}; the count is for
// people and is not compared.
func checkEnd(n *node, probs *yamlfile.List) {
	const shape = "the end mark of an export is end: {users: N}"
	if n.kind != kindMap {
		probs.Add(n.line, "%s, not %s", shape, n.kind)
		return
	}
	for i, k := range n.keys {
		v := n.values[i]
		if k.value != keyUsers {
			probs.Add(k.line, "unknown key %s in the end mark: %s", text.Cite(k.value), shape)
			continue
		}
		if count, err := strconv.Atoi(v.value); v.kind != kindScalar || err != nil || count < 0 {
			probs.Add(v.line, "%s: N is a count of users", shape)
		}
	}
}

// wholeUsers counts the users that a cut-off document holds whole. JSON
// cut inside a user does not parse, so every item of a parsed one is
// whole. YAML does parse when it is cut between two of a user's lines, or
// inside a value, so its last item counts only when the file ends at the
// end of a line and the item has the keys an export writes: email,
// accountRole, and dataDomainRoles unless the first user has none (an
// export of DQOps 1.0). A first user alone, cut after its accountRole,
// may be such a user: it counts.
func wholeUsers(format Format, root *node, data []byte) int {
	var list *node
	for i, k := range root.keys {
		if k.value == keyUsers {
			list = root.values[i]
		}
	}
	if list == nil || list.kind != kindSeq {
		return 0
	}
	n := len(list.items)
	// Spaces after the last line break are the next line's indentation.
	endsLine := bytes.HasSuffix(bytes.TrimRight(data, " \t"), []byte("\n"))
	if format == FormatYAML && n > 0 && (!endsLine || !wholeItem(list.items[n-1], list.items[0])) {
		n--
	}
	return n
}

// wholeItem reports whether the last user of a YAML export has the keys
// that the export writes, as far as the first user tells.
func wholeItem(last, first *node) bool {
	has := func(n *node, key string) bool {
		return n.kind == kindMap && slices.ContainsFunc(n.keys, func(k *node) bool { return k.value == key })
	}
	return has(last, keyEmail) && has(last, keyAccountRole) && (has(last, keyDomainRoles) || !has(first, keyDomainRoles))
}

// cutOffText is the problem of a YAML or JSON document that does not parse
// and begins with the start mark: an export written by a newer version, or
// one without its end mark, cut off where the syntax breaks. Its users are
// counted from the text. nil for any other document: the syntax error is
// its problem.
func cutOffText(format Format, data []byte) *Problem {
	var m textMarks
	if format == FormatYAML {
		m = yamlTextMarks(data)
	} else {
		m = jsonTextMarks(data)
	}
	if !m.marked {
		return nil
	}
	if n, err := strconv.Atoi(m.version); err == nil && n > exportVersion {
		return newer(m.line, n)
	}
	if m.ended {
		return nil
	}
	return cutOff(m.whole)
}

// textMarks are the marks of a document read as text: whether it begins
// with the start mark, and the version and line there; whether an end mark
// follows; how many users it holds whole.
type textMarks struct {
	marked, ended bool
	version       string
	line, whole   int
}

var (
	yamlStartLine = regexp.MustCompile(`^export\s*:\s*(\S*)`)
	yamlEndLine   = regexp.MustCompile(`^end\s*:`)
	yamlUsersLine = regexp.MustCompile(`^users\s*:\s*(#.*)?$`)
)

// yamlTextMarks reads the marks of a YAML document that does not parse,
// line by line: whether its first line of content is the start mark (and
// the version there), whether a line at the top level starts the end mark,
// and how many users it holds whole: the items of the users list but the
// last, where the syntax broke.
func yamlTextMarks(data []byte) (m textMarks) {
	inUsers, indent, items, n := false, -1, 0, 0
	for raw := range bytes.Lines(data) {
		n++
		line := strings.TrimRight(string(raw), "\r\n")
		if !m.marked {
			switch t := strings.TrimSpace(line); {
			case t == "", t[0] == '#', t[0] == '%', t == "---":
				continue
			}
			start := yamlStartLine.FindStringSubmatch(line)
			if start == nil {
				return textMarks{}
			}
			m.marked, m.version, m.line = true, start[1], n
			continue
		}
		switch {
		case yamlEndLine.MatchString(line):
			m.ended, inUsers = true, false
		case yamlUsersLine.MatchString(line):
			inUsers = true
		case line != "" && line[0] != ' ' && line[0] != '#' && line[0] != '-':
			inUsers = false
		case inUsers:
			t := strings.TrimLeft(line, " ")
			if t == "-" || strings.HasPrefix(t, "- ") {
				if indent < 0 {
					indent = len(line) - len(t)
				}
				if len(line)-len(t) == indent {
					items++
				}
			}
		}
	}
	m.whole = max(items-1, 0)
	return m
}

// jsonTextMarks reads the marks of a JSON document that does not parse,
// token by token up to where it breaks: whether its first key is the start
// mark (and the version), whether the top-level key of the end mark came,
// and how many user objects of the users array were completed.
func jsonTextMarks(data []byte) (m textMarks) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return textMarks{}
	}
	if t, err := dec.Token(); err != nil || t != keyExport {
		return textMarks{}
	}
	m.marked = true
	// Each open container: an object, and whether its next token is a key;
	// or an array, and whether it is the users array.
	type frame struct{ object, wantKey, users bool }
	stack := []frame{{object: true}}
	key := keyExport // the last key of the top-level object
	// done is a value completed in the container on top of the stack.
	done := func() {
		if len(stack) == 0 {
			return
		}
		switch top := &stack[len(stack)-1]; {
		case top.object:
			top.wantKey = true
		case top.users:
			m.whole++
		}
	}
	for len(stack) > 0 {
		t, err := dec.Token()
		if err != nil {
			break
		}
		top := &stack[len(stack)-1]
		if top.object && top.wantKey {
			if k, ok := t.(string); ok {
				top.wantKey = false
				if len(stack) == 1 {
					key = k
					m.ended = m.ended || k == keyEnd
				}
				continue
			}
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{users: len(stack) == 1 && key == keyUsers})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
		default:
			if len(stack) == 1 && key == keyExport {
				m.version = fmt.Sprint(t)
				m.line = newLineIndex(data).at(dec.InputOffset())
			}
			done()
		}
	}
	return m
}
