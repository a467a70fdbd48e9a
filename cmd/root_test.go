package cmd_test

// Tests of what every command shares: the API key and where it comes from,
// request headers, a URL with a path prefix, profiles, where messages go,
// and an environment of the test's own.

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestNoKey(t *testing.T) {
	t.Parallel()
	t.Run("401 says no key is configured", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = ""
		r := c.run("list")
		expectCode(t, r, 4)
		expectContains(t, "stderr", r.stderr, "listing users: the server requires an API key and none is configured",
			"hint: run `dqo-users login`, or set DQOPS_API_KEY or --api-key-file")
		if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].HasAuthorization {
			t.Errorf("requests %+v", reqs)
		}
	})
	t.Run("a rejected key says so", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = "dqo-sandbox-bad"
		r := c.run("list")
		expectCode(t, r, 4)
		expectContains(t, "stderr", r.stderr, "the server rejected the API key (401)")
		expectNotContains(t, "stderr", r.stderr, "dqo-sandbox-bad")
	})
	t.Run("a single-user instance needs none", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{NoAuth: true})
		c.env["DQOPS_API_KEY"] = ""
		r := c.run("whoami", "-o", "json")
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, `"user": "admin@example.com"`)
		if srv.Requests()[0].HasAuthorization {
			t.Error("an Authorization header was sent without a key")
		}
	})
	t.Run("--api-key-file", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		c.env["DQOPS_API_KEY"] = ""
		file := filepath.Join(t.TempDir(), "key")
		if err := os.WriteFile(file, []byte(srv.ViewerKey()+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := c.run("whoami", "-o", "json", "--api-key-file", file)
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, `"user": "viewer@example.com"`)
		empty := filepath.Join(t.TempDir(), "empty")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		expectCode(t, c.run("whoami", "--api-key-file", empty), 2)
		expectCode(t, c.run("whoami", "--api-key-file", filepath.Join(t.TempDir(), "missing")), 2)
	})
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{})
	var mu sync.Mutex
	var seen []http.Header
	srv.onRequest(func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Header.Clone())
	})
	expectCode(t, c.runStdin("pw", "create", "h@corp.io", "--role", "viewer", "--password-stdin"), 0)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 4 {
		t.Fatalf("%d requests", len(seen))
	}
	for _, h := range seen {
		if got := h.Values("Authorization"); len(got) != 1 || got[0] != "Bearer "+srv.AdminKey() {
			t.Errorf("Authorization %q", got)
		}
		if got := h.Get("Accept"); got != "application/json" {
			t.Errorf("Accept %q", got)
		}
		if got := h.Get("User-Agent"); got != "dqo-users/1.2.3-test" {
			t.Errorf("User-Agent %q", got)
		}
	}
}

func TestPathPrefixURL(t *testing.T) {
	t.Parallel()
	for _, suffix := range []string{"", "/", "//"} {
		t.Run("suffix "+suffix, func(t *testing.T) {
			srv := serveSandbox(t, sandbox.Options{}, serving{prefix: "/dqops"})
			c := newCLI(t, srv)
			c.env["DQOPS_URL"] = strings.TrimSuffix(srv.URL, "/") + suffix
			expectCode(t, c.run("create", "p@corp.io", "--role", "editor"), 0)
			r := c.run("get", "p@corp.io")
			expectCode(t, r, 0)
			if r.stdout != "p@corp.io\teditor\t\n" {
				t.Errorf("stdout %q", r.stdout)
			}
			expectCode(t, c.run("delete", "p@corp.io", "--yes"), 0)
			expectCalls(t, srv, "GET /api/users/p@corp.io", "GET /api/users", "POST /api/users", "GET /api/users/p@corp.io",
				"GET /api/environment/profile", "GET /api/users", "DELETE /api/users/p@corp.io")
		})
	}
	t.Run("login stores the normalised URL", func(t *testing.T) {
		srv := serveSandbox(t, sandbox.Options{}, serving{prefix: "/dqops"})
		c := newCLI(t, srv)
		c.env = map[string]string{"DQOPS_CONFIG": c.configPath}
		expectCode(t, c.runStdin(srv.AdminKey(), "login", "--url", srv.URL, "--with-token"), 0)
		expectContains(t, "config", readConfig(t, c.configPath), "url: "+strings.TrimSuffix(srv.URL, "/")+"\n")
		expectCode(t, c.run("list"), 0)
	})
}

