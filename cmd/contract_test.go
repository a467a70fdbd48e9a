//go:build unix

package cmd_test

// The contract suite checks the tool and the sandbox against documents we did
// not write: DQOps's own OpenAPI documents in ../shared/dqops-api/. Stoplight
// Prism's validating proxy sits between the tool and the sandbox and reports,
// in an sl-violations header on every response, where a request or a
// response departs from the document. Every command is driven through it.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestContract(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the contract suite runs Stoplight Prism through npx; -short leaves it out")
	}
	releases := []struct {
		name string
		api  string
		spec string
	}{
		{"1.0", sandbox.API10, "dqops-users-api-v1.0.0.swagger.json"},
		{"1.13", sandbox.API113, "dqops-users-api-v1.13.2.swagger.json"},
	}
	docs := apiDocsDir(t, releases[0].spec, releases[1].spec)
	npx := lookNpx(t)
	installPrism(t, npx)
	for _, rel := range releases {
		t.Run(rel.name, func(t *testing.T) {
			t.Parallel()
			spec := filepath.Join(docs, rel.spec)
			if _, err := os.Stat(spec); err != nil {
				t.Fatalf("DQOps %s's API document: %v", rel.name, err)
			}
			runContract(t, npx, rel.name, rel.api, spec)
		})
	}
}

// contractRun drives the tool through Prism against one release.
type contractRun struct {
	t        *testing.T
	api      string
	prismURL string
	// cli runs the tool with Prism's URL and rec as its transport.
	cli       *cli
	upstream  *switchUpstream
	rec       *recorder
	sandboxes []*sandbox.Server
	// staged counts requests the suite itself sent to a sandbox (races).
	staged atomic.Int32
}

// use makes a fresh sandbox the one Prism proxies to.
func (r *contractRun) use(opts sandbox.Options, users ...sandbox.User) *sandbox.Server {
	r.t.Helper()
	opts.API = r.api
	sb, err := sandbox.New(opts)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, u := range users {
		if err := sb.AddUser(u); err != nil {
			r.t.Fatal(err)
		}
	}
	r.sandboxes = append(r.sandboxes, sb)
	r.upstream.current.Store(sb)
	return sb
}

// caller is who runs a command: the API key it has, or the configuration
// file it reads one from, and its stdin.
type caller struct {
	key, stdin string
	// config is the configuration file (empty: a fresh one).
	config string
}

// do runs one command line through Prism and checks its exit code.
func (r *contractRun) do(c caller, want int, args ...string) result {
	r.t.Helper()
	config := c.config
	if config == "" {
		config = filepath.Join(r.t.TempDir(), "config.yaml")
	}
	r.rec.setCommand(strings.Join(args, " "), "")
	o := r.cli.exec(invocation{args: args, stdin: c.stdin, env: map[string]string{"DQOPS_API_KEY": c.key, "DQOPS_CONFIG": config}})
	if o.code != want {
		r.t.Errorf("through Prism, dqo-users %s: exit %d, want %d\nstderr:\n%s", strings.Join(args, " "), o.code, want, o.stderr)
	}
	return o
}

// deleteBehind removes a user from the sandbox straight away, as another
// admin would between the tool's read and its write.
func (r *contractRun) deleteBehind(sb *sandbox.Server, email string) func() {
	return func() {
		req := httptest.NewRequest(http.MethodDelete, "/api/users/"+email, nil)
		req.Header.Set("Authorization", "Bearer "+sb.AdminKey())
		w := httptest.NewRecorder()
		sb.ServeHTTP(w, req)
		r.staged.Add(1)
		if w.Code != http.StatusNoContent {
			r.t.Errorf("staging the deletion of %s: %d", email, w.Code)
		}
	}
}

