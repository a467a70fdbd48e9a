package users

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// syncEntries are what a directory might call for among serverUsers: bo
// stays a viewer, cy keeps its grant, a new user is created; the others
// are in no mapped group.
func syncEntries() []Entry {
	return []Entry{
		{Email: "bo@example.com", AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{}},
		{Email: "cy@example.com", AccountRole: api.RoleEditor, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor}},
		{Email: "new@example.com", AccountRole: api.RoleOperator, DataDomainRoles: map[string]api.Role{}},
	}
}

func keepOnly(emails ...string) func(string) bool {
	return func(e string) bool {
		for _, k := range emails {
			if api.SameEmail(k, e) {
				return true
			}
		}
		return false
	}
}

// TestPlanUnmatched checks what a plan does with the users the entries do
// not mention under each of sync's unmatched: settings, and that keep:
// spares a user whatever they say.
func TestPlanUnmatched(t *testing.T) {
	current := append(serverUsers(), api.User{Email: "gone@example.com", AccountRole: api.RoleNone})
	file := &File{Name: "sync.yaml", Entries: syncEntries()}
	tests := []struct {
		name    string
		opts    Options
		changes []string
		summary string
		deletes int // as CheckLimits counts them
	}{
		{"keep", Options{Unmatched: UnmatchedKeep, Caller: "admin@example.com", Keep: keepOnly("admin@example.com")},
			[]string{"+ create new@example.com (operator)"},
			"Plan: 1 to create, 0 to update, 0 to delete, 2 unchanged. 5 users on the server are in no mapped group, left as they are (unmatched: keep). 1 user under keep:, left as it is.", 0},
		{"none", Options{Unmatched: UnmatchedNone, Caller: "admin@example.com", Keep: keepOnly("admin@example.com", "Old@Example.com")},
			[]string{
				"+ create new@example.com (operator)",
				"~ update boss@example.com: role admin -> none (in no mapped group; counts as a delete)",
				"~ update dee@example.com: role operator -> none, domain roles hr=viewer -> (none) (in no mapped group; counts as a delete)",
				"~ update Eve@Example.com: role viewer -> none (in no mapped group; counts as a delete)",
			},
			"Plan: 1 to create, 3 to update, 0 to delete, 2 unchanged. 4 users on the server are in no mapped group, demoted to none where they are not already. 2 users under keep:, left as they are.", 3},
		{"none, the caller and the last admin guarded", Options{Unmatched: UnmatchedNone, Caller: "admin@example.com"},
			[]string{
				"+ create new@example.com (operator)",
				// The caller stays, so boss may go; the caller would be the
				// last admin if forced, and is told so.
				"! update admin@example.com: role admin -> none (in no mapped group; counts as a delete) refused: " + string(RefusedSelfLastAdmin),
				"~ update boss@example.com: role admin -> none (in no mapped group; counts as a delete)",
				"~ update dee@example.com: role operator -> none, domain roles hr=viewer -> (none) (in no mapped group; counts as a delete)",
				"~ update Eve@Example.com: role viewer -> none (in no mapped group; counts as a delete)",
				"~ update old@example.com: role viewer -> none (in no mapped group; counts as a delete)",
			},
			"Plan: 1 to create, 4 to update, 0 to delete, 2 unchanged, 1 refused. 6 users on the server are in no mapped group, demoted to none where they are not already.", 4},
		{"delete with prune", Options{Unmatched: UnmatchedDelete, Prune: true, Caller: "admin@example.com", Keep: keepOnly("admin@example.com", "boss@example.com")},
			[]string{
				"+ create new@example.com (operator)",
				"- delete dee@example.com (operator)",
				"- delete Eve@Example.com (viewer)",
				"- delete gone@example.com (none)",
				"- delete old@example.com (viewer)",
			},
			"Plan: 1 to create, 0 to update, 4 to delete, 2 unchanged. 2 users under keep:, left as they are.", 4},
		{"keep: names an entry too", Options{Unmatched: UnmatchedKeep, Caller: "admin@example.com", Keep: keepOnly("admin@example.com", "new@example.com", "cy@example.com")},
			nil,
			"Plan: 0 to create, 0 to update, 0 to delete, 1 unchanged. 5 users on the server are in no mapped group, left as they are (unmatched: keep). 3 users under keep:, left as they are.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPlan(file, current, tt.opts)
			var got []string
			for _, c := range p.Changes {
				got = append(got, c.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.changes, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.changes, "\n"))
			}
			if p.Summary() != tt.summary {
				t.Errorf("summary %q\nwant    %q", p.Summary(), tt.summary)
			}
			zero, _ := ParseDeleteLimit(strconv.Itoa(tt.deletes))
			if err := p.CheckLimits(Limits{MaxDeletes: zero}, len(current)); err != nil {
				t.Errorf("--max-deletes %d: %v", tt.deletes, err)
			}
			if tt.deletes > 0 {
				less, _ := ParseDeleteLimit(strconv.Itoa(tt.deletes - 1))
				if err := p.CheckLimits(Limits{MaxDeletes: less}, len(current)); err == nil {
					t.Errorf("--max-deletes %d lets %d deletes through", tt.deletes-1, tt.deletes)
				}
			}
			for _, c := range p.Changes {
				if c.CountsAsDelete && (c.After.AccountRole != api.RoleNone || c.After.DataDomainRoles != nil) {
					t.Errorf("the demotion of %s sends %+v: want role none and no grants", c.Email, c.After)
				}
			}
		})
	}
}

