package sandbox

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// flavour is one of the three kinds of instance DQOps's data domains make.
type flavour struct {
	name string
	opts Options
}

func flavours() []flavour {
	return []flavour{
		{name: "1.0", opts: Options{API: API10}},
		{name: "1.13 without data domains", opts: Options{API: API113}},
		{name: "1.13 with data domains", opts: Options{API: API113, Domains: []string{"sales", "marketing"}}},
	}
}

// TestDataDomainRolesByFlavour covers what each kind of instance keeps of
// the data-domain roles sent on create, and what list and get show.
func TestDataDomainRolesByFlavour(t *testing.T) {
	const (
		// A grant for a local domain, one for the root domain, one for a
		// domain that is not local, and none entries, which are no grants.
		mixed          = `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{"sales":"editor","(default)":"operator","hr":"viewer","finance":"none","marketing":"none"}}`
		badDomainRole  = `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{"sales":"boss"}}`
		domainsNotAMap = `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":["sales"]}`
		noneOnly       = `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{"(default)":"none","sales":"none"}}`
	)
	type want struct {
		create int
		stored map[string]string // after create
		get    string
	}
	tests := []struct {
		name   string
		create string
		want   map[string]want // flavour name -> what it does
	}{
		{
			name: "grants and none entries", create: mixed,
			want: map[string]want{
				"1.0":                       {create: 201, get: `{"email":"dd@example.com","accountRole":"viewer"}`},
				"1.13 without data domains": {create: 201, get: `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{}}`},
				"1.13 with data domains": {
					create: 201, stored: map[string]string{"sales": "editor", DefaultDomain: "operator", "hr": "viewer"},
					get: `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{"(default)":"operator","hr":"viewer","marketing":"none","sales":"editor"}}`,
				},
			},
		},
		{
			name: "none entries only", create: noneOnly,
			want: map[string]want{
				"1.0":                       {create: 201, get: `{"email":"dd@example.com","accountRole":"viewer"}`},
				"1.13 without data domains": {create: 201, get: `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{}}`},
				"1.13 with data domains":    {create: 201, get: `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{"(default)":"none","marketing":"none","sales":"none"}}`},
			},
		},
		{
			name: "role outside the enum", create: badDomainRole,
			want: map[string]want{
				"1.0":                       {create: 201, get: `{"email":"dd@example.com","accountRole":"viewer"}`},
				"1.13 without data domains": {create: 400},
				"1.13 with data domains":    {create: 400},
			},
		},
		{
			name: "not a map", create: domainsNotAMap,
			want: map[string]want{
				"1.0":                       {create: 201, get: `{"email":"dd@example.com","accountRole":"viewer"}`},
				"1.13 without data domains": {create: 400},
				"1.13 with data domains":    {create: 400},
			},
		},
	}
	for _, fl := range flavours() {
		for _, tt := range tests {
			t.Run(fl.name+"/"+tt.name, func(t *testing.T) {
				want := tt.want[fl.name]
				h := newHarness(t, fl.opts)
				r := h.do(call{method: "POST", path: "/api/users", as: AdminEmail, contentType: "application/json", body: tt.create})
				if r.status != want.create {
					t.Fatalf("create: %d, want %d", r.status, want.create)
				}
				if want.create != 201 {
					return
				}
				if got := userByEmail(t, h.sb, "dd@example.com").DataDomainRoles; !reflect.DeepEqual(got, want.stored) {
					t.Errorf("stored %v, want %v", got, want.stored)
				}
				if got := h.do(call{method: "GET", path: "/api/users/dd@example.com", as: ViewerEmail}); string(got.body) != want.get {
					t.Errorf("get: %s\nwant %s", got.body, want.get)
				}
				list := h.do(call{method: "GET", path: "/api/users", as: ViewerEmail})
				if !strings.Contains(string(list.body), want.get) {
					t.Errorf("list %s lacks %s", list.body, want.get)
				}
			})
		}
	}
}

// TestBuiltInUsersListEveryDomain checks the list of users without grants:
// no field in 1.0, {} without data domains, every domain "none" with them.
func TestBuiltInUsersListEveryDomain(t *testing.T) {
	want := map[string]string{
		"1.0":                       `[{"email":"admin@example.com","accountRole":"admin"},{"email":"viewer@example.com","accountRole":"viewer"}]`,
		"1.13 without data domains": `[{"email":"admin@example.com","accountRole":"admin","dataDomainRoles":{}},{"email":"viewer@example.com","accountRole":"viewer","dataDomainRoles":{}}]`,
		"1.13 with data domains": `[{"email":"admin@example.com","accountRole":"admin","dataDomainRoles":{"(default)":"none","marketing":"none","sales":"none"}},` +
			`{"email":"viewer@example.com","accountRole":"viewer","dataDomainRoles":{"(default)":"none","marketing":"none","sales":"none"}}]`,
	}
	for _, fl := range flavours() {
		t.Run(fl.name, func(t *testing.T) {
			h := newHarness(t, fl.opts)
			if r := h.do(call{method: "GET", path: "/api/users", as: ViewerEmail}); string(r.body) != want[fl.name] {
				t.Errorf("list: %s\nwant %s", r.body, want[fl.name])
			}
		})
	}
}