// probe sends one request the tool never sends, to see through Prism the
// statuses it cannot provoke: key is the API key, expect the code of the
// request violation the probe is built to have ("" for none).
func (r *contractRun) probe(key, method, path, contentType, body string, want int, expect string) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.prismURL+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	if body == "" {
		req.Body = nil
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	label := fmt.Sprintf("probe: %s %s as %s", method, path, contentType)
	r.rec.setCommand(label, expect)
	defer r.rec.setCommand("", "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := (&http.Client{Transport: r.rec}).Do(req.WithContext(ctx))
	if err != nil {
		r.t.Errorf("%s: %v", label, err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		r.t.Errorf("%s: status %d, want %d", label, resp.StatusCode, want)
	}
}

func runContract(t *testing.T, npx, release, api, spec string) {
	up := &switchUpstream{}
	upstream := httptest.NewServer(up)
	t.Cleanup(upstream.Close)
	prismURL, prismLog := startPrism(t, npx, spec, upstream.URL)
	base := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(base.CloseIdleConnections)
	r := &contractRun{
		t: t, api: api, prismURL: prismURL, upstream: up,
		rec: &recorder{base: base, templates: specTemplates(t, spec)},
	}
	r.cli = newCLI(t, nil).likeCI()
	r.cli.transport = r.rec
	r.cli.env["DQOPS_URL"] = prismURL
	// Each request is validated once and never waited on for long: a retry
	// would hide a failed attempt from the count.
	r.cli.env["DQOPS_TIMEOUT"] = "20s"
	r.cli.env["DQOPS_RETRIES"] = "0"
	driveCommands(t, r)

	exchanges := r.rec.snapshot()
	report := checkExchanges(t, release, exchanges)

	// Every request reached the sandbox: Prism answered none itself.
	received, sent := -int(r.staged.Load()), 0
	for _, sb := range r.sandboxes {
		received += len(sb.Requests())
	}
	for _, ex := range exchanges {
		if !ex.notJSON {
			sent++
		}
	}
	if received != sent {
		t.Errorf("the sandboxes received %d requests, the tool sent %d through Prism", received, sent)
	}
	// Prism logs each violation it puts in a header; one logged but not
	// seen in a header would be a violation the suite missed.
	total := report.requestViolations + report.probeViolations + report.accepted + report.responseViolations
	countLogged := func(log string) int { return strings.Count(log, "Violation: ") }
	prismOut, _ := prismLog.waitFor(3*time.Second, nil, func(log string) bool { return countLogged(log) >= total })
	logged := countLogged(prismOut)
	if logged > total {
		t.Errorf("Prism logged %d violations, its sl-violations headers carried %d", logged, total)
	}
	if t.Failed() {
		t.Logf("Prism's output:\n%s", tail(prismLog.String(), 120))
	}

	summary := fmt.Sprintf("contract %s: %d requests validated (%d from the tool, %d probes), %d request violations (+%d built into probes), %d accepted undocumented statuses, %d response violations",
		release, sent, sent-report.probes, report.probes, report.requestViolations, report.probeViolations, report.accepted, report.responseViolations)
	t.Log(summary)
	t.Logf("accepted undocumented statuses seen: %s", strings.Join(report.acceptedSeen, "; "))
	fmt.Println(summary)
}

// that succeed, then each error path, on sandboxes set up for them.
func driveCommands(t *testing.T, r *contractRun) {
	const (
		ok        = cmd.ExitOK
		usage     = cmd.ExitUsage
		auth      = cmd.ExitAuth
		forbidden = cmd.ExitForbidden
		notFound  = cmd.ExitNotFound
		exists    = cmd.ExitExists
		limit     = cmd.ExitUserLimit
	)
	is113 := r.api == sandbox.API113
	noneUser := sandbox.User{Email: "nobody-role@example.com", AccountRole: sandbox.RoleNone}

	// A licensed instance; in 1.13 one with data domains.
	licensed := sandbox.Options{}
	if is113 {
		licensed.Domains = []string{"sales", "hr", "marketing"}
	}
	sb := r.use(licensed, noneUser)
	admin := caller{key: sb.AdminKey()}
	viewer := caller{key: sb.ViewerKey()}
	noneKey, _ := sb.KeyFor(noneUser.Email)
	withStdin := func(c caller, stdin string) caller { c.stdin = stdin; return c }

	r.do(admin, ok, "whoami")
	r.do(admin, ok, "whoami", "-o", "json")
	r.do(admin, ok, "list")
	r.do(admin, ok, "list", "-o", "json")
	r.do(admin, ok, "create", "ana@example.com", "--role", "editor")
	r.do(withStdin(admin, "Bo-pass-1\n"), ok, "create", "bo@example.com", "--role", "viewer", "--password-stdin")
	r.do(admin, exists, "create", "ana@example.com", "--role", "editor")
	r.do(admin, ok, "get", "ana@example.com")
	r.do(admin, ok, "get", "ana@example.com", "bo@example.com", "-o", "json")
	r.do(admin, ok, "update", "ana@example.com", "--role", "operator")
	r.do(admin, ok, "update", "ana@example.com", "--role", "operator") // nothing to change: no PUT
	r.do(withStdin(admin, "Ana-pass-2\n"), ok, "user-passwd", "ana@example.com", "--password-stdin")
	r.do(withStdin(admin, "Admin-pass-3\n"), ok, "passwd", "--password-stdin")
	if is113 {
		r.do(admin, ok, "domains")
		r.do(admin, ok, "domains", "list", "-o", "json")
		r.do(viewer, ok, "domains", "-o", "yaml")
		// A typo is refused after reading the domains: nothing is written.
		r.do(admin, usage, "create", "dom@example.com", "--role", "viewer", "--domain-role", "salse=editor")
		r.do(admin, ok, "create", "dom@example.com", "--role", "viewer", "--domain-role", "sales=editor", "--domain-role", "hr=viewer", "--domain-role", "marketing=none")
		r.do(admin, ok, "update", "dom@example.com", "--domain-role", "sales=admin", "--remove-domain-role", "hr")
		r.do(admin, ok, "update", "dom@example.com", "--domain-role", "(default)=viewer")
		r.do(admin, ok, "update", "dom@example.com", "--remove-domain-role", "(default)")
		r.do(admin, ok, "update", "dom@example.com", "--role", "editor")
		r.do(admin, ok, "update", "dom@example.com", "--role", "viewer") // keeps sales=admin, with a warning
		r.do(admin, ok, "get", "dom@example.com", "-o", "json")
		r.do(admin, ok, "list")
		if u := findUser(t, sb, "dom@example.com"); u.AccountRole != "viewer" || len(u.DataDomainRoles) != 1 || u.DataDomainRoles["sales"] != "admin" {
			t.Errorf("through Prism, dom@example.com ended as %+v, want viewer with sales=admin", u)
		}
	} else {
		// The profile says 1.0: no request for data domains is sent.
		r.do(admin, usage, "domains")
		r.do(admin, usage, "create", "dom@example.com", "--role", "viewer", "--domain-role", "sales=editor")
		r.do(admin, usage, "update", "ana@example.com", "--domain-role", "sales=editor")
		r.do(admin, ok, "update", "ana@example.com", "--remove-domain-role", "sales") // nothing to remove: no PUT
	}
	r.do(admin, ok, "delete", "ana@example.com", "--yes")

	// login stores the key; later commands read it from the configuration.
	config := filepath.Join(t.TempDir(), "config.yaml")
	r.do(caller{stdin: sb.AdminKey() + "\n", config: config}, ok, "login", "--with-token")
	r.do(caller{config: config}, ok, "whoami")
	r.do(caller{config: config}, ok, "list")

	// apply, diff and export.
	file := filepath.Join(t.TempDir(), "users.yaml")
	content := "users:\n" +
		"- email: admin@example.com\n  accountRole: admin\n" +
		"- email: viewer@example.com\n  accountRole: viewer\n" +
		"- email: nobody-role@example.com\n  accountRole: none\n" +
		"- email: bo@example.com\n  accountRole: operator\n" +
		"- email: carol@example.com\n  accountRole: editor\n"
	if is113 {
		content += "  dataDomainRoles: {sales: viewer}\n"
	}
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r.do(admin, ok, "export")
	r.do(admin, ok, "export", "-o", "json")
	r.do(admin, cmd.ExitChanges, "diff", "-f", file, "--prune")
	r.do(admin, ok, "apply", "-f", file, "--prune", "--yes")
	r.do(admin, ok, "diff", "-f", file, "--prune")
	r.do(admin, ok, "apply", "-f", file, "--prune", "--yes") // nothing to do
	// The viewer's changes are refused, each with 403.
	more := filepath.Join(t.TempDir(), "more.yaml")
	content = strings.Replace(content, "accountRole: operator", "accountRole: editor", 1) +
		"- email: dave@example.com\n  accountRole: viewer\n"
	if err := os.WriteFile(more, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r.do(viewer, cmd.ExitPartial, "apply", "-f", more, "--yes", "--continue-on-error")

	// Unknown users.
	r.do(admin, notFound, "get", "nobody@example.com")
	r.do(admin, notFound, "update", "nobody@example.com", "--role", "viewer")
	r.do(admin, notFound, "delete", "nobody@example.com", "--yes")
	r.do(withStdin(admin, "pw\n"), notFound, "user-passwd", "nobody@example.com", "--password-stdin")
	// A user deleted between the tool's read and its write: DQOps answers
	// the write 500 with Spring's error body, which the document describes.
	for _, email := range []string{"ghost1@example.com", "ghost2@example.com"} {
		if err := sb.AddUser(sandbox.User{Email: email, AccountRole: sandbox.RoleViewer}); err != nil {
			t.Fatal(err)
		}
	}
	r.upstream.beforeOnce(http.MethodPut, "/api/users/ghost1@example.com", r.deleteBehind(sb, "ghost1@example.com"))
	r.do(admin, notFound, "update", "ghost1@example.com", "--role", "editor")
	r.upstream.beforeOnce(http.MethodPut, "/api/users/ghost2@example.com/password", r.deleteBehind(sb, "ghost2@example.com"))
	r.do(withStdin(admin, "pw\n"), notFound, "user-passwd", "ghost2@example.com", "--password-stdin")

	// The viewer may look but not change.
	r.do(viewer, ok, "list")
	r.do(viewer, ok, "whoami")
	r.do(withStdin(viewer, "Viewer-pass-4\n"), ok, "passwd", "--password-stdin")
	r.do(viewer, forbidden, "create", "x@example.com", "--role", "viewer")
	r.do(viewer, forbidden, "update", "bo@example.com", "--role", "editor")
	r.do(viewer, forbidden, "delete", "bo@example.com", "--yes")
	r.do(withStdin(viewer, "pw\n"), forbidden, "user-passwd", "bo@example.com", "--password-stdin")
	// Role none may not even read its profile.
	none := caller{key: noneKey}
	r.do(none, forbidden, "whoami")
	r.do(none, forbidden, "list")
	r.do(none, forbidden, "domains") // the profile refused, and the users too
	r.do(withStdin(none, "pw\n"), forbidden, "passwd", "--password-stdin")

	// A key the server does not know.
	bad := caller{key: sandbox.KeyPrefix + "00000000000000000000000000000000"}
	r.do(bad, auth, "list")
	r.do(bad, auth, "whoami")
	r.do(bad, auth, "domains")
	r.do(bad, auth, "get", "bo@example.com")
	r.do(bad, auth, "create", "x@example.com", "--role", "viewer")
	r.do(bad, auth, "update", "bo@example.com", "--role", "editor")
	r.do(bad, auth, "delete", "bo@example.com", "--yes")
	r.do(withStdin(bad, "pw\n"), auth, "passwd", "--password-stdin")
	r.do(withStdin(bad, "pw\n"), auth, "user-passwd", "bo@example.com", "--password-stdin")
	r.do(caller{stdin: bad.key + "\n", config: filepath.Join(t.TempDir(), "config.yaml")}, auth, "login", "--with-token")

	// Probes for what the tool cannot provoke. With a bad key, its writes
	// stop at the read before them; sent alone they get 401 too.
	model := `{"email":"bo@example.com","accountRole":"viewer"}`
	r.probe(bad.key, http.MethodPost, "/api/users", "application/json", model, http.StatusUnauthorized, "")
	r.probe(bad.key, http.MethodPut, "/api/users/bo@example.com", "application/json", model, http.StatusUnauthorized, "")
	r.probe(bad.key, http.MethodDelete, "/api/users/bo@example.com", "", "", http.StatusUnauthorized, "")
	r.probe(bad.key, http.MethodPut, "/api/users/bo@example.com/password", "text/plain", "pw", http.StatusUnauthorized, "")
	// A body of the wrong content type gets 415; the password as a quoted
	// JSON string is the users API documentation's curl sample. Prism
	// reports these requests with code 415, as it should. (Unreadable JSON,
	// 400, is not probed: Prism stalls on it instead of passing it on. A
	// 303 never reaches the tool through Prism: Prism follows it itself.)
	adminKey := sb.AdminKey()
	r.probe(adminKey, http.MethodPost, "/api/users", "text/plain", model, http.StatusUnsupportedMediaType, "415")
	r.probe(adminKey, http.MethodPut, "/api/users/bo@example.com", "text/plain", model, http.StatusUnsupportedMediaType, "415")
	r.probe(adminKey, http.MethodPut, "/api/users/bo@example.com/password", "application/json", `"pw"`, http.StatusUnsupportedMediaType, "415")
	r.probe(adminKey, http.MethodPut, "/api/mypassword", "application/json", `"pw"`, http.StatusUnsupportedMediaType, "415")

	// 1.13 without data domains: {} for every user, the root domain alone,
	// and grants refused before anything is sent.
	if is113 {
		plain := r.use(sandbox.Options{}, sandbox.User{Email: "bo@example.com", AccountRole: sandbox.RoleEditor, DataDomainRoles: map[string]string{"sales": "editor"}})
		plainAdmin := caller{key: plain.AdminKey()}
		r.do(plainAdmin, ok, "domains")
		r.do(plainAdmin, usage, "create", "x@example.com", "--role", "viewer", "--domain-role", "sales=editor")
		r.do(plainAdmin, usage, "update", "bo@example.com", "--domain-role", "sales=admin")
		r.do(plainAdmin, ok, "update", "bo@example.com", "--role", "viewer")
		r.do(plainAdmin, ok, "export")
		r.do(plainAdmin, ok, "list", "-o", "json")
	}

	// The licence's users limit: the built-in admin and viewer fill it.
	full := r.use(sandbox.Options{UsersLimit: 2})
	r.do(caller{key: full.AdminKey()}, ok, "whoami")
	r.do(caller{key: full.AdminKey()}, limit, "create", "x@example.com", "--role", "viewer")

	// An instance without a multi-user licence: 403 everywhere, and in 1.0
	// no profile (404).
	un := r.use(sandbox.Options{Unlicensed: true})
	unAdmin := caller{key: un.AdminKey()}
	profile := ok
	if !is113 {
		profile = forbidden // 404: not paired with DQOps Cloud
	}
	r.do(unAdmin, profile, "whoami")
	r.do(caller{stdin: un.AdminKey() + "\n", config: filepath.Join(t.TempDir(), "config.yaml")}, profile, "login", "--with-token")
	r.do(unAdmin, forbidden, "list")
	r.do(unAdmin, forbidden, "get", sandbox.ViewerEmail)
	r.do(unAdmin, forbidden, "create", "x@example.com", "--role", "viewer")
	r.do(unAdmin, forbidden, "update", sandbox.ViewerEmail, "--role", "editor")
	r.do(unAdmin, forbidden, "delete", sandbox.ViewerEmail, "--yes")
	r.do(withStdin(unAdmin, "pw\n"), forbidden, "passwd", "--password-stdin")
	r.do(withStdin(unAdmin, "pw\n"), forbidden, "user-passwd", sandbox.ViewerEmail, "--password-stdin")
	r.do(unAdmin, forbidden, "export")
	r.do(unAdmin, profile, "domains")
	if len(un.Users()) != 2 {
		t.Errorf("the unlicensed sandbox changed: %+v", un.Users())
	}
}
