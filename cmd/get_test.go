package cmd_test

import (
	"encoding/json"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		tty     bool
		faults  string
		code    int
		stdout  string // exact, when not empty
		json    any    // stdout decoded, when not nil
		outHas  []string
		errHas  []string
		errNot  []string
		calls   []string
		rawPath string // of the first request, when not empty
	}{
		{name: "one, piped", args: []string{"get", "ana@corp.io"}, stdout: "ana@corp.io\teditor\t\n",
			calls: []string{"GET /api/users/ana@corp.io"}},
		{name: "one, terminal", args: []string{"get", "ana@corp.io"}, tty: true, outHas: []string{"EMAIL", "ROLE", "ana@corp.io", "editor"},
			calls: []string{"GET /api/users/ana@corp.io"}},
		{name: "one as JSON is an object", args: []string{"get", "ana@corp.io", "-o", "json"},
			json:  map[string]any{"email": "ana@corp.io", "accountRole": "editor", "dataDomainRoles": map[string]any{}},
			calls: []string{"GET /api/users/ana@corp.io"}},
		{name: "several as JSON is an array in the order given", args: []string{"get", "cy@other.io", "ana@corp.io", "-o", "json"},
			json: []any{
				map[string]any{"email": "cy@other.io", "accountRole": "none", "dataDomainRoles": map[string]any{}},
				map[string]any{"email": "ana@corp.io", "accountRole": "editor", "dataDomainRoles": map[string]any{}},
			},
			calls: []string{"GET /api/users/cy@other.io", "GET /api/users/ana@corp.io"}},
		{name: "several, piped", args: []string{"get", "ana@corp.io", "cy@other.io"}, stdout: "ana@corp.io\teditor\t\ncy@other.io\tnone\t\n",
			calls: []string{"GET /api/users/ana@corp.io", "GET /api/users/cy@other.io"}},
		{name: "sent as typed, found ignoring case", args: []string{"get", "ANA@Corp.io"}, stdout: "ana@corp.io\teditor\t\n",
			calls: []string{"GET /api/users/ANA@Corp.io"}},
		{name: "a plus sign travels in the path", args: []string{"get", "a+b@corp.io"}, code: 6,
			calls: []string{"GET /api/users/a+b@corp.io", "GET /api/users"}, rawPath: "/api/users/a+b@corp.io"},
		{name: "missing", args: []string{"get", "nobody@corp.io"}, code: 6,
			errHas: []string{`error: user "nobody@corp.io" not found`, "hint: `dqo-users list`"},
			calls:  []string{"GET /api/users/nobody@corp.io", "GET /api/users"}},
		{name: "one of several missing: the others are shown", args: []string{"get", "ana@corp.io", "nobody@corp.io", "cy@other.io"}, code: 6,
			stdout: "ana@corp.io\teditor\t\ncy@other.io\tnone\t\n", errHas: []string{`user "nobody@corp.io" not found`},
			calls: []string{"GET /api/users/ana@corp.io", "GET /api/users/nobody@corp.io", "GET /api/users", "GET /api/users/cy@other.io"}},
		{name: "every failure reported, the first's code", args: []string{"get", "ana@corp.io", "nobody@corp.io"}, faults: "GET /api/users/ana@corp.io 500",
			code: 1, errHas: []string{`getting user "ana@corp.io": server answered 500`, `user "nobody@corp.io" not found`},
			calls: []string{"GET /api/users/ana@corp.io", "GET /api/users/nobody@corp.io", "GET /api/users"}},
		{name: "all missing, JSON: an empty array and one error object each", args: []string{"get", "x@corp.io", "y@corp.io", "-o", "json"}, code: 6,
			json: []any{}, errHas: []string{`"message":"user \"x@corp.io\" not found"`, `"message":"user \"y@corp.io\" not found"`},
			calls: []string{"GET /api/users/x@corp.io", "GET /api/users", "GET /api/users/y@corp.io"}},
		{name: "no email", args: []string{"get"}, code: 2, errHas: []string{"EMAIL is missing: dqo-users get takes one EMAIL or more"}, calls: []string{}},
		{name: "bad email among good ones: nothing sent", args: []string{"get", "ana@corp.io", ""}, code: 2,
			errHas: []string{"empty email address"}, calls: []string{}},
		{name: "any email a user may have is asked for", args: []string{"get", "Ana <ana@corp.io>"}, code: 6,
			errHas: []string{`user "Ana <ana@corp.io>" not found`}, calls: []string{"GET /api/users/Ana <ana@corp.io>", "GET /api/users"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{Faults: tt.faults}, ana, cy)
			r := c.exec(invocation{args: tt.args, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty})
			expectCode(t, r, tt.code)
			if tt.stdout != "" && r.stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tt.stdout)
			}
			if tt.json != nil {
				var got any
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
					t.Fatalf("stdout is not JSON: %v\n%s", err, r)
				}
				if !jsonEqual(got, tt.json) {
					t.Errorf("stdout %s, want %v", r.stdout, tt.json)
				}
			}
			if tt.code != 0 && tt.stdout == "" && tt.json == nil && r.stdout != "" {
				t.Errorf("stdout should be empty:\n%s", r)
			}
			expectContains(t, "stdout", r.stdout, tt.outHas...)
			expectContains(t, "stderr", r.stderr, tt.errHas...)
			expectCalls(t, srv, tt.calls...)
			if tt.rawPath != "" {
				if got := srv.Requests()[0].RawPath; got != tt.rawPath {
					t.Errorf("raw path %q, want %q", got, tt.rawPath)
				}
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
