//go:build linux

package cmd_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestPTYCreatePasswordPrompt(t *testing.T) {
	t.Parallel()
	const password = "Corr3ct horse"
	tests := []struct {
		name   string
		first  string
		second string // not typed when empty
		tries  int    // how often the pair is typed: three failures end it
		code   int
		shows  []string
	}{
		{name: "matching passwords", first: password, second: password, tries: 1, code: 0, shows: []string{"Created user new@corp.io with role viewer and a password."}},
		{name: "mismatch, asked again, then right", first: password, second: password + "x", tries: 1, code: 0,
			shows: []string{"The passwords do not match; try again.", "Created user new@corp.io with role viewer and a password."}},
		{name: "three mismatches: nothing sent", first: password, second: password + "x", tries: 3, code: 2,
			shows: []string{"The passwords do not match; try again.", "the passwords do not match: nothing was changed", "type the same password twice"}},
		{name: "three empty: nothing sent", first: "", tries: 3, code: 2,
			shows: []string{"The password is empty; try again.", "the password is empty: nothing was changed", "type a password that is not empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{})
			s := startPTY(t, srv, ptyOptions{}, "create", "new@corp.io", "--role", "viewer", "--password-prompt")
			for range tt.tries {
				s.expect("New password for new@corp.io on {URL}: ")
				s.typeSecret(tt.first)
				if tt.second != "" {
					s.expect("Repeat the password: ")
					s.typeSecret(tt.second)
				}
			}
			if tt.code == 0 && tt.second != tt.first {
				// After a mismatch the right pair is typed.
				s.expect("New password for new@corp.io on {URL}: ")
				s.typeSecret(password)
				s.expect("Repeat the password: ")
				s.typeSecret(password)
			}
			s.expectExit(tt.code)
			expectContains(t, "terminal", s.screen(), tt.shows...)
			if tt.first != "" {
				expectNotContains(t, "terminal", s.screen(), tt.first)
			}
			if tt.code == 0 {
				if !srv.PasswordMatches("new@corp.io", password) {
					t.Error("the password was not set")
				}
				expectCalls(t, srv, "GET /api/users/new@corp.io", "GET /api/users", "POST /api/users", "PUT /api/users/new@corp.io/password")
			} else {
				// Nothing sent but the look-ups that come before any prompt:
				// the user, and the list for look-alikes.
				expectCalls(t, srv, "GET /api/users/new@corp.io", "GET /api/users")
				if _, ok := srv.user("new@corp.io"); ok {
					t.Error("the user was created")
				}
			}
			if s.lflag()&unix.ECHO == 0 {
				t.Error("the terminal's echo was left off")
			}
		})
	}
}

func TestPTYRoleChoice(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	s := startPTY(t, srv, ptyOptions{}, "create", "new@corp.io")
	s.expect("Account role for new@corp.io:")
	s.expect("Choose 1-5: ")
	s.send("boss\r")
	s.expect(`"boss" is not one of the choices.`)
	s.expect("Choose 1-5: ")
	s.send("3\r")
	s.expectExit(0)
	expectContains(t, "terminal", s.screen(), "Created user new@corp.io with role operator.")
	if u, _ := srv.user("new@corp.io"); u.AccountRole != "operator" {
		t.Errorf("user %+v", u)
	}
}

func TestPTYDeleteConfirmation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		answer string
		code   int
		gone   bool
	}{
		{answer: "y", code: 0, gone: true},
		{answer: "n", code: 3, gone: false},
		{answer: "", code: 3, gone: false},
	}
	for _, tt := range tests {
		t.Run("answer "+tt.answer, func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{})
			srv.addUsers(t, ana, bo)
			s := startPTY(t, srv, ptyOptions{}, "delete", "ana@corp.io", "bo@corp.io")
			s.expect("Users to delete from " + srv.URL + ":")
			s.expect("ana@corp.io")
			s.expect("Bo@corp.io")
			s.expect("Delete these 2 users from " + srv.URL + "? [y/N]: ")
			s.send(tt.answer + "\r")
			s.expectExit(tt.code)
			_, anaLeft := srv.user("ana@corp.io")
			_, boLeft := srv.user("Bo@corp.io")
			if anaLeft == tt.gone || boLeft == tt.gone {
				t.Errorf("ana left %v, bo left %v; want gone %v", anaLeft, boLeft, tt.gone)
			}
			if !tt.gone && srv.countCalls(http.MethodDelete, "/") != 0 {
				t.Errorf("a DELETE was sent: %v", srv.calls())
			}
		})
	}
}

