package cmd_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// (A tab is allowed where a format carries it quoted or as a separator: it
// moves the cursor no further than the line.)

// rawControl returns the first character of categories Cc, Cf, Zl or Zp in
// s that is not in allowed, or -1.
func rawControl(s, allowed string) rune {
	for _, r := range s {
		if r == utf8.RuneError || strings.ContainsRune(allowed, r) {
			continue
		}
		if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return r
		}
	}
	return -1
}

// A server whose users' emails carry escape sequences, bidi overrides,
// zero-width and other control or format characters cannot write them to
// the terminal through any output of the tool: tables, every machine
// format, --jq and --template, messages, errors and completion.
func TestServerTextNeverReachesTheTerminalRaw(t *testing.T) {
	t.Parallel()
	hostile := sandbox.ControlCharEmails()
	tests := []struct {
		name    string
		args    []string
		tty     bool
		allowed string // characters the format may carry on purpose
		lines   int    // how many lines stdout (or the messages on stderr) must have: -1 one a user, 0 unchecked
		header  bool   // and a header line
		marks   bool   // and an export's two marker rows
		words   bool   // each line one word, as xargs splits them
	}{
		{name: "terminal table", args: []string{"list", "--color", "never"}, tty: true, allowed: "\n"},
		{name: "piped table", args: []string{"list"}, allowed: "\n\t", lines: -1},
		{name: "wide", args: []string{"list", "-o", "wide", "--color", "never"}, tty: true, allowed: "\n"},
		{name: "json", args: []string{"list", "-o", "json"}, allowed: "\n"},
		{name: "yaml", args: []string{"list", "-o", "yaml"}, allowed: "\n\t"},
		{name: "csv", args: []string{"list", "-o", "csv"}, allowed: "\n", lines: -1, header: true},
		{name: "tsv", args: []string{"list", "-o", "tsv"}, allowed: "\n\t", lines: -1, header: true},
		{name: "name", args: []string{"list", "-o", "name"}, allowed: "\n", lines: -1, words: true},
		{name: "jq strings", args: []string{"list", "--jq", ".[].email"}, allowed: "\n\t", lines: -1, words: true},
		{name: "jq tsv", args: []string{"list", "--jq", ".[] | [.email, .accountRole] | @tsv"}, allowed: "\n\t", lines: -1},
		{name: "jq values", args: []string{"list", "--jq", ".[]"}, allowed: "\n"},
		{name: "template", args: []string{"list", "--template", "{{range .}}{{.email}}\n{{end}}"}, allowed: "\n\t", lines: -1, words: true},
		{name: "get", args: []string{"get", hostile[0]}, allowed: "\n\t"},
		{name: "get json", args: []string{"get", hostile[0], "-o", "json"}, allowed: "\n"},
		{name: "delete messages", args: []string{"delete", hostile[0], hostile[1], "--yes"}, allowed: "\n"},
		{name: "export", args: []string{"export"}, allowed: "\n\t"},
		{name: "export csv", args: []string{"export", "-o", "csv"}, allowed: "\n", lines: -1, header: true, marks: true},
		{name: "completion", args: []string{"__complete", "get", ""}, allowed: "\n\t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := setup(t, sandbox.Options{Faults: "GET /api/users control-chars; GET /api/users/* control-chars"})
			r := c.exec(invocation{args: tt.args, tty: tt.tty})
			for what, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				if ch := rawControl(text, tt.allowed); ch >= 0 {
					t.Errorf("%s carries U+%04X raw (exit %d):\n%q", what, ch, r.code, text)
				}
			}
			if r.stdout == "" && r.stderr == "" {
				t.Errorf("nothing printed (exit %d)", r.code)
			}
			// A server's line break makes no line of its own: no forged
			// message, no second user for `| xargs`.
			if tt.lines != 0 {
				text, want := r.stdout, tt.lines
				if tt.lines < 0 {
					var users []struct{ Email string }
					if err := json.Unmarshal([]byte(c.run("list", "-o", "json").stdout), &users); err != nil {
						t.Fatal(err)
					}
					want = len(users)
					if tt.header {
						want++
					}
					if tt.marks {
						// An export leaves out the users no request can name.
						want += 2
						for _, u := range users {
							if api.Reachable(u.Email) != nil {
								want--
							}
						}
					}
				} else if r.stdout == "" {
					text = r.stderr
				}
				if n := strings.Count(text, "\n"); n != want {
					t.Errorf("%d lines, want %d:\n%q", n, want, text)
				}
				for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
					if f := strings.Fields(line); tt.words && len(f) != 1 {
						t.Errorf("%q is %d words for xargs, want one", line, len(f))
					}
				}
			}
		})
	}
}

// A message that quotes a server's value keeps to its own line: an email
// or a profile holding a line break cannot forge the next message.
func TestMessagesKeepServerTextOnTheirLine(t *testing.T) {
	t.Parallel()
	forger := "evil\nDeleted user admin@example.com.\u202e@example.com"
	t.Run("delete, update, user-passwd", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{}, sandbox.User{Email: forger, AccountRole: "editor"})
		for _, args := range [][]string{
			{"update", forger, "--role", "viewer"},
			{"update", forger, "--role", "viewer"}, // already has it
			{"user-passwd", forger, "--password-stdin"},
			{"delete", forger, "--yes"},
		} {
			r := c.runStdin("pw\n", args...)
			expectCode(t, r, 0)
			if n := strings.Count(r.stderr, "\n"); n != 1 || rawControl(r.stderr, "\n") >= 0 {
				t.Errorf("%s: %d lines:\n%q", args[0], n, r.stderr)
			}
		}
	})
	t.Run("login", func(t *testing.T) {
		web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"user":"ev\u001b[31mil\u202e\nFAKE LINE@x.com","account_role":"admin","can_manage_users":true,"can_use_data_domains":false}`)
		}))
		t.Cleanup(web.Close)
		c := newCLI(t, nil)
		r := c.runStdin("k\n", "login", "--url", web.URL, "--with-token", "--insecure-storage")
		expectCode(t, r, 0)
		if n := strings.Count(r.stderr, "\n"); n != 1 || rawControl(r.stderr, "\n") >= 0 {
			t.Errorf("%d lines:\n%q", n, r.stderr)
		}
	})
}
