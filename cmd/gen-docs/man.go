package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/dqops-users/dqo-users/cmd"
)

// The sections of dqo-users(1) that no command's help gives: EXIT STATUS,
// ENVIRONMENT and FILES (with the configuration file's format), placed
// where man-pages(7), which Debian's policy follows, orders them: after
// OPTIONS, before EXAMPLE and SEE ALSO.

// envVar is a variable of the ENVIRONMENT section: its names (one entry
// may describe a few that go together) and what it does.
type envVar struct {
	names []string
	what  string
}

// environment is every variable dqo-users reads, directly or through the
// Go library (proxies, the configuration directory, certificates). A test
// checks that every variable the code reads is here.
var environment = []envVar{
	{[]string{"DQOPS_URL"}, "The DQOps address, as --url gives it; it comes before the profile's url."},
	{[]string{"DQOPS_API_KEY"}, "An API key, used instead of the profile's stored key and sent wherever --url or DQOPS_URL point. " +
		"No flag takes a key as its value; --api-key-file comes before this variable."},
	{[]string{"DQOPS_PROFILE"}, "The profile to use, as --profile names it, instead of the file's current_profile."},
	{[]string{"DQOPS_CONFIG"}, "The configuration file, as --config names it; one that does not exist yet is an empty configuration."},
	{[]string{"DQOPS_NO_INPUT"}, "When set (and not 0 or false), never prompt, as --no-input: what would be asked is an error naming the flag to pass."},
	{[]string{"CI"}, "When set, never prompt (unless --no-input=false or DQOPS_NO_INPUT says otherwise) and no colour, as on a CI runner."},
	{[]string{"NO_COLOR"}, "When set, no colour, unless --color says otherwise."},
	{[]string{"TERM"}, "When dumb, no colour, unless --color says otherwise."},
	{[]string{"DQOPS_TIMEOUT"}, "The bound on each request, as --timeout (30s by default; 0 for none)."},
	{[]string{"DQOPS_RETRIES"}, "How often a request that failed on the network or with 429, 502, 503 or 504 is retried, as --retries (3 by default, at most 10)."},
	{[]string{"DQOPS_CA_CERT"}, "A PEM file of certificate authorities to trust as well, as --ca-cert; it comes before the profile's ca_cert."},
	{[]string{"DQOPS_DEBUG"}, "When set (and not 0 or false), trace every request and response to stderr with secrets redacted, as --debug."},
	{[]string{"DQOPS_AUDIT_LOG"}, "The file every change is appended to as a JSON line, as --audit-log; it comes before the profile's audit_log."},
	{[]string{"HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"}, "The proxy for https and http requests, and the hosts reached without one " +
		"(the lower-case names too); not used with loopback addresses."},
	{[]string{"SSL_CERT_FILE", "SSL_CERT_DIR"}, "The system's certificate authorities, when they are not where the system keeps them."},
	{[]string{"XDG_CONFIG_HOME", "HOME"}, "The directory of the default configuration file: $XDG_CONFIG_HOME/dqo-users, else ~/.config/dqo-users on Linux."},
	{[]string{"DBUS_SESSION_BUS_ADDRESS"}, "The D-Bus session bus of the Secret Service keyring on Linux. When it is unset " +
		"(over ssh, in cron) there is no keyring: login keeps the key in the configuration file and says so."},
	{[]string{"USER", "LOGNAME", "USERNAME"}, "The local user an audit log entry names, when the system's user database does not name the user running dqo-users."},
}