// --password-stdin on a terminal reads one line without echo.
func TestPTYPasswordStdinOnTerminal(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	s := startPTY(t, srv, ptyOptions{}, "passwd", "--password-stdin")
	s.typeSecret("typed-secret")
	s.expectExit(0)
	if strings.Contains(s.screen(), "typed-secret") {
		t.Errorf("the password was echoed:\n%s", s.screen())
	}
	if !srv.PasswordMatches(sandbox.AdminEmail, "typed-secret") {
		t.Error("the password was not set")
	}
}

// Ctrl-D (end of input) at a confirmation is no answer: cancelled, exit 3.
func TestPTYEndOfInputAtConfirmation(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	srv.addUsers(t, ana)
	s := startPTY(t, srv, ptyOptions{}, "delete", "ana@corp.io")
	s.expect("[y/N]: ")
	s.send("\x04")
	s.expectExit(3)
	if _, ok := srv.user("ana@corp.io"); !ok {
		t.Error("deleted without an answer")
	}
}

// Prompts go to stderr, so a prompting command's stdout may be piped.
func TestPTYPromptWithStdoutPiped(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	srv.addUsers(t, ana)
	s := startPTY(t, srv, ptyOptions{pipedStdout: true}, "delete", "ana@corp.io")
	s.expect("[y/N]: ")
	s.send("y\r")
	s.expectExit(0)
	if got := s.stdout.String(); got != "" {
		t.Errorf("stdout %q", got)
	}
	expectContains(t, "terminal", s.screen(), "Deleted user ana@corp.io.")
}

func TestPTYLoginKeyPrompt(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	key := srv.AdminKey()
	config := filepath.Join(t.TempDir(), "config.yaml")
	s := startPTY(t, srv, ptyOptions{env: map[string]string{"DQOPS_API_KEY": "", "DQOPS_CONFIG": config}}, "login")
	s.expect("Logging in to " + srv.URL + " (profile default).")
	s.expect("API key: ")
	s.typeSecret(key)
	s.expectExit(0)
	expectContains(t, "terminal", s.screen(), "Logged in to "+srv.URL+" as admin@example.com (admin)")
	expectNotContains(t, "terminal", s.screen(), key)
	expectContains(t, "config", readConfig(t, config), "api_key: "+key)
	if s.lflag()&unix.ECHO == 0 {
		t.Error("the terminal's echo was left off")
	}
}

func TestPTYLoginRejectedKey(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	config := filepath.Join(t.TempDir(), "config.yaml")
	s := startPTY(t, srv, ptyOptions{env: map[string]string{"DQOPS_API_KEY": "", "DQOPS_CONFIG": config}}, "login")
	s.expect("API key: ")
	s.typeSecret("dqo-sandbox-wrong-key")
	s.expectExit(4)
	expectContains(t, "terminal", s.screen(), "nothing was stored")
	expectNotContains(t, "terminal", s.screen(), "dqo-sandbox-wrong-key")
	expectNoConfig(t, config)
}

func TestPTYPasswdPrompts(t *testing.T) {
	t.Parallel()
	t.Run("passwd", func(t *testing.T) {
		srv := startSandbox(t, sandbox.Options{})
		s := startPTY(t, srv, ptyOptions{}, "passwd")
		s.expect("New password for your account on {URL}: ")
		s.typeSecret("my n3w pass")
		s.expect("Repeat the password: ")
		s.typeSecret("my n3w pass")
		s.expectExit(0)
		expectContains(t, "terminal", s.screen(), "Your password was changed.")
		expectNotContains(t, "terminal", s.screen(), "n3w")
		if !srv.PasswordMatches(sandbox.AdminEmail, "my n3w pass") {
			t.Error("the password was not changed")
		}
	})
	t.Run("user-passwd", func(t *testing.T) {
		srv := startSandbox(t, sandbox.Options{})
		srv.addUsers(t, ana)
		s := startPTY(t, srv, ptyOptions{}, "user-passwd", "ana@corp.io")
		s.expect("New password for ana@corp.io on {URL}: ")
		s.typeSecret("an4's pass")
		s.expect("Repeat the password: ")
		s.typeSecret("an4's pass")
		s.expectExit(0)
		expectContains(t, "terminal", s.screen(), "Changed the password of ana@corp.io.")
		expectNotContains(t, "terminal", s.screen(), "an4")
		if !srv.PasswordMatches("ana@corp.io", "an4's pass") {
			t.Error("the password was not changed")
		}
	})
	t.Run("passwd mismatch", func(t *testing.T) {
		srv := startSandbox(t, sandbox.Options{})
		s := startPTY(t, srv, ptyOptions{}, "passwd")
		for range 3 {
			s.expect("New password for your account on {URL}: ")
			s.typeSecret("one")
			s.expect("Repeat the password: ")
			s.typeSecret("two")
		}
		s.expectExit(2)
		expectCalls(t, srv)
	})
}

