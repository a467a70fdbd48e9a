package users

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Exports written by hand as design.md lays them out: the writer is not
// what these tests are about.
var (
	yamlExport = `# dqo-users export: a file without its last line, end:, was cut off and apply refuses it
export: 1
instance: https://dqops.example.com:443
users:
- email: ana@example.com
  accountRole: editor
  dataDomainRoles: {}
- email: bo@example.com
  accountRole: viewer
  dataDomainRoles: {(default): viewer, sales: editor}
- email: cy@example.com
  accountRole: none
  dataDomainRoles: {}
end: {users: 3}
`
	// yamlExport10 is an export of DQOps 1.0, without data domains and
	// written with --no-instance.
	yamlExport10 = `# dqo-users export: a file without its last line, end:, was cut off and apply refuses it
export: 1
users:
- email: ana@example.com
  accountRole: editor
- email: bo@example.com
  accountRole: viewer
end: {users: 2}
`
	jsonExport = `{
  "export": 1,
  "instance": "https://dqops.example.com:443",
  "users": [
    {
      "email": "ana@example.com",
      "accountRole": "editor",
      "dataDomainRoles": {}
    },
    {
      "email": "bo@example.com",
      "accountRole": "viewer",
      "dataDomainRoles": {
        "(default)": "viewer",
        "sales": "editor"
      }
    },
    {
      "email": "cy@example.com",
      "accountRole": "none",
      "dataDomainRoles": {}
    }
  ],
  "end": {
    "users": 3
  }
}
`
	csvExport = `#dqo-users export,version=1,instance=https://dqops.example.com:443
email,accountRole,dataDomainRoles
ana@example.com,editor,
bo@example.com,viewer,(default)=viewer;sales=editor
cy@example.com,none,
dee@example.com,viewer,sales=editor;hr=viewer
#dqo-users end,users=4
`
)

// exportCase describes an export for the cut tests: where its start mark
// is whole, where its end mark begins, from where a cut of it is whole
// again, and where each user ends.
type exportCase struct {
	name, file, data string
	format           Format
	marked           int // a cut at or after this offset has the start mark
	end              int // the end mark begins here
	whole            int // a cut at or after this offset is the whole file
	userEnds         []int
}

func exportCases() []exportCase {
	yamlCase := func(name, data string) exportCase {
		c := exportCase{name: name, file: "u.yaml", data: data, format: FormatYAML,
			marked: strings.Index(data, "\nexport:") + len("\nexport:"),
			end:    strings.Index(data, "\nend:") + 1,
			whole:  len(data) - 1}
		// A user ends where the next item or the end mark begins.
		for i := strings.Index(data, "\n- ") + 1; ; {
			next := strings.Index(data[i+1:], "\n- ")
			if next < 0 {
				c.userEnds = append(c.userEnds, c.end)
				break
			}
			i += 1 + next + 1
			c.userEnds = append(c.userEnds, i)
		}
		return c
	}
	jsonCase := exportCase{name: "json", file: "u.json", data: jsonExport, format: FormatJSON,
		marked: strings.Index(jsonExport, `"export"`) + len(`"export"`),
		end:    strings.Index(jsonExport, `"end"`),
		whole:  len(jsonExport) - 1}
	for i := 0; ; {
		j := strings.Index(jsonExport[i:], "\n    }")
		if j < 0 {
			break
		}
		i += j + len("\n    }")
		jsonCase.userEnds = append(jsonCase.userEnds, i)
	}
	csvCase := exportCase{name: "csv", file: "u.csv", data: csvExport, format: FormatCSV,
		marked: len(csvStartMark),
		end:    strings.Index(csvExport, csvEndMark),
		whole:  strings.Index(csvExport, csvEndMark) + len(csvEndMark)}
	for i := strings.Index(csvExport, "\nana") + 1; i < csvCase.end; {
		i += strings.IndexByte(csvExport[i:], '\n') + 1
		csvCase.userEnds = append(csvCase.userEnds, i)
	}
	return []exportCase{yamlCase("yaml", yamlExport), yamlCase("yaml 1.0", yamlExport10), jsonCase, csvCase}
}

