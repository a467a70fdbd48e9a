package iostreams

import (
	"strings"
	"testing"
	"time"
)

// clock is a test's time, moved by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// testBar returns a bar drawing into a buffer on a clock of the test's own.
func testBar(total int) (*ProgressBar, *strings.Builder, *clock) {
	var out strings.Builder
	c := &clock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	return newProgressBar(&out, total, c.now), &out, c
}

// redraws counts how often the bar was drawn in out.
func redraws(out string) int { return strings.Count(out, "\r\x1b[K[") }

func TestProgressBarDraws(t *testing.T) {
	tests := []struct {
		name   string
		total  int
		done   int
		failed int
		want   string
	}{
		{"empty", 4, 0, 0, "\r\x1b[K[>                             ] 0/4"},
		{"a quarter", 4, 1, 0, "\r\x1b[K[=======>                      ] 1/4"},
		{"half, one failed", 4, 2, 1, "\r\x1b[K[===============>              ] 2/4  1 failed"},
		{"full", 4, 4, 0, "\r\x1b[K[==============================] 4/4"},
		{"no steps counts as one", 0, 0, 0, "\r\x1b[K[>                             ] 0/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, out, c := testBar(tt.total)
			for i := range tt.done {
				c.t = c.t.Add(time.Second)
				b.Add(i < tt.failed)
			}
			s := out.String()
			if last := s[strings.LastIndex(s, "\r\x1b[K["):]; last != tt.want {
				t.Errorf("bar %q, want %q", last, tt.want)
			}
		})
	}
}

func TestProgressBarRedrawRate(t *testing.T) {
	b, out, c := testBar(1000)
	for range 500 {
		b.Add(false) // all within the same instant
	}
	if n := redraws(out.String()); n != 1 {
		t.Fatalf("%d draws for 500 steps within 100 ms, want only the first one:\n%q", n, out.String())
	}
	c.t = c.t.Add(99 * time.Millisecond)
	b.Add(false)
	if n := redraws(out.String()); n != 1 {
		t.Errorf("redrawn after 99 ms (%d draws)", n)
	}
	c.t = c.t.Add(time.Millisecond)
	b.Add(false)
	if n := redraws(out.String()); n != 2 {
		t.Errorf("%d draws 100 ms after the first, want 2", n)
	}
	for range 498 {
		b.Add(true)
	}
	s := out.String()
	if n := redraws(s); n != 3 || !strings.HasSuffix(s, "] 1000/1000  498 failed") {
		t.Errorf("the last step must draw the full bar (%d draws):\n%q", n, s[strings.LastIndex(s, "\r"):])
	}
}

func TestProgressBarPrintlnAboveTheBar(t *testing.T) {
	b, out, c := testBar(4)
	c.t = c.t.Add(time.Second)
	b.Add(true)
	out.Reset()
	b.Println("error: creating user a@b.io: 500")
	want := "\r\x1b[K" + "error: creating user a@b.io: 500\n" + "\r\x1b[K[=======>                      ] 1/4  1 failed"
	if got := out.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestProgressBarFinishClears(t *testing.T) {
	b, out, _ := testBar(2)
	b.Add(false)
	b.Add(false)
	b.Finish()
	if s := out.String(); !strings.HasSuffix(s, "] 2/2\r\x1b[K") {
		t.Errorf("the bar is not cleared at the end: %q", s)
	}
	out.Reset()
	b.Finish()
	b.Println("after")
	if s := out.String(); strings.Count(s, "\r\x1b[K") != 1 || !strings.HasPrefix(s, "after\n") {
		t.Errorf("a cleared bar is cleared again: %q", s)
	}
}

// TestProgressBarAsApplyShowsIt is the bar as apply draws it: a failure
// printed above it, and the failed count beside it.
func TestProgressBarAsApplyShowsIt(t *testing.T) {
	var b strings.Builder
	bar := NewProgressBar(&b, 4)
	bar.every = 0
	bar.Add(false)
	bar.Println("error: something")
	bar.Add(true)
	bar.Add(false)
	bar.Add(false)
	bar.Finish()
	out := b.String()
	for _, want := range []string{
		"\r\x1b[K[>                             ] 0/4",
		"\r\x1b[K[=======>                      ] 1/4",
		"\r\x1b[Kerror: something\n",
		"] 2/4  1 failed",
		"\r\x1b[K[==============================] 4/4  1 failed\r\x1b[K",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q:\n%q", want, out)
		}
	}
}