func TestPTYCtrlC(t *testing.T) {
	t.Parallel()
	t.Run("at the first password prompt", func(t *testing.T) {
		srv := startSandbox(t, sandbox.Options{})
		s := startPTY(t, srv, ptyOptions{}, "passwd")
		s.expect("New password for your account on {URL}: ")
		s.waitEcho(false)
		s.send("half a passw")
		s.send("\x03")
		s.expectExit(130)
		expectContains(t, "terminal", s.screen(), "interrupted")
		if s.lflag()&unix.ECHO == 0 {
			t.Error("the terminal's echo was not restored")
		}
		expectCalls(t, srv)
	})
	t.Run("at the second password prompt of create", func(t *testing.T) {
		srv := startSandbox(t, sandbox.Options{})
		s := startPTY(t, srv, ptyOptions{}, "create", "new@corp.io", "--role", "viewer", "--password-prompt")
		s.expect("New password for new@corp.io on {URL}: ")
		s.typeSecret("pw")
		s.expect("Repeat the password: ")
		s.waitEcho(false)
		s.send("\x03")
		s.expectExit(130)
		if s.lflag()&unix.ECHO == 0 {
			t.Error("the terminal's echo was not restored")
		}
		expectCalls(t, srv, "GET /api/users/new@corp.io", "GET /api/users") // the look-ups before the prompt
	})
	t.Run("at the login key prompt", func(t *testing.T) {
		srv := startSandbox(t, sandbox.Options{})
		config := filepath.Join(t.TempDir(), "config.yaml")
		s := startPTY(t, srv, ptyOptions{env: map[string]string{"DQOPS_API_KEY": "", "DQOPS_CONFIG": config}}, "login")
		s.expect("API key: ")
		s.waitEcho(false)
		s.send("\x03")
		s.expectExit(130)
		if s.lflag()&unix.ECHO == 0 {
			t.Error("the terminal's echo was not restored")
		}
		expectNoConfig(t, config)
	})
	t.Run("at the confirmation", func(t *testing.T) {
		srv := startSandbox(t, sandbox.Options{})
		srv.addUsers(t, ana)
		s := startPTY(t, srv, ptyOptions{}, "delete", "ana@corp.io")
		s.expect("[y/N]: ")
		s.send("\x03")
		s.expectExit(130)
		if _, ok := srv.user("ana@corp.io"); !ok {
			t.Error("deleted after Ctrl-C")
		}
	})
	t.Run("while --password-stdin reads a terminal", func(t *testing.T) {
		srv := startSandbox(t, sandbox.Options{})
		s := startPTY(t, srv, ptyOptions{}, "passwd", "--password-stdin")
		s.waitEcho(false)
		s.send("typed-secret")
		s.send("\x03")
		s.expectExit(130)
		if strings.Contains(s.screen(), "typed-secret") {
			t.Errorf("the password was echoed:\n%s", s.screen())
		}
		if s.lflag()&unix.ECHO == 0 {
			t.Error("the terminal's echo was not restored")
		}
		expectCalls(t, srv)
	})
	t.Run("during a request", func(t *testing.T) {
		srv := startSandbox(t, sandbox.Options{Faults: "GET /api/users slow=60s"})
		arrived := srv.arrived(http.MethodGet, "/api/users")
		s := startPTY(t, srv, ptyOptions{}, "list")
		select {
		case <-arrived:
		case <-time.After(ptyWait):
			t.Fatalf("the request did not arrive; the terminal shows:\n%s", s.screen())
		}
		s.send("\x03")
		s.expectExit(130)
		expectContains(t, "terminal", s.screen(), "interrupted")
	})
}

// Ctrl-\ at a hidden prompt ends the command with Go's dump of every
// goroutine, as it does anywhere, but puts the terminal's echo back first,
// and nothing is sent or stored.
func TestPTYQuitAtAHiddenPrompt(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		args    []string
		answers []string // typed before Ctrl-\, each once the echo is off
		prompt  string
	}{
		{"login's API key", []string{"login"}, nil, "API key: "},
		{"passwd's first entry", []string{"passwd"}, nil, "New password for your account on {URL}: "},
		{"passwd's repeated entry", []string{"passwd"}, []string{"pw-1"}, "Repeat the password: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startSandbox(t, sandbox.Options{})
			config := filepath.Join(t.TempDir(), "config.yaml")
			s := startPTY(t, srv, ptyOptions{env: map[string]string{"DQOPS_CONFIG": config}}, tt.args...)
			for _, a := range tt.answers {
				s.typeSecret(a)
			}
			s.expect(tt.prompt)
			s.waitEcho(false)
			s.send("half a secr\x1c") // Ctrl-\
			s.expectExit(2)
			expectContains(t, "terminal", s.screen(), "SIGQUIT: quit", "goroutine ")
			expectNotContains(t, "terminal", s.screen(), "half a secr", "pw-1")
			if s.lflag()&unix.ECHO == 0 {
				t.Error("the terminal's echo was left off")
			}
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("writes sent: %v", w)
			}
			expectNoConfig(t, config)
		})
	}
}

