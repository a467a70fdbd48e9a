package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// streamAll collects what StreamUsers delivers.
func streamAll(c *Client) ([]User, error) {
	var users []User
	err := c.StreamUsers(context.Background(), func(u User) error {
		users = append(users, u)
		return nil
	})
	return users, err
}

func TestStreamUsersSeesTheFirstUserBeforeTheBodyEnds(t *testing.T) {
	seen := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"email":"a@x.io","accountRole":"admin"}`)
		w.(http.Flusher).Flush()
		select {
		case <-seen:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, `,{"email":"b@x.io","accountRole":"viewer"}]`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, "")
	var got []string
	err := c.StreamUsers(context.Background(), func(u User) error {
		got = append(got, u.Email)
		if len(got) == 1 {
			close(seen) // the server sends the rest only now
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a@x.io", "b@x.io"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestStreamUsersRetries(t *testing.T) {
	tests := []struct {
		faults    string
		wantErr   string // "" for success
		delivered int    // users received before a failure
		attempts  int
	}{
		{"GET /api/users 503 x2", "", 0, 3},
		{"GET /api/users drop x1", "", 0, 2},
		{"GET /api/users html x1", "", 0, 2},
		{"GET /api/users 429 x1", "", 0, 2},
		// Cut after users arrived: not sent again (before the first user,
		// it is: TestStreamUsersCutOffBeforeAnyUserIsRetried).
		{"GET /api/users truncated", "the body was cut off after", 10, 1}, // half of 20 users
		{"GET /api/users notjson", "the body is not valid JSON", 0, 1},
		{"GET /api/users 404", "server answered 404 Not Found", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.faults, func(t *testing.T) {
			sb, err := sandbox.New(sandbox.Options{Faults: tt.faults, SeedUsers: 30})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sb)
			defer srv.Close()
			c := newTestClient(t, srv.URL, sb.AdminKey())
			users, err := streamAll(c)
			var partial *PartialListError
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr == "" && len(users) != 32:
				t.Errorf("%d users, want 32", len(users))
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			case tt.delivered > 0 && (!errors.As(err, &partial) || partial.Delivered != tt.delivered || len(users) != tt.delivered):
				t.Errorf("error %#v after %d users, want a PartialListError after %d", err, len(users), tt.delivered)
			case tt.delivered == 0 && errors.As(err, &partial):
				t.Errorf("a failure before any user is a %T", err)
			}
			if tt.delivered > 0 && !strings.HasSuffix(err.Error(), fmt.Sprintf("; %d users had been received", tt.delivered)) {
				t.Errorf("message does not count the users: %v", err)
			}
			if n := len(sb.RequestsByArrival(5 * time.Second)); n != tt.attempts {
				t.Errorf("%d requests, want %d", n, tt.attempts)
			}
		})
	}
}

// cutListServer sends a list of users whose connection breaks in the middle
// of user number n+1, and counts the requests.
func cutListServer(t *testing.T, n int, requests *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "[")
		for i := range n {
			fmt.Fprintf(w, `{"email":"u%d@x.io","accountRole":"viewer"},`, i)
		}
		io.WriteString(w, `{"email":"cut@x`)
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(srv.Close)
	return srv
}

func TestStreamUsersCutOffBeforeAnyUserIsRetried(t *testing.T) {
	var requests atomic.Int32
	srv := cutListServer(t, 0, &requests)
	c := newTestClient(t, srv.URL, "")
	users, err := streamAll(c)
	var partial *PartialListError
	var cut *CutOffError
	if errors.As(err, &partial) || !errors.As(err, &cut) || len(users) != 0 {
		t.Errorf("error %#v after %d users: want a CutOffError, not partial", err, len(users))
	}
	if requests.Load() != 4 {
		t.Errorf("%d requests, want 4 (the first and 3 retries)", requests.Load())
	}
}

func TestStreamUsersCutOffAfterUsersIsNotRetried(t *testing.T) {
	var requests atomic.Int32
	srv := cutListServer(t, 1500, &requests)
	c := newTestClient(t, srv.URL, "")
	users, err := streamAll(c)
	var partial *PartialListError
	var be *BodyError
	var cut *CutOffError
	if !errors.As(err, &partial) || !errors.As(err, &be) || !errors.As(err, &cut) || Status(err) != 200 {
		t.Fatalf("error %#v: want a PartialListError of a BodyError of a CutOffError", err)
	}
	if partial.Delivered != 1500 || len(users) != 1500 {
		t.Errorf("delivered %d, received %d, want 1500", partial.Delivered, len(users))
	}
	if !strings.HasSuffix(err.Error(), "; 1500 users had been received") {
		t.Errorf("message: %v", err)
	}
	if requests.Load() != 1 {
		t.Errorf("%d requests, want 1", requests.Load())
	}
	// ListUsers keeps nothing of a broken answer, so it tries again.
	requests.Store(0)
	if _, err := c.ListUsers(context.Background()); errors.As(err, &partial) || !errors.As(err, &cut) || requests.Load() != 4 {
		t.Errorf("ListUsers: %d requests, %v", requests.Load(), err)
	}
}

