package cmd_test

// A cut-off export never deletes anyone, requests are never built from an
// email no request can name, and nothing the server sends reaches the
// terminal raw.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/output/outputtest"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// endMarks are where each format's end mark starts, written only after the
// last user.
var endMarks = map[string]string{"yaml": "\nend: {users: ", "json": "\n  \"end\": {", "csv": "\n#dqo-users end,users="}

// An export cut anywhere before its end mark, in YAML, JSON or CSV, read
// with its format given or found from its content, is refused by apply
// --prune --yes (exit 2) before any request: at every user boundary, every
// line boundary and every place inside a line (a user's grants cut short
// included). A cut inside the end mark holds every user: it may be refused
// or found in sync, and sends no write either way.
func TestCutExportIsNeverApplied(t *testing.T) {
	t.Parallel()
	users := []sandbox.User{ana, bo, cy, domUserRecord(), {Email: "eve@corp.io", AccountRole: "viewer",
		DataDomainRoles: map[string]string{"hr": "editor", "marketing": "viewer", "sales": "viewer"}}}
	for _, format := range []string{"yaml", "json", "csv"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			srv, c := setupCI(t, withDataDomains(), users...)
			export := c.run("export", "-o", format).stdout
			end := strings.LastIndex(export, endMarks[format])
			if end < 0 {
				t.Fatalf("the export has no end mark %q:\n%s", endMarks[format], export)
			}
			srv.ResetRequests()
			whole := 0
			for cut := range len(export) {
				// Every other cut is read with its format given, the others
				// with the format found from the content, as from a pipe.
				args := []string{"apply", "-f", "-", "--prune", "--yes", "--format", format}
				if cut%2 == 1 {
					args = args[:5]
				}
				r := c.runStdin(export[:cut], args...)
				where := fmt.Sprintf("cut after %d of %d bytes (%q), %v", cut, len(export), cutEnd(export[:cut]), args[5:])
				switch {
				case cut <= end && r.code != 2:
					t.Errorf("%s: exit %d, want 2\n%s", where, r.code, r.stderr)
				case cut > end && r.code != 2 && r.code != 0:
					t.Errorf("%s: exit %d\n%s", where, r.code, r.stderr)
				case r.code == 0:
					whole++
				}
				if calls := srv.calls(); cut <= end && len(calls) > 0 {
					t.Fatalf("%s: requests sent: %v", where, calls)
				}
				if w := srv.writes(); len(w) > 0 {
					t.Fatalf("%s: writes sent: %v", where, w)
				}
			}
			t.Logf("%d cuts, %d inside the end mark found whole", len(export), whole)
		})
	}
}

// cutEnd is the end of a cut file, for a message.
func cutEnd(s string) string {
	if len(s) > 40 {
		return "..." + s[len(s)-40:]
	}
	return s
}

// dirHolds fails the test when dir holds other files than names.
func dirHolds(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// export --to FILE after a stream that breaks off (cut by the server, or by
// a fault of the sandbox) or that Ctrl-C stops leaves the old FILE byte for
// byte as it was, and no temporary file beside it; a whole export replaces
// it.
func TestExportToLeavesTheOldFileOnFailure(t *testing.T) {
	t.Parallel()
	const old = "users:\n- {email: old@corp.io, accountRole: viewer}\n"
	oldFile := func(t *testing.T) (string, string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "users.yaml")
		if err := os.WriteFile(path, []byte(old), 0o640); err != nil {
			t.Fatal(err)
		}
		return dir, path
	}
	untouched := func(t *testing.T, dir, path string) {
		t.Helper()
		data, err := os.ReadFile(path)
		if err != nil || string(data) != old {
			t.Errorf("%s now holds %q (%v)", path, data, err)
		}
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v (%v)", path, info.Mode(), err)
		}
		dirHolds(t, dir, "users.yaml")
	}
	for _, format := range []string{"yaml", "json", "csv"} {
		t.Run("cut off by the server, "+format, func(t *testing.T) {
			t.Parallel()
			c := listAnswer(t, cutOffAfter13Users)
			dir, path := oldFile(t)
			r := c.run("export", "-o", format, "--to", path)
			expectExit(t, r, 1, "the body was cut off", path+" was left as it was")
			// What was received went to the temporary file, not to path.
			expectNotContains(t, "stderr", r.stderr, "written before")
			untouched(t, dir, path)
		})
	}
	t.Run("a truncated answer", func(t *testing.T) {
		t.Parallel()
		_, c := setupCI(t, sandbox.Options{Faults: "GET /api/users truncated"})
		dir, path := oldFile(t)
		r := c.run("export", "--to", path)
		if r.code == 0 {
			t.Errorf("exit 0 after a truncated answer:\n%s", r)
		}
		untouched(t, dir, path)
	})
	t.Run("Ctrl-C", func(t *testing.T) {
		t.Parallel()
		sent := make(chan struct{})
		c := listAnswer(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `[{"email":"admin@example.com","accountRole":"admin"}`)
			for i := range 3000 {
				fmt.Fprintf(w, `,{"email":"user%05d@example.com","accountRole":"editor"}`, i)
			}
			w.(http.Flusher).Flush()
			close(sent)
			<-r.Context().Done()
		})
		dir, path := oldFile(t)
		ctx, cancel := context.WithCancelCause(context.Background())
		defer cancel(nil)
		run := c.start(invocation{args: []string{"export", "--to", path}, ctx: ctx})
		within(t, sent, time.Minute, "the first users")
		cancel(cmd.Signal{Signal: os.Interrupt})
		r := run.result()
		expectExit(t, r, 130, "error: interrupted; "+path+" was left as it was\n")
		expectNotContains(t, "stderr", r.stderr, "written before")
		untouched(t, dir, path)
	})
	t.Run("whole", func(t *testing.T) {
		t.Parallel()
		_, c := setupCI(t, sandbox.Options{}, ana)
		dir, path := oldFile(t)
		expectExit(t, c.run("export", "--to", path), 0, "Wrote 3 users to "+path)
		data, _ := os.ReadFile(path)
		expectContains(t, path, string(data), "- email: ana@corp.io\n", "\nend: {users: 3}\n")
		dirHolds(t, dir, "users.yaml")
	})
}

