package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDataDomainRoles(t *testing.T) {
	const (
		withDomains    = `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{"sales":"editor","finance":"none"}}`
		badDomainRole  = `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{"sales":"boss"}}`
		domainsNotAMap = `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":["sales"]}`
	)
	tests := []struct {
		name        string
		mode        string
		create      string
		wantCreate  int
		wantStored  map[string]string // after create
		wantGetBody string
	}{
		{
			name: "1.13 stores and returns them", mode: API113, create: withDomains, wantCreate: 201,
			wantStored:  map[string]string{"sales": "editor", "finance": "none"},
			wantGetBody: `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{"finance":"none","sales":"editor"}}`,
		},
		{name: "1.13 refuses a role outside the enum", mode: API113, create: badDomainRole, wantCreate: 400},
		{name: "1.13 refuses a non-map", mode: API113, create: domainsNotAMap, wantCreate: 400},
		{
			name: "1.13 omits empty ones", mode: API113, create: `{"email":"dd@example.com","accountRole":"viewer","dataDomainRoles":{}}`, wantCreate: 201,
			wantGetBody: `{"email":"dd@example.com","accountRole":"viewer"}`,
		},
		{
			name: "1.0 ignores them", mode: API10, create: withDomains, wantCreate: 201,
			wantGetBody: `{"email":"dd@example.com","accountRole":"viewer"}`,
		},
		{
			name: "1.0 ignores even invalid ones", mode: API10, create: domainsNotAMap, wantCreate: 201,
			wantGetBody: `{"email":"dd@example.com","accountRole":"viewer"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{API: tt.mode})
			r := h.do(call{method: "POST", path: "/api/users", as: AdminEmail, contentType: "application/json", body: tt.create})
			if r.status != tt.wantCreate {
				t.Fatalf("create: %d, want %d", r.status, tt.wantCreate)
			}
			if tt.wantCreate != 201 {
				return
			}
			if got := userByEmail(t, h.sb, "dd@example.com").DataDomainRoles; !reflect.DeepEqual(got, tt.wantStored) {
				t.Errorf("stored %v, want %v", got, tt.wantStored)
			}
			if got := h.do(call{method: "GET", path: "/api/users/dd@example.com", as: ViewerEmail}); string(got.body) != tt.wantGetBody {
				t.Errorf("get: %s\nwant %s", got.body, tt.wantGetBody)
			}
			list := h.do(call{method: "GET", path: "/api/users", as: ViewerEmail})
			if !strings.Contains(string(list.body), tt.wantGetBody) {
				t.Errorf("list %s lacks %s", list.body, tt.wantGetBody)
			}
		})
	}
}

// TestUpdateReplacesModel checks the README's warning: a 1.13 PUT without
// dataDomainRoles drops them, and one with them replaces them.
func TestUpdateReplacesModel(t *testing.T) {
	tests := []struct {
		name string
		body string
		want map[string]string
	}{
		{name: "without them drops them", body: `{"email":"dd@example.com","accountRole":"editor"}`},
		{name: "with null drops them", body: `{"email":"dd@example.com","accountRole":"editor","dataDomainRoles":null}`},
		{name: "with others replaces them", body: `{"email":"dd@example.com","accountRole":"editor","dataDomainRoles":{"hr":"admin"}}`, want: map[string]string{"hr": "admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{API: API113})
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
			if _, ok := h.getUser("dd@example.com")["dataDomainRoles"]; ok != (tt.want != nil) {
				t.Errorf("dataDomainRoles present = %v, want %v", ok, tt.want != nil)
			}
		})
	}
}

func userByEmail(t *testing.T, sb *Server, email string) User {
	t.Helper()
	for _, u := range sb.Users() {
		if strings.EqualFold(u.Email, email) {
			return u
		}
	}
	t.Fatalf("no user %s", email)
	return User{}
}

func TestListSortedIgnoringCase(t *testing.T) {
	h := newHarness(t, Options{})
	for _, email := range []string{"Zed@example.com", "bob@example.com", "Alice@example.com", "carol@example.com"} {
		if err := h.sb.AddUser(User{Email: email, AccountRole: RoleViewer}); err != nil {
			t.Fatal(err)
		}
	}
	r := h.do(call{method: "GET", path: "/api/users", as: ViewerEmail})
	var list []User
	if err := json.Unmarshal(r.body, &list); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range list {
		got = append(got, u.Email)
	}
	want := []string{"admin@example.com", "Alice@example.com", "bob@example.com", "carol@example.com", "viewer@example.com", "Zed@example.com"}
	if !slices.Equal(got, want) {
		t.Errorf("list = %v\nwant %v", got, want)
	}
	if users := h.sb.Users(); len(users) != len(want) || users[1].Email != "Alice@example.com" {
		t.Errorf("Users() = %v", users)
	}
}

func TestAddUser(t *testing.T) {
	tests := []struct {
		name    string
		user    User
		wantErr string
	}{
		{name: "ok", user: User{Email: "a@example.com", AccountRole: RoleNone}},
		{name: "empty email", user: User{AccountRole: RoleNone}, wantErr: "empty email"},
		{name: "bad role", user: User{Email: "a@example.com", AccountRole: "root"}, wantErr: "invalid account role"},
		{name: "bad domain role", user: User{Email: "a@example.com", AccountRole: RoleNone, DataDomainRoles: map[string]string{"d": "x"}}, wantErr: "data domain"},
		{name: "taken", user: User{Email: "ADMIN@example.com", AccountRole: RoleNone}, wantErr: "already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = sb.AddUser(tt.user)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if key, ok := sb.KeyFor(tt.user.Email); !ok || !strings.HasPrefix(key, KeyPrefix) {
					t.Errorf("key %q, %v", key, ok)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{name: "unknown API", opts: Options{API: "2.0"}, wantErr: `"2.0"`},
		{name: "negative limit", opts: Options{UsersLimit: -1}, wantErr: "limit"},
		{name: "negative seed", opts: Options{SeedUsers: -1}, wantErr: "seed"},
		{name: "bad faults", opts: Options{Faults: "GET /api/users teapot"}, wantErr: `"GET /api/users teapot"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %s", err, tt.wantErr)
			}
		})
	}
}

