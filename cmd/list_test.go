package cmd_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		tty      bool
		env      map[string]string
		code     int
		stdout   string   // exact, when not empty
		contains []string // in stdout
		absent   []string // from stdout
		stderr   string   // contained in stderr
		calls    []string // nil: exactly one GET /api/users on success, none on usage errors
	}{
		{name: "piped is tab-separated without a header", args: []string{"list"},
			stdout: "admin@example.com\tadmin\t\nana@corp.io\teditor\t\nBo@corp.io\toperator\t\ncy@other.io\tnone\t\ndee@corp.io\tadmin\t\nviewer@example.com\tviewer\t\n"},
		{name: "alias ls", args: []string{"ls"},
			contains: []string{"ana@corp.io\teditor\t\n"}},
		{name: "terminal has a header and colour", args: []string{"list"}, tty: true,
			contains: []string{"EMAIL", "ROLE", "ana@corp.io", ansiEscape}, absent: []string{"\t"}},
		{name: "terminal without colour when NO_COLOR", args: []string{"list"}, tty: true, env: map[string]string{"NO_COLOR": "1"},
			contains: []string{"EMAIL", "ROLE", "admin@example.com"}, absent: []string{ansiEscape}},
		{name: "terminal without colour when CI", args: []string{"list"}, tty: true, env: map[string]string{"CI": "true"},
			contains: []string{"EMAIL"}, absent: []string{ansiEscape}},
		{name: "--color never", args: []string{"list", "--color", "never"}, tty: true,
			contains: []string{"EMAIL"}, absent: []string{ansiEscape}},
		{name: "--role filters", args: []string{"list", "--role", "admin"},
			stdout: "admin@example.com\tadmin\t\ndee@corp.io\tadmin\t\n"},
		{name: "--role ignores case", args: []string{"list", "--role", "ADMIN"},
			stdout: "admin@example.com\tadmin\t\ndee@corp.io\tadmin\t\n"},
		{name: "--sort role", args: []string{"list", "--sort", "role"},
			stdout: "admin@example.com\tadmin\t\ndee@corp.io\tadmin\t\nana@corp.io\teditor\t\nBo@corp.io\toperator\t\nviewer@example.com\tviewer\t\ncy@other.io\tnone\t\n"},
		{name: "--match is a case-insensitive glob", args: []string{"list", "--match", "*@CORP.io"},
			stdout: "ana@corp.io\teditor\t\nBo@corp.io\toperator\t\ndee@corp.io\tadmin\t\n"},
		{name: "--match without a wildcard is a case-insensitive substring", args: []string{"list", "--match", "CORP"},
			stdout: "ana@corp.io\teditor\t\nBo@corp.io\toperator\t\ndee@corp.io\tadmin\t\n"},
		{name: "--match a name", args: []string{"list", "--match", "ana"}, stdout: "ana@corp.io\teditor\t\n"},
		{name: "--match ? is a glob", args: []string{"list", "--match", "?o@corp.io"}, stdout: "Bo@corp.io\toperator\t\n"},
		{name: "-o table piped keeps the aligned table", args: []string{"list", "-o", "table", "--role", "admin"},
			stdout: "EMAIL               ROLE\nadmin@example.com   admin\ndee@corp.io         admin\n"},
		{name: "--match and --role", args: []string{"list", "--match", "*@corp.io", "--role", "editor"},
			stdout: "ana@corp.io\teditor\t\n"},
		{name: "nothing matches, piped", args: []string{"list", "--role", "operator", "--match", "x*"}},
		{name: "nothing matches, terminal", args: []string{"list", "--match", "x*"}, tty: true, stderr: "no users"},
		{name: "-o json", args: []string{"list", "-o", "json", "--role", "none"},
			stdout: "[\n  {\n    \"email\": \"cy@other.io\",\n    \"accountRole\": \"none\",\n    \"dataDomainRoles\": {}\n  }\n]\n"},
		{name: "-o json on a terminal is the same JSON", args: []string{"list", "-o", "json", "--role", "none"}, tty: true,
			contains: []string{`"email": "cy@other.io"`}, absent: []string{ansiEscape}},
		{name: "bad --role", args: []string{"list", "--role", "boss"}, code: 2, stderr: `unknown role "boss"`, calls: []string{}},
		{name: "bad --sort", args: []string{"list", "--sort", "age"}, code: 2, stderr: "--sort must be email or role", calls: []string{}},
		{name: "bad --match", args: []string{"list", "--match", "["}, code: 2, stderr: "is not a valid pattern", calls: []string{}},
		{name: "bad -o", args: []string{"list", "-o", "xml"}, code: 2, calls: []string{}},
		{name: "an argument", args: []string{"list", "ana@corp.io"}, code: 2, stderr: `dqo-users list takes no arguments, got "ana@corp.io"`, calls: []string{}},
		{name: "-q is --jq", args: []string{"list", "-q", ".[0].email"}, stdout: "admin@example.com\n"},
		{name: "-t is --template", args: []string{"list", "-t", "{{(index . 1).email}}"}, stdout: "ana@corp.io"},
		{name: "unknown flag", args: []string{"list", "--rol", "admin"}, code: 2, stderr: "unknown flag", calls: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{}, ana, bo, cy, dee)
			r := c.exec(invocation{args: tt.args, stdinTTY: tt.tty, stdoutTTY: tt.tty, stderrTTY: tt.tty, env: tt.env})
			expectCode(t, r, tt.code)
			if tt.code == 0 && tt.stdout == "" && tt.contains == nil && r.stdout != "" {
				t.Errorf("stdout should be empty:\n%s", r)
			}
			if tt.stdout != "" && r.stdout != tt.stdout {
				t.Errorf("stdout:\n%q\nwant\n%q", r.stdout, tt.stdout)
			}
			expectContains(t, "stdout", r.stdout, tt.contains...)
			expectNotContains(t, "stdout", r.stdout, tt.absent...)
			expectContains(t, "stderr", r.stderr, tt.stderr)
			calls := tt.calls
			if calls == nil {
				calls = []string{"GET /api/users"}
			}
			expectCalls(t, srv, calls...)
		})
	}
}

