package cmd_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestLogin(t *testing.T) {
	t.Run("with a token: the key in the keyring, the profile current and used afterwards", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		key := srv.AdminKey()
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath} // no URL or key in the environment
		r := c.runStdin("  "+key+"\n", "login", "--url", srv.URL+"/", "--with-token")
		expectCode(t, r, 0)
		if r.stdout != "" {
			t.Errorf("login printed on stdout:\n%s", r)
		}
		expectContains(t, "stderr", r.stderr, "Logged in to "+srv.URL+" as admin@example.com (admin)", `profile "default"`,
			"The API key is in the system keyring (service "+keyringServiceOf(t, srv.URL)+", user default).")
		expectNotContains(t, "stderr", r.stderr, key, "warning", "Now using")
		cfg := readConfig(t, c.configPath)
		expectContains(t, "config", cfg, "current_profile: default", "url: "+srv.URL+"\n", "api_key_store: keyring\n")
		expectNotContains(t, "config", cfg, key, "api_key:")
		if got, ok := keyringItem(t, srv.URL, "default"); !ok || got != key {
			t.Errorf("the keyring item holds %d bytes (%v), want the key", len(got), ok)
		}
		expectCalls(t, srv, "GET /api/environment/profile")

		r = c.run("whoami")
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "admin@example.com")
	})
	t.Run("--insecure-storage: the key in the file, the keyring untouched", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		delete(c.env, "DQOPS_API_KEY")
		r := c.runStdin(srv.AdminKey(), "login", "--with-token", "--insecure-storage")
		expectCode(t, r, 0)
		expectNotContains(t, "stderr", r.stderr, "system keyring", "warning")
		cfg := readConfig(t, c.configPath)
		expectContains(t, "config", cfg, "api_key: "+srv.AdminKey()+"\n")
		expectNotContains(t, "config", cfg, "api_key_store")
		if _, ok := keyringItem(t, srv.URL, "default"); ok {
			t.Error("the key is in the keyring too")
		}
		expectCode(t, c.run("whoami"), 0)
	})
	t.Run("no keyring: the file, saying so", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		delete(c.env, "DQOPS_API_KEY")
		withoutKeyring(t)
		r := c.runStdin(srv.AdminKey(), "login", "--with-token")
		expectCode(t, r, 0)
		expectContains(t, "stderr", r.stderr, `warning: storing the API key of profile "default" in the keyring: no keyring available: `,
			"; the API key is stored in "+c.configPath+" (mode 0600) instead\n", "Logged in to")
		expectNotContains(t, "stderr", r.stderr, srv.AdminKey(), "The API key is in the system keyring")
		expectContains(t, "config", readConfig(t, c.configPath), "api_key: "+srv.AdminKey()+"\n")
		expectCode(t, c.run("whoami"), 0)
	})
	t.Run("a second profile keeps the current one, and says how to switch", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		other := startSandbox(t, sandbox.Options{API: "1.0"})
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
		r := c.runStdin(srv.AdminKey(), "login", "--url", srv.URL, "--with-token")
		expectCode(t, r, 0)
		expectNotContains(t, "stderr", r.stderr, "Now using", "current profile")
		r = c.runStdin(other.ViewerKey(), "login", "--url", other.URL, "--profile", "viewer", "--with-token")
		expectCode(t, r, 0)
		expectContains(t, "stderr", r.stderr, "as viewer@example.com (viewer)", `profile "viewer"`,
			"The current profile is still \"default\": pass --profile viewer to use \"viewer\", or switch to it with `dqo-users config use viewer`.\n")
		expectNotContains(t, "stderr", r.stderr, "Now using")
		cfg := readConfig(t, c.configPath)
		expectContains(t, "config", cfg, "current_profile: default", "url: "+srv.URL+"\n", "url: "+other.URL+"\n")
		expectNotContains(t, "config", cfg, srv.AdminKey(), other.ViewerKey())
		// The next command without --profile goes where the one before went.
		r = c.run("whoami", "-o", "json")
		expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)
		r = c.run("whoami", "-o", "json", "--profile", "viewer")
		expectContains(t, "stdout", r.stdout, `"user": "viewer@example.com"`, `"api_release": "1.0"`)
		r = c.exec(invocation{args: []string{"whoami", "-o", "json"}, env: map[string]string{"DQOPS_PROFILE": "viewer"}})
		expectContains(t, "stdout", r.stdout, `"user": "viewer@example.com"`)
		// Logging in again to a profile that is not current moves nothing either.
		r = c.runStdin(other.AdminKey(), "login", "--url", other.URL, "--profile", "viewer", "--with-token")
		expectCode(t, r, 0)
		expectContains(t, "stderr", r.stderr, `The current profile is still "default"`)
		expectContains(t, "config", readConfig(t, c.configPath), "current_profile: default")
		// Logging in again to the current profile says nothing of switching.
		r = c.runStdin(srv.AdminKey(), "login", "--with-token")
		expectCode(t, r, 0)
		expectNotContains(t, "stderr", r.stderr, "Now using", "current profile")
		expectContains(t, "config", readConfig(t, c.configPath), "current_profile: default")
	})
	t.Run("--use makes the profile current, and says so", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--url", srv.URL, "--with-token"), 0)
		r := c.runStdin(srv.ViewerKey(), "login", "--url", srv.URL, "--profile", "ro", "--with-token", "--use")
		expectCode(t, r, 0)
		expectContains(t, "stderr", r.stderr, `Now using profile "ro" (was "default").`)
		expectNotContains(t, "stderr", r.stderr, "current profile is still")
		expectContains(t, "config", readConfig(t, c.configPath), "current_profile: ro")
		r = c.run("whoami", "-o", "json")
		expectContains(t, "stdout", r.stdout, `"user": "viewer@example.com"`)
	})
	t.Run("the first profile becomes current, whatever its name", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
		r := c.runStdin(srv.ViewerKey(), "login", "--url", srv.URL, "--profile", "prod", "--with-token")
		expectCode(t, r, 0)
		expectNotContains(t, "stderr", r.stderr, "Now using", "current profile")
		expectContains(t, "config", readConfig(t, c.configPath), "current_profile: prod")
		r = c.run("whoami", "-o", "json")
		expectContains(t, "stdout", r.stdout, `"user": "viewer@example.com"`)
	})
	t.Run("a current profile the file lacks is none: the login becomes current", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
		c.file("config.yaml", "current_profile: gone\nprofiles:\n  other:\n    url: http://127.0.0.1:1\n")
		r := c.runStdin(srv.AdminKey(), "login", "--url", srv.URL, "--profile", "prod", "--with-token")
		expectCode(t, r, 0)
		expectNotContains(t, "stderr", r.stderr, "current profile is still")
		expectContains(t, "config", readConfig(t, c.configPath), "current_profile: prod")
	})
	t.Run("--config FILE is named again in the way to switch", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		path := filepath.Join(c.dir, "my config.yaml")
		c.env = map[string]string{}
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--url", srv.URL, "--with-token", "--config", path), 0)
		r := c.runStdin(srv.ViewerKey(), "login", "--url", srv.URL, "--with-token", "--config", path, "--profile", "ro")
		expectCode(t, r, 0)
		expectContains(t, "stderr", r.stderr, "`dqo-users config use ro --config '"+path+"'`")
	})
	t.Run("verifies the given key, not the environment's, and warns that the environment's overrides it", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = "dqo-sandbox-not-a-key"
		r := c.runStdin(srv.ViewerKey(), "login", "--with-token")
		expectCode(t, r, 0)
		expectContains(t, "stderr", r.stderr,
			`warning: DQOPS_API_KEY is set: while it is, commands use it instead of the key of profile "default"; unset it to use the stored key`)
		if got, _ := keyringItem(t, srv.URL, "default"); got != srv.ViewerKey() {
			t.Error("the keyring does not hold the key given to login")
		}
		delete(c.env, "DQOPS_API_KEY")
		r = c.runStdin(srv.AdminKey(), "login", "--with-token")
		expectCode(t, r, 0)
		expectNotContains(t, "stderr", r.stderr, "DQOPS_API_KEY")
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
			errHas: []string{"not paired with DQOps Cloud", "nothing was stored"}, calls: []string{"GET /api/environment/profile", "GET /api/users"}},
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
			if _, ok := keyringItem(t, srv.URL, "default"); ok {
				t.Error("the key was stored in the keyring")
			}
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
	t.Run("--config FILE that does not exist yet is created", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		path := filepath.Join(c.dir, "new", "config.yaml")
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token", "--config", path), 0)
		expectContains(t, "config", readConfig(t, path), "url: "+srv.URL)
		expectCode(t, c.run("whoami", "--config", path), 0)
	})
}

