package users

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// listedByDomains is a user as DQOps 1.13 with data domains lists it: every
// domain, "none" where it has no grant.
func listedByDomains(email string, role api.Role, grants map[string]api.Role) api.User {
	roles := map[string]api.Role{api.DefaultDomain: api.RoleNone, "sales": api.RoleNone, "marketing": api.RoleNone}
	for d, r := range grants {
		roles[d] = r
	}
	return api.User{Email: email, AccountRole: role, DataDomainRoles: roles}
}

func TestPlanComparesGrants(t *testing.T) {
	server := []api.User{
		listedByDomains("admin@example.com", api.RoleAdmin, nil),
		listedByDomains("bo@example.com", api.RoleViewer, map[string]api.Role{"sales": api.RoleEditor}),
		listedByDomains("cy@example.com", api.RoleEditor, nil),
	}
	tests := []struct {
		name string
		file string
		want string // the plan's text; "" for in sync
	}{
		{name: "a hand-written file without none entries",
			file: "- {email: admin@example.com, accountRole: admin, dataDomainRoles: {}}\n" +
				"- {email: bo@example.com, accountRole: viewer, dataDomainRoles: {sales: editor}}\n" +
				"- {email: cy@example.com, accountRole: editor}\n"},
		{name: "a file with every none entry",
			file: "- {email: bo@example.com, accountRole: viewer, dataDomainRoles: {(default): none, sales: editor, marketing: none}}\n" +
				"- {email: cy@example.com, accountRole: editor, dataDomainRoles: {(default): none}}\n"},
		{name: "list -o json output",
			file: `[{"email":"bo@example.com","accountRole":"viewer","dataDomainRoles":{"(default)":"none","marketing":"none","sales":"editor"}}]`},
		{name: "a grant added",
			file: "- {email: cy@example.com, accountRole: editor, dataDomainRoles: {marketing: viewer, sales: none}}\n",
			want: "~ update cy@example.com: domain roles (none) -> marketing=viewer\n"},
		{name: "a grant removed by a none entry",
			file: "- {email: bo@example.com, accountRole: viewer, dataDomainRoles: {sales: none}}\n",
			want: "~ update bo@example.com: domain roles sales=editor -> (none)\n"},
		{name: "a create sends grants only",
			file: "- {email: new@example.com, accountRole: viewer, dataDomainRoles: {(default): none, sales: operator}}\n",
			want: "+ create new@example.com (viewer; domain roles sales=operator)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format := FormatYAML
			if strings.HasPrefix(tt.file, "[") {
				format = FormatJSON
			}
			f, err := Parse("u", []byte(tt.file), format)
			if err != nil {
				t.Fatal(err)
			}
			p := NewPlan(f, server, Options{Caller: "admin@example.com"})
			var text bytes.Buffer
			if err := p.WriteText(&text, false); err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if !p.InSync() {
					t.Errorf("not in sync:\n%s", text.String())
				}
				return
			}
			if got, _, _ := strings.Cut(text.String(), "Plan:"); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", text.String(), tt.want)
			}
			for _, c := range p.Changes {
				for d, r := range c.After.DataDomainRoles {
					if r == api.RoleNone {
						t.Errorf("%s would send %s: none", c.Email, d)
					}
				}
			}
		})
	}
}

func TestPlanSendsTheModelReadWithGrants(t *testing.T) {
	bo := listedByDomains("bo@example.com", api.RoleViewer, map[string]api.Role{"sales": api.RoleEditor})
	bo.Extra = map[string]json.RawMessage{"displayName": json.RawMessage(`"Bo"`)}
	f := mustParse(t, "- {email: bo@example.com, accountRole: editor}\n")
	p := NewPlan(f, []api.User{bo}, Options{Caller: "admin@example.com"})
	if len(p.Changes) != 1 {
		t.Fatalf("changes %v", p.Changes)
	}
	body, _ := json.Marshal(p.Changes[0].After)
	if string(body) != `{"email":"bo@example.com","accountRole":"editor","dataDomainRoles":{"sales":"editor"},"displayName":"Bo"}` {
		t.Errorf("PUT body %s: the model read, its grants kept, the none entries left out", body)
	}
	if got := p.Changes[0].Describe(); got != "role viewer -> editor" {
		t.Errorf("Describe() = %q: none entries are no change", got)
	}
}