// listAnswer serves GET /api/users with a handler of the test's own, and
// everything else from the sandbox.
// cutOffAfter13Users answers the list with 13 users and half of a 14th,
// then drops the connection: a body that breaks off part-way.
func cutOffAfter13Users(w http.ResponseWriter, _ *http.Request) {
	fmt.Fprint(w, `[{"email":"admin@example.com","accountRole":"admin"}`)
	for i := range 12 {
		fmt.Fprintf(w, `,{"email":"u%02d@corp.io","accountRole":"editor"}`, i)
	}
	fmt.Fprint(w, `,{"email":"u12@co`)
	w.(http.Flusher).Flush()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

func listAnswer(t *testing.T, list http.HandlerFunc) *cli {
	srv := serveSandbox(t, sandbox.Options{}, serving{quiet: true, wrap: func(sb http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || r.URL.Path != "/api/users" {
				sb.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			list(w, r)
		})
	}})
	return newCLI(t, srv)
}

// A list is written as it arrives: the first user is on stdout while the
// server still holds back the rest of the body, in every machine format
// and the piped table.
func TestListIsStreamed(t *testing.T) {
	t.Parallel()
	proceed := make(chan struct{})
	c := listAnswer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"email":"first@example.com","accountRole":"editor"}`)
		w.(http.Flusher).Flush()
		select {
		case <-proceed:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, `,{"email":"last@example.com","accountRole":"viewer"}]`)
	})
	for _, args := range [][]string{{"list"}, {"list", "-o", "json"}, {"list", "-o", "yaml"}, {"list", "-o", "csv"},
		{"list", "-o", "name"}, {"list", "--jq", ".[].email"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out := &lockedBuffer{}
			run := c.start(invocation{args: args, stdout: out})
			run.waitForOutput(t, out, "first@example.com", time.Minute)
			if got := out.String(); strings.Contains(got, "last@example.com") {
				t.Fatalf("the server has not sent last@example.com, yet stdout has it:\n%s", got)
			}
			proceed <- struct{}{}
			r := run.result()
			expectCode(t, r, 0)
			expectContains(t, "stdout", out.String(), "first@example.com", "last@example.com")
		})
	}
}

// An answer that breaks off part-way: the users written stay written, the
// error says how many they were, the exit code is the failure's, and the
// request is not sent again (the users would be written twice).
func TestListBrokenPartWay(t *testing.T) {
	t.Parallel()
	c := listAnswer(t, cutOffAfter13Users)
	var requests atomic.Int32
	c.transport = hookTransport(func(*http.Request) { requests.Add(1) })
	tests := []struct {
		args  []string
		count func(stdout string) int
	}{
		{[]string{"list"}, func(out string) int { return strings.Count(out, "\n") }},
		{[]string{"list", "-o", "name", "--match", "u0"}, func(out string) int { return strings.Count(out, "\n") }},
		{[]string{"list", "-o", "json"}, func(out string) int { return strings.Count(out, `"email"`) }},
		{[]string{"list", "--role", "admin"}, func(out string) int { return strings.Count(out, "\n") }},
		{[]string{"list", "--sort", "email"}, func(out string) int { return strings.Count(out, "\n") }},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			requests.Store(0)
			r := c.run(tt.args...)
			expectExit(t, r, cmd.ExitFailure, "the body was cut off after", "the connection broke while the answer arrived")
			n := tt.count(r.stdout)
			users := fmt.Sprintf("%d users were", n)
			if n == 1 {
				users = "1 user was"
			}
			expectContains(t, "stderr", r.stderr, "; "+users+" written before the failure")
			if want := map[string]int{"list": 13, "list -o json": 13, "list --role admin": 1}[strings.Join(tt.args, " ")]; want != 0 && n != want {
				t.Errorf("%d users written, want %d", n, want)
			}
			if strings.HasSuffix(r.stdout, "]\n") {
				t.Errorf("the JSON list is closed as if complete:\n%s", r.stdout)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// Without --sort the list is in the server's order; --sort orders it.
func TestListOrder(t *testing.T) {
	t.Parallel()
	c := listAnswer(t, func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `[{"email":"zed@corp.io","accountRole":"viewer"},{"email":"Amy@corp.io","accountRole":"admin"},`+
			`{"email":"bob@corp.io","accountRole":"editor"},{"email":"ann@corp.io","accountRole":"editor"}]`)
	})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "-o", "name"}, "zed@corp.io\nAmy@corp.io\nbob@corp.io\nann@corp.io\n"},
		{[]string{"list", "-o", "name", "--sort", "email"}, "Amy@corp.io\nann@corp.io\nbob@corp.io\nzed@corp.io\n"},
		{[]string{"list", "-o", "name", "--sort", "role"}, "Amy@corp.io\nann@corp.io\nbob@corp.io\nzed@corp.io\n"},
		{[]string{"list", "-o", "name", "--sort", "role", "--match", "b"}, "bob@corp.io\n"},
	} {
		r := c.run(tt.args...)
		expectCode(t, r, 0)
		if r.stdout != tt.want {
			t.Errorf("%v:\n%s\nwant\n%s", tt.args, r.stdout, tt.want)
		}
	}
}

// -o name prints each email as one word, white space of any kind replaced
// as control characters are, so that `| xargs dqo-users delete` never acts
// on part of an email; --null (-0) ends each with NUL for `xargs -0`.
func TestListNameIsOneWord(t *testing.T) {
	c := listAnswer(t, func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `[{"email":"x@contractor.example u0001@example.com","accountRole":"viewer"},`+
			`{"email":"nbsp\u00a0ideo\u3000@x.io","accountRole":"viewer"},{"email":"tab\tlf\n@x.io","accountRole":"viewer"}]`)
	})
	const words = "x@contractor.example\uFFFDu0001@example.com\nnbsp\uFFFDideo\uFFFD@x.io\ntab\uFFFDlf\uFFFD@x.io\n"
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "-o", "name"}, words},
		{[]string{"list", "-o", "name", "--null"}, strings.ReplaceAll(words, "\n", "\x00")},
		{[]string{"list", "-o", "name", "-0"}, strings.ReplaceAll(words, "\n", "\x00")},
	} {
		r := c.run(tt.args...)
		expectCode(t, r, 0)
		if r.stdout != tt.want {
			t.Errorf("%v:\n%q\nwant\n%q", tt.args, r.stdout, tt.want)
		}
	}
	r := c.run("list", "-o", "json", "--null")
	expectCode(t, r, 2)
	expectContains(t, "list -o json --null", r.stderr, "--null works only with --output name")
}

func TestListShowsDataDomainRoles(t *testing.T) {
	t.Parallel()
	_, c := setup(t, withDataDomains(), sandbox.User{Email: "ana@corp.io", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor"}})
	r := c.run("list")
	expectCode(t, r, 0)
	// Piped rows keep one shape: the domain roles column is present for
	// all, and shows grants: never the "none" DQOps lists for every domain.
	want := "admin@example.com\tadmin\t\nana@corp.io\teditor\tsales=editor\nviewer@example.com\tviewer\t\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	for _, format := range []string{"wide", "csv", "tsv"} {
		r = c.run("list", "-o", format)
		expectCode(t, r, 0)
		expectNotContains(t, "list -o "+format, r.stdout, "none")
		expectContains(t, "list -o "+format, r.stdout, "sales=editor")
	}
	r = c.exec(invocation{args: []string{"list"}, stdoutTTY: true})
	expectNotContains(t, "the table", r.stdout, "none")
	// JSON and YAML show what the server sent.
	r = c.run("list", "-o", "json", "--match", "ana*")
	expectCode(t, r, 0)
	var got []struct {
		Roles map[string]string `json:"dataDomainRoles"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	sent := map[string]string{"(default)": "none", "hr": "none", "marketing": "none", "sales": "editor"}
	if len(got) != 1 || !maps.Equal(got[0].Roles, sent) {
		t.Errorf("json: %v, want dataDomainRoles %v", got, sent)
	}
	r = c.run("get", "ana@corp.io", "-o", "yaml")
	expectContains(t, "get -o yaml", r.stdout, "dataDomainRoles:\n  (default): none\n", "sales: editor")
}

