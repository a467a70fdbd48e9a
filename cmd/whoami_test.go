package cmd_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestWhoami(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   sandbox.Options
		args   []string
		tty    bool
		key    string
		code   int
		stdout string
		outHas []string
		json   map[string]any // fields of the JSON output
		errHas []string
	}{
		// 1.13 without data domains: a TEAM licence, can_use_data_domains false.
		{name: "piped", args: []string{"whoami"},
			outHas: []string{"admin@example.com\tadmin\tsandbox\tTEAM\t1000\ttrue\ttrue\tfalse\t10\ttrue\thttp://127.0.0.1:", "\t1.13\n"}},
		{name: "terminal", args: []string{"whoami"}, tty: true,
			outHas: []string{"USER", "ROLE", "TENANT", "LICENCE", "USERS LIMIT", "CAN MANAGE ACCOUNT", "admin@example.com", "TEAM"}},
		{name: "json", args: []string{"whoami", "-o", "json"},
			json: map[string]any{"user": "admin@example.com", "account_role": "admin", "users_limit": 1000.0, "can_manage_account": true,
				"can_manage_users": true, "license_type": "TEAM", "can_use_data_domains": false, "api_release": "1.13"}},
		{name: "1.13 with data domains", opts: withDataDomains(), args: []string{"whoami", "-o", "json"},
			json: map[string]any{"license_type": "ENTERPRISE", "can_use_data_domains": true, "api_release": "1.13"}},
		{name: "1.13 with data domains, piped", opts: withDataDomains(), args: []string{"whoami"},
			outHas: []string{"admin@example.com\tadmin\tsandbox\tENTERPRISE\t1000\ttrue\ttrue\ttrue\t10\ttrue\thttp://127.0.0.1:"}},
		{name: "viewer", args: []string{"whoami", "-o", "json"}, key: "viewer",
			json: map[string]any{"user": "viewer@example.com", "account_role": "viewer", "can_manage_account": false}},
		{name: "1.0 licensed", opts: sandbox.Options{API: "1.0", UsersLimit: 7}, args: []string{"whoami", "-o", "json"},
			json: map[string]any{"license_type": "TEAM", "users_limit": 7.0, "api_release": "1.0"}},
		{name: "1.0 unlicensed: the 404 means not paired, 5", opts: sandbox.Options{API: "1.0", Unlicensed: true}, args: []string{"whoami"}, code: 5,
			errHas: []string{"not paired with DQOps Cloud", "TEAM or ENTERPRISE"}},
		{name: "1.13 unlicensed: a FREE profile", opts: sandbox.Options{Unlicensed: true}, args: []string{"whoami", "-o", "json"},
			json: map[string]any{"license_type": "FREE", "can_manage_account": false}},
		{name: "rejected key: 4", args: []string{"whoami"}, key: "dqo-sandbox-wrong", code: 4, errHas: []string{"rejected the API key"}},
		{name: "an argument: 2", args: []string{"whoami", "me"}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, tt.opts)
			inv := invocation{args: tt.args, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty}
			switch tt.key {
			case "":
			case "viewer":
				inv.env = map[string]string{"DQOPS_API_KEY": srv.ViewerKey()}
			default:
				inv.env = map[string]string{"DQOPS_API_KEY": tt.key}
			}
			r := c.exec(inv)
			expectCode(t, r, tt.code)
			if tt.stdout != "" && r.stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tt.stdout)
			}
			expectContains(t, "stdout", r.stdout, tt.outHas...)
			expectContains(t, "stderr", r.stderr, tt.errHas...)
			if tt.json != nil {
				var got map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
					t.Fatalf("%v\n%s", err, r)
				}
				for k, v := range tt.json {
					if got[k] != v {
						t.Errorf("%s = %v, want %v", k, got[k], v)
					}
				}
			}
			if tt.code == 0 {
				expectCalls(t, srv, "GET /api/environment/profile")
			}
		})
	}
}

// whoami -o wide on a terminal is one line of headers and one of values,
// however many columns: no cell wraps (it did at 160 columns).
func TestWhoamiWideDoesNotWrap(t *testing.T) {
	t.Parallel()
	_, c := setup(t, sandbox.Options{})
	r := c.exec(invocation{args: []string{"whoami", "-o", "wide", "--color", "never"}, tty: true})
	expectCode(t, r, 0)
	// One line a field, header then value: no line reaches 160 columns,
	// where one row of twelve columns would be over 200.
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 13 {
		t.Errorf("want a line for each of the 13 fields, the profile's included:\n%s", r.stdout)
	}
	for _, line := range lines {
		if len(line) >= 160 {
			t.Errorf("a line of %d columns: %q", len(line), line)
		}
	}
	expectContains(t, "whoami -o wide", r.stdout, "\nCAN CHANGE OWN PASSWORD   true\n", "\nAPI                       1.13\n")
	// The instance first: no profile names it here, DQOPS_URL does.
	if !strings.HasPrefix(r.stdout, "PROFILE                   (none)\nSERVER                    "+c.env["DQOPS_URL"]+"\nUSER                      admin@example.com\n") {
		t.Errorf("whoami -o wide:\n%s", r.stdout)
	}
	// Piped, a script still gets one line.
	r = c.exec(invocation{args: []string{"whoami"}})
	if n := strings.Count(r.stdout, "\n"); n != 1 || !strings.HasPrefix(r.stdout, "admin@example.com\tadmin\t") {
		t.Errorf("piped whoami:\n%q", r.stdout)
	}
}