// A profile named on the command line or in DQOPS_PROFILE must exist (only
// login creates one): a typo never silently falls back to another server.
func TestNamedProfileMustExist(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		errHas string
	}{
		{"missing --profile", []string{"whoami", "--profile", "nope"}, nil, `no profile named "nope" in CONFIG; its profiles: one, two`},
		{"missing DQOPS_PROFILE", []string{"list"}, map[string]string{"DQOPS_PROFILE": "nope"}, `no profile named "nope" in CONFIG; its profiles: one, two`},
		{"logout of a missing profile", []string{"logout", "--profile", "nope"}, nil, `no profile named "nope" in CONFIG; its profiles: one, two`},
		{"config use of a missing profile", []string{"config", "use", "nope"}, nil, `no profile named "nope" in CONFIG; its profiles: one, two`},
		{"invalid name", []string{"whoami", "--profile", "Bad"}, nil, `--profile: invalid profile name "Bad"`},
		{"invalid DQOPS_PROFILE", []string{"whoami"}, map[string]string{"DQOPS_PROFILE": "a.b"}, `DQOPS_PROFILE: invalid profile name "a.b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{})
			doc := "current_profile: one\nprofiles:\n  one:\n    url: " + srv.URL + "\n  two:\n    url: " + srv.URL + "\n"
			c.file("config.yaml", doc)
			r := c.exec(invocation{args: tt.args, env: tt.env})
			expectCode(t, r, 2)
			expectContains(t, "stderr", r.stderr, strings.ReplaceAll(tt.errHas, "CONFIG", c.configPath))
			if got := readConfig(t, c.configPath); got != doc {
				t.Errorf("the configuration changed:\n%s", got)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
	t.Run("an empty configuration says so", func(t *testing.T) {
		_, c := setup(t, sandbox.Options{})
		r := c.run("config", "use", "nope")
		expectExit(t, r, 2, `error: no profile named "nope" in `+c.configPath+"; it has no profiles",
			"hint: `dqo-users login --profile nope` creates it")
	})
	t.Run("login creates it", func(t *testing.T) {
		srv, c := setup(t, sandbox.Options{})
		r := c.exec(invocation{args: []string{"login", "--profile", "work", "--with-token"}, stdin: srv.AdminKey() + "\n"})
		expectCode(t, r, 0)
		r = c.exec(invocation{args: []string{"whoami", "--profile", "work", "-o", "json", "--jq", ".user"}})
		expectCode(t, r, 0)
		expectContains(t, "stdout", r.stdout, "admin@example.com")
	})
}

// TestEnvironmentIsolated: the harness never reads the process's
// environment, so a DQOPS_* variable of the developer's shell cannot leak in.
func TestEnvironmentIsolated(t *testing.T) {
	t.Setenv("DQOPS_URL", "http://127.0.0.1:1")
	t.Setenv("DQOPS_API_KEY", "from-the-shell")
	_, c := setup(t, sandbox.Options{})
	expectCode(t, c.run("list"), 0)
}

// TestMessagesGoToStderr: commands that change things print nothing on
// stdout, on a terminal or not, so their stdout can be piped.
func TestMessagesGoToStderr(t *testing.T) {
	t.Parallel()
	for _, tty := range []bool{false, true} {
		name := "piped"
		if tty {
			name = "terminal"
		}
		t.Run(name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{})
			steps := []struct {
				args  []string
				stdin string
				msg   string
			}{
				{[]string{"create", "m@corp.io", "--role", "viewer", "--password-stdin"}, "pw1", "Created user m@corp.io"},
				{[]string{"update", "m@corp.io", "--role", "editor"}, "", "Updated user m@corp.io"},
				{[]string{"user-passwd", "m@corp.io", "--password-stdin"}, "pw2", "Changed the password of m@corp.io"},
				{[]string{"passwd", "--password-stdin"}, "pw3", "Your password was changed."},
				{[]string{"login", "--with-token"}, srv.AdminKey(), "Logged in to"},
				{[]string{"config", "use", "default"}, "", "Now using profile"},
				{[]string{"delete", "m@corp.io", "--yes"}, "", "Deleted user m@corp.io."},
				{[]string{"logout"}, "", "Removed the API key"},
			}
			for _, s := range steps {
				r := c.exec(invocation{args: s.args, stdin: s.stdin, stdinTTY: tty, stdoutTTY: tty, stderrTTY: tty})
				expectCode(t, r, 0)
				if r.stdout != "" {
					t.Errorf("%v printed on stdout: %q", s.args, r.stdout)
				}
				expectContains(t, "stderr", r.stderr, s.msg)
			}
		})
	}
}

// TestRejectedKeyHint checks that the hint of a 401 names where the key
// came from, and suggests login only for a key that login stored.
func TestRejectedKeyHint(t *testing.T) {
	t.Parallel()
	const wrong = "dqo-sandbox-wrong-key"
	tests := []struct {
		name    string
		profile string // the profile's lines, under its url
		env     map[string]string
		args    []string
		hint    string
		noHint  string
	}{
		{name: "DQOPS_API_KEY", env: map[string]string{"DQOPS_API_KEY": wrong},
			hint:   "hint: the key came from DQOPS_API_KEY: it may be revoked, or belong to another DQOps instance; set it to a valid key, or unset it to use the profile's",
			noHint: "dqo-users login"},
		{name: "--api-key-file", args: []string{"--api-key-file", "KEYFILE"},
			hint:   "hint: the key came from --api-key-file KEYFILE: it may be revoked, or belong to another DQOps instance; put a valid key in that file",
			noHint: "dqo-users login"},
		{name: "api_key_command", profile: "    api_key_command: cat KEYFILE\n",
			hint:   "hint: the key came from the api_key_command of profile \"default\": it may be revoked, or belong to another DQOps instance; check the key it prints (`dqo-users config view` shows the command)",
			noHint: "dqo-users login"},
		{name: "keyring", profile: "    api_key_store: keyring\n",
			hint: "hint: the key came from the keyring item of profile \"default\" (service SERVICE): it may be revoked, or belong to another DQOps instance; run `dqo-users login --profile default` to store a new one"},
		{name: "the file", profile: "    api_key: " + wrong + "\n",
			hint: "hint: the key came from the api_key of profile \"default\": it may be revoked, or belong to another DQOps instance; run `dqo-users login --profile default` to store a new one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{})
			delete(c.env, "DQOPS_API_KEY")
			keyFile := c.file("key", wrong+"\n")
			service := keyringServiceOf(t, srv.URL)
			if err := cmd.StoreKey(service, "default", wrong); err != nil {
				t.Fatal(err)
			}
			c.file("config.yaml", "profiles:\n  default:\n    url: "+srv.URL+"\n"+strings.ReplaceAll(tt.profile, "KEYFILE", keyFile))
			args := append([]string{"list"}, tt.args...)
			for i := range args {
				args[i] = strings.ReplaceAll(args[i], "KEYFILE", keyFile)
			}
			r := c.exec(invocation{args: args, env: tt.env})
			hint := strings.NewReplacer("KEYFILE", keyFile, "SERVICE", service).Replace(tt.hint)
			expectExit(t, r, 4, "error: listing users: the server rejected the API key (401)\n", hint)
			expectNotContains(t, "stderr", r.stderr, wrong, tt.noHint)
		})
	}
}

// TestStoredKeyGoesOnlyToItsServer checks that a profile's key, wherever it
// is kept, is sent only to the server it was stored for, while a key given
// explicitly goes wherever the user points it.
func TestStoredKeyGoesOnlyToItsServer(t *testing.T) {
	t.Parallel()
	home := startSandbox(t, sandbox.Options{})
	other := startSandbox(t, sandbox.Options{})
	port := strings.TrimPrefix(home.URL, "http://127.0.0.1:")
	stores := map[string]func(c *cli) string{
		"file":    func(*cli) string { return "    api_key: " + home.AdminKey() + "\n" },
		"keyring": func(*cli) string { return "    api_key_store: keyring\n" },
		"command": func(c *cli) string { return "    api_key_command: cat " + c.file("key", home.AdminKey()) + "\n" },
	}
	for store, lines := range stores {
		for _, tt := range []struct {
			name       string
			profileURL string
			env        map[string]string
			args       []string
			sent       bool
		}{
			{"--url another server", home.URL, nil, []string{"--url", other.URL}, false},
			{"DQOPS_URL another server", home.URL, map[string]string{"DQOPS_URL": other.URL}, nil, false},
			{"a profile without a URL has the default one", "", map[string]string{"DQOPS_URL": home.URL}, nil, false},
			{"the profile's own URL", home.URL, nil, nil, true},
			{"the same server spelled otherwise", "HTTP://127.0.0.1:" + port + "/", map[string]string{"DQOPS_URL": "http://127.0.0.1:0" + port}, nil, true},
			{"DQOPS_API_KEY goes where it is pointed", home.URL, map[string]string{"DQOPS_API_KEY": other.AdminKey(), "DQOPS_URL": other.URL}, nil, true},
		} {
			t.Run(store+": "+tt.name, func(t *testing.T) {
				c := newCLI(t, nil)
				home.ResetRequests()
				other.ResetRequests()
				if err := cmd.StoreKey(keyringServiceOf(t, home.URL), "default", home.AdminKey()); err != nil {
					t.Fatal(err)
				}
				doc := "profiles:\n  default:\n"
				if tt.profileURL != "" {
					doc += "    url: " + tt.profileURL + "\n"
				}
				c.file("config.yaml", doc+lines(c))
				r := c.exec(invocation{args: append([]string{"list"}, tt.args...), env: tt.env})
				if tt.sent {
					expectCode(t, r, 0)
					return
				}
				target := other.URL
				if tt.profileURL == "" {
					target = home.URL
				}
				belongs := tt.profileURL
				if belongs == "" {
					belongs = "http://localhost:8888"
				}
				expectExit(t, r, 4, `error: the API key of profile "default" belongs to `+belongs+", not to "+target+": it is not sent to another server",
					"hint: to use "+target+", log in to it as a profile of its own: `dqo-users login --url "+target+" --profile NAME`; or give its key in DQOPS_API_KEY or --api-key-file")
				if n := len(home.Requests()) + len(other.Requests()); n != 0 {
					t.Errorf("%d requests sent", n)
				}
			})
		}
	}
}

// TestAPIKeyFileBounded checks that --api-key-file reads at most a key's
// size.
func TestAPIKeyFileBounded(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{})
	delete(c.env, "DQOPS_API_KEY")
	big := c.file("big", strings.Repeat("k", 4097))
	for _, file := range []string{big, "/dev/zero"} {
		r := c.run("list", "--api-key-file", file)
		expectExit(t, r, 2, "error: --api-key-file "+file+" is larger than 4 KiB: it must hold the API key alone")
	}
	// A key of 4 KiB with its line break is read (and sent).
	exact := c.file("exact", sandbox.KeyPrefix+strings.Repeat("k", 4096-len(sandbox.KeyPrefix))+"\r\n")
	expectExit(t, c.run("list", "--api-key-file", exact), 4)
	expectCalls(t, srv, "GET /api/users")

}

// TestConfigFileMissing checks that --config names a file that must exist,
// except for login, while DQOPS_CONFIG may name one not created yet.
func TestConfigFileMissing(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, sandbox.Options{})
	missing := filepath.Join(c.dir, "nope", "config.yaml")
	for _, args := range [][]string{{"list"}, {"config", "list"}, {"logout"}, {"config", "use", "default"}} {
		r := c.run(append(args, "--config", missing)...)
		expectExit(t, r, 2, "error: configuration file "+missing+" does not exist",
			"hint: check the path given to --config; `dqo-users login --config "+missing+"` creates the file")
	}
	expectCalls(t, srv)
	r := c.exec(invocation{args: []string{"list"}, env: map[string]string{"DQOPS_CONFIG": missing}})
	expectCode(t, r, 0)
	r = c.exec(invocation{args: []string{"config", "list", "-o", "json"}, env: map[string]string{"DQOPS_CONFIG": missing}})
	expectCode(t, r, 0)
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("a missing DQOPS_CONFIG lists %q", r.stdout)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("the file was created")
	}
}

// TestConfigParseErrorQuotesNoValue checks that a configuration file that is
// not valid is an error naming the line and key, never the value there
// (which may be a key written in the wrong place).
func TestConfigParseErrorQuotesNoValue(t *testing.T) {
	t.Parallel()
	const secret = "dqo-sandbox-misplaced-secret"
	_, c := setup(t, sandbox.Options{})
	for _, doc := range []string{
		"profiles:\n  default:\n    url: http://localhost:8888\n  api_key: " + secret + "\n",
		"profiles:\n  default:\n    url: http://localhost:8888\n    api_kee: " + secret + "\n",
		"profiles:\n  default:\n    url: http://localhost:8888\n   api_key: " + secret + "\n",
	} {
		c.file("config.yaml", doc)
		r := c.run("list")
		expectExit(t, r, 2, "error: configuration file "+c.configPath)
		expectContains(t, "stderr", r.stderr, c.configPath+":4: ")
		expectNotContains(t, "stderr", r.stderr, secret, "misplaced")
	}
}