func TestStrongerGrants(t *testing.T) {
	boss := listedByDomains("boss@example.com", api.RoleAdmin, map[string]api.Role{api.DefaultDomain: api.RoleAdmin, "sales": api.RoleViewer, "marketing": api.RoleEditor})
	tests := []struct {
		name    string
		role    api.Role
		roles   map[string]api.Role // nil: the grants read
		want    []Grant
		warning string
	}{
		{name: "demoted to viewer", role: api.RoleViewer,
			want: []Grant{{api.DefaultDomain, api.RoleAdmin}, {"marketing", api.RoleEditor}},
			warning: `boss@example.com keeps the data-domain roles admin in "(default)", editor in "marketing", stronger than its new account role viewer; ` +
				`to remove them: dqo-users update boss@example.com --remove-domain-role "(default)" --remove-domain-role marketing`},
		{name: "demoted to editor", role: api.RoleEditor, want: []Grant{{api.DefaultDomain, api.RoleAdmin}},
			warning: `boss@example.com keeps the data-domain role admin in "(default)", stronger than its new account role editor; ` +
				`to remove it: dqo-users update boss@example.com --remove-domain-role "(default)"`},
		{name: "demoted to none", role: api.RoleNone,
			want: []Grant{{api.DefaultDomain, api.RoleAdmin}, {"marketing", api.RoleEditor}, {"sales", api.RoleViewer}}},
		{name: "demoted, the grants removed too", role: api.RoleViewer, roles: map[string]api.Role{"sales": api.RoleViewer}},
		{name: "the account role unchanged", role: api.RoleAdmin, roles: map[string]api.Role{"sales": api.RoleAdmin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := boss
			after.AccountRole = tt.role
			after.DataDomainRoles = boss.Grants()
			if tt.roles != nil {
				after.DataDomainRoles = tt.roles
			}
			c := Change{Action: ActionUpdate, Email: boss.Email, Before: &boss, After: &after}
			if got := c.StrongerGrants(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("StrongerGrants() = %v, want %v", got, tt.want)
			}
			if tt.warning != "" && c.Warning() != tt.warning {
				t.Errorf("Warning()\n%s\nwant\n%s", c.Warning(), tt.warning)
			}
			if (c.Warning() == "") != (len(tt.want) == 0) {
				t.Errorf("Warning() = %q with stronger grants %v", c.Warning(), tt.want)
			}
		})
	}
	// Creates and deletes have no account role to change.
	create := Change{Action: ActionCreate, Email: "x@example.com", After: &api.User{AccountRole: api.RoleViewer, DataDomainRoles: map[string]api.Role{"sales": api.RoleAdmin}}}
	if create.Warning() != "" {
		t.Errorf("a create warns: %s", create.Warning())
	}
}

func TestPlanShowsTheWarning(t *testing.T) {
	server := []api.User{
		listedByDomains("admin@example.com", api.RoleAdmin, nil),
		listedByDomains("boss@example.com", api.RoleAdmin, map[string]api.Role{api.DefaultDomain: api.RoleAdmin}),
	}
	p := NewPlan(mustParse(t, "- {email: boss@example.com, accountRole: viewer}\n"), server, Options{Caller: "admin@example.com"})
	var text, js bytes.Buffer
	if err := p.WriteText(&text, false); err != nil {
		t.Fatal(err)
	}
	want := "~ update boss@example.com: role admin -> viewer\n" +
		`  warning: boss@example.com keeps the data-domain role admin in "(default)", stronger than its new account role viewer; to remove it: dqo-users update boss@example.com --remove-domain-role "(default)"` + "\n"
	if !strings.HasPrefix(text.String(), want) {
		t.Errorf("plan:\n%s\nwant it to begin:\n%s", text.String(), want)
	}
	if err := p.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Changes []struct {
			Warning string
			Before  UserJSON
		}
	}
	if err := json.Unmarshal(js.Bytes(), &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 || !strings.Contains(plan.Changes[0].Warning, `admin in "(default)"`) {
		t.Errorf("JSON plan without the warning:\n%s", js.String())
	}
	if got := plan.Changes[0].Before.DataDomainRoles; !reflect.DeepEqual(got, map[string]api.Role{api.DefaultDomain: api.RoleAdmin}) {
		t.Errorf("JSON plan shows dataDomainRoles %v, want the grants only", got)
	}
	var color bytes.Buffer
	if err := p.WriteText(&color, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(color.String(), "\x1b[1;33m  warning:") {
		t.Errorf("the warning is not yellow on a terminal:\n%q", color.String())
	}
}

func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		"sales":               "sales",
		"(default)":           `"(default)"`,
		"two words":           `"two words"`,
		"cost$":               `'cost$'`,
		`it's "x"`:            `"it's \"x\""`,
		"sa\x1b[31mles":       `"sa\x1b[31mles"`,
		"":                    `""`,
		"ana+tag@example.com": "ana+tag@example.com",
	} {
		if got := shellWord(in); got != want {
			t.Errorf("shellWord(%q) = %s, want %s", in, got, want)
		}
	}
	if got := shellWord(strings.Repeat("d", 5000)); len(got) > 200 {
		t.Errorf("a long name is shown whole: %d bytes", len(got))
	}
}