// TestUpdateReplacesModel checks the README's warning: a 1.13 PUT without
// dataDomainRoles drops them, and one with them replaces them, none entries
// left out. An instance without data domains keeps none of them.
func TestUpdateReplacesModel(t *testing.T) {
	withDomains := Options{Domains: []string{"sales"}}
	tests := []struct {
		name string
		opts Options
		body string
		want map[string]string
	}{
		{name: "without them drops them", opts: withDomains, body: `{"email":"dd@example.com","accountRole":"editor"}`},
		{name: "with null drops them", opts: withDomains, body: `{"email":"dd@example.com","accountRole":"editor","dataDomainRoles":null}`},
		{name: "with none entries only drops them", opts: withDomains, body: `{"email":"dd@example.com","accountRole":"editor","dataDomainRoles":{"(default)":"none","sales":"none"}}`},
		{name: "with others replaces them", opts: withDomains, body: `{"email":"dd@example.com","accountRole":"editor","dataDomainRoles":{"hr":"admin","sales":"none"}}`, want: map[string]string{"hr": "admin"}},
		{name: "without data domains keeps none", body: `{"email":"dd@example.com","accountRole":"editor","dataDomainRoles":{"sales":"admin"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			if err := h.sb.AddUser(User{Email: "dd@example.com", AccountRole: RoleViewer, DataDomainRoles: map[string]string{"sales": "editor"}}); err != nil {
				t.Fatal(err)
			}
			r := h.do(call{method: "PUT", path: "/api/users/dd@example.com", as: AdminEmail, contentType: "application/json", body: tt.body})
			if r.status != 204 {
				t.Fatalf("update: %d", r.status)
			}
			u := userByEmail(t, h.sb, "dd@example.com")
			if u.AccountRole != RoleEditor || !reflect.DeepEqual(u.DataDomainRoles, tt.want) {
				t.Errorf("after update: %+v, want editor with %v", u, tt.want)
			}
			shown, ok := h.getUser("dd@example.com")["dataDomainRoles"].(map[string]any)
			if !ok {
				t.Fatal("dataDomainRoles missing on 1.13")
			}
			for domain, role := range tt.want {
				if shown[domain] != role {
					t.Errorf("shown %v, want %s=%s in it", shown, domain, role)
				}
			}
		})
	}
}

func TestAddUserKeepsGrantsAsGiven(t *testing.T) {
	given := map[string]string{"sales": RoleEditor, "elsewhere": RoleViewer, DefaultDomain: RoleAdmin, "marketing": RoleNone}
	grants := map[string]string{"sales": RoleEditor, "elsewhere": RoleViewer, DefaultDomain: RoleAdmin}
	for _, fl := range flavours() {
		t.Run(fl.name, func(t *testing.T) {
			sb, err := New(fl.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := sb.AddUser(User{Email: "dd@example.com", AccountRole: RoleViewer, DataDomainRoles: given}); err != nil {
				t.Fatal(err)
			}
			want := grants
			if fl.opts.API == API10 {
				want = nil
			}
			if got := userByEmail(t, sb, "dd@example.com").DataDomainRoles; !reflect.DeepEqual(got, want) {
				t.Errorf("stored %v, want %v", got, want)
			}
			if len(given) != 4 {
				t.Error("AddUser changed the caller's map")
			}
		})
	}
}

// TestDomainsEndpoint covers GET /api/domains/ on each kind of instance,
// and its neighbours.
func TestDomainsEndpoint(t *testing.T) {
	started := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return started }
	root := localDataDomain{DomainName: DefaultDomain, DisplayName: "Root data domain", CreatedAt: started.UnixMilli(), EnableScheduler: true}
	domain := func(name string) localDataDomain {
		return localDataDomain{DomainName: name, DisplayName: name, CreatedAt: started.UnixMilli(), EnableScheduler: true}
	}
	list := call{method: "GET", path: "/api/domains/", as: ViewerEmail}
	tests := []struct {
		name  string
		opts  Options
		call  call
		want  int
		list  []localDataDomain
		allow string
	}{
		{name: "1.0 has none", opts: Options{API: API10}, call: list, want: 404},
		{name: "without data domains", opts: Options{}, call: list, want: 200, list: []localDataDomain{root}},
		{name: "with data domains, sorted", opts: Options{Domains: []string{"sales", "Finance", "marketing"}}, call: list, want: 200,
			list: []localDataDomain{root, domain("Finance"), domain("marketing"), domain("sales")}},
		{name: "unlicensed", opts: Options{Unlicensed: true}, call: list, want: 200, list: []localDataDomain{root}},
		{name: "as admin", opts: Options{Domains: []string{"sales"}}, call: call{method: "GET", path: "/api/domains/", as: AdminEmail}, want: 200, list: []localDataDomain{root, domain("sales")}},
		{name: "HEAD", opts: Options{Domains: []string{"sales"}}, call: call{method: "HEAD", path: "/api/domains/", as: ViewerEmail}, want: 200},
		{name: "as role none", opts: Options{Domains: []string{"sales"}}, call: call{method: "GET", path: "/api/domains/", as: nobodyEmail}, want: 403},
		{name: "without key", opts: Options{Domains: []string{"sales"}}, call: call{method: "GET", path: "/api/domains/"}, want: 401},
		{name: "Accept text/html", opts: Options{Domains: []string{"sales"}}, call: call{method: "GET", path: "/api/domains/", as: ViewerEmail, accept: "text/html"}, want: 406},
		{name: "without the slash", opts: Options{Domains: []string{"sales"}}, call: call{method: "GET", path: "/api/domains", as: ViewerEmail}, want: 404},
		{name: "one domain", opts: Options{Domains: []string{"sales"}}, call: call{method: "GET", path: "/api/domains/sales", as: ViewerEmail}, want: 404},
		{name: "POST", opts: Options{Domains: []string{"sales"}}, call: call{method: "POST", path: "/api/domains/", as: AdminEmail}, want: 405, allow: "GET, HEAD"},
		{name: "POST on 1.0", opts: Options{API: API10}, call: call{method: "POST", path: "/api/domains/", as: AdminEmail}, want: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Now = now
			h := newHarness(t, opts)
			h.addRoleUsers()
			r := h.do(tt.call)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d", r.status, tt.want)
			}
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			if tt.list == nil {
				if len(r.body) != 0 {
					t.Errorf("body %q, want none", r.body)
				}
				return
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var got []localDataDomain
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.list) {
				t.Errorf("domains %+v\nwant %+v", got, tt.list)
			}
		})
	}
}

// TestDomainsMatchDocument checks the domain list, and the users and
// profile of an instance with data domains, against the 1.13.2 document.
func TestDomainsMatchDocument(t *testing.T) {
	doc := swaggerDocs(t)[API113]
	h := newHarness(t, Options{Domains: []string{"sales", "marketing"}})
	if err := h.sb.AddUser(User{Email: "dd@example.com", AccountRole: RoleViewer, DataDomainRoles: map[string]string{"sales": RoleEditor, "elsewhere": RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	r := h.do(call{method: "GET", path: "/api/domains/", as: ViewerEmail})
	if r.status != http.StatusOK {
		t.Fatalf("domains: %d", r.status)
	}
	var domains []json.RawMessage
	if err := json.Unmarshal(r.body, &domains); err != nil {
		t.Fatal(err)
	}
	for _, d := range domains {
		validateJSON(t, doc, "LocalDataDomainModel", d)
		if got, want := jsonKeys(t, d), []string{"created_at", "display_name", "domain_name", "enable_scheduler"}; !reflect.DeepEqual(got, want) {
			t.Errorf("fields %v, want %v", got, want)
		}
	}
	r = h.do(call{method: "GET", path: "/api/users", as: ViewerEmail})
	var users []json.RawMessage
	if err := json.Unmarshal(r.body, &users); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		validateJSON(t, doc, "DqoUserRolesModel", u)
	}
	validateJSON(t, doc, "DqoUserRolesModel", h.do(call{method: "GET", path: "/api/users/dd@example.com", as: ViewerEmail}).body)
	validateJSON(t, doc, "DqoUserProfileModel", h.do(call{method: "GET", path: "/api/environment/profile", as: ViewerEmail}).body)
}

func TestProfileDataDomains(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		license string
		canUse  bool
		limit   float64
	}{
		{name: "without data domains", opts: Options{}, license: "TEAM", limit: 10},
		{name: "with data domains", opts: Options{Domains: []string{"sales"}}, license: "ENTERPRISE", canUse: true, limit: 10},
		{name: "unlicensed", opts: Options{Unlicensed: true}, license: "FREE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			var p map[string]any
			if err := json.Unmarshal(h.do(call{method: "GET", path: "/api/environment/profile", as: ViewerEmail}).body, &p); err != nil {
				t.Fatal(err)
			}
			if p["license_type"] != tt.license || p["can_use_data_domains"] != tt.canUse || p["data_domains_limit"] != tt.limit {
				t.Errorf("license_type, can_use_data_domains, data_domains_limit = %v, %v, %v; want %s, %v, %v",
					p["license_type"], p["can_use_data_domains"], p["data_domains_limit"], tt.license, tt.canUse, tt.limit)
			}
		})
	}
}