func TestDomainRolesDecodeFromEitherRelease(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want map[string]api.Role
	}{
		{"1.0 model, field absent", `{"email":"a@example.com","accountRole":"editor"}`, nil},
		{"1.13 model, null", `{"email":"a@example.com","accountRole":"editor","dataDomainRoles":null}`, nil},
		{"1.13 model, empty", `{"email":"a@example.com","accountRole":"editor","dataDomainRoles":{}}`, nil},
		{"1.13 model, fields reordered", `{"dataDomainRoles":{},"accountRole":"editor","email":"a@example.com"}`, nil},
		{"1.13 model, roles", `{"email":"a@example.com","accountRole":"editor","dataDomainRoles":{"sales":"admin","hr":"none"}}`,
			map[string]api.Role{"sales": api.RoleAdmin, "hr": api.RoleNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u api.User
			if err := json.Unmarshal([]byte(tt.json), &u); err != nil {
				t.Fatalf("decoding %s: %v", tt.json, err)
			}
			want := api.User{Email: "a@example.com", AccountRole: api.RoleEditor, DataDomainRoles: tt.want,
				NoRolesField: !strings.Contains(tt.json, "dataDomainRoles")}
			if !reflect.DeepEqual(u, want) {
				t.Fatalf("decoded %s as %#v, want %#v", tt.json, u, want)
			}
			// In a list, as GET /api/users sends them, too.
			var users []api.User
			if err := json.Unmarshal([]byte("["+tt.json+"]"), &users); err != nil || len(users) != 1 || !reflect.DeepEqual(users[0], want) {
				t.Fatalf("decoding [%s]: %#v, %v", tt.json, users, err)
			}
			// Encoded back, no roles means no field: what 1.0 knows.
			out, err := json.Marshal(u)
			if err != nil {
				t.Fatal(err)
			}
			if has := bytes.Contains(out, []byte("dataDomainRoles")); has != (len(tt.want) > 0) {
				t.Errorf("encoded back as %s", out)
			}
		})
	}
}