func TestStreamUsersStopsOnTheCallersError(t *testing.T) {
	sb := startTestSandbox(t, "")
	c := newTestClient(t, sb.URL, sb.AdminKey())
	stop := errors.New("stdout closed")
	n := 0
	err := c.StreamUsers(context.Background(), func(User) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("error %v after %d users, want the caller's own error after 1", err, n)
	}
	if calls := sb.calls(); len(calls) != 1 {
		t.Errorf("requests %v, want 1", calls)
	}
}

// The timeout is for the server: a caller slower than it (a pager) does not
// time the list out.
func TestStreamUsersTimeoutLeavesOutTheCallersTime(t *testing.T) {
	sb := startTestSandbox(t, "")
	c := newTestClient(t, sb.URL, sb.AdminKey(), func(o *Options) { o.Timeout = 50 * time.Millisecond; o.Retries = 0 })
	n := 0
	err := c.StreamUsers(context.Background(), func(User) error {
		n++
		time.Sleep(150 * time.Millisecond)
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("%d users, %v", n, err)
	}
}

func TestStreamUsersReadsAnswersAsListUsersDoes(t *testing.T) {
	tests := []struct {
		body        string
		sameMessage bool // encoding/json, reading the whole body first, may find another fault first
	}{
		{`[]`, true}, {` [ ] `, true}, {`null`, true}, {`[{"email":"a@x.io","accountRole":"admin"} , {"email":"b@x.io"}]`, true},
		{``, true}, {`   `, true}, {`{"users":[]}`, true}, {`<html><title>Sign in</title></html>`, true}, {`not json at all`, true},
		{`[`, true}, {`[{"email":"a@x.io"}`, true}, {`[{"email":"a@x.io"},`, true}, {`[{"email":"a@x.io"},]`, true},
		{`[{"email":"a@x.io"}}`, true}, {`[{"email":"a@x.io"} {"email":"b@x.io"}]`, true}, {`[{"email":"a@x.io"}] x`, true},
		{`[1]`, true}, {`[null]`, true}, {`[tru]`, true}, {`[1,`, false}, {`["x"]`, true}, {`[[]]`, true},
		{`[{"email":1}]`, true}, {`[{"email":"a@x.io","dataDomainRoles":[1]}]`, true}, {`[{"email":"a\u0000"}]`, true},
		{"[{\"email\":\"a\x01\"}]", true}, {`[{"email":"a@x.io","x":[1,2}]`, true}, {`[{"email":"a@x.io","x":01}]`, true},
	}
	for _, tt := range tests {
		want, wantErr := decodeWithEncodingJSON([]byte(tt.body))
		// Whole in one read, as the message compares; then in pieces of 3
		// bytes, of unknown length.
		for _, chunk := range []int{len(tt.body) + 1, 3} {
			length := int64(len(tt.body))
			if chunk == 3 {
				length = -1
			}
			got, err := streamBody([]byte(tt.body), length, chunk)
			if (err == nil) != (wantErr == nil) {
				t.Errorf("%q: stream %v, encoding/json %v", tt.body, err, wantErr)
				continue
			}
			if err == nil && !slices.EqualFunc(got, want, func(a, b User) bool { return a.Email == b.Email }) {
				t.Errorf("%q: %v, want %v", tt.body, got, want)
			}
			if err != nil && chunk != 3 && tt.sameMessage && err.Error() != wantErr.Error() {
				t.Errorf("%q: message\n  %v\nwant\n  %v", tt.body, err, wantErr)
			}
		}
	}
}

// decodeWithEncodingJSON reads a list as ListUsers did before lists were
// streamed: the whole body through encoding/json.
func decodeWithEncodingJSON(data []byte) ([]User, error) {
	users := []User{}
	err := decodeBody(data, "application/json", "a list of users", &users)
	return users, err
}

// chunkReader returns at most n bytes a read, so that elements straddle the
// decoder's reads.
type chunkReader struct {
	data []byte
	n    int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.data)
	r.data = r.data[k:]
	return k, nil
}

func streamBody(data []byte, length int64, chunk int) ([]User, error) {
	var users []User
	err := decodeList(&chunkReader{data, chunk}, length, MaxBodySize, "a list of users", func(u User) error {
		users = append(users, u)
		return nil
	})
	return users, err
}

// generatedList is a body of n users made up as it is read.
type generatedList struct {
	n, i int
	buf  []byte
}

