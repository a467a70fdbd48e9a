package cmd_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/cmd"
	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// exportFlavours are the three kinds of instance, with the golden files'
// name for each.
var exportFlavours = []struct {
	name string
	opts sandbox.Options
}{
	{"1.0", sandbox.Options{API: sandbox.API10}},
	{"1.13", sandbox.Options{}},
	{"1.13_domains", withDataDomains()},
}

func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	for _, fl := range exportFlavours {
		for _, format := range []string{"yaml", "json", "csv"} {
			t.Run(fl.name+"/"+format, func(t *testing.T) {
				srv, c := setupNoColor(t, fl.opts,
					sandbox.User{Email: "bo@example.com", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor", "hr": "viewer"}},
					sandbox.User{Email: "Cy@Example.com", AccountRole: "none"})
				r := c.run("export", "-o", format)
				expectExit(t, r, 0)
				golden(t, "export_"+fl.name+"."+format, r.stdout)
				// The grants only: never the "none" DQOps lists for every domain.
				expectNotContains(t, "export", r.stdout, "(default)", "marketing", "=none")
				exported := r.stdout
				srv.ResetRequests()
				for _, args := range [][]string{{"apply", "--yes", "-f", "-", "--prune"}, {"diff", "-f", "-", "--prune"}} {
					r = c.exec(invocation{args: args, stdin: exported})
					expectExit(t, r, 0, "No changes: the server matches stdin (4 users).")
				}
				if w := srv.writes(); len(w) != 0 {
					t.Errorf("export | apply sent writes %v", w)
				}
			})
		}
		// Without the profile (DQOps refuses it to a caller with role none),
		// the users show whether the model has dataDomainRoles: the same file.
		t.Run(fl.name+"/profile refused", func(t *testing.T) {
			srv, c := setupNoColor(t, fl.opts,
				sandbox.User{Email: "bo@example.com", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor", "hr": "viewer"}},
				sandbox.User{Email: "Cy@Example.com", AccountRole: "none"})
			want := c.run("export").stdout
			srv.SetFaults("GET /api/environment/profile 403")
			r := c.run("export")
			expectExit(t, r, 0)
			if r.stdout != want {
				t.Errorf("export without the profile:\n%s\nwith it:\n%s", r.stdout, want)
			}
		})
		t.Run(fl.name+"/list -o json", func(t *testing.T) {
			srv, c := setupNoColor(t, fl.opts, sandbox.User{Email: "bo@example.com", AccountRole: "editor", DataDomainRoles: map[string]string{"sales": "editor"}})
			r := c.run("list", "-o", "json")
			expectExit(t, r, 0)
			r = c.exec(invocation{args: []string{"apply", "--yes", "-f", "-", "--prune"}, stdin: r.stdout})
			expectExit(t, r, 0, "No changes")
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("list -o json | apply sent writes %v", w)
			}
		})
	}
}

func TestExportPinsDomainRoles(t *testing.T) {
	t.Parallel()
	// On 1.13 the export pins "no domain roles": roles granted later are
	// removed by applying it again.
	_, c := setupNoColor(t, withDataDomains(), sandbox.User{Email: "bo@example.com", AccountRole: "editor"})
	exported := c.run("export").stdout
	r := c.run("update", "bo@example.com", "--domain-role", "sales=editor")
	expectExit(t, r, 0)
	r = c.exec(invocation{args: []string{"apply", "--yes", "-f", "-"}, stdin: exported})
	expectExit(t, r, 0, "Updated user bo@example.com: domain roles sales=editor -> (none).")
}

