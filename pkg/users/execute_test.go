package users

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// fakeWriter records requests, sleeps like a slow server, and fails the
// emails it is told to.
type fakeWriter struct {
	delay    time.Duration
	fail     map[string]bool
	inFlight atomic.Int32
	maxSeen  atomic.Int32

	mu       sync.Mutex
	calls    []string
	canceled int // requests whose context was cancelled when they ended
}

func (w *fakeWriter) do(ctx context.Context, what, email string) error {
	n := w.inFlight.Add(1)
	defer w.inFlight.Add(-1)
	for {
		m := w.maxSeen.Load()
		if n <= m || w.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(w.delay)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, what+" "+email)
	if err := ctx.Err(); err != nil {
		// As the API client does once its grace after Ctrl-C is over.
		w.canceled++
		return fmt.Errorf("%s %s: %w", what, email, err)
	}
	if w.fail[email] {
		return fmt.Errorf("%s %s: server answered 500", what, email)
	}
	return nil
}

func (w *fakeWriter) CreateUser(ctx context.Context, u api.User) error {
	return w.do(ctx, "create", u.Email)
}
func (w *fakeWriter) UpdateUser(ctx context.Context, u api.User) error {
	return w.do(ctx, "update", u.Email)
}
func (w *fakeWriter) DeleteUser(ctx context.Context, email string) error {
	return w.do(ctx, "delete", email)
}

// createPlan is a plan creating n users u0001@x.io and up.
func createPlan(n int) *Plan {
	p := &Plan{Unchanged: 3}
	for i := range n {
		e := fmt.Sprintf("u%04d@x.io", i+1)
		p.Changes = append(p.Changes, Change{Action: ActionCreate, Email: e, After: &api.User{Email: e, AccountRole: api.RoleViewer}})
	}
	return p
}

type recorder struct{ results []Result }

func (r *recorder) Finished(res Result) { r.results = append(r.results, res) }

// cancelAfter cancels a context once n changes have finished.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Finished(Result) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
}

func TestExecuteParallelism(t *testing.T) {
	for _, parallel := range []int{1, 4, 8} {
		t.Run(fmt.Sprint(parallel), func(t *testing.T) {
			w := &fakeWriter{delay: 5 * time.Millisecond}
			rec := &recorder{}
			rep := Execute(context.Background(), createPlan(40), w, ExecOptions{Parallel: parallel, Progress: rec})
			if rep.Created != 40 || rep.Failed() != 0 || len(rep.NotAttempted) != 0 || rep.Stopped || rep.Interrupted {
				t.Errorf("report %+v", rep)
			}
			if got := int(w.maxSeen.Load()); got != parallel {
				t.Errorf("at most %d requests in flight, want exactly %d", got, parallel)
			}
			if len(rec.results) != 40 || rep.Unchanged != 3 {
				t.Errorf("progress heard %d results, unchanged %d", len(rec.results), rep.Unchanged)
			}
		})
	}
}

func TestExecuteStopsAtTheFirstFailure(t *testing.T) {
	w := &fakeWriter{delay: 2 * time.Millisecond, fail: map[string]bool{"u0005@x.io": true}}
	rep := Execute(context.Background(), createPlan(100), w, ExecOptions{Parallel: 4})
	if !rep.Stopped || rep.Failed() != 1 || rep.Failures[0].Change.Email != "u0005@x.io" {
		t.Fatalf("report %+v", rep)
	}
	if len(rep.NotAttempted) == 0 || rep.Created+rep.Failed()+len(rep.NotAttempted) != 100 {
		t.Errorf("created %d + failed %d + not attempted %d should be 100, with some not attempted",
			rep.Created, rep.Failed(), len(rep.NotAttempted))
	}
	if len(w.calls) != rep.Created+rep.Failed() {
		t.Errorf("%d requests sent, report accounts for %d", len(w.calls), rep.Created+rep.Failed())
	}
	// Scheduling stops soon after the failure: with 4 in flight, only a few
	// more start while the failure is being recorded (how many depends on
	// the scheduler, so the bound is loose), and what was not sent is the
	// plan's tail.
	if rep.Created > 50 {
		t.Errorf("%d created after the 5th of 100 failed: scheduling did not stop", rep.Created)
	}
	for i, c := range rep.NotAttempted {
		if want := 100 - len(rep.NotAttempted) + i + 1; c.Email != fmt.Sprintf("u%04d@x.io", want) {
			t.Fatalf("not attempted %d is %s, want u%04d@x.io: not the plan's tail", i, c.Email, want)
		}
	}
}

func TestExecuteContinueOnError(t *testing.T) {
	w := &fakeWriter{fail: map[string]bool{"u0002@x.io": true, "u0007@x.io": true, "u0010@x.io": true}}
	rep := Execute(context.Background(), createPlan(10), w, ExecOptions{Parallel: 3, ContinueOnError: true})
	if rep.Stopped || rep.Failed() != 3 || rep.Created != 7 || len(rep.NotAttempted) != 0 || len(w.calls) != 10 {
		t.Errorf("report %+v, %d calls", rep, len(w.calls))
	}
}

func TestExecuteInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &fakeWriter{delay: 20 * time.Millisecond}
	// Ctrl-C comes once five changes are done, however busy the machine.
	rec := &cancelAfter{n: 5, cancel: cancel}
	rep := Execute(ctx, createPlan(100), w, ExecOptions{Parallel: 2, ContinueOnError: true, Progress: rec})
	if !rep.Interrupted || len(rep.NotAttempted) == 0 || rep.Created == 0 {
		t.Fatalf("report %+v", rep)
	}
	// Scheduling stopped; the requests in flight were cut short when their
	// grace was over (here at once) and are neither done nor failed: their
	// outcome is unknown.
	if rep.Created+len(rep.NotAttempted)+len(rep.Unknown) != 100 || rep.Failed() != 0 {
		t.Errorf("created %d + not attempted %d + unknown %d should be 100, failed %d",
			rep.Created, len(rep.NotAttempted), len(rep.Unknown), rep.Failed())
	}
	if len(rep.Unknown) != w.canceled || len(rep.Unknown) > 2 {
		t.Errorf("%d unknown, %d requests cut short, 2 in flight at most", len(rep.Unknown), w.canceled)
	}
}

func TestExecuteRunsTheCallersChangeLast(t *testing.T) {
	p := createPlan(20)
	p.Changes = append([]Change{{Action: ActionDelete, Email: "me@x.io", Before: &api.User{Email: "me@x.io"}, Self: true}}, p.Changes...)
	p.Changes = append(p.Changes, Change{Action: ActionCreate, Email: "refused@x.io", After: &api.User{Email: "refused@x.io"}, Refused: "no"})
	w := &fakeWriter{delay: time.Millisecond}
	rep := Execute(context.Background(), p, w, ExecOptions{Parallel: 8})
	if last := w.calls[len(w.calls)-1]; last != "delete me@x.io" || len(w.calls) != 21 {
		t.Errorf("calls %v: the caller's own change must run last, the refused one never", w.calls)
	}
	if rep.Deleted != 1 || rep.Created != 20 || rep.Refused != 1 {
		t.Errorf("report %+v", rep)
	}

	// After a failure the caller's own change is not attempted.
	w = &fakeWriter{fail: map[string]bool{"u0001@x.io": true}}
	rep = Execute(context.Background(), p, w, ExecOptions{Parallel: 1})
	if n := len(rep.NotAttempted); n != 20 || rep.NotAttempted[n-1].Email != "me@x.io" {
		t.Errorf("not attempted %v", rep.NotAttempted)
	}
}

func TestExecuteEmptyPlan(t *testing.T) {
	rep := Execute(context.Background(), &Plan{}, &fakeWriter{}, ExecOptions{})
	if rep.Done() != 0 || rep.Failed() != 0 || rep.Interrupted {
		t.Errorf("report %+v", rep)
	}
}

func TestValidationErrorSingle(t *testing.T) {
	err := error(&ValidationError{File: "f.csv", Problems: []Problem{{Line: 3, Message: "bad"}}})
	var ve *ValidationError
	if !errors.As(err, &ve) || err.Error() != "f.csv:3: bad" {
		t.Errorf("got %q", err)
	}
}

// BenchmarkExecute1000 runs 1,000 creates through a writer that takes 20 ms
// each and no network: the executor's own overhead against the ideal
// 1000 x 20 ms / parallel (x-ideal).
func BenchmarkExecute1000(b *testing.B) {
	const n, latency = 1000, 20 * time.Millisecond
	for _, parallel := range []int{8, 1} {
		b.Run(fmt.Sprintf("parallel=%d", parallel), func(b *testing.B) {
			plan := createPlan(n)
			var total time.Duration
			for b.Loop() {
				start := time.Now()
				rep := Execute(context.Background(), plan, sleepWriter(latency), ExecOptions{Parallel: parallel, Progress: &recorder{}})
				total += time.Since(start)
				if rep.Created != n {
					b.Fatalf("created %d", rep.Created)
				}
			}
			ideal := time.Duration(n) * latency / time.Duration(parallel)
			b.ReportMetric(float64(total)/float64(b.N)/float64(ideal), "x-ideal")
		})
	}
}

type sleepWriter time.Duration

func (w sleepWriter) CreateUser(context.Context, api.User) error {
	time.Sleep(time.Duration(w))
	return nil
}
func (w sleepWriter) UpdateUser(context.Context, api.User) error { return nil }
func (w sleepWriter) DeleteUser(context.Context, string) error   { return nil }

// A change whose record cannot be written stops the run: no change starts
// after it, and the report says why.
func TestExecuteStopsWhenARecordFails(t *testing.T) {
	for _, continueOnError := range []bool{false, true} {
		w := &fakeWriter{}
		var recorded []string
		broken := errors.New("disk full")
		rep := Execute(context.Background(), createPlan(5), w, ExecOptions{Parallel: 1, ContinueOnError: continueOnError,
			Record: func(r Result) error {
				recorded = append(recorded, r.Change.Email)
				if len(recorded) == 2 {
					return broken
				}
				return nil
			}})
		if !errors.Is(rep.RecordErr, broken) {
			t.Errorf("RecordErr %v, want %v", rep.RecordErr, broken)
		}
		if len(w.calls) != 2 || len(recorded) != 2 || len(rep.NotAttempted) != 3 || rep.Created != 2 {
			t.Errorf("continue-on-error %v: %d sent, %d recorded, %d not attempted, %d created; want 2, 2, 3, 2",
				continueOnError, len(w.calls), len(recorded), len(rep.NotAttempted), rep.Created)
		}
	}
}
