package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ListWriter prints a list one item at a time, so that a command can hand
// each user on as it arrives from the server and memory does not grow with
// the number of users. Get one from Printer.List, call Add for each item
// and Close at the end; the output is byte for byte what Printer.Print
// writes for the whole list.
//
// json, yaml, csv, tsv, name and the default table piped (tab-separated)
// write each item as it comes, handing the output to Printer.Out in pieces
// of about 64 KB. --jq whose expression begins by iterating the list
// (`.[] | f`, `.[].email`) runs on each item as it comes. An aligned table
// holds the rows compactly, as shown, to measure its columns, and draws
// them at Close; --template and any other --jq hold the items as JSON and
// run at Close.
//
// A ListWriter is not safe for concurrent use, but for its own timer (see
// FlushAfter).
type ListWriter struct {
	mu     sync.Mutex // held by every call, and by the timer when it hands output on
	out    *itemBuffer
	sink   listSink
	err    error // the first error, returned again by every later call
	closed bool

	delay time.Duration // 0: no timer
	timer *time.Timer   // set while it waits to hand on what is gathered
}

// listSink is how one form of output prints a list.
type listSink interface {
	// add prints or holds one item: item is what -o json shows of it and
	// row its table cells.
	add(item any, row []string) error
	// finish ends the list: a closing bracket, a held table or --jq.
	finish() error
}

// valueSink is a listSink that can also write, whole, a value that is not
// a list.
type valueSink interface {
	listSink
	value(v any) error
}

// List starts printing a list whose rows have the given columns.
// nameColumn is the index of the column -o name prints, and empty what
// an aligned table says on Printer.ErrOut when the list is empty (Table's
// NameColumn and Empty).
//
// An invalid option gives a *UsageError, as Print does, and nothing is
// written.
func (p *Printer) List(ctx context.Context, columns []Column, nameColumn int, empty string) (*ListWriter, error) {
	var t *Table
	if columns != nil {
		t = &Table{Columns: columns, NameColumn: nameColumn, Empty: empty}
	}
	out := &itemBuffer{w: p.Out}
	sink, err := p.newSink(ctx, out, t, true)
	if err != nil {
		return nil, err
	}
	return &ListWriter{out: out, sink: sink}, nil
}

// Add prints one item of the list, or holds it when the form of output
// needs the whole list. item is what -o json shows for this element (for a
// type whose MarshalJSON has a pointer receiver, pass a pointer); row is
// its cells, in the order of the columns given to List.
//
// After an error, Add does nothing and returns that error again.
//
// Add keeps neither item nor row: the caller may reuse them for the next
// item.
func (w *ListWriter) Add(item any, row []string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil && w.closed {
		w.err = errors.New("output: Add after the list was closed")
	}
	if w.err != nil {
		return w.err
	}
	w.err = w.sink.add(item, row)
	if w.delay > 0 && w.timer == nil && len(w.out.buf) > 0 {
		w.timer = time.AfterFunc(w.delay, w.flushWaiting)
	}
	return w.err
}

// FlushAfter makes the list hand on output that has waited d, even when
// no more items come, so that a list arriving from a server that pauses
// shows what has come so far. Without it, output is handed on in pieces of
// about 64 KB and at the end. Call it before the first Add.
func (w *ListWriter) FlushAfter(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.delay = d
}

// flushWaiting is the timer's: it hands on what has been gathered.
func (w *ListWriter) flushWaiting() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer = nil
	if !w.closed && w.err == nil {
		w.err = w.out.flush()
	}
}

// end marks the list closed and stops the timer, with w.mu held; it
// reports whether the list was open.
func (w *ListWriter) end() bool {
	if w.closed {
		return false
	}
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	return true
}

// Close ends the list: it writes the closing bracket of json or the empty
// list of yaml, renders an aligned table, runs a --jq over the whole list
// or --template, and hands all output to Printer.Out. After an error of
// Add, Close writes out what was printed before it and returns that error.
func (w *ListWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.end() {
		return w.err
	}
	if w.err == nil {
		w.err = w.sink.finish()
	}
	if err := w.out.flush(); w.err == nil {
		w.err = err
	}
	return w.err
}

// Abort ends a list that could not be completed, for instance because the
// server's answer broke off: what was printed stays printed and is handed
// to Printer.Out, but the list is left unfinished (json without its closing
// bracket, so that no reader takes it for the whole list). What is held
// until Close, an aligned table, a --jq over the whole list or --template,
// is dropped. Abort returns an error only if writing failed.
func (w *ListWriter) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.end() {
		return nil
	}
	return w.out.flush()
}

// Written returns how many items have reached Printer.Out so far, for a
// message such as "1,200 users were written before the failure". Output is
// handed on in pieces, so it may lag behind Add; after Close or Abort it
// counts every item printed.
func (w *ListWriter) Written() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.written
}

// bufferSize is how much output is gathered before it is handed on: many
// small writes straight to a pipe or terminal cost a system call each.
const bufferSize = 64 << 10

// itemBuffer gathers output and hands it on in pieces of about bufferSize,
// at the end of an item, counting the items that have been handed on.
type itemBuffer struct {
	w       io.Writer
	buf     []byte
	pending int // items whose output is all in buf
	written int // items whose output has been handed to w
	err     error
}

func (b *itemBuffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *itemBuffer) WriteString(s string) (int, error) {
	b.buf = append(b.buf, s...)
	return len(s), nil
}

func (b *itemBuffer) WriteByte(c byte) error {
	b.buf = append(b.buf, c)
	return nil
}

// endItem marks the end of an item's output.
func (b *itemBuffer) endItem() error {
	b.pending++
	return b.flushFull()
}

func (b *itemBuffer) flushFull() error {
	if len(b.buf) < bufferSize {
		return nil
	}
	return b.flush()
}

func (b *itemBuffer) flush() error {
	if b.err != nil {
		return b.err
	}
	if len(b.buf) > 0 {
		if _, err := b.w.Write(b.buf); err != nil {
			b.err = fmt.Errorf("writing output: %w", err)
			return b.err
		}
	}
	b.buf = b.buf[:0]
	b.written += b.pending
	b.pending = 0
	return nil
}