// filesSection is the FILES section, with the configuration file's format.
const filesSection = `.SH FILES
.TP
.I $XDG_CONFIG_HOME/dqo\-users/config.yaml
The configuration file: ~/.config/dqo\-users/config.yaml on Linux when
XDG_CONFIG_HOME is unset, ~/Library/Application Support/dqo\-users/config.yaml
on macOS, %AppData%\edqo\-users\econfig.yaml on Windows; \-\-config or
DQOPS_CONFIG name another. \fBlogin\fR, \fBlogout\fR and \fBconfig use\fR
write it atomically with mode 0600 (its directory 0700), through a symbolic
link to its target. dqo\-users warns when a file holding a key is readable by
other users, and runs no api_key_command from a file that another user could
change.
.TP
.I config.yaml.lock
Beside the configuration file: the lock that \fBlogin\fR, \fBlogout\fR and
\fBconfig use\fR hold while they change the file (at most 10 s are waited for
it), so that two of them at once both keep their changes.
.TP
.B dqo\-users:URL
The system keyring's item that holds a profile's API key (Secret Service on
Linux, Keychain on macOS, Credential Manager on Windows): service
dqo\-users:URL, where URL is the profile's canonical address
(https://dqops.example.com:443), and the profile's name as user, so that
.B secret\-tool lookup service dqo\-users:https://dqops.example.com:443 username prod
finds it. \fBlogout\fR removes it.
.TP
.I audit log
The file named by \-\-audit\-log, DQOPS_AUDIT_LOG or a profile's audit_log:
one JSON line for every change, appended, created with mode 0600.
.SS "The configuration file"
A YAML document: the current profile, and the profiles by name (lower\-case
letters, digits, \- and _).
.PP
.EX
current_profile: prod
profiles:
  prod:
    url: https://dqops.example.com
    api_key_store: keyring
    audit_log: ~/dqo\-users\-audit.jsonl
  ci:
    url: https://ci.example.com
    api_key: ...
  staging:
    url: https://staging.example.com/dqops
    api_key_command: pass show dqops/staging
    ca_cert: /etc/ssl/corp\-ca.pem
.EE
.TP
.B current_profile
The profile used when neither \-\-profile nor DQOPS_PROFILE names one
(\fBdqo\-users config use NAME\fR sets it; \fBlogin\fR sets it only when there
is none, or with \-\-use); without one, the profile named default.
.TP
.B url
The DQOps address, which may carry a path prefix; http://localhost:8888 when
there is none. A profile's key is sent to this server only.
.TP
.B api_key_store
keyring: the key is in the system keyring (written by \fBlogin\fR).
.TP
.B api_key
The key itself, kept in the file where there is no keyring or after
\fBlogin \-\-insecure\-storage\fR.
.TP
.B api_key_command
A command whose output is the key (a password manager, a vault client), run
with /bin/sh when the key is needed (within 30 s, its stdin empty), so that
the key need not be stored at all. It is not run when the file, or a
directory above it, could be changed by another local user (OpenSSH's rule):
exit 2, naming the file and the chmod to run.
.TP
.B ca_cert
A PEM file of certificate authorities to trust as well; ~/ is the home
directory, and a relative path is taken from the file's directory.
.TP
.B audit_log
The file every change made through the profile is appended to (one JSON line
a change), taken as ca_cert is.
`

// rootSections renders EXIT STATUS, ENVIRONMENT and FILES.
func rootSections(exits []cmd.ExitCodeInfo) []byte {
	var b bytes.Buffer
	b.WriteString(".SH \"EXIT STATUS\"\n")
	for _, e := range exits {
		fmt.Fprintf(&b, ".TP\n.B %d\n%s: %s.\n", e.Code, roff(e.Name), roff(e.Meaning))
	}
	b.WriteString(".PP\nA command given several emails exits with the code of its first failure. " +
		"After Ctrl\\-C or SIGTERM dqo\\-users says what it did, then ends by that signal: " +
		"a shell's $? is 130 or 143. \\fBdqo\\-users help exit\\-codes\\fR prints the same table.\n")
	b.WriteString("\n.SH ENVIRONMENT\nEmpty variables count as unset; a flag comes before its variable.\n")
	for _, v := range environment {
		fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", roff(strings.Join(v.names, ", ")), roff(v.what))
	}
	b.WriteString("\n")
	b.WriteString(filesSection)
	b.WriteString("\n\n")
	return b.Bytes()
}

// roff escapes text for a man page: a backslash, a minus (so that flags
// copy as typed), and a leading period or apostrophe, which roff would
// read as a request.
func roff(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// withRootSections puts the sections into the root command's page, before
// its EXAMPLE (or SEE ALSO) section.
func withRootSections(page, sections []byte) ([]byte, error) {
	for _, next := range []string{"\n.SH EXAMPLE\n", "\n.SH SEE ALSO\n"} {
		if i := bytes.Index(page, []byte(next)); i >= 0 {
			return bytes.Join([][]byte{page[:i+1], sections, page[i+1:]}, nil), nil
		}
	}
	return nil, fmt.Errorf("the page of the root command has neither EXAMPLE nor SEE ALSO to put EXIT STATUS before")
}
