package users

import (
	"context"
	"errors"
	"sync"

	"github.com/dqops-users/dqo-users/pkg/api"
)

// Writer makes changes on the server, one request per change. Its errors
// are reported as they are, so a Writer interprets the server's answers
// (DQOps's quirks) itself.
type Writer interface {
	CreateUser(ctx context.Context, u api.User) error
	UpdateUser(ctx context.Context, u api.User) error
	DeleteUser(ctx context.Context, email string) error
}

// Progress hears of each change as it finishes. Execute serialises the
// calls, so an implementation needs no lock of its own.
type Progress interface {
	Finished(r Result)
}

// Result is one executed change and its error (nil when it was made).
type Result struct {
	Change Change
	Err    error
	// Unknown is whether the request was cut short after the context was
	// cancelled: the server may or may not have made the change.
	Unknown bool
}

// ExecOptions are how a plan is executed.
type ExecOptions struct {
	// Parallel bounds the requests in flight (at least 1).
	Parallel int
	// ContinueOnError attempts every change; otherwise the first failure
	// stops scheduling new ones (those in flight finish).
	ContinueOnError bool
	// Progress, when set, hears of every finished change.
	Progress Progress
	// Record, when set, records every finished change (the audit log)
	// before the next is reported. An error stops the run, as a failure
	// does: no change is started whose record could not be written.
	Record func(Result) error
}

// Report is what an execution did.
type Report struct {
	Created, Updated, Deleted int
	// Unchanged and Refused are the plan's, for the summary.
	Unchanged, Refused int
	// Failures are the changes that failed, in the order they finished.
	Failures []Result
	// NotAttempted are the changes never sent, after a failure stopped the
	// run or the context was cancelled.
	NotAttempted []Change
	// Unknown are the changes whose request was cut short after the context
	// was cancelled: the server may or may not have made them.
	Unknown []Change
	// Stopped is whether a failure stopped the run (without ContinueOnError).
	Stopped bool
	// Interrupted is whether the context was cancelled (Ctrl-C).
	Interrupted bool
	// RecordErr is the first error of ExecOptions.Record, which stopped
	// the run; Unrecorded is the change whose record it failed to write.
	RecordErr  error
	Unrecorded Change
}

// Failed counts the failed changes.
func (r *Report) Failed() int { return len(r.Failures) }

// Done counts the changes made.
func (r *Report) Done() int { return r.Created + r.Updated + r.Deleted }

// Execute makes the plan's pending changes through w, with at most
// opts.Parallel requests in flight. Changes to the caller's own account run
// last, alone, after every other one.
//
// Cancelling ctx (Ctrl-C) stops scheduling, as a failure does without
// ContinueOnError. Requests already sent get the Writer's grace to finish
// (the API client's), so the report knows what was done; those cut short
// then are reported as Unknown. Each request is bounded by the client's own
// timeout.
func Execute(ctx context.Context, plan *Plan, w Writer, opts ExecOptions) *Report {
	rep := &Report{Unchanged: plan.Unchanged, Refused: plan.Refused()}
	var others, self []Change
	for _, c := range plan.Pending() {
		if c.Self {
			self = append(self, c)
		} else {
			others = append(others, c)
		}
	}
	var mu sync.Mutex
	stop := make(chan struct{})
	var stopOnce sync.Once
	finish := func(c Change, err error) {
		mu.Lock()
		defer mu.Unlock()
		unknown := err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled)
		if opts.Record != nil && rep.RecordErr == nil {
			if rerr := opts.Record(Result{Change: c, Err: err, Unknown: unknown}); rerr != nil {
				rep.RecordErr, rep.Unrecorded = rerr, c
				stopOnce.Do(func() { close(stop) })
			}
		}
		switch {
		case unknown:
			rep.Unknown = append(rep.Unknown, c)
		case err != nil:
			rep.Failures = append(rep.Failures, Result{Change: c, Err: err})
			if !opts.ContinueOnError {
				rep.Stopped = true
				stopOnce.Do(func() { close(stop) })
			}
		case c.Action == ActionCreate:
			rep.Created++
		case c.Action == ActionUpdate:
			rep.Updated++
		default:
			rep.Deleted++
		}
		if opts.Progress != nil {
			opts.Progress.Finished(Result{Change: c, Err: err})
		}
	}
	halted := func() bool {
		select {
		case <-stop:
			return true
		case <-ctx.Done():
			return true
		default:
			return false
		}
	}

	jobs := make(chan Change)
	var skipped []Change
	var wg sync.WaitGroup
	for range min(max(opts.Parallel, 1), len(others)) {
		wg.Go(func() {
			for c := range jobs {
				// The dispatcher may hand on one more change as the run
				// stops: it is not sent.
				if halted() {
					mu.Lock()
					skipped = append(skipped, c)
					mu.Unlock()
					continue
				}
				finish(c, do(ctx, w, c))
			}
		})
	}
	sent := 0
dispatch:
	for ; sent < len(others); sent++ {
		if halted() {
			break
		}
		select {
		case jobs <- others[sent]:
		case <-stop:
			break dispatch
		case <-ctx.Done():
			break dispatch
		}
	}
	close(jobs)
	wg.Wait()
	rep.NotAttempted = append(rep.NotAttempted, skipped...)
	rep.NotAttempted = append(rep.NotAttempted, others[sent:]...)
	for i, c := range self {
		if halted() {
			rep.NotAttempted = append(rep.NotAttempted, self[i:]...)
			break
		}
		finish(c, do(ctx, w, c))
	}
	rep.Interrupted = ctx.Err() != nil
	return rep
}

func do(ctx context.Context, w Writer, c Change) error {
	switch c.Action {
	case ActionCreate:
		return w.CreateUser(ctx, *c.After)
	case ActionUpdate:
		return w.UpdateUser(ctx, *c.After)
	default:
		return w.DeleteUser(ctx, c.Email)
	}
}
