package cmd_test

import (
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestDiffPlanGolden(t *testing.T) {
	t.Parallel()
	srv, c := planSandbox(t)
	path := c.file("team.yaml", planYAML)
	for _, tt := range []struct {
		golden string
		args   []string
	}{
		{"diff.txt", []string{"diff", "-f", path}},
		{"diff_prune.txt", []string{"diff", "-f", path, "--prune"}},
		{"diff_prune.json", []string{"diff", "-f", path, "--prune", "-o", "json"}},
		{"diff_prune_force.txt", []string{"diff", "-f", path, "--prune", "--force"}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			r := c.run(tt.args...)
			expectExit(t, r, 10)
			if r.stderr != "" {
				t.Errorf("diff wrote to stderr:\n%s", r)
			}
			golden(t, tt.golden, r.stdout)
		})
	}
	// apply --dry-run prints the same plan and sends no write request.
	srv.ResetRequests()
	r := c.run("apply", "-f", path, "--prune", "--dry-run")
	expectExit(t, r, 0, "Dry run: nothing was changed.")
	golden(t, "diff_prune.txt", r.stdout)
	if w := srv.writes(); len(w) != 0 {
		t.Errorf("--dry-run sent writes %v", w)
	}
	// Even with --yes, which would let the deletions go ahead.
	srv.ResetRequests()
	r = c.run("apply", "-f", path, "--prune", "--dry-run", "--yes")
	expectExit(t, r, 0, "Dry run: nothing was changed.")
	if w := srv.writes(); len(w) != 0 {
		t.Errorf("--dry-run --yes sent writes %v", w)
	}
	// The profile, one list call, and the data domains the file's grants
	// are checked against: no per-user reads.
	var reads []string
	for _, req := range srv.Requests() {
		reads = append(reads, req.Method+" "+req.Path)
	}
	if strings.Join(reads, ",") != "GET /api/environment/profile,GET /api/users,GET /api/domains/" {
		t.Errorf("requests %v, want the profile, one list and the data domains", reads)
	}
}

func TestDiffInSync(t *testing.T) {
	t.Parallel()
	_, c := setupNoColor(t, sandbox.Options{})
	path := c.file("u.yaml", "- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n")
	r := c.run("diff", "-f", path, "--prune")
	expectExit(t, r, 0, "No changes: the server matches")
	if r.stdout != "" {
		t.Errorf("in sync, diff prints nothing on stdout\n%s", r)
	}
	r = c.run("diff", "-f", path, "-o", "json")
	expectExit(t, r, 0)
	if !strings.Contains(r.stdout, `"inSync": true`) || !strings.Contains(r.stdout, `"changes": []`) {
		t.Errorf("json plan in sync:\n%s", r)
	}
	// Errors are not exit 10: a bad key is 4.
	r = c.exec(invocation{args: []string{"diff", "-f", path, "-o", "json"}, env: map[string]string{"DQOPS_API_KEY": "dqo-sandbox-wrong"}})
	expectExit(t, r, 4, `"code":"auth"`)
}

func TestDiffAndExportOnATerminal(t *testing.T) {
	t.Parallel()
	_, c := setupNoColor(t, sandbox.Options{})
	path := c.file("u.yaml", "- {email: ana@example.com, accountRole: editor}\n- {email: viewer@example.com, accountRole: none}\n")
	color := map[string]string{"NO_COLOR": ""}
	r := c.exec(invocation{args: []string{"diff", "-f", path}, tty: true, env: color})
	expectExit(t, r, 10)
	if !strings.Contains(r.stdout, "\x1b[32m+ create ana@example.com (editor)\x1b[0m") || !strings.Contains(r.stdout, "\x1b[33m~ update viewer@example.com") {
		t.Errorf("on a terminal the plan is coloured\n%q", r.stdout)
	}
	piped := c.exec(invocation{args: []string{"diff", "-f", path}, env: map[string]string{"NO_COLOR": ""}})
	if strings.Contains(piped.stdout, "\x1b[") {
		t.Errorf("piped, the plan has no colour\n%q", piped.stdout)
	}
	// export writes the same file on a terminal and piped.
	if a, b := c.exec(invocation{args: []string{"export"}, tty: true, env: color}).stdout, c.run("export").stdout; a != b || a == "" {
		t.Errorf("export differs on a terminal:\n%s\npiped:\n%s", a, b)
	}
}
