package cmd_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// create, update, delete, user-passwd and passwd take -o json|yaml: what
// was done goes to stdout as one object per user (an array for a command
// given several emails), messages stay on stderr, and errors are JSON
// objects there.
func TestWriteCommandsPrintWhatWasDone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string // the JSON on stdout, compared as values
	}{
		{name: "create", args: []string{"create", "new@corp.io", "--role", "editor", "-o", "json"},
			want: `{"action":"created","user":{"email":"new@corp.io","accountRole":"editor","dataDomainRoles":{}},"before":null}`},
		{name: "update", args: []string{"update", "ana@corp.io", "--role", "viewer", "-o", "json"},
			want: `{"action":"updated","user":{"email":"ana@corp.io","accountRole":"viewer","dataDomainRoles":{}},"before":{"email":"ana@corp.io","accountRole":"editor","dataDomainRoles":{}}}`},
		{name: "update without a change", args: []string{"update", "ana@corp.io", "--role", "editor", "-o", "json"},
			want: `{"action":"unchanged","user":{"email":"ana@corp.io","accountRole":"editor","dataDomainRoles":{}},"before":{"email":"ana@corp.io","accountRole":"editor","dataDomainRoles":{}}}`},
		{name: "delete one", args: []string{"delete", "ana@corp.io", "--yes", "-o", "json"},
			want: `{"action":"deleted","user":{"email":"ana@corp.io","accountRole":"editor","dataDomainRoles":{}},"before":{"email":"ana@corp.io","accountRole":"editor","dataDomainRoles":{}}}`},
		{name: "delete several", args: []string{"delete", "ana@corp.io", "Bo@corp.io", "--yes", "-o", "json"},
			want: `[{"action":"deleted","user":{"email":"ana@corp.io","accountRole":"editor","dataDomainRoles":{}},"before":{"email":"ana@corp.io","accountRole":"editor","dataDomainRoles":{}}},` +
				`{"action":"deleted","user":{"email":"Bo@corp.io","accountRole":"operator","dataDomainRoles":{}},"before":{"email":"Bo@corp.io","accountRole":"operator","dataDomainRoles":{}}}]`},
		{name: "user-passwd", args: []string{"user-passwd", "ana@corp.io", "--password-stdin", "-o", "json"}, stdin: "pw\n",
			want: `{"action":"password-changed","user":{"email":"ana@corp.io"},"before":null}`},
		{name: "passwd", args: []string{"passwd", "--password-stdin", "-o", "json"}, stdin: "pw\n",
			want: `{"action":"password-changed","user":{"email":"admin@example.com"},"before":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := setup(t, sandbox.Options{}, ana, bo)
			r := c.runStdin(tt.stdin, tt.args...)
			expectCode(t, r, 0)
			var got, want any
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, r)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(got, want) {
				t.Errorf("stdout %s\nwant   %s", r.stdout, tt.want)
			}
			if r.stderr == "" || strings.Contains(r.stderr, "{") {
				t.Errorf("the message belongs on stderr, as a sentence: %q", r.stderr)
			}
		})
	}
	// The user after a write is the model the server now holds, as get
	// shows it: on an instance with data domains every domain, "none"
	// where not granted; from DQOps 1.0 no dataDomainRoles at all.
	for _, fl := range []struct {
		name string
		opts sandbox.Options
	}{{"with data domains", withDataDomains()}, {"1.0", sandbox.Options{API: sandbox.API10}}} {
		t.Run("the user after, "+fl.name, func(t *testing.T) {
			srv, c := setup(t, fl.opts, ana)
			writes := [][]string{{"update", "ana@corp.io", "--role", "viewer"}, {"create", "new@corp.io", "--role", "editor"}}
			if fl.opts.API == "" {
				writes[0] = append(writes[0], "--domain-role", "sales=editor")
			}
			for _, args := range writes {
				r := c.run(append(args, "-o", "json")...)
				expectCode(t, r, 0)
				var done struct {
					User json.RawMessage `json:"user"`
				}
				if err := json.Unmarshal([]byte(r.stdout), &done); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, r)
				}
				got := c.run("get", args[1], "-o", "json")
				var after, shown any
				_ = json.Unmarshal(done.User, &after)
				_ = json.Unmarshal([]byte(got.stdout), &shown)
				if !jsonEqual(after, shown) {
					t.Errorf("%v -o json: user %s\nget shows %s", args, done.User, got.stdout)
				}
				if has := strings.Contains(string(done.User), "dataDomainRoles"); has != (fl.opts.API == "") {
					t.Errorf("%v -o json: user %s", args, done.User)
				}
			}
			if fl.opts.API == "" {
				expectContains(t, "requests", strings.Join(srv.calls(), "\n"), "GET /api/users/new@corp.io")
			}
		})
	}
	t.Run("yaml", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{}, ana)
		r := c.run("update", "ana@corp.io", "--role", "viewer", "-o", "yaml")
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "action: updated\n", "user:\n  email: ana@corp.io\n  accountRole: viewer\n")
	})
	t.Run("an error is a JSON object", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{})
		r := c.run("delete", "nobody@corp.io", "--yes", "-o", "json")
		expectCode(t, r, 6)
		if r.stdout != "" || !strings.HasPrefix(r.stderr, `{"error":{"code":"not_found"`) {
			t.Errorf("%s", r)
		}
	})
	t.Run("a bad format", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{})
		expectExit(t, c.run("create", "x@corp.io", "--role", "viewer", "-o", "csv"), 2, `invalid argument "csv" for "-o, --output" flag: unknown format "csv": use json or yaml`)
	})
}