func (g *generatedList) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i <= g.n {
		switch {
		case g.i == 0:
			g.buf = append(g.buf, '[')
		case g.i == g.n:
			g.buf = append(g.buf, `{"email":"last@example.com"}]`...)
		default:
			g.buf = fmt.Appendf(g.buf, `{"email":"user%07d@example.com","accountRole":"viewer"},`, g.i)
		}
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, g.buf)
	g.buf = g.buf[k:]
	return k, nil
}

// TestStreamUsersMemoryIsFlat streams 300,000 users (17 MB) and checks that
// the heap at the end is no larger than after the first 50,000.
func TestStreamUsersMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 17 MB")
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var at50k, last uint64
	n := 0
	err := decodeList(&generatedList{n: 300_000}, -1, MaxBodySize, "a list of users", func(User) error {
		n++
		switch n {
		case 50_000:
			at50k = heap()
		case 300_000:
			last = heap()
		}
		return nil
	})
	if err != nil || n != 300_000 {
		t.Fatalf("%d users, %v", n, err)
	}
	if last > at50k+4<<20 {
		t.Errorf("heap grew from %d KiB after 50,000 users to %d KiB after 300,000", at50k>>10, last>>10)
	}
}

// FuzzListDecoder checks the list decoder, fed in pieces of every size,
// against encoding/json reading the whole body: both accept or both refuse,
// with the same users.
func FuzzListDecoder(f *testing.F) {
	for _, s := range []string{
		`[{"email":"admin@example.com","accountRole":"admin"},{"email":"v@example.com","accountRole":"viewer","dataDomainRoles":{"hr":"none"}}]`,
		`[]`, `[null]`, `[{}]`, `{"users":[]}`, `not json at all`, `[{"email":"a@x.io"`, `<html><title>x</title></html>`, ``,
		`[{"email":"a\"]}"}]`, `[{"x":[{"y":"]"}]}]`, `[1,]`, `[{"email":"a@x.io"}] x`, `null`, ` [ {} , {} ] `,
		// The quick decoding of a plain model, and what it hands on to
		// User.UnmarshalJSON: keys in another case, unknown fields, odd roles.
		`[{"email":"a@x.io","accountRole":"viewer","dataDomainRoles":{}},{"EMAIL":"b@x.io","Email":"c@x.io","email":"d@x.io"}]`,
		`[{"email":"a@x.io","dataDomainRoleſ":{"x":"admin"},"accountRole":"Admin"},{"email":null,"email":"e@x.io","future":1}]`,
		`[{"email":"a@x.io","dataDomainRoles":{"hr":"none"},"dataDomainRoles":null},{"accountRole":null},{"accountRole":1}]`,
		`[null,{}]`, `[{"email":"a@x.io","accountRole":"viewer"},null]`, `[{"email":"a\u0040x.io","accountRole":"\u0061dmin"}]`,
	} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		want, wantErr := decodeWithEncodingJSON(data)
		got, err := streamBody(data, -1, int(chunk)%16+1)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: stream %v, encoding/json %v", data, err, wantErr)
		}
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "the body is ") && !strings.HasPrefix(msg, "expected JSON") {
				t.Fatalf("a decoding failure reads as a bare decoder message: %q", msg)
			}
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d users, want %d", data, len(got), len(want))
		}
		for i := range got {
			if g, w := normalizeUser(t, got[i]), normalizeUser(t, want[i]); !reflect.DeepEqual(g, w) {
				t.Fatalf("%q: user %d\n  %#v\nwant\n  %#v", data, i, g, w)
			}
		}
	})
}

// userOfSize is the JSON of a user with data-domain roles, exactly size
// bytes long (size at least 80).
func userOfSize(email string, size int) []byte {
	u := fmt.Appendf(nil, `{"email":%q,"accountRole":"viewer","dataDomainRoles":{`, email)
	for i := 0; len(u) < size-40; i++ {
		if i > 0 {
			u = append(u, ',')
		}
		u = fmt.Appendf(u, `"d%07d":"viewer"`, i)
	}
	u = append(u, `},"pad":"`...)
	u = append(u, bytes.Repeat([]byte("x"), size-len(u)-2)...)
	return append(u, `"}`...)
}

