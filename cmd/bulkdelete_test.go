package cmd_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// inFlight is a sandbox that counts the deletions being answered at once.
type inFlight struct {
	now, most atomic.Int32
	// first is closed when the first deletion arrives.
	first chan struct{}
	once  atomic.Bool
}

func (f *inFlight) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodDelete {
			next.ServeHTTP(w, r)
			return
		}
		n := f.now.Add(1)
		defer f.now.Add(-1)
		for m := f.most.Load(); n > m && !f.most.CompareAndSwap(m, n); m = f.most.Load() {
		}
		if f.once.CompareAndSwap(false, true) {
			close(f.first)
		}
		next.ServeHTTP(w, r)
	})
}

// forty are 40 users to delete.
func forty() ([]sandbox.User, []string) {
	var users []sandbox.User
	var emails []string
	for i := range 40 {
		email := fmt.Sprintf("leaver%02d@corp.io", i)
		users = append(users, sandbox.User{Email: email, AccountRole: "viewer"})
		emails = append(emails, email)
	}
	return users, emails
}

// delete of many users runs on apply's executor: --parallel requests in
// flight, the delete limit, and apply's summary.
func TestDeleteManyInParallel(t *testing.T) {
	t.Parallel()
	seeded, emails := forty()
	f := &inFlight{first: make(chan struct{})}
	srv := serveSandbox(t, sandbox.Options{Latency: 200 * time.Millisecond}, serving{wrap: f.wrap}, seeded...)
	c := newCLI(t, srv)
	// 40 of 42 is over the default limit of 5: nothing is deleted.
	r := c.run(append([]string{"delete", "--yes", "--parallel", "8"}, emails...)...)
	expectExit(t, r, 11, "the plan deletes 40 users, more than the default limit of 5", "--max-deletes 40")
	if w := srv.writes(); len(w) != 0 {
		t.Fatalf("writes: %v", w)
	}
	r = c.run(append([]string{"delete", "--yes", "--parallel", "8", "--max-deletes", "40"}, emails...)...)
	expectExit(t, r, 0, "Deleted: 40 deleted, 0 failed.")
	if got := f.most.Load(); got != 8 {
		t.Errorf("%d deletions in flight at most, want 8", got)
	}
	if n := srv.countCalls(http.MethodDelete, "/api/users/"); n != 40 {
		t.Errorf("%d deletions sent, want 40", n)
	}
}

// Ctrl-C during a delete of many: no deletion starts after it, and the
// summary says which were made, which were not attempted and which are
// unknown.
func TestDeleteManyInterrupted(t *testing.T) {
	t.Parallel()
	seeded, emails := forty()
	f := &inFlight{first: make(chan struct{})}
	srv := serveSandbox(t, sandbox.Options{Latency: 200 * time.Millisecond}, serving{wrap: f.wrap}, seeded...)
	c := newCLI(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run := c.start(invocation{args: append([]string{"delete", "--yes", "--parallel", "8", "--max-deletes", "all"}, emails...), ctx: ctx})
	select {
	case <-f.first:
	case <-time.After(time.Minute):
		t.Fatal("no deletion arrived")
	}
	cancel()
	r := run.result()
	expectExit(t, r, 130, "Interrupted: ", "not attempted:")
	if n := srv.countCalls(http.MethodDelete, "/api/users/"); n > 8 {
		t.Errorf("%d deletions sent: more than one round of --parallel 8 after Ctrl-C", n)
	}
	if !strings.Contains(r.stderr, "Run delete again") {
		t.Errorf("summary:\n%s", r.stderr)
	}
}