func TestBuiltInUsersAndKeys(t *testing.T) {
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []User{{Email: AdminEmail, AccountRole: RoleAdmin}, {Email: ViewerEmail, AccountRole: RoleViewer}}
	if got := a.Users(); !reflect.DeepEqual(got, want) {
		t.Errorf("Users() = %v", got)
	}
	for _, key := range []string{a.AdminKey(), a.ViewerKey()} {
		if !strings.HasPrefix(key, KeyPrefix) || len(key) < len(KeyPrefix)+32 {
			t.Errorf("key %q", key)
		}
	}
	if a.AdminKey() == a.ViewerKey() || a.AdminKey() == b.AdminKey() {
		t.Error("keys are not random per user and per sandbox")
	}
	if a.PasswordMatches(AdminEmail, "") {
		t.Error("a user without password matches the empty one")
	}
}

func TestRequestLog(t *testing.T) {
	h := newHarness(t, Options{})
	h.do(call{method: "PUT", path: "/api/users/viewer%40example.com/password", as: AdminEmail, contentType: "text/plain", body: "12345"})
	h.do(call{method: "GET", path: "/api/users"})
	h.do(call{method: "POST", path: "/api/users", as: ViewerEmail, contentType: "application/json", body: `{"email":"x@example.com","accountRole":"none"}`})
	want := []Request{
		{Method: "PUT", Path: "/api/users/viewer@example.com/password", RawPath: "/api/users/viewer%40example.com/password", Status: 204, ContentType: "text/plain", HasAuthorization: true, BodyLength: 5, Seq: 1},
		{Method: "GET", Path: "/api/users", RawPath: "/api/users", Status: 401, Seq: 2},
		// A refused body is still measured.
		{Method: "POST", Path: "/api/users", RawPath: "/api/users", Status: 403, ContentType: "application/json", HasAuthorization: true, BodyLength: 46, Seq: 3},
	}
	if got := h.sb.Requests(); !reflect.DeepEqual(got, want) {
		t.Errorf("Requests() =\n%+v\nwant\n%+v", got, want)
	}
	h.sb.ResetRequests()
	if got := h.sb.Requests(); len(got) != 0 {
		t.Errorf("after reset: %v", got)
	}
}