// tableHeader returns the first line of a terminal table.
func tableHeader(out string) string {
	line, _, _ := strings.Cut(out, "\n")
	return line
}

func TestDomainRolesTableColumn(t *testing.T) {
	t.Parallel()
	srv, c := setupCI(t, withDataDomains())
	onTerminal := func(args ...string) result {
		t.Helper()
		r := c.exec(invocation{args: args, stdoutTTY: true})
		expectCode(t, r, cmd.ExitOK)
		return r
	}
	list := func(args ...string) string {
		t.Helper()
		return onTerminal(append([]string{"list"}, args...)...).stdout
	}

	// Every user lists every domain as "none": no grants, no column.
	out := list()
	if h := tableHeader(out); !strings.Contains(h, "EMAIL") || strings.Contains(h, "DOMAIN ROLES") {
		t.Fatalf("without domain roles the table's header is %q, want EMAIL and ROLE only:\n%s", h, out)
	}

	srv.addUsers(t, domUserRecord())
	out = list()
	if h := tableHeader(out); !strings.Contains(h, "DOMAIN ROLES") {
		t.Fatalf("with a user with domain roles the table's header is %q, want a DOMAIN ROLES column:\n%s", h, out)
	}
	if !strings.Contains(out, "hr=viewer;sales=editor") || strings.Contains(out, "none") {
		t.Errorf("the table does not show dom's roles as hr=viewer;sales=editor, and nothing else:\n%s", out)
	}

	// Only the users listed count.
	out = list("--role", "viewer")
	if h := tableHeader(out); strings.Contains(h, "DOMAIN ROLES") {
		t.Errorf("list --role viewer lists nobody with domain roles, yet the header is %q:\n%s", h, out)
	}

	o := onTerminal("get", domUser)
	if h := tableHeader(o.stdout); !strings.Contains(h, "DOMAIN ROLES") {
		t.Errorf("get %s: header %q, want a DOMAIN ROLES column:\n%s", domUser, h, o.stdout)
	}
	o = onTerminal("get", sandbox.ViewerEmail)
	if h := tableHeader(o.stdout); strings.Contains(h, "DOMAIN ROLES") {
		t.Errorf("get %s: header %q, want no DOMAIN ROLES column:\n%s", sandbox.ViewerEmail, h, o.stdout)
	}
}

