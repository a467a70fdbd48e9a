package files

import (
	"errors"
	"testing"
	"time"
)

// bound is how long a test waits for something that should happen at
// once, so that a broken prompt fails the test instead of hanging it.
// Nothing asserts on how long things take.
const bound = 5 * time.Second

// result is what a call in the background returned.
type result struct {
	v   []byte
	err error
}

// background runs read and returns where its result will arrive.
func background(read func() ([]byte, error)) <-chan result {
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	return done
}

// await returns the result of a call in the background, failing the test
// when it does not come.
func await(t *testing.T, done <-chan result) result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(bound):
		t.Fatal("the call did not return")
	}
	return result{}
}

// expectTooLarge checks that err is a *TooLargeError about what, with limit.
func expectTooLarge(t *testing.T, err error, what string, limit int64) {
	t.Helper()
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.What != what || tl.Limit != limit {
		t.Fatalf("error %v, want a *TooLargeError for %s over %d bytes", err, what, limit)
	}
}