// An entry from no line of a file (sync's) whose grants stay stronger than
// its new account role is warned of without a line number.
func TestWarningOfEntryWithoutLine(t *testing.T) {
	entries := []Entry{{Email: "cy@example.com", AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{"sales": api.RoleEditor}}}
	p := NewPlan(&File{Name: "sync.yaml", Entries: entries}, serverUsers(), Options{Unmatched: UnmatchedKeep})
	want := "cy@example.com keeps the data-domain role editor in \"sales\", stronger than its new account role viewer; to remove it, leave it out of the dataDomainRoles that the file gives"
	if len(p.Changes) != 1 || p.Changes[0].Warning() != want {
		t.Errorf("changes %v; warning %q\nwant %q", p.Changes, p.Changes[0].Warning(), want)
	}
}

// A sync plan saved and read back keeps its demotions counted as deletes,
// its counts and its source, and its JSON says what diff -o json says.
func TestSavedSyncPlan(t *testing.T) {
	current := serverUsers()
	opts := Options{Unmatched: UnmatchedNone, Caller: "admin@example.com", Keep: keepOnly("admin@example.com")}
	plan := NewPlan(&File{Name: "sync.yaml", Entries: syncEntries()}, current, opts)
	saved := &SavedPlan{PlanVersion: PlanVersion, Tool: "dqo-users test", CreatedAt: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC),
		Source:    PlanSource{Sync: "sync.yaml", SHA256: "abc"},
		Options:   SavedOptions{MaxDeletes: "default", Unmatched: UnmatchedNone},
		Instances: []SavedInstance{NewSavedInstance(plan, current, "https://dqops.example.com:443", "", "1.13")}}
	var buf bytes.Buffer
	if err := saved.Write(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"sync": "sync.yaml"`, `"unmatched": "none"`, `"countsAsDelete": true`, `"kept": 1`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the saved plan lacks %s:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), `"file"`) {
		t.Errorf("the saved plan names a users file:\n%s", buf.String())
	}
	back, err := ReadSavedPlan("plan.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Instances[0].Plan(current, false)
	if err != nil {
		t.Fatal(err)
	}
	again.Unmatched = back.Options.Unmatched
	if again.Summary() != plan.Summary() {
		t.Errorf("summary %q, want %q", again.Summary(), plan.Summary())
	}
	if err := again.CheckLimits(Limits{MaxDeletes: DeleteLimit{N: 3, Set: true}}, len(current)); err == nil {
		t.Errorf("the demotions read back do not count as deletes")
	}
	var js bytes.Buffer
	if err := plan.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"unmatched": "none"`, `"kept": 1`, `"countsAsDelete": true`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("the plan's JSON lacks %s:\n%s", want, js.String())
		}
	}

	bad := strings.Replace(buf.String(), `"unmatched": "none"`, `"unmatched": "demote"`, 1)
	if _, err := ReadSavedPlan("plan.json", []byte(bad)); err == nil || !strings.Contains(err.Error(), "options.unmatched") {
		t.Errorf("a plan with unmatched demote: %v", err)
	}
}

// FileOf makes a file of entries that CheckInstance holds to --instance
// and to the source's instance: as it holds a users file.
func TestFileOf(t *testing.T) {
	f, err := ParseOptions{Instance: "https://a.example.com"}.FileOf("sync.yaml", syncEntries(), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CheckInstance("https://a.example.com:443/"); err != nil {
		t.Errorf("the same instance: %v", err)
	}
	if err := f.CheckInstance("https://b.example.com"); err == nil || !strings.Contains(err.Error(), "--instance https://a.example.com") {
		t.Errorf("another instance than --instance: %v", err)
	}
	f, err = ParseOptions{}.FileOf("sync.yaml", syncEntries(), []string{"https://a.example.com"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CheckInstance("https://b.example.com"); err == nil || !strings.HasPrefix(err.Error(), "sync.yaml:3: the file is for instance https://a.example.com") {
		t.Errorf("another instance than instance: %v", err)
	}
	if _, err := (ParseOptions{Instance: "ftp://x"}).FileOf("sync.yaml", nil, nil, 0); err == nil {
		t.Errorf("a bad --instance is accepted")
	}
}
