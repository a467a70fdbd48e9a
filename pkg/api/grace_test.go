package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// After Ctrl-C a request in flight gets the grace to finish, so that its
// outcome is known; one that does not answer in time is cancelled then.
func TestGraceLetsARequestInFlightFinish(t *testing.T) {
	tests := []struct {
		name    string
		answer  time.Duration // how long the server takes
		grace   time.Duration
		success bool
	}{
		{name: "answers within the grace", answer: 100 * time.Millisecond, grace: 2 * time.Second, success: true},
		{name: "no grace", answer: 100 * time.Millisecond, grace: 0},
		{name: "answers after the grace", answer: time.Hour, grace: 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arrived := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
				select {
				case <-time.After(tt.answer):
					w.WriteHeader(http.StatusNoContent)
				case <-r.Context().Done():
				}
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, "k", func(o *Options) { o.Grace = tt.grace; o.Timeout = 0 })
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-arrived; cancel() }()
			done := make(chan error, 1)
			go func() { done <- c.DeleteUser(ctx, "a@x.io") }()
			select {
			case err := <-done:
				if tt.success != (err == nil) {
					t.Fatalf("err %v, want success %v", err, tt.success)
				}
				if err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("err %v, want a cancellation", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the request outlived its grace")
			}
		})
	}
}
