package iostreams

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ProgressBar is a one-line progress bar for a terminal:
//
//	[==============>               ] 480/1000  2 failed
//
// It redraws in place with a carriage return, so w must be a terminal. It is
// not safe for concurrent use: its caller serialises the calls.
type ProgressBar struct {
	w        io.Writer
	total    int
	done     int
	failed   int
	width    int
	every    time.Duration
	now      func() time.Time // time.Now, or a test's clock
	lastDraw time.Time
	visible  bool
}

// NewProgressBar returns a bar for total steps and draws it empty. A total
// below one counts as one, so the bar always has something to fill.
func NewProgressBar(w io.Writer, total int) *ProgressBar {
	return newProgressBar(w, total, time.Now)
}

func newProgressBar(w io.Writer, total int, now func() time.Time) *ProgressBar {
	b := &ProgressBar{w: w, total: max(total, 1), width: 30, every: 100 * time.Millisecond, now: now}
	b.draw()
	return b
}

// Add counts one more finished step, failed or not, and redraws at most ten
// times a second (and always at the end): redrawing for each of thousands of
// quick steps would cost more than the steps.
func (b *ProgressBar) Add(failed bool) {
	b.done++
	if failed {
		b.failed++
	}
	if b.done >= b.total || b.now().Sub(b.lastDraw) >= b.every {
		b.draw()
	}
}

// Println prints a line above the bar, which is drawn again below it.
func (b *ProgressBar) Println(line string) {
	b.clear()
	fmt.Fprintln(b.w, line)
	b.draw()
}

// Finish removes the bar, leaving the cursor at the start of an empty line
// for what is printed next.
func (b *ProgressBar) Finish() { b.clear() }

func (b *ProgressBar) draw() {
	filled := min(b.width*b.done/b.total, b.width)
	var s strings.Builder
	s.WriteString("\r\x1b[K[")
	s.WriteString(strings.Repeat("=", filled))
	if filled < b.width {
		s.WriteByte('>')
		s.WriteString(strings.Repeat(" ", b.width-filled-1))
	}
	fmt.Fprintf(&s, "] %d/%d", b.done, b.total)
	if b.failed > 0 {
		fmt.Fprintf(&s, "  %d failed", b.failed)
	}
	_, _ = io.WriteString(b.w, s.String())
	b.visible = true
	b.lastDraw = b.now()
}

func (b *ProgressBar) clear() {
	if b.visible {
		_, _ = io.WriteString(b.w, "\r\x1b[K")
		b.visible = false
	}
}
