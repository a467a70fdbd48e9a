package users

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// savedRoundTrip saves the plan of teamFile against serverUsers and reads
// it back.
func savedRoundTrip(t *testing.T, opts Options) (*Plan, *SavedPlan) {
	t.Helper()
	current := serverUsers()
	plan := NewPlan(mustParse(t, teamFile), current, opts)
	saved := &SavedPlan{PlanVersion: PlanVersion, Tool: "dqo-users test", CreatedAt: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC),
		Source: PlanSource{File: "users.yaml", SHA256: "abc"}, Options: SavedOptions{Prune: opts.Prune, MaxDeletes: "default"},
		Instances: []SavedInstance{NewSavedInstance(plan, current, "https://dqops.example.com:443", "prod", "1.13-data-domains")}}
	var buf bytes.Buffer
	if err := saved.Write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSavedPlan("plan.json", buf.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return plan, back
}

// A saved plan, read back against the same users, is the plan it was
// made from: the same changes, refusals and order.
func TestSavedPlanRoundTrip(t *testing.T) {
	plan, saved := savedRoundTrip(t, Options{Prune: true, Caller: "admin@example.com"})
	in, err := saved.For("https://dqops.example.com")
	if err != nil {
		t.Fatal(err)
	}
	again, err := in.Plan(serverUsers(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != len(plan.Changes) {
		t.Fatalf("%d changes, want %d", len(again.Changes), len(plan.Changes))
	}
	for i, c := range again.Changes {
		want := plan.Changes[i]
		if c.String() != want.String() || c.Self != want.Self {
			t.Errorf("change %d: %q (self %v), want %q (self %v)", i, c, c.Self, want, want.Self)
		}
		if c.Action == ActionUpdate && c.Email == "bo@example.com" && string(c.After.Extra["displayName"]) != `"Bo"` {
			t.Errorf("the update of bo@example.com lost the fields read from the server: %+v", c.After)
		}
	}
	if again.Unchanged != plan.Unchanged || again.NotInFile != plan.NotInFile || again.Summary() != plan.Summary() {
		t.Errorf("summary %q, want %q", again.Summary(), plan.Summary())
	}
}

// A user created, changed or deleted since the plan was made makes it
// stale, and the error names them.
func TestSavedPlanStale(t *testing.T) {
	_, saved := savedRoundTrip(t, Options{Prune: true, Caller: "admin@example.com"})
	in := &saved.Instances[0]
	tests := []struct {
		name   string
		change func([]api.User) []api.User
		want   []string
	}{
		{"a user created", func(u []api.User) []api.User {
			return append(u, api.User{Email: "new@example.com", AccountRole: api.RoleAdmin})
		}, []string{"new@example.com"}},
		{"a role changed", func(u []api.User) []api.User { u[5].AccountRole = api.RoleAdmin; return u }, []string{"Eve@Example.com"}},
		{"a grant changed", func(u []api.User) []api.User {
			u[3].DataDomainRoles = map[string]api.Role{"sales": api.RoleViewer}
			return u
		}, []string{"cy@example.com"}},
		{"a user deleted", func(u []api.User) []api.User { return u[:6] }, []string{"old@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := in.Plan(tt.change(serverUsers()), true)
			var stale *StaleError
			if !errors.As(err, &stale) || strings.Join(stale.Changed, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("error %v, want a stale plan naming %v", err, tt.want)
			}
		})
	}
	// A domain that nobody holds, listed as none for everyone, changes nothing.
	current := serverUsers()
	for i := range current {
		current[i].DataDomainRoles = map[string]api.Role{"new-domain": api.RoleNone}
		for k, v := range serverUsers()[i].DataDomainRoles {
			current[i].DataDomainRoles[k] = v
		}
	}
	if _, err := in.Plan(current, true); err != nil {
		t.Errorf("a new data domain made the plan stale: %v", err)
	}
}

func TestStaleErrorNamesTwentyUsers(t *testing.T) {
	var changed []string
	for i := range 25 {
		changed = append(changed, fmt.Sprintf("u%02d@example.com", i))
	}
	msg := (&StaleError{Instance: "https://x:443", Changed: changed}).Error()
	if !strings.Contains(msg, "u19@example.com and 5 more") || strings.Contains(msg, "u20@") || !strings.Contains(msg, "25 users changed") {
		t.Errorf("message: %s", msg)
	}
}

// A plan edited after it was written, of another version, or not a plan,
// is refused.
func TestReadSavedPlanRefuses(t *testing.T) {
	_, saved := savedRoundTrip(t, Options{Prune: true})
	var buf bytes.Buffer
	if err := saved.Write(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	tests := []struct {
		name, data, want string
	}{
		{"edited role", strings.Replace(good, `"accountRole": "editor"`, `"accountRole": "admin"`, 1), "were edited after the plan was written"},
		{"a change removed", removeFirstChange(t, good), "were edited after the plan was written"},
		{"another version", strings.Replace(good, `"planVersion": 1`, `"planVersion": 2`, 1), "a plan of version 2"},
		{"not a plan", `{"users": []}`, "not a plan written by dqo-users"},
		{"not JSON", "users:\n- email: a@b.c\n", "not a plan written by dqo-users"},
		{"an unknown field", strings.Replace(good, `"planVersion": 1,`, `"planVersion": 1, "extra": true,`, 1), "not a valid plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSavedPlan("plan.json", []byte(tt.data))
			var pe *PlanFileError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := saved.For("https://other.example.com"); !errors.Is(err, ErrNoSuchInstance) {
		t.Errorf("a plan for another instance: %v", err)
	}
}

func removeFirstChange(t *testing.T, plan string) string {
	t.Helper()
	i := strings.Index(plan, `"changes": [`)
	j := strings.Index(plan[i:], "},\n        {")
	if i < 0 || j < 0 {
		t.Fatalf("no changes in\n%s", plan)
	}
	start := i + len(`"changes": [`)
	return plan[:start] + "\n        {" + plan[i+j+len("},\n        {"):]
}

func TestCheckLimits(t *testing.T) {
	deletes := func(n int) *Plan {
		p := &Plan{}
		for i := range n {
			p.Changes = append(p.Changes, Change{Action: ActionDelete, Email: fmt.Sprintf("u%d@x.io", i)})
		}
		return p
	}
	all, _ := ParseDeleteLimit("all")
	n25, _ := ParseDeleteLimit("25")
	zero, _ := ParseDeleteLimit("0")
	tests := []struct {
		name  string
		plan  *Plan
		l     Limits
		users int
		want  string
	}{
		{"default allows 5 of 30", deletes(5), Limits{}, 30, ""},
		{"default refuses 6 of 30", deletes(6), Limits{}, 30, "the plan deletes 6 users, more than the default limit of 5 (a tenth of the instance's 30 users, at least 5)"},
		{"default is a tenth of 200", deletes(20), Limits{}, 200, ""},
		{"a tenth of 200 is 20", deletes(21), Limits{}, 200, "more than the default limit of 20"},
		{"--max-deletes 25", deletes(25), Limits{MaxDeletes: n25}, 30, ""},
		{"--max-deletes 0", deletes(1), Limits{MaxDeletes: zero}, 30, "the plan deletes 1 user, more than --max-deletes 0 allows"},
		{"--max-deletes all", deletes(1000), Limits{MaxDeletes: all}, 30, ""},
		{"refused deletes do not count", &Plan{Changes: append(deletes(5).Changes, Change{Action: ActionDelete, Email: "me@x.io", Refused: RefusedSelfDelete})}, Limits{}, 30, ""},
		{"demotions standing for deletes count", &Plan{Changes: append(deletes(5).Changes, Change{Action: ActionUpdate, Email: "d@x.io", CountsAsDelete: true})}, Limits{}, 30, "deletes 6 users"},
		{"--max-changes", &Plan{Changes: append(deletes(2).Changes, Change{Action: ActionCreate, Email: "n@x.io"})}, Limits{MaxChanges: 2, MaxChangesSet: true}, 30, "the plan makes 3 changes, more than --max-changes 2 allows"},
		{"--max-changes 0", deletes(1), Limits{MaxDeletes: all, MaxChangesSet: true}, 30, "more than --max-changes 0 allows"},
	}
	for _, tt := range tests {
		err := tt.plan.CheckLimits(tt.l, tt.users)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
	for _, bad := range []string{"-1", "ten", ""} {
		if _, err := ParseDeleteLimit(bad); err == nil {
			t.Errorf("--max-deletes %q accepted", bad)
		}
	}
}
