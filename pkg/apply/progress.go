package apply

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Bar is a one-line progress bar for a terminal:
//
//	[==============>               ] 480/1000  2 failed
//
// It redraws in place with a carriage return, so w must be a terminal. It is
// not safe for concurrent use (Execute serialises Progress calls).
type Bar struct {
	w        io.Writer
	total    int
	done     int
	failed   int
	width    int
	every    time.Duration
	lastDraw time.Time
	visible  bool
}

// NewBar returns a bar for total changes and draws it empty.
func NewBar(w io.Writer, total int) *Bar {
	b := &Bar{w: w, total: max(total, 1), width: 30, every: 100 * time.Millisecond}
	b.draw()
	return b
}

// Add counts one more finished change, and redraws at most ten times a
// second (and always at the end).
func (b *Bar) Add(failed bool) {
	b.done++
	if failed {
		b.failed++
	}
	if b.done >= b.total || time.Since(b.lastDraw) >= b.every {
		b.draw()
	}
}

// Println prints a line above the bar.
func (b *Bar) Println(line string) {
	b.clear()
	fmt.Fprintln(b.w, line)
	b.draw()
}

// Finish removes the bar, leaving the cursor at the start of an empty line.
func (b *Bar) Finish() { b.clear() }

func (b *Bar) draw() {
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
	b.lastDraw = time.Now()
}

func (b *Bar) clear() {
	if b.visible {
		_, _ = io.WriteString(b.w, "\r\x1b[K")
		b.visible = false
	}
}