// An export cut anywhere, at a user boundary or inside a user, between its
// start mark and its end mark, is refused with the one message, counting
// the users it holds whole, whatever else a cut makes of the file (broken
// syntax, a user without its grants, a role cut short). Cut before its
// start mark is whole it is refused all the same, and from where its end
// mark is whole it is accepted.
func TestParseRefusesCutOffExports(t *testing.T) {
	t.Parallel()
	for _, tt := range exportCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if len(tt.userEnds) < 2 || tt.marked <= 0 || tt.end <= tt.marked {
				t.Fatalf("bad fixture: %+v", tt)
			}
			for cut := 0; cut <= len(tt.data); cut++ {
				data := tt.data[:cut]
				f, err := Parse(tt.file, []byte(data), tt.format)
				switch {
				case cut >= tt.whole:
					if err != nil || len(f.Entries) != len(tt.userEnds) {
						t.Fatalf("cut at %d of %d, the whole file: %v", cut, len(tt.data), err)
					}
					continue
				case err == nil:
					t.Fatalf("cut at %d of %d, accepted with %d users:\n%s", cut, len(tt.data), len(f.Entries), data)
				}
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("cut at %d: %T %v, want a *ValidationError", cut, err, err)
				}
				if cut < tt.marked || cut >= tt.end {
					continue // refused, with what the cut makes of it
				}
				whole := 0
				for _, end := range tt.userEnds {
					if end <= cut {
						whole++
					}
				}
				// A first user alone, cut after its accountRole line, may
				// be a whole user of DQOps 1.0: it counts.
				if i := strings.Index(tt.data[:tt.userEnds[0]], "\n  dataDomainRoles:") + 1; tt.format == FormatYAML &&
					i > 0 && cut >= i && cut <= i+len("  ") {
					whole = 1
				}
				users := "users"
				if whole == 1 {
					users = "user"
				}
				want := fmt.Sprintf("%s: the export has no end mark: it was cut off after %d %s", tt.file, whole, users)
				if err.Error() != want {
					t.Fatalf("cut at %d of %d:\n%s\ngot  %v\nwant %s", cut, len(tt.data), data, err, want)
				}
			}
		})
	}
}

// An export stays valid as people edit it: the end mark's count is for
// them, users may be added and removed, and in CSV the rows after the end
// mark are users like any other.
func TestParseEditedExports(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		format Format
		data   string
		users  int
	}{
		{"yaml, a user removed", FormatYAML, strings.Replace(yamlExport, "- email: cy@example.com\n  accountRole: none\n  dataDomainRoles: {}\n", "", 1), 2},
		{"yaml, a user added", FormatYAML, strings.Replace(yamlExport, "\nend:", "\n- {email: dee@example.com, accountRole: viewer}\nend:", 1), 4},
		{"yaml, end before users", FormatYAML, "export: 1\nend: {users: 9}\nusers: []\n", 0},
		{"json, a user removed", FormatJSON, strings.Replace(jsonExport, `,
    {
      "email": "cy@example.com",
      "accountRole": "none",
      "dataDomainRoles": {}
    }`, "", 1), 2},
		{"csv, rows after the end mark", FormatCSV, csvExport + "eve@example.com,viewer,\n", 5},
		{"csv, a row removed", FormatCSV, strings.Replace(csvExport, "ana@example.com,editor,\n", "", 1), 3},
		{"csv, the end mark's count cut", FormatCSV, strings.TrimSuffix(csvExport, ",users=4\n"), 4},
		{"csv, without instance", FormatCSV, strings.Replace(csvExport, ",instance=https://dqops.example.com:443", "", 1), 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := Parse("u", []byte(tt.data), tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Entries) != tt.users || f.Export != 1 {
				t.Errorf("%d users, export %d; want %d, 1", len(f.Entries), f.Export, tt.users)
			}
		})
	}
}