func TestDomainRolesMachineFormats(t *testing.T) {
	t.Parallel()
	// Each flavour's domain roles as the machine formats must show them:
	// JSON and YAML as the server sent them (on 1.0, no field at all), csv
	// and tsv the grants, the column present always, empty when none.
	none := map[string]string{"(default)": "none", "hr": "none", "marketing": "none", "sales": "none"}
	domRoles := maps.Clone(none)
	maps.Copy(domRoles, domUserRecord().DataDomainRoles)
	nothing := map[string]map[string]string{sandbox.AdminEmail: {}, sandbox.ViewerEmail: {}, domUser: {}}
	absent := map[string]map[string]string{sandbox.AdminEmail: nil, sandbox.ViewerEmail: nil, domUser: nil}
	type flavour struct {
		name        string
		opts        sandbox.Options
		sent, grant map[string]map[string]string
	}
	for _, fl := range []flavour{
		{"1.0", sandbox.Options{API: sandbox.API10}, absent, nothing},
		// The sandbox keeps dom's roles, but an instance without data
		// domains shows none of them.
		{"1.13 without data domains", sandbox.Options{}, nothing, nothing},
		{"1.13 with data domains", withDataDomains(),
			map[string]map[string]string{sandbox.AdminEmail: none, sandbox.ViewerEmail: none, domUser: domRoles},
			map[string]map[string]string{sandbox.AdminEmail: {}, sandbox.ViewerEmail: {}, domUser: domUserRecord().DataDomainRoles}},
	} {
		for _, tty := range []bool{false, true} {
			name := fl.name + "/piped"
			if tty {
				name = fl.name + "/tty"
			}
			t.Run(name, func(t *testing.T) {
				_, c := setupCI(t, fl.opts, domUserRecord())
				for _, format := range []string{"json", "yaml", "csv", "tsv"} {
					o := c.exec(invocation{args: []string{"list", "-o", format}, stdoutTTY: tty})
					expectCode(t, o, cmd.ExitOK)
					got, err := machineDomainRoles(format, o.stdout)
					if err != nil {
						t.Fatalf("list -o %s: %v\n%s", format, err, o.stdout)
					}
					want := fl.grant
					if format == "json" || format == "yaml" {
						want = fl.sent
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("list -o %s: domain roles %v, want %v\n%s", format, got, want, o.stdout)
					}
				}
				// One user in JSON is one object, with the field as sent.
				o := c.exec(invocation{args: []string{"get", sandbox.ViewerEmail, "-o", "json"}, stdoutTTY: tty})
				expectCode(t, o, cmd.ExitOK)
				var one struct {
					Roles *map[string]string `json:"dataDomainRoles"`
				}
				if err := json.Unmarshal([]byte(o.stdout), &one); err != nil {
					t.Fatalf("get -o json: %v\n%s", err, o.stdout)
				}
				want := fl.sent[sandbox.ViewerEmail]
				if (one.Roles == nil) != (want == nil) || (one.Roles != nil && !maps.Equal(*one.Roles, want)) {
					t.Errorf("get %s -o json: dataDomainRoles = %v, want %v\n%s", sandbox.ViewerEmail, one.Roles, fl.sent[sandbox.ViewerEmail], o.stdout)
				}
			})
		}
	}
}

