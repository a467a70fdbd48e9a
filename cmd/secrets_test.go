package cmd_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// runChecked runs the built binary with exactly env (never the test
// process's DQOPS_* or CI) and stdin, and fails the test when argv holds a
// secret.
func runChecked(t *testing.T, env map[string]string, stdin string, secrets []string, args ...string) result {
	t.Helper()
	c := binaryCommand(t, env, args...)
	for _, a := range c.Args {
		for _, s := range secrets {
			if strings.Contains(a, s) {
				t.Fatalf("the test itself put a secret in argv: %q", a)
			}
		}
	}
	return runBinary(t, c, stdin)
}

// secretForms returns the ways a secret could show: whole, and for a
// sandbox key its random part alone (a key cut or re-prefixed still leaks).
func secretForms(secrets ...string) []string {
	var forms []string
	for _, s := range secrets {
		forms = append(forms, s)
		if rest, ok := strings.CutPrefix(s, sandbox.KeyPrefix); ok {
			forms = append(forms, rest)
		}
	}
	return forms
}

func expectNoSecret(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s shows the secret %q:\n%s", what, s, text)
		}
	}
}

// TestSecretsNeverShown runs every command with a known API key (the
// environment's, and one stored by login) and a known password, and checks
// that neither appears in stdout, stderr or argv, on success and on failure.
func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	srv.addUsers(t, sandbox.User{Email: "keeper@corp.io", AccountRole: "admin"}, sandbox.User{Email: "other@corp.io", AccountRole: "viewer"})
	failing := startSandbox(t, sandbox.Options{Faults: "GET /api/users 500; PUT /api/users/f@corp.io/password 500; PUT /api/mypassword 500; GET /api/environment/profile 500"})

	adminKey := srv.AdminKey()
	profileKey, _ := srv.KeyFor("keeper@corp.io")
	const password = "Pw-s3cret-Zq81!x"
	const wrongKey = sandbox.KeyPrefix + "0123456789abcdef0123456789abcdef"
	failingKey := failing.AdminKey()
	secrets := secretForms(adminKey, profileKey, password, wrongKey, failingKey)

	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte(adminKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withKey := map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": adminKey, "DQOPS_CONFIG": config, "DQOPS_RETRIES": "0", "HOME": dir}
	withProfile := map[string]string{"DQOPS_CONFIG": config, "DQOPS_RETRIES": "0", "HOME": dir}
	merge := func(base map[string]string, kv ...string) map[string]string {
		m := make(map[string]string, len(base)+len(kv)/2)
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}

	steps := []struct {
		env   map[string]string
		stdin string
		args  []string
		code  int
	}{
		// The profile's key, stored by login.
		{withProfile, profileKey + "\n", []string{"login", "--url", srv.URL, "--with-token"}, 0},
		{withProfile, "", []string{"config", "list"}, 0},
		{withProfile, "", []string{"config", "list", "-o", "json"}, 0},
		{withProfile, "", []string{"config", "list", "-o", "yaml"}, 0},
		{withProfile, "", []string{"config", "view"}, 0},
		{withProfile, "", []string{"config", "use", "default"}, 0},
		{withProfile, "", []string{"whoami"}, 0},
		{withProfile, "", []string{"whoami", "-o", "json"}, 0},
		{withProfile, "", []string{"whoami", "-o", "yaml"}, 0},
		{withProfile, "", []string{"list", "--debug"}, 0},
		// The environment's key, and the password on stdin.
		{withKey, "", []string{"list"}, 0},
		{withKey, "", []string{"list", "-o", "json"}, 0},
		{withKey, password + "\n", []string{"create", "target@corp.io", "--role", "viewer", "--password-stdin"}, 0},
		{withKey, password + "\n", []string{"create", "target2@corp.io", "--role", "viewer", "--password-stdin", "--debug"}, 0},
		{withKey, "", []string{"get", "target@corp.io", "-o", "json"}, 0},
		{withKey, "", []string{"get", "target@corp.io", "target2@corp.io"}, 0},
		{withKey, "", []string{"update", "target@corp.io", "--role", "editor", "--debug"}, 0},
		{withKey, password, []string{"user-passwd", "target@corp.io", "--password-stdin"}, 0},
		{withKey, password, []string{"user-passwd", "other@corp.io", "--password-stdin", "--debug"}, 0},
		{withKey, password, []string{"passwd", "--password-stdin", "--debug"}, 0},
		{merge(withKey, "DQOPS_API_KEY", ""), "", []string{"whoami", "--api-key-file", keyFile}, 0},
		{withKey, "", []string{"delete", "target@corp.io", "target2@corp.io", "--yes", "--debug"}, 0},
		{withKey, "", []string{"version"}, 0},
		{withKey, "", []string{"help", "exit-codes"}, 0},
		{withKey, "", []string{"--help"}, 0},
		{withKey, "", []string{"completion", "bash"}, 0},
		{withKey, "", []string{"__complete", "get", ""}, 0},
		// Failures: a rejected key, server errors, nothing listening.
		{merge(withKey, "DQOPS_API_KEY", wrongKey), "", []string{"list"}, 4},
		{merge(withKey, "DQOPS_API_KEY", wrongKey), "", []string{"whoami", "-o", "json", "--debug"}, 4},
		{merge(withKey, "DQOPS_API_KEY", wrongKey), password, []string{"passwd", "--password-stdin"}, 4},
		{withProfile, wrongKey, []string{"login", "--url", srv.URL, "--with-token", "--profile", "bad"}, 4},
		{withKey, password, []string{"create", "target@corp.io", "--role", "none", "--password-stdin", "--api-key-file", "/nonexistent/key"}, 2},
		{withKey, password, []string{"passwd"}, 2},
		{merge(withKey, "DQOPS_URL", failing.URL, "DQOPS_API_KEY", failingKey), "", []string{"list"}, 1},
		{merge(withKey, "DQOPS_URL", failing.URL, "DQOPS_API_KEY", failingKey), "", []string{"list", "-o", "json", "--debug"}, 1},
		{merge(withKey, "DQOPS_URL", failing.URL, "DQOPS_API_KEY", failingKey), password, []string{"create", "f@corp.io", "--role", "none", "--password-stdin"}, 1},
		{merge(withKey, "DQOPS_URL", failing.URL, "DQOPS_API_KEY", failingKey), password, []string{"passwd", "--password-stdin", "--debug"}, 1},
		{merge(withKey, "DQOPS_URL", failing.URL), failingKey, []string{"login", "--url", failing.URL, "--with-token", "--profile", "failing"}, 1},
		{merge(withKey, "DQOPS_URL", "http://"+closedPort(t)), "", []string{"list", "--debug"}, 1},
		{merge(withKey, "DQOPS_URL", "http://"+closedPort(t)), password, []string{"user-passwd", "other@corp.io", "--password-stdin"}, 1},
		{withProfile, profileKey, []string{"login", "--url", "http://" + closedPort(t), "--with-token", "--profile", "down"}, 1},
		// Logout last: the stored key must be gone from the file too.
		{withProfile, "", []string{"logout", "--profile", "default"}, 0},
		{withProfile, "", []string{"config", "view"}, 0},
	}
	for _, s := range steps {
		name := strings.Join(s.args, " ")
		r := runChecked(t, s.env, s.stdin, secrets, s.args...)
		if r.code != s.code {
			t.Errorf("%s: exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", name, r.code, s.code, r.stdout, r.stderr)
		}
		expectNoSecret(t, name+": stdout", r.stdout, secrets)
		expectNoSecret(t, name+": stderr", r.stderr, secrets)
	}

	// The stored key is in the file while logged in, and only there; after
	// logout it is gone.
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	expectNoSecret(t, "the configuration after logout", string(data), secrets)
	if !srv.PasswordMatches("other@corp.io", password) {
		t.Error("the password steps did not run (other@corp.io has another password)")
	}
}

