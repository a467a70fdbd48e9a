package sandbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
)

// profileFlags are the can_* flags of both releases, in the order of the
// want strings below.
func profileFlags() []string {
	return []string{
		"can_manage_account", "can_view_any_object", "can_manage_scheduler", "can_cancel_jobs",
		"can_run_checks", "can_delete_data", "can_collect_statistics", "can_manage_data_sources",
		"can_synchronize", "can_edit_comments", "can_edit_labels", "can_manage_definitions",
		"can_compare_tables", "can_manage_users", "can_manage_and_view_shared_credentials",
	}
}

func TestProfile(t *testing.T) {
	// want is one character per profileFlags entry: 1 true, 0 false.
	tests := []struct {
		name       string
		unlicensed bool
		as         string
		role       string
		want       string
		license    map[string]string // mode -> license_type
		usersLimit float64
	}{
		{name: "admin", as: AdminEmail, role: RoleAdmin, want: "111111111111111", license: map[string]string{API10: "TEAM", API113: "TEAM"}, usersLimit: DefaultUsersLimit},
		{name: "editor", as: editorEmail, role: RoleEditor, want: "011111111111101", license: map[string]string{API10: "TEAM", API113: "TEAM"}, usersLimit: DefaultUsersLimit},
		{name: "operator", as: operatorEmail, role: RoleOperator, want: "010111101110100", license: map[string]string{API10: "TEAM", API113: "TEAM"}, usersLimit: DefaultUsersLimit},
		{name: "viewer", as: ViewerEmail, role: RoleViewer, want: "010000000000000", license: map[string]string{API10: "TEAM", API113: "TEAM"}, usersLimit: DefaultUsersLimit},
		{name: "unlicensed admin", unlicensed: true, as: AdminEmail, role: RoleAdmin, want: "011111110111101", license: map[string]string{API113: "FREE"}, usersLimit: 1},
	}
	for _, mode := range modes() {
		for _, tt := range tests {
			t.Run(mode+"/"+tt.name, func(t *testing.T) {
				h := newHarness(t, Options{API: mode, Unlicensed: tt.unlicensed})
				h.addRoleUsers()
				r := h.do(call{method: "GET", path: "/api/environment/profile", as: tt.as})
				if tt.unlicensed && mode == API10 {
					if r.status != 404 || len(r.body) != 0 {
						t.Fatalf("unlicensed 1.0 profile: %d %q, want 404 without body", r.status, r.body)
					}
					return
				}
				if r.status != 200 {
					t.Fatalf("status %d", r.status)
				}
				var p map[string]any
				if err := json.Unmarshal(r.body, &p); err != nil {
					t.Fatal(err)
				}
				for i, flag := range profileFlags() {
					if want := tt.want[i] == '1'; p[flag] != want {
						t.Errorf("%s = %v, want %v", flag, p[flag], want)
					}
				}
				if p["user"] != tt.as || p["account_role"] != tt.role || p["tenant"] != Tenant {
					t.Errorf("user, account_role, tenant = %v, %v, %v", p["user"], p["account_role"], p["tenant"])
				}
				if p["license_type"] != tt.license[mode] || p["users_limit"] != tt.usersLimit {
					t.Errorf("license_type, users_limit = %v, %v", p["license_type"], p["users_limit"])
				}
				if mode == API113 {
					licensed := !tt.unlicensed
					for _, flag := range []string{"can_change_own_password", "data_quality_data_warehouse_enabled"} {
						if p[flag] != licensed {
							t.Errorf("%s = %v, want %v", flag, p[flag], licensed)
						}
					}
					if p["can_use_data_domains"] != false {
						t.Error("can_use_data_domains = true on an instance without data domains")
					}
					if p["can_logout"] != true {
						t.Error("can_logout = false on an instance that logs users in")
					}
				}
			})
		}
	}
}

// TestProfileMatchesDocuments checks the profile against each release's
// document: valid, and with every property the document names but the
// PERSONAL licence's trial expiry.
func TestProfileMatchesDocuments(t *testing.T) {
	docs := swaggerDocs(t)
	for _, mode := range modes() {
		doc := docs[mode]
		props := slices.Sorted(maps.Keys(doc.Definitions["DqoUserProfileModel"].Properties))
		props = slices.DeleteFunc(props, func(p string) bool { return p == "trial_period_expires_at" })
		for _, opts := range []Options{{API: mode}, {API: mode, Unlicensed: true}, {API: mode, NoAuth: true}} {
			t.Run(fmt.Sprintf("%s/unlicensed=%v/noauth=%v", mode, opts.Unlicensed, opts.NoAuth), func(t *testing.T) {
				h := newHarness(t, opts)
				h.addRoleUsers()
				for _, as := range []string{AdminEmail, editorEmail, operatorEmail, ViewerEmail} {
					r := h.do(call{method: "GET", path: "/api/environment/profile", as: as})
					if r.status == 404 && opts.Unlicensed && mode == API10 {
						continue // no profile at all, checked by TestProfile
					}
					if r.status != 200 {
						t.Fatalf("%s: status %d", as, r.status)
					}
					validateJSON(t, doc, "DqoUserProfileModel", r.body)
					if got := jsonKeys(t, r.body); !slices.Equal(got, props) {
						t.Errorf("%s: fields = %v\nwant %v", as, got, props)
					}
				}
			})
		}
	}
}

func TestProfileUsersLimit(t *testing.T) {
	h := newHarness(t, Options{UsersLimit: 25})
	r := h.do(call{method: "GET", path: "/api/environment/profile", as: ViewerEmail})
	var p struct {
		UsersLimit int `json:"users_limit"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.UsersLimit != 25 {
		t.Errorf("users_limit = %d, want 25", p.UsersLimit)
	}
}

func TestProfileNoAuth(t *testing.T) {
	h := newHarness(t, Options{NoAuth: true})
	r := h.do(call{method: "GET", path: "/api/environment/profile"})
	var p map[string]any
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	if p["user"] != AdminEmail || p["can_logout"] != false {
		t.Errorf("user, can_logout = %v, %v", p["user"], p["can_logout"])
	}
}