// On a real terminal, list prints an aligned, coloured table with a header.
func TestPTYTableOutput(t *testing.T) {
	t.Parallel()
	srv := startSandbox(t, sandbox.Options{})
	s := startPTY(t, srv, ptyOptions{}, "list")
	s.expectExit(0)
	expectContains(t, "terminal", s.screen(), "EMAIL", "ROLE", "admin@example.com", ansiEscape)
	s = startPTY(t, srv, ptyOptions{env: map[string]string{"NO_COLOR": "1"}}, "list")
	s.expectExit(0)
	expectContains(t, "terminal", s.screen(), "EMAIL", "viewer@example.com")
	expectNotContains(t, "terminal", s.screen(), ansiEscape)
	// CI=true: no prompt, even on a terminal.
	s = startPTY(t, srv, ptyOptions{env: map[string]string{"CI": "true"}}, "delete", "viewer@example.com")
	s.expectExit(2)
	expectContains(t, "terminal", s.screen(), "pass --yes")
}

// On a real terminal, a prompt refused because input is switched off says
// what switched it off, not that there is no terminal.
func TestPTYPromptRefusalSaysWhy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		why  string
	}{
		{"CI", map[string]string{"CI": "true"}, []string{"delete", "viewer@example.com"}, "input is disabled by CI: pass --yes"},
		{"--no-input", nil, []string{"delete", "viewer@example.com", "--no-input"}, "input is disabled by --no-input: pass --yes"},
		{"DQOPS_NO_INPUT", map[string]string{"DQOPS_NO_INPUT": "1"}, []string{"passwd"}, "input is disabled by DQOPS_NO_INPUT: pass --password-stdin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{})
			s := startPTY(t, srv, ptyOptions{env: tc.env}, tc.args...)
			s.expectExit(2)
			expectContains(t, "terminal", s.screen(), tc.why)
			expectNotContains(t, "terminal", s.screen(), "no terminal")
			expectCalls(t, srv)
		})
	}
}

// create and user-passwd find out whether the user exists before they ask
// for a password: nobody types one twice to be told the user is missing.
func TestPTYNoPasswordAskedForAMissingOrExistingUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"create of an existing user", []string{"create", "viewer@example.com", "--role", "viewer", "--password-prompt"}, 7, `user "viewer@example.com" already exists`},
		{"user-passwd of a missing user", []string{"user-passwd", "nobody@example.com"}, 6, `user "nobody@example.com" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{})
			s := startPTY(t, srv, ptyOptions{}, tc.args...)
			s.expectExit(tc.code)
			expectContains(t, "terminal", s.screen(), tc.says)
			expectNotContains(t, "terminal", s.screen(), "password for")
		})
	}
}

// A hidden prompt turns echo off before it shows, so that nothing typed or
// pasted as soon as it appears is echoed; Ctrl-D at it cancels (exit 3)
// and sends nothing.
func TestPTYHiddenPrompts(t *testing.T) {
	t.Parallel()
	prompts := []struct {
		name   string
		args   []string
		prompt string
	}{
		{"login's API key", []string{"login"}, "API key: "},
		{"passwd's new password", []string{"passwd"}, "New password for your account on {URL}: "},
		{"user-passwd's new password", []string{"user-passwd", "viewer@example.com"}, "New password for viewer@example.com on {URL}: "},
	}
	for _, p := range prompts {
		t.Run(p.name+": echo is off when the prompt shows", func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{})
			s := startPTY(t, srv, ptyOptions{env: map[string]string{"DQOPS_CONFIG": filepath.Join(t.TempDir(), "config.yaml")}}, p.args...)
			s.expect(p.prompt)
			if s.lflag()&unix.ECHO != 0 {
				t.Error("the prompt showed with echo still on")
			}
			s.send("\x03")
			s.expectExit(130)
		})
		t.Run(p.name+": Ctrl-D cancels", func(t *testing.T) {
			srv := startSandbox(t, sandbox.Options{})
			config := filepath.Join(t.TempDir(), "config.yaml")
			s := startPTY(t, srv, ptyOptions{env: map[string]string{"DQOPS_CONFIG": config}}, p.args...)
			s.expect(p.prompt)
			s.waitEcho(false)
			s.send("\x04")
			s.expectExit(3)
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("writes sent: %v", w)
			}
			if s.lflag()&unix.ECHO == 0 {
				t.Error("the terminal's echo was left off")
			}
			expectNoConfig(t, config)
		})
	}
}
