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
		{name: "domains on 1.0", opts: Options{API: API10, Domains: []string{"sales"}}, wantErr: "need API release 1.13"},
		{name: "empty domain", opts: Options{Domains: []string{"sales", ""}}, wantErr: "empty data domain"},
		{name: "duplicate domain", opts: Options{Domains: []string{"sales", "hr", "sales"}}, wantErr: `"sales" given twice`},
		{name: "root domain", opts: Options{Domains: []string{"(default)"}}, wantErr: "root domain"},
		{name: "domains unlicensed", opts: Options{Domains: []string{"sales"}, Unlicensed: true}, wantErr: "licensed"},
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

// BenchmarkList100k lists 100,000 users on an instance without data
// domains and on one with three, where every third user has a grant.
func BenchmarkList100k(b *testing.B) {
	b.Run("without data domains", func(b *testing.B) {
		benchmarkList(b, newHarness(b, Options{SeedUsers: 100_000}))
	})
	b.Run("with data domains", func(b *testing.B) {
		h := newHarness(b, Options{SeedUsers: 100_000, Domains: []string{"finance", "marketing", "sales"}})
		recs := slices.Clone(h.sb.store.list())
		for i, rec := range recs {
			if i%3 == 0 {
				u := rec.user
				u.DataDomainRoles = map[string]string{"sales": RoleEditor, DefaultDomain: RoleViewer}
				recs[i] = newRecord(u, rec.key, rec.passwordHash)
			}
		}
		h.sb.store.reset(recs)
		benchmarkList(b, h)
	})
}

func benchmarkList(b *testing.B, h *harness) {
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