// A server that lists users whose email no request path can hold ("",
// none at all, ".", "..", a NUL) and a user twice: apply --prune names
// them once in a warning and sends no request about them, and deletes the
// user listed twice once.
func TestApplyPruneSendsNoRequestForAnUnreachableEmail(t *testing.T) {
	t.Parallel()
	const list = `[{"email":"admin@example.com","accountRole":"admin"},{"email":"","accountRole":"viewer"},{"accountRole":"viewer"},` +
		`{"email":".","accountRole":"viewer"},{"email":"..","accountRole":"editor"},{"email":"a\u0000b@x.io","accountRole":"viewer"},` +
		`{"email":"ana@corp.io","accountRole":"editor"},{"email":"ana@corp.io","accountRole":"editor"}]`
	srv := serveSandbox(t, sandbox.Options{}, serving{wrap: func(sb http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Path == "/api/users" {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, list)
				return
			}
			sb.ServeHTTP(w, r)
		})
	}}, ana)
	c := newCLI(t, srv).likeCI()
	file := c.file("users.yaml", "users:\n- {email: admin@example.com, accountRole: admin}\n")
	r := c.run("diff", "-f", file, "--prune")
	expectExit(t, r, 10, `warning: the server lists 5 users whose email no request can name ("", "", ".", "..", "a\x00b@x.io")`)
	expectContains(t, "plan", r.stdout, "- delete ana@corp.io (editor)\nPlan: 0 to create, 0 to update, 1 to delete, 1 unchanged.")
	srv.ResetRequests()
	r = c.run("apply", "-f", file, "--prune", "--yes")
	expectExit(t, r, 0, "Applied: 0 created, 0 updated, 1 deleted")
	if n := strings.Count(r.stderr, "whose email no request can name"); n != 1 {
		t.Errorf("the warning came %d times:\n%s", n, r.stderr)
	}
	// Every request but the list, which is answered in front of it,
	// reached the sandbox.
	expectCalls(t, srv, "GET /api/environment/profile", "DELETE /api/users/ana@corp.io")
}

// hostileStrings are the hostile strings of the trust tests: those each
// writer is tested with (outputtest.Hostiles), and the emails of the
// sandbox's control-chars answer.
func hostileStrings() []string {
	var out []string
	for _, h := range outputtest.Hostiles {
		out = append(out, h.S)
	}
	return append(out, sandbox.ControlCharEmails()...)
}

// hostileList is a list of users whose emails, roles and data domains each
// hold a hostile string, besides the admin.
func hostileList() string {
	var b strings.Builder
	b.WriteString(`[{"email":"admin@example.com","accountRole":"admin","dataDomainRoles":{"(default)":"admin"}}`)
	for i, h := range hostileStrings() {
		email, _ := json.Marshal(fmt.Sprintf("u%02d%s@example.com", i, h))
		role, _ := json.Marshal("editor" + h)
		domain, _ := json.Marshal("sales" + h)
		fmt.Fprintf(&b, `,{"email":%s,"accountRole":%s,"dataDomainRoles":{"(default)":"viewer",%s:"editor"}}`, email, role, domain)
	}
	b.WriteString("]")
	return b.String()
}

// Completion's descriptions, diff -o json and every --debug line keep each
// hostile string a server may put in an email, a role or a data domain's
// name from the terminal: none of their characters comes through raw.
func TestHostileStringsNeverReachTheTerminalRaw(t *testing.T) {
	t.Parallel()
	list := hostileList()
	c := listAnswer(t, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, list) })
	c.likeCI()
	file := c.file("users.yaml", "users:\n- {email: admin@example.com, accountRole: admin}\n")
	for _, args := range [][]string{
		{"__complete", "get", ""},
		{"__complete", "delete", "u"},
		{"diff", "-f", file, "--prune", "-o", "json"},
		{"diff", "-f", file, "--prune", "--debug"},
		{"list", "--debug"},
		{"list", "-o", "json", "--debug"},
		{"export", "--debug"},
	} {
		r := c.run(args...)
		if r.code != 0 && r.code != 10 {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		for what, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
			if ch := rawControl(text, "\n\t"); ch >= 0 {
				t.Errorf("%v: %s carries U+%04X raw:\n%q", args, what, ch, text)
			}
			if raw := outputtest.RawIn(text); raw != "" {
				t.Errorf("%v: %s carries %q raw", args, what, raw)
			}
		}
		if args[0] == "__complete" && strings.Count(r.stdout, "\t") < len(hostileStrings()) {
			t.Errorf("%v: the completions have no descriptions:\n%s", args, r.stdout)
		}
		if slices.Contains(args, "--debug") && !strings.Contains(r.stderr, "debug: ") {
			t.Errorf("%v: no trace:\n%s", args, r.stderr)
		}
	}
}