func TestRequestLogLimit(t *testing.T) {
	h := newHarness(t, Options{MaxRequestLog: 3})
	for i := range 10 {
		h.do(call{method: "GET", path: fmt.Sprintf("/api/users/u%d@example.com", i), as: ViewerEmail})
	}
	got := h.sb.Requests()
	if len(got) != 3 || got[0].Path != "/api/users/u7@example.com" || got[2].Path != "/api/users/u9@example.com" {
		t.Errorf("Requests() = %+v", got)
	}
}

func TestLatency(t *testing.T) {
	h := newHarness(t, Options{Latency: 50 * time.Millisecond})
	start := time.Now()
	if r := h.do(call{method: "GET", path: "/api/users", as: ViewerEmail}); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Errorf("answered after %s", elapsed)
	}
}

// TestParallelWrites creates users from many goroutines while others list,
// for the race detector, and checks the limit holds under contention.
func TestParallelWrites(t *testing.T) {
	const workers, perWorker, limit = 8, 10, 50
	h := newHarness(t, Options{UsersLimit: limit})
	var wg sync.WaitGroup
	statuses := make(chan int, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				body := fmt.Sprintf(`{"email":"w%d-%d@example.com","accountRole":"viewer"}`, w, i)
				statuses <- h.do(call{method: "POST", path: "/api/users", as: AdminEmail, contentType: "application/json", body: body}).status
				h.do(call{method: "GET", path: "/api/users", as: ViewerEmail})
			}
		})
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[201] != limit-2 || counts[400] != workers*perWorker-(limit-2) {
		t.Errorf("statuses %v, want %d created and the rest refused", counts, limit-2)
	}
	if n := len(h.sb.Users()); n != limit {
		t.Errorf("%d users, want %d", n, limit)
	}
}

func TestSeedUsers(t *testing.T) {
	const seeded = 100_000
	start := time.Now()
	h := newHarness(t, Options{SeedUsers: seeded})
	t.Logf("seeding %d users took %s", seeded, time.Since(start))

	req := h.request(call{method: "GET", path: "/api/users", as: ViewerEmail})
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []User
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if len(list) != seeded+2 {
		t.Fatalf("%d users, want %d", len(list), seeded+2)
	}
	if !slices.IsSortedFunc(list, func(a, b User) int { return strings.Compare(a.Email, b.Email) }) {
		t.Error("list not sorted by email")
	}
	wantRoles := map[string]string{
		"user000001@example.com": RoleEditor, "user000002@example.com": RoleOperator,
		"user000003@example.com": RoleViewer, "user000004@example.com": RoleNone,
		"user000005@example.com": RoleEditor, "user100000@example.com": RoleNone,
	}
	for _, u := range list {
		if want, ok := wantRoles[u.Email]; ok && u.AccountRole != want {
			t.Errorf("%s has role %s, want %s", u.Email, u.AccountRole, want)
		}
	}
	if _, ok := h.sb.KeyFor("user054321@example.com"); !ok {
		t.Error("seeded user has no key")
	}
}

func BenchmarkList100k(b *testing.B) {
	h := newHarness(b, Options{SeedUsers: 100_000})
	key := h.sb.ViewerKey()
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequest("GET", h.url+"/api/users", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := h.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		b.SetBytes(n)
	}
}