// An export in a format this version does not know is refused with that
// one problem, cut off or not.
func TestParseRefusesNewerExports(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		format Format
		data   string
		want   string
	}{
		{"yaml", FormatYAML, strings.Replace(yamlExport, "export: 1", "export: 2", 1), "u:2: the file was written by a newer dqo-users (export format 2; this one reads format 1)"},
		{"yaml with new keys", FormatYAML, "export: 3\nusers: []\nsignature: abc\nend: {users: 0}\n", "u:1: the file was written by a newer dqo-users (export format 3"},
		{"yaml cut off", FormatYAML, strings.Replace(yamlExport, "export: 1", "export: 2", 1)[:200], "u:2: the file was written by a newer dqo-users"},
		{"yaml cut off, broken", FormatYAML, "export: 2\nusers:\n- {email: a@x.io, accountRole: ed", "u:1: the file was written by a newer dqo-users"},
		{"json", FormatJSON, strings.Replace(jsonExport, `"export": 1`, `"export": 2`, 1), "u:2: the file was written by a newer dqo-users (export format 2"},
		{"json cut off", FormatJSON, strings.Replace(jsonExport, `"export": 1`, `"export": 2`, 1)[:100], "u:2: the file was written by a newer dqo-users (export format 2"},
		{"csv", FormatCSV, strings.Replace(csvExport, "version=1", "version=2", 1), "u:1: the file was written by a newer dqo-users (export format 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("u", []byte(tt.data), tt.format)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v\nwant one problem beginning %s", err, tt.want)
			}
		})
	}
}

// The marks are checked for what they are: a version, an end mark's
// shape, the cells of a CSV start mark; marks mean nothing in a file that
// has none.
func TestParseMarkProblems(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		format Format
		data   string
		want   string
	}{
		{"version not a number", FormatYAML, "export: one\nusers: []\nend: {users: 0}\n", "u:1: export must be 1, the format version of an export"},
		{"version zero", FormatJSON, `{"export": 0, "users": [], "end": {"users": 0}}`, "u:1: export must be 1"},
		{"end not a mapping", FormatYAML, "export: 1\nusers: []\nend: 0\n", "u:3: the end mark of an export is end: {users: N}, not a single value"},
		{"end's count", FormatYAML, "users: []\nend: {users: many}\n", "u:2: the end mark of an export is end: {users: N}: N is a count of users"},
		{"end's key", FormatYAML, "users: []\nend: {user: 1}\n", `u:2: unknown key "user" in the end mark`},
		{"csv start mark without version", FormatCSV, "#dqo-users export\nemail,accountRole\n#dqo-users end\n", "u:1: the start mark of an export has no version= cell"},
		{"csv start mark cell", FormatCSV, "#dqo-users export,version=1,colour=red\nemail,accountRole\n#dqo-users end\n", `u:1: unknown cell "colour=red" in the start mark`},
		{"csv start mark instance", FormatCSV, "#dqo-users export,version=1,instance=prod\nemail,accountRole\n#dqo-users end\n", `u:1: the start mark's instance: invalid DQOps URL "prod"`},
		{"csv start mark later", FormatCSV, "email,accountRole\n#dqo-users export,version=1\n", "u:2: the start mark of an export belongs on the first line"},
		{"csv end mark alone", FormatCSV, "#dqo-users export,version=1\n#dqo-users end,users=0\n", "u:1: the file holds no users"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("u", []byte(tt.data), tt.format)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
	}
}

// The CSV reader skips no comment: a row that starts with '#' is a user
// (refused here, as every email with '#' is, rather than dropped without a
// word, which a prune would take as a user to delete), and a cell that
// export guarded with a ' reads back as it was.
func TestParseCSVHashRows(t *testing.T) {
	t.Parallel()
	_, err := Parse("u.csv", []byte("email,accountRole\nana@example.com,editor\n#x@example.com,viewer\n'#y@example.com,viewer\n"), FormatCSV)
	for _, want := range []string{`u.csv:3: invalid email "#x@example.com"`, `u.csv:4: invalid email "#y@example.com"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %s", err, want)
		}
	}
	for raw, want := range map[string]string{"'#x@example.com": "#x@example.com", "''#x": "'#x", "'=1": "=1", " a@x.io ": "a@x.io", "#x": "#x"} {
		if got := csvCell(raw); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestDetectFormatOfExports(t *testing.T) {
	t.Parallel()
	for data, want := range map[string]Format{yamlExport: FormatYAML, jsonExport: FormatJSON, csvExport: FormatCSV,
		"#dqo-users export,version=1\n": FormatCSV} {
		if got := DetectFormat("-", []byte(data)); got != want {
			t.Errorf("DetectFormat(%.40q) = %s, want %s", data, got, want)
		}
	}
}