// machineDomainRoles reads each user's dataDomainRoles from list output in
// a machine format: nil for a user without the field in JSON or YAML.
func machineDomainRoles(format, out string) (map[string]map[string]string, error) {
	roles := map[string]map[string]string{}
	switch format {
	case "json", "yaml":
		var users []map[string]any
		var err error
		if format == "json" {
			err = json.Unmarshal([]byte(out), &users)
		} else {
			err = yaml.Unmarshal([]byte(out), &users)
		}
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			email, _ := u["email"].(string)
			field, present := u["dataDomainRoles"]
			if !present {
				roles[email] = nil
				continue
			}
			m, ok := field.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("user %s has dataDomainRoles %#v, want an object", email, field)
			}
			roles[email] = map[string]string{}
			for d, r := range m {
				roles[email][d], _ = r.(string)
			}
		}
	case "csv", "tsv":
		r := csv.NewReader(strings.NewReader(out))
		if format == "tsv" {
			r.Comma = '\t'
		}
		records, err := r.ReadAll()
		if err != nil {
			return nil, err
		}
		if len(records) == 0 {
			return nil, fmt.Errorf("no header")
		}
		emailCol, rolesCol := -1, -1
		for i, name := range records[0] {
			switch name {
			case "email":
				emailCol = i
			case "dataDomainRoles":
				rolesCol = i
			}
		}
		if emailCol < 0 || rolesCol < 0 {
			return nil, fmt.Errorf("header %q lacks email or dataDomainRoles", records[0])
		}
		for _, rec := range records[1:] {
			m := map[string]string{}
			if cell := rec[rolesCol]; cell != "" {
				for pair := range strings.SplitSeq(cell, ";") {
					d, role, _ := strings.Cut(pair, "=")
					m[d] = role
				}
			}
			roles[rec[emailCol]] = m
		}
	}
	return roles, nil
}

// BenchmarkList100k runs "dqo-users list" in-process against the sandbox
// over loopback HTTP: request, decode, sort check, print.
func BenchmarkList100k(b *testing.B) {
	// 100,000 users (plus the two built-in ones).
	srv := startSandbox(b, sandbox.Options{SeedUsers: 100000, UsersLimit: 200000, MaxRequestLog: 100})
	c := newCLI(b, srv)
	for _, args := range [][]string{{"list", "-o", "json"}, {"list"}} {
		b.Run(args[len(args)-1], func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if r := c.exec(invocation{args: args, stdout: io.Discard}); r.code != 0 {
					b.Fatalf("exit %d", r.code)
				}
			}
		})
	}
}

// failingWriter is a stdout that cannot be written to.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// A list whose output cannot be written stops, although the server is
// still sending: the request ends rather than being read to its end.
func TestListStopsWhenOutputFails(t *testing.T) {
	t.Parallel()
	cancelled := make(chan struct{}, 2)
	c := listAnswer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"email":"admin@example.com","accountRole":"admin"}`)
		for i := range 3000 {
			fmt.Fprintf(w, `,{"email":"user%05d@example.com","accountRole":"editor"}`, i)
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest never comes
		cancelled <- struct{}{}
	})
	for _, args := range [][]string{{"list", "-o", "json"}, {"export"}} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		r := c.exec(invocation{args: args, stdout: failingWriter{}, ctx: ctx})
		cancel()
		expectExit(t, r, cmd.ExitFailure, "no space left on device")
		select {
		case <-cancelled:
		case <-time.After(time.Minute):
			t.Errorf("%v: the server's request was not cancelled", args)
		}
	}
}

// Every -o and --format reads its value as one parser does: in any letter
// case, yml for yaml, and an error that names the formats taken.
func TestFormatFlagsReadAlike(t *testing.T) {
	t.Parallel()
	_, c := setup(t, sandbox.Options{})
	path := c.file("u.txt", "- {email: admin@example.com, accountRole: admin}\n- {email: viewer@example.com, accountRole: viewer}\n")
	for _, args := range [][]string{
		{"list", "-o", "JSON"}, {"export", "-o", "YML"}, {"version", "-o", "Json"},
		{"diff", "-f", path, "--format", "yml", "-o", "TEXT"}, {"create", "x@corp.io", "--role", "viewer", "-o", "YAML"},
	} {
		expectExit(t, c.run(args...), 0)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "-o", "xml"}, `unknown format "xml": use table, wide, json, yaml, csv, tsv or name`},
		{[]string{"export", "-o", "table"}, `unknown format "table": use yaml, json or csv`},
		{[]string{"diff", "-f", path, "--format", "toml"}, `unknown format "toml": use yaml, json or csv`},
		{[]string{"diff", "-f", path, "-o", "yaml"}, `unknown format "yaml": use text or json`},
	} {
		expectExit(t, c.run(tt.args...), 2, tt.want)
	}
}