// TestLoginToAnotherServer checks that login does not silently replace the
// key a profile holds for another server.
func TestLoginToAnotherServer(t *testing.T) {
	t.Parallel()
	first := startSandbox(t, sandbox.Options{})
	second := startSandbox(t, sandbox.Options{})
	start := func(t *testing.T, args ...string) *cli {
		t.Helper()
		c := newCLI(t, nil)
		expectCode(t, c.runStdin(first.AdminKey(), append([]string{"login", "--url", first.URL, "--with-token"}, args...)...), 0)
		return c
	}
	for _, storage := range [][]string{nil, {"--insecure-storage"}} {
		for _, how := range []struct {
			name string
			args []string
			env  map[string]string
		}{
			{"--url", []string{"--url", second.URL}, nil},
			{"DQOPS_URL", nil, map[string]string{"DQOPS_URL": second.URL}},
		} {
			t.Run(strings.Join(append([]string{how.name}, storage...), " "), func(t *testing.T) {
				c := start(t, storage...)
				before := readConfig(t, c.configPath)
				second.ResetRequests()
				r := c.exec(invocation{args: append([]string{"login", "--with-token"}, how.args...), stdin: second.AdminKey(), env: how.env})
				expectExit(t, r, 2, `error: profile "default" holds the API key of `+first.URL+`: logging in to `+second.URL+` would replace it; nothing was changed`,
					"hint: log in to "+second.URL+" as a profile of its own with `--profile NAME`, or pass --force to replace the key of profile \"default\"")
				if after := readConfig(t, c.configPath); after != before {
					t.Errorf("the configuration changed:\n%s", after)
				}
				expectCalls(t, second)
			})
		}
	}
	t.Run("--force replaces the key, and the keyring keeps no stale item", func(t *testing.T) {
		c := start(t)
		r := c.runStdin(second.AdminKey(), "login", "--with-token", "--url", second.URL, "--force")
		expectCode(t, r, 0)
		expectContains(t, "config", readConfig(t, c.configPath), "url: "+second.URL+"\n")
		if _, ok := keyringItem(t, first.URL, "default"); ok {
			t.Error("the first server's item stays in the keyring")
		}
		if got, _ := keyringItem(t, second.URL, "default"); got != second.AdminKey() {
			t.Error("the keyring lacks the second server's key")
		}
	})
	t.Run("the same server spelled otherwise is no other server", func(t *testing.T) {
		c := start(t)
		url := strings.Replace(first.URL, "http://", "HTTP://", 1) + "/"
		expectCode(t, c.runStdin(first.ViewerKey(), "login", "--with-token", "--url", url), 0)
	})
	t.Run("a profile without a key is not asked about", func(t *testing.T) {
		c := start(t)
		expectCode(t, c.run("logout"), 0)
		expectCode(t, c.runStdin(second.AdminKey(), "login", "--with-token", "--url", second.URL), 0)
	})
	t.Run("another profile is the way", func(t *testing.T) {
		c := start(t)
		expectCode(t, c.runStdin(second.AdminKey(), "login", "--with-token", "--url", second.URL, "--profile", "second"), 0)
		expectCode(t, c.run("whoami", "--profile", "default"), 0)
		expectCode(t, c.run("whoami", "--profile", "second"), 0)
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{})
	delete(c.env, "DQOPS_API_KEY")
	expectCode(t, c.runStdin(srv.AdminKey(), "login", "--with-token"), 0)
	expectCode(t, c.runStdin(srv.ViewerKey(), "login", "--with-token", "--profile", "ro", "--insecure-storage", "--use"), 0)

	r := c.run("logout", "--profile", "default")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, `Removed the API key of profile "default" from the keyring (service `+keyringServiceOf(t, srv.URL)+").")
	if _, ok := keyringItem(t, srv.URL, "default"); ok {
		t.Error("the keyring item stays")
	}
	cfg := readConfig(t, c.configPath)
	expectNotContains(t, "config", cfg, srv.AdminKey(), "api_key_store")
	expectContains(t, "config", cfg, "url: "+srv.URL, srv.ViewerKey())

	r = c.run("logout", "--profile", "default")
	expectCode(t, r, 0)
	expectContains(t, "stderr", r.stderr, `No API key is stored for profile "default"`)

	r = c.run("logout", "--profile", "nosuch")
	expectExit(t, r, 2, `error: no profile named "nosuch" in `+c.configPath+"; its profiles: default, ro")
	if after := readConfig(t, c.configPath); after != cfg {
		t.Errorf("the configuration changed:\n%s", after)
	}

	// The current profile is "ro"; logout without --profile removes its key,
	// from the file.
	r = c.run("logout")
	expectExit(t, r, 0, `Removed the API key of profile "ro" from `+c.configPath+".")
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

// TestURLOfAnotherProfile checks that --url (or DQOPS_URL) naming the server
// of another profile that holds a key points to that profile in the hint.
func TestURLOfAnotherProfile(t *testing.T) {
	t.Parallel()
	dev := startSandbox(t, sandbox.Options{})
	prod := startSandbox(t, sandbox.Options{})
	start := func(t *testing.T) *cli {
		t.Helper()
		c := newCLI(t, nil)
		expectCode(t, c.runStdin(dev.AdminKey(), "login", "--url", dev.URL, "--with-token", "--insecure-storage"), 0)
		expectCode(t, c.runStdin(prod.AdminKey(), "login", "--url", prod.URL, "--profile", "prod", "--with-token", "--insecure-storage"), 0)
		dev.ResetRequests()
		prod.ResetRequests()
		return c
	}
	for _, how := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"--url", []string{"--url", prod.URL + "/"}, nil},
		{"DQOPS_URL", nil, map[string]string{"DQOPS_URL": strings.ToUpper(prod.URL[:4]) + prod.URL[4:]}},
	} {
		t.Run("a command with "+how.name, func(t *testing.T) {
			c := start(t)
			r := c.exec(invocation{args: append([]string{"list"}, how.args...), env: how.env})
			expectExit(t, r, 4, `error: the API key of profile "default" belongs to `+dev.URL+", not to ",
				`hint: profile "prod" is for `)
			expectContains(t, "stderr", r.stderr, ": pass `--profile prod` instead of the URL\n")
			expectNotContains(t, "stderr", r.stderr, "--profile NAME", prod.AdminKey(), dev.AdminKey())
			expectCalls(t, dev)
			expectCalls(t, prod)
		})
	}
	t.Run("login with --url", func(t *testing.T) {
		c := start(t)
		before := readConfig(t, c.configPath)
		r := c.runStdin(prod.ViewerKey(), "login", "--url", prod.URL, "--with-token")
		expectExit(t, r, 2, `error: profile "default" holds the API key of `+dev.URL+": logging in to "+prod.URL+" would replace it; nothing was changed",
			`hint: profile "prod" is for `+prod.URL+": log in to it with `--profile prod`, or pass --force to replace the key of profile \"default\"")
		if after := readConfig(t, c.configPath); after != before {
			t.Errorf("the configuration changed:\n%s", after)
		}
	})
	t.Run("a profile without a key is not suggested", func(t *testing.T) {
		c := start(t)
		expectCode(t, c.run("logout", "--profile", "prod"), 0)
		r := c.run("list", "--url", prod.URL)
		expectExit(t, r, 4, "hint: to use "+prod.URL+", log in to it as a profile of its own: `dqo-users login --url "+prod.URL+" --profile NAME`")
	})
}
