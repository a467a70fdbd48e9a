package cmd_test

// The audit log: one JSON line per change, whole even when runs write at
// once, never a key or a password, and no change without a log that can
// be written.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// auditPassword is a password recognisable wherever it might leak.
const auditPassword = "Pa55-UNIQUE-4711"

// auditLine is a line of the audit log, each field as the design names it.
type auditLine struct {
	Time     *string `json:"time"`
	Tool     *string `json:"tool"`
	Operator *struct {
		Email     *string `json:"email"`
		LocalUser *string `json:"localUser"`
		KeySource *string `json:"keySource"`
	} `json:"operator"`
	Instance *string         `json:"instance"`
	Profile  *string         `json:"profile"`
	Action   *string         `json:"action"`
	Email    *string         `json:"email"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
	Source   *struct {
		Command string `json:"command"`
		File    string `json:"file"`
		Plan    string `json:"plan"`
		SHA256  string `json:"sha256"`
	} `json:"source"`
	Outcome *string `json:"outcome"`
}

// readAudit reads the log at path, line by line, failing the test for a
// line that is not one whole JSON object.
func readAudit(t *testing.T, path string) ([]auditLine, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if text != "" && !strings.HasSuffix(text, "\n") {
		t.Errorf("the log does not end with a whole line:\n%s", text)
	}
	var lines []auditLine
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if l == "" {
			continue
		}
		var line auditLine
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&line); err != nil || dec.More() {
			t.Errorf("line %d is not one JSON object (%v): %q", i+1, err, l)
			continue
		}
		lines = append(lines, line)
	}
	return lines, text
}

// After create (with a password), update, delete, user-passwd and an apply
// of 5 changes, the log has one line per change with every field: the
// time in UTC, the tool, the operator (email, local user, where the key
// came from), the instance and profile, the action and email, the roles
// before and after as the action has them, the source (the command line,
// or the file and its SHA-256) and the outcome. No line holds the key or a
// password, and the file is the owner's alone.
func TestAuditLogRecordsEveryChange(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{}, ana, bo, cy, dee)
	c := newCLI(t, nil)
	c.env = prodConfig(t, srv)
	c.likeCI()
	log := filepath.Join(c.dir, "audit.log")
	c.env["DQOPS_AUDIT_LOG"] = log
	canonical, err := api.CanonicalURL(srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	expectCode(t, c.runStdin(auditPassword+"\n", "create", "new@corp.io", "--role", "viewer", "--password-stdin"), 0)
	expectCode(t, c.run("update", "ana@corp.io", "--role", "operator"), 0)
	expectCode(t, c.run("delete", "bo@corp.io", "--yes"), 0)
	expectCode(t, c.runStdin(auditPassword+"\n", "user-passwd", "cy@other.io", "--password-stdin"), 0)
	file := c.file("users.yaml", "users:\n- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: editor}\n"+
		"- {email: ana@corp.io, accountRole: viewer}\n- {email: cy@other.io, accountRole: none}\n"+
		"- {email: new@corp.io, accountRole: viewer}\n- {email: one@corp.io, accountRole: viewer}\n- {email: two@corp.io, accountRole: editor}\n")
	r := c.run("apply", "-f", file, "--prune", "--yes")
	expectExit(t, r, 0, "Applied: 2 created, 2 updated, 1 deleted")

	lines, text := readAudit(t, log)
	expectNotContains(t, "the audit log", text, srv.AdminKey(), auditPassword)
	if info, err := os.Stat(log); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the log's mode: %v %v, want 0600", info.Mode(), err)
	}
	type want struct{ action, email, source string }
	wants := []want{
		{"create", "new@corp.io", "dqo-users create new@corp.io --role viewer --password-stdin"},
		{"password-changed", "new@corp.io", "dqo-users create new@corp.io --role viewer --password-stdin"},
		{"update", "ana@corp.io", "dqo-users update ana@corp.io --role operator"},
		{"delete", "Bo@corp.io", "dqo-users delete bo@corp.io --yes"}, // the server's spelling
		{"password-changed", "cy@other.io", "dqo-users user-passwd cy@other.io --password-stdin"},
	}
	applied := []want{{"create", "one@corp.io", ""}, {"create", "two@corp.io", ""}, {"delete", "dee@corp.io", ""},
		{"update", "ana@corp.io", ""}, {"update", "viewer@example.com", ""}}
	if len(lines) != len(wants)+len(applied) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(wants)+len(applied), text)
	}
	// apply's lines come in the order the changes end: sorted here.
	tail := lines[len(wants):]
	slices.SortFunc(tail, func(a, b auditLine) int { return strings.Compare(*a.Action+*a.Email, *b.Action+*b.Email) })
	for i, l := range lines {
		w := applied[max(0, i-len(wants))]
		if i < len(wants) {
			w = wants[i]
		}
		line := fmt.Sprintf("line %d (%s %s)", i+1, w.action, w.email)
		if l.Time == nil || l.Tool == nil || l.Operator == nil || l.Instance == nil || l.Profile == nil || l.Action == nil ||
			l.Email == nil || l.Source == nil || l.Outcome == nil || l.Operator.Email == nil || l.Operator.LocalUser == nil || l.Operator.KeySource == nil {
			t.Errorf("%s lacks a field:\n%s", line, text)
			continue
		}
		if ts, err := time.Parse(time.RFC3339, *l.Time); err != nil || !strings.HasSuffix(*l.Time, "Z") || time.Since(ts) > time.Hour {
			t.Errorf("%s: time %q is not RFC 3339 in UTC, of now", line, *l.Time)
		}
		if *l.Tool != "dqo-users 1.2.3-test" || *l.Operator.Email != "admin@example.com" || *l.Operator.LocalUser == "" ||
			*l.Operator.KeySource != "profile" || *l.Instance != canonical || *l.Profile != "prod" || *l.Outcome != "done" {
			t.Errorf("%s: tool %q, operator %q %q %q, instance %q, profile %q, outcome %q", line, *l.Tool,
				*l.Operator.Email, *l.Operator.LocalUser, *l.Operator.KeySource, *l.Instance, *l.Profile, *l.Outcome)
		}
		if *l.Action != w.action || *l.Email != w.email {
			t.Errorf("%s: %s %s", line, *l.Action, *l.Email)
		}
		if hasBefore, hasAfter := l.Before != nil, l.After != nil; hasBefore != (w.action == "update" || w.action == "delete") ||
			hasAfter != (w.action == "update" || w.action == "create") {
			t.Errorf("%s: before %s, after %s", line, l.Before, l.After)
		}
		switch {
		case w.source != "" && (l.Source.Command != w.source || l.Source.File != "" || l.Source.SHA256 != ""):
			t.Errorf("%s: source %+v, want the command %q", line, *l.Source, w.source)
		case w.source == "" && (l.Source.File != file || len(l.Source.SHA256) != 64 || l.Source.Command != ""):
			t.Errorf("%s: source %+v, want the file and its SHA-256", line, *l.Source)
		}
	}
	if got := string(lines[2].After); got != `{"accountRole":"operator"}` {
		t.Errorf("update's after: %s", got)
	}
}

// Two applies writing to one log at once, each its own file of changes,
// leave only whole lines: one per change.
func TestAuditLogConcurrentAppliesLeaveWholeLines(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{UsersLimit: 200})
	log := filepath.Join(c.dir, "audit.log")
	const each = 40
	var files []string
	for run := range 2 {
		var b strings.Builder
		for i := range each {
			// Long emails make long lines, which interleave if anything does.
			fmt.Fprintf(&b, "- {email: run%d-user%02d-%s@corp.io, accountRole: viewer}\n", run, i, strings.Repeat("x", 40))
		}
		files = append(files, c.file(fmt.Sprintf("run%d.yaml", run), b.String()))
	}
	var wg sync.WaitGroup
	results := make([]result, len(files))
	for i, f := range files {
		wg.Go(func() { results[i] = c.run("apply", "-f", f, "--yes", "--parallel", "8", "--audit-log", log) })
	}
	wg.Wait()
	for _, r := range results {
		expectCode(t, r, 0)
	}
	lines, _ := readAudit(t, log)
	seen := map[string]bool{}
	for _, l := range lines {
		if l.Email != nil {
			seen[*l.Email] = true
		}
	}
	if len(lines) != 2*each || len(seen) != 2*each {
		t.Errorf("%d lines for %d users, want %d of each", len(lines), len(seen), 2*each)
	}
	if n := srv.countCalls("POST", "/api/users"); n != 2*each {
		t.Errorf("%d creates, want %d", n, 2*each)
	}
}

// A log that cannot be opened (its directory is a regular file) means
// nothing is sent: each write command exits 1 naming the file.
func TestAuditLogUnwritableSendsNothing(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{}, ana, bo)
	// CI runs as root, which a read-only directory would not stop: a path
	// under a regular file cannot be created by anyone.
	log := filepath.Join(c.file("not-a-directory", ""), "audit.log")
	file := c.file("users.yaml", "- {email: new@corp.io, accountRole: viewer}\n")
	for _, args := range [][]string{
		{"create", "new@corp.io", "--role", "viewer"},
		{"update", "ana@corp.io", "--role", "viewer"},
		{"delete", "ana@corp.io", "--yes"},
		{"delete", "ana@corp.io", "bo@corp.io", "--yes"},
		{"user-passwd", "ana@corp.io", "--password-stdin"},
		{"passwd", "--password-stdin"},
		{"apply", "-f", file, "--yes"},
	} {
		srv.ResetRequests()
		r := c.runStdin(auditPassword+"\n", append(args, "--audit-log", log)...)
		expectExit(t, r, 1, "audit log "+log+": ", "nothing was changed")
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("%v: writes sent: %v", args, w)
		}
	}
	// From the environment and the profile too.
	for what, env := range map[string]map[string]string{
		"DQOPS_AUDIT_LOG": {"DQOPS_AUDIT_LOG": log},
		"audit_log":       prodConfig(t, srv, "audit_log: "+log),
	} {
		srv.ResetRequests()
		if what == "audit_log" {
			env["DQOPS_URL"], env["DQOPS_API_KEY"] = "", ""
		}
		r := c.exec(invocation{args: []string{"update", "ana@corp.io", "--role", "viewer"}, env: env})
		expectExit(t, r, 1, "audit log "+log)
		if w := srv.writes(); len(w) != 0 {
			t.Errorf("%s: writes sent: %v", what, w)
		}
	}
}

// waitLine reads one line from a pipe, failing the test after a minute.
func waitLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		line, _ := r.ReadString('\n')
		got <- line
	}()
	select {
	case line := <-got:
		return line
	case <-time.After(time.Minute):
		t.Fatal("no line came through the pipe")
		return ""
	}
}

// A change the server refused is logged as failed, with its status and
// error; a change cut short by Ctrl-C while its request was out is logged
// as unknown, since the server may or may not have made it.
func TestAuditLogFailedAndUnknown(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, sandbox.Options{Faults: "PUT /api/users/ana@corp.io 400 x1"}, ana)
	// The create is held from the sandbox until the run has ended.
	ended := make(chan struct{})
	defer close(ended)
	srv.onRequest(func(r *http.Request) {
		if r.Method == http.MethodPost {
			<-ended
		}
	})
	log := filepath.Join(c.dir, "audit.log")
	file := c.file("u.yaml", "- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n"+
		"- {email: ana@corp.io, accountRole: viewer}\n- {email: new@corp.io, accountRole: viewer}\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errOut := &lockedBuffer{}
	run := c.start(invocation{args: []string{"apply", "-f", file, "--yes", "--audit-log", log}, ctx: ctx, stderr: errOut})
	// Ctrl-C once the update has failed, while the create is out.
	run.waitForOutput(t, errOut, `error: updating user "ana@corp.io": server answered 400`, time.Minute)
	cancel()
	r := run.result()
	expectCode(t, r, 130)
	outcomes := map[string]map[string]any{}
	data, _ := os.ReadFile(log)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		outcomes[l["email"].(string)] = l
	}
	if l := outcomes["ana@corp.io"]; l == nil || l["outcome"] != "failed" || l["status"] != 400.0 ||
		!strings.Contains(fmt.Sprint(l["error"]), "server answered 400") {
		t.Errorf("the refused update: %v\n%s", l, data)
	}
	if l := outcomes["new@corp.io"]; l == nil || l["outcome"] != "unknown" {
		t.Errorf("the create cut short: %v\n%s", l, data)
	}
}