// An export is written as the users arrive: with more users than fill the
// output's buffer, the first ones are on stdout while the server still
// holds back the end of the list, in every format.
func TestExportIsStreamed(t *testing.T) {
	t.Parallel()
	proceed := make(chan struct{})
	c := listAnswer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"email":"admin@example.com","accountRole":"admin"}`)
		for i := range 3000 {
			fmt.Fprintf(w, `,{"email":"user%05d@example.com","accountRole":"editor","dataDomainRoles":{"sales":"viewer"}}`, i)
		}
		w.(http.Flusher).Flush()
		select {
		case <-proceed:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, `,{"email":"zed@example.com","accountRole":"viewer"}]`)
	})
	for _, format := range []string{"yaml", "json", "csv"} {
		t.Run(format, func(t *testing.T) {
			out := &lockedBuffer{}
			run := c.start(invocation{args: []string{"export", "-o", format}, stdout: out})
			run.waitForOutput(t, out, "user00000@example.com", time.Minute)
			if got := out.String(); strings.Contains(got, "zed@example.com") {
				t.Fatalf("the server has not sent zed@example.com, yet stdout has it")
			}
			proceed <- struct{}{}
			r := run.result()
			expectCode(t, r, 0)
			expectContains(t, "stdout", out.String(), "user02999@example.com", "zed@example.com")
		})
	}
}

// An export whose answer breaks off part-way is left unfinished, and the
// error says how many users it holds.
func TestExportBrokenPartWay(t *testing.T) {
	t.Parallel()
	c := listAnswer(t, cutOffAfter13Users)
	for format, count := range map[string]string{"yaml": "- email:", "json": `"email"`, "csv": "@corp.io,"} {
		t.Run(format, func(t *testing.T) {
			r := c.run("export", "-o", format)
			expectExit(t, r, cmd.ExitFailure, "the body was cut off after", "13 users were written before the failure")
			n := strings.Count(r.stdout, count)
			if format == "csv" {
				n += strings.Count(r.stdout, "admin@example.com,")
			}
			if n != 13 {
				t.Errorf("%d users in the file, want 13:\n%s", n, r.stdout)
			}
			if format == "json" && strings.HasSuffix(r.stdout, "}\n") {
				t.Errorf("the JSON file is closed as if complete:\n%s", r.stdout)
			}
		})
	}
}

// A csv export replaces a server's tab, CR or line break, as every text
// writer does; apply then refuses to create the replaced email (U+FFFD)
// rather than, with --prune, delete the user and create another. ('\tt@'
// used to be read back trimmed, as t@example.com.)
func TestExportCSVOfAwkwardEmails(t *testing.T) {
	t.Parallel()
	for _, email := range []string{"\tt@example.com", "\rcr@example.com", "l\nf@example.com"} {
		t.Run(strconv.Quote(email), func(t *testing.T) {
			srv, c := setup(t, sandbox.Options{}, sandbox.User{Email: email, AccountRole: "viewer"})
			exported := c.run("export", "-o", "csv").stdout
			if n := strings.Count(exported, "\n"); n != 6 {
				t.Errorf("%d lines, want the start mark, a header, 3 users and the end mark:\n%q", n, exported)
			}
			r := c.runStdin(exported, "apply", "-f", "-", "--prune", "--yes")
			expectExit(t, r, 2, "U+FFFD", "nothing was changed")
			if w := srv.writes(); len(w) != 0 {
				t.Errorf("writes sent: %v", w)
			}
		})
	}
}

// An export that Ctrl-C or SIGTERM stops part-way says how many users were
// written, as a broken answer does.
func TestExportInterruptedSaysHowMany(t *testing.T) {
	t.Parallel()
	c := listAnswer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"email":"admin@example.com","accountRole":"admin"}`)
		for i := range 3000 {
			fmt.Fprintf(w, `,{"email":"user%05d@example.com","accountRole":"editor"}`, i)
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	for sig, want := range map[os.Signal]string{os.Interrupt: "interrupted; ", syscall.SIGTERM: "terminated; "} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			out := &lockedBuffer{}
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			run := c.start(invocation{args: []string{"export"}, stdout: out, ctx: ctx})
			run.waitForOutput(t, out, "user00000@example.com", time.Minute)
			cancel(cmd.Signal{Signal: sig})
			r := run.result()
			expectExit(t, r, 128+int(sig.(syscall.Signal)), want, "users were written before it")
			if strings.Contains(r.stderr, `{"error"`) {
				t.Errorf("export without -o json writes a sentence, not JSON:\n%s", r)
			}
		})
	}
}
