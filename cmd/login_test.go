package cmd_test

import (
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestLogin(t *testing.T) {
	t.Run("with a token: stored 0600, current, used afterwards", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		key := srv.AdminKey()
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath} // no URL or key in the environment
		r := c.runStdin("  "+key+"\n", "login", "--url", srv.URL+"/", "--with-token")
		expectCode(t, r, 0)
		if r.stdout != "" {
			t.Errorf("login printed on stdout:\n%s", r)
		}
		expectContains(t, "stderr", r.stderr, "Logged in to "+srv.URL+" as admin@example.com (admin)", `profile "default"`)
		expectNotContains(t, "stderr", r.stderr, key)
		cfg := readConfig(t, c.configPath)
		expectContains(t, "config", cfg, "current_profile: default", "url: "+srv.URL+"\n", "api_key: "+key+"\n")
		expectCalls(t, srv, "GET /api/environment/profile")

		r = c.run("whoami")
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "admin@example.com")
	})
	t.Run("a second profile becomes current and keeps the first", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		other := startSandbox(t, sandbox.Options{API: "1.0"})
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--url", srv.URL, "--with-token"), 0)
		r := c.runStdin(other.ViewerKey(), "login", "--url", other.URL, "--profile", "staging", "--with-token")
		expectCode(t, r, 0)
		expectContains(t, "stderr", r.stderr, "as viewer@example.com (viewer)", `profile "staging"`)
		cfg := readConfig(t, c.configPath)
		expectContains(t, "config", cfg, "current_profile: staging", srv.AdminKey(), other.ViewerKey())
		r = c.run("whoami", "-o", "json")
		expectContains(t, "stdout", r.stdout, `"user": "viewer@example.com"`, `"api_release": "1.0"`)
		r = c.run("whoami", "-o", "json", "--profile", "default")
		expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)
		r = c.exec(invocation{args: []string{"whoami", "-o", "json"}, env: map[string]string{"DQOPS_PROFILE": "default"}})
		expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)
	})
	t.Run("verifies the given key, not the environment's", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = "dqo-sandbox-not-a-key"
		r := c.runStdin(srv.ViewerKey(), "login", "--with-token")
		expectCode(t, r, 0)
		expectContains(t, "config", readConfig(t, c.configPath), srv.ViewerKey())
	})

	failures := []struct {
		name   string
		opts   sandbox.Options
		key    func(*testServer) string
		args   []string
		tty    bool
		code   int
		errHas []string
		calls  []string
	}{
		{name: "401: 4, nothing stored", key: func(*testServer) string { return "dqo-sandbox-wrong" }, code: 4,
			errHas: []string{"the server rejected the API key (401): nothing was stored"}, calls: []string{"GET /api/environment/profile"}},
		{name: "403: 5, nothing stored", key: func(s *testServer) string { k, _ := s.KeyFor("nobody-role@corp.io"); return k }, code: 5,
			errHas: []string{"(403): nothing was stored"}, calls: []string{"GET /api/environment/profile"}},
		{name: "404 (1.0 unlicensed): 5, nothing stored", opts: sandbox.Options{API: "1.0", Unlicensed: true},
			key: func(s *testServer) string { return s.AdminKey() }, code: 5,
			errHas: []string{"not paired with DQOps Cloud", "nothing was stored"}, calls: []string{"GET /api/environment/profile"}},
		{name: "500: 1, nothing stored", opts: sandbox.Options{Faults: "GET /api/environment/profile 500"},
			key: func(s *testServer) string { return s.AdminKey() }, code: 1, errHas: []string{"nothing was stored"}},
		{name: "empty token: 2", key: func(*testServer) string { return " \n" }, code: 2, errHas: []string{"the API key is empty"}, calls: []string{}},
		{name: "no terminal and no --with-token: 2", key: func(s *testServer) string { return s.AdminKey() }, args: []string{"login"}, code: 2,
			errHas: []string{"pass --with-token"}, calls: []string{}},
		{name: "--no-input on a terminal and no --with-token: 2", key: func(s *testServer) string { return s.AdminKey() },
			args: []string{"login", "--no-input"}, tty: true, code: 2, calls: []string{}},
		{name: "bad profile name: 2", key: func(s *testServer) string { return s.AdminKey() },
			args: []string{"login", "--with-token", "--profile", "Not Valid"}, code: 2, errHas: []string{"invalid profile name"}, calls: []string{}},
		{name: "bad URL: 2", key: func(s *testServer) string { return s.AdminKey() },
			args: []string{"login", "--with-token", "--url", "ftp://x"}, code: 2, errHas: []string{"invalid DQOps URL"}, calls: []string{}},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, tt.opts, sandbox.User{Email: "nobody-role@corp.io", AccountRole: "none"})
			args := tt.args
			if args == nil {
				args = []string{"login", "--with-token"}
			}
			key := tt.key(srv)
			r := c.exec(invocation{args: args, stdin: key, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty})
			expectCode(t, r, tt.code)
			expectContains(t, "stderr", r.stderr, tt.errHas...)
			if strings.TrimSpace(key) != "" {
				expectNotContains(t, "stderr", r.stderr, key)
			}
			expectNoConfig(t, c.configPath)
			if tt.calls != nil {
				expectCalls(t, srv, tt.calls...)
			}
		})
	}

	t.Run("a rejected key leaves an existing file as it was", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
		before := readConfig(t, c.configPath)
		r := c.runStdin("dqo-sandbox-wrong", "login", "--with-token", "--profile", "other")
		expectCode(t, r, 4)
		if after := readConfig(t, c.configPath); after != before {
			t.Errorf("configuration changed:\n%s\nwas\n%s", after, before)
		}
	})
}

func TestLogout(t *testing.T) {
	srv, c := setup(t, sandbox.Options{})
	delete(c.env, "DQOPS_API_KEY")
	expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
	expectCode(t, c.runStdin(srv.ViewerKey(), "login", "--with-token", "--profile", "ro"), 0)

	r := c.run("logout", "--profile", "default")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, `Removed the API key of profile "default"`)
	cfg := readConfig(t, c.configPath)
	expectNotContains(t, "config", cfg, srv.AdminKey())
	expectContains(t, "config", cfg, "url: "+srv.URL, srv.ViewerKey())

	r = c.run("logout", "--profile", "default")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, `No API key is stored for profile "default"`)

	// The current profile is "ro"; logout without --profile removes its key.
	expectCode(t, c.run("logout"), 0)
	expectNotContains(t, "config", readConfig(t, c.configPath), srv.ViewerKey())

	// Without a key, the server's 401 is explained as a missing key.
	srv.ResetRequests()
	r = c.run("list")
	expectCode(t, r, 4)
	expectContains(t, "stderr", r.stderr, "the server requires an API key and none is configured", "dqo-users login")
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].HasAuthorization {
		t.Errorf("requests %+v: want one without Authorization", reqs)
	}
}
