// Package files reads and writes the local files dqo-users handles. It
// bounds every input it reads: one reader with one cap for each kind of
// input (a file or stdin read whole, a secret, a typed line), all of them
// ended at once by Ctrl-C. Every file the tool writes goes through its
// writers (whole or nothing, appending, or new), which follow no symbolic
// link that another user planted in a directory anyone may write to
// (Target).
package files

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// The caps on what is read, so that a hostile or mistaken input (a file of
// gigabytes, /dev/zero) ends in a clear error instead of exhausting memory.
const (
	// MaxFileSize caps a file or stdin read whole (apply -f): the cap of
	// the server's answers, so an export of a million users reads back.
	MaxFileSize int64 = 256 << 20
	// MaxSecretSize caps a key or password read from stdin or a file.
	MaxSecretSize int64 = 4 << 10
	// MaxLineSize caps a line typed at a prompt, hidden or not.
	MaxLineSize int64 = 4 << 10
)

// ErrInterrupted is the error of a wait that Ctrl-C ended.
var ErrInterrupted = errors.New("interrupted")

// TooLargeError is an input larger than its cap. It is found without
// reading more than the cap and one byte.
type TooLargeError struct {
	What  string // what was read: "stdin", "the line typed", a file's name
	Limit int64  // the cap, in bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s", e.What, SizeText(e.Limit))
}

// SizeText writes a cap as people do: 4 KiB, 256 MiB.
func SizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// maxChunk bounds the chunks of readAtMost, so that the last one, which the
// end of input may leave nearly empty, wastes little.
const maxChunk = 4 << 20

// ReadAll reads r to its end, or fails with a *TooLargeError once it
// has read limit+1 bytes. It reads into chunks, each as large as all before
// it up to maxChunk, and joins them once at the end: a large input costs
// about twice its size in memory and an endless one (/dev/zero) its cap,
// where a growing buffer cost four times the cap. sizeHint, the size of a
// regular file, is the first chunk's size, so such a file is read in one.
func ReadAll(r io.Reader, limit int64, what string, sizeHint int64) ([]byte, error) {
	var chunks [][]byte
	var total int64
	size := int64(64 << 10)
	if sizeHint > 0 {
		size = sizeHint + 1 // the one byte more finds the end without a second chunk
	}
	for {
		chunk := make([]byte, min(size, limit+1-total))
		n, err := io.ReadFull(r, chunk)
		chunks = append(chunks, chunk[:n])
		total += int64(n)
		if total > limit {
			return nil, &TooLargeError{What: what, Limit: limit}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		size = min(total, maxChunk)
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	return bytes.Join(chunks, nil), nil
}

// ReadLine reads a line and returns it with its line ending, or fails
// with a *TooLargeError once it is longer than limit and a "\r\n" (which
// do not count): reading stops there, the rest of the line is left unread.
func ReadLine(r *bufio.Reader, limit int64, what string) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if int64(len(bytes.TrimRight(line, "\r\n"))) > limit {
			return nil, &TooLargeError{What: what, Limit: limit}
		}
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}

// ReadFile reads a file named on the command line (apply -f FILE,
// --api-key-file), at most limit bytes: a regular file larger than that is
// refused from its size, before reading, and anything else (a device, a
// FIFO) once limit+1 bytes came, with a *TooLargeError naming path. Ctrl-C
// (ctx) ends the wait at once with ErrInterrupted, also while the open
// itself waits, as it does for a FIFO that nobody writes to.
func ReadFile(ctx context.Context, path string, limit int64) ([]byte, error) {
	return Wait(ctx, func() ([]byte, error) { return readFile(ctx, path, limit) })
}

func readFile(ctx context.Context, path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Nobody waits for this read once ctx has ended: closing the file ends a
	// read of a FIFO or a terminal, which could otherwise wait for ever.
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var size int64
	if info.Mode().IsRegular() {
		if size = info.Size(); size > limit {
			return nil, &TooLargeError{What: path, Limit: limit}
		}
	}
	return ReadAll(f, limit, path, size)
}

// Wait runs read in the background and returns what it returns, or
// ErrInterrupted as soon as ctx ends (Ctrl-C): a read of a terminal, a pipe
// or a FIFO may wait for ever, and a blocking read of stdin cannot be cut
// short. The abandoned read ends unseen when its input comes or the process
// exits, which it does after Ctrl-C.
func Wait[T any](ctx context.Context, read func() (T, error)) (T, error) {
	var zero T
	if ctx.Err() != nil {
		return zero, ErrInterrupted
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	select {
	case <-ctx.Done():
		return zero, ErrInterrupted
	case r := <-done:
		return r.v, r.err
	}
}