// One user's JSON is bounded, wherever it comes: a list read as it arrives,
// a list read whole, one user. A user of exactly MaxUserSize bytes (its
// comma included) passes, one byte more does not.
func TestUserLargerThanMaxUserSizeIsRefused(t *testing.T) {
	first := []byte(`{"email":"a@x.io","accountRole":"admin"}`)
	list := func(second []byte) []byte {
		return slices.Concat([]byte("["), first, []byte(","), second, []byte(`,{"email":"c@x.io"}]`))
	}
	tests := []struct {
		name    string
		body    []byte
		get     bool // GET /api/users/b@x.io rather than the list
		tooLong bool
	}{
		{"a list with a user of the cap", list(userOfSize("b@x.io", MaxUserSize-1)), false, false},
		{"a list with a user over the cap", list(userOfSize("b@x.io", MaxUserSize)), false, true},
		{"the first user of a list, of the cap", slices.Concat([]byte("["), userOfSize("b@x.io", MaxUserSize), []byte("]")), false, false},
		{"the first user of a list, over the cap", slices.Concat([]byte("["), userOfSize("b@x.io", MaxUserSize+1), []byte("]")), false, true},
		{"one user of the cap", userOfSize("b@x.io", MaxUserSize), true, false},
		{"one user over the cap", userOfSize("b@x.io", MaxUserSize+1), true, true},
	}
	if n := len(userOfSize("b@x.io", MaxUserSize)); n != MaxUserSize {
		t.Fatalf("userOfSize made %d bytes", n)
	}
	for _, tt := range tests {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, chunked %v", tt.name, chunked), func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					if !chunked {
						w.Header().Set("Content-Length", fmt.Sprint(len(tt.body)))
					}
					w.Write(tt.body)
				}))
				defer srv.Close()
				c := newTestClient(t, srv.URL, "")
				if tt.get {
					u, err := c.GetUser(context.Background(), "b@x.io")
					if tt.tooLong != errors.Is(err, ErrUserTooLarge) || !tt.tooLong && (err != nil || len(u.DataDomainRoles) == 0) {
						t.Fatalf("GetUser: %v", err)
					}
					return
				}
				var got []string
				err := c.StreamUsers(context.Background(), func(u User) error { got = append(got, u.Email); return nil })
				listed, listErr := c.ListUsers(context.Background())
				if !tt.tooLong {
					if err != nil || listErr != nil || len(got) == 0 || len(listed) != len(got) {
						t.Fatalf("StreamUsers %v: %v; ListUsers %d users: %v", got, err, len(listed), listErr)
					}
					return
				}
				var partial *PartialListError
				if errors.As(err, &partial) != (len(got) > 0) || partial != nil && partial.Delivered != len(got) {
					t.Errorf("StreamUsers: %#v after %v", err, got)
				}
				for _, err := range []error{err, listErr} {
					var be *BodyError
					if !errors.Is(err, ErrUserTooLarge) || !errors.As(err, &be) ||
						!strings.Contains(err.Error(), "of the list, from byte ") || !strings.Contains(err.Error(), "a user's JSON is larger than 1 MiB") {
						t.Errorf("error %v, want a BodyError of ErrUserTooLarge", err)
					}
				}
			})
		}
	}
}

// hugeUser writes, as it is read, a list of one user with n data-domain
// roles (about 20 bytes each), reusing one buffer so that the test's own
// allocations do not count.
type hugeUser struct {
	n, i int
	done bool
	buf  []byte
	rest []byte
}

func (h *hugeUser) Read(p []byte) (int, error) {
	if len(h.rest) == 0 {
		if h.done {
			return 0, io.EOF
		}
		h.buf = h.buf[:0]
		if h.i == 0 {
			h.buf = append(h.buf, `[{"email":"big@example.com","accountRole":"viewer","dataDomainRoles":{`...)
		}
		for j := 0; j < 1000 && h.i < h.n; j++ {
			if h.i > 0 {
				h.buf = append(h.buf, ',')
			}
			h.buf = fmt.Appendf(h.buf, `"d%08d":"viewer"`, h.i)
			h.i++
		}
		if h.i == h.n {
			h.buf = append(h.buf, "}}]"...)
			h.done = true
		}
		h.rest = h.buf
	}
	k := copy(p, h.rest)
	h.rest = h.rest[k:]
	return k, nil
}

// A user with 12 million data-domain roles (240 MB, under MaxBodySize) is
// refused once MaxUserSize of it has come, and the list's memory stays
// flat: the client neither holds the user nor downloads the rest of it.
func TestStreamUsersRefusesAHugeUserWithFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a server writes up to 240 MB")
	}
	const roles = 12_000_000
	var written atomic.Int64
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		w.Header().Set("Content-Type", "application/json")
		buf := make([]byte, 64<<10)
		body := &hugeUser{n: roles}
		for {
			n, err := body.Read(buf)
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, "", func(o *Options) { o.Retries = 0 })
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	err := c.StreamUsers(context.Background(), func(User) error { n++; return nil })
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrUserTooLarge) || n != 0 {
		t.Fatalf("%d users, error %v; want ErrUserTooLarge", n, err)
	}
	t.Logf("allocated %d KiB", (after.TotalAlloc-before.TotalAlloc)>>10)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("allocated %d MiB refusing a user of 240 MB, want at most 32", alloc>>20)
	}
	<-done // the server stops when the client has closed the connection
	if w := written.Load(); w > 64<<20 {
		t.Errorf("the server wrote %d MiB before the client went away", w>>20)
	}
}