// TestSecretsNotInAnyArgv looks at every process's command line while the
// binary is in the middle of sending a password with a key (the request is
// held by the server until the look is over), and finds neither.
func TestSecretsNotInAnyArgv(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	srv := startSandbox(t, sandbox.Options{})
	const password = "argv-Scan-pw-7Hq2"
	key := srv.AdminKey()
	secrets := secretForms(key, password)
	const path = "/api/users/scan@corp.io/password"
	arrived, release := srv.arrived(http.MethodPut, path), make(chan struct{})
	var releaseOnce sync.Once
	releaseRequest := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(releaseRequest)
	srv.onRequest(func(r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Path == path {
			<-release
		}
	})

	c := binaryCommand(t, map[string]string{"DQOPS_URL": srv.URL, "DQOPS_API_KEY": key,
		"DQOPS_CONFIG": filepath.Join(t.TempDir(), "config.yaml"), "DQOPS_RETRIES": "0"},
		"create", "scan@corp.io", "--role", "viewer", "--password-stdin")
	c.Stdin = strings.NewReader(password)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-arrived:
	case err := <-done:
		t.Fatalf("the command ended before its password request arrived: %v\n%s", err, out.String())
	}

	scanned, sawChild := 0, false
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, path := range cmdlines {
		data, err := os.ReadFile(path)
		if err != nil || len(data) == 0 {
			continue // gone, or a kernel thread
		}
		scanned++
		argv := strings.ReplaceAll(string(data), "\x00", " ")
		if filepath.Base(filepath.Dir(path)) == strconv.Itoa(c.Process.Pid) {
			sawChild = strings.Contains(argv, "create scan@corp.io")
		}
		expectNoSecret(t, path, argv, secrets)
	}
	if !sawChild {
		t.Errorf("did not find the running command among %d command lines", scanned)
	}
	releaseRequest()
	if err := <-done; err != nil {
		t.Fatalf("the command failed: %v\n%s", err, out.String())
	}
	expectNoSecret(t, "output", out.String(), secrets)
	if !srv.PasswordMatches("scan@corp.io", password) {
		t.Error("the password was not set")
	}
}
