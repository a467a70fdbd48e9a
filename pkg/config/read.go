package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxFileSize caps the configuration file, as every file the tool reads is
// capped: enough for any real file, and `--config /dev/zero` ends in an
// error rather than in exhausted memory.
const MaxFileSize = 256 << 20

// maxStructure caps the lines, separators and indicators of a document
// (see structure), which bound how many nodes its tree has. A YAML node
// takes a hundred times the bytes that write it, so the byte cap alone
// would let a file of "a:\n" lines take tens of gigabytes; a profile takes a
// few lines, so this allows tens of thousands of them.
const maxStructure = 250_000

// LoadOptions say how Load treats the file.
type LoadOptions struct {
	// MustExist makes a missing file a *NotFoundError (a file named with
	// --config) instead of an empty configuration (the default location,
	// or DQOPS_CONFIG set before the first login).
	MustExist bool
}

// Load reads the file at path; a missing file is an empty configuration
// unless opts.MustExist.
func Load(path string, opts LoadOptions) (*Config, error) {
	c := newConfig(path)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		if opts.MustExist {
			return nil, &NotFoundError{Path: path}
		}
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading configuration %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading configuration %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("reading configuration %s: it is a directory", path)
	}
	data, err := readFile(f, info, path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	c.owner = ownerOf(info)
	if err := c.parse(data); err != nil {
		return nil, err
	}
	return c, nil
}

// readFile reads at most limit bytes. A regular file's size is known
// before reading; a device or pipe is read in chunks up to the cap, and a
// NUL byte ends the read at once (YAML has none, unless it is UTF-16 with a
// byte order mark), so that /dev/zero costs one chunk.
func readFile(f io.Reader, info fs.FileInfo, path string, limit int64) ([]byte, error) {
	size := int64(1 << 20)
	if info.Mode().IsRegular() {
		if info.Size() > limit {
			return nil, &TooLargeError{Path: path, Limit: limit}
		}
		size = min(size, info.Size()+1)
	}
	var chunks [][]byte
	total, lines, utf16 := int64(0), 0, false
	for {
		buf := make([]byte, size)
		n, err := io.ReadFull(f, buf)
		buf = buf[:n]
		if total == 0 {
			utf16 = hasUTF16Mark(buf)
		}
		if i := bytes.IndexByte(buf, 0); i >= 0 && !utf16 {
			return nil, parseError(path, Problem{
				Line:    lines + bytes.Count(buf[:i], []byte{'\n'}) + 1,
				Message: "a NUL byte: this is not a YAML text file",
			})
		}
		total += int64(n)
		if total > limit {
			return nil, &TooLargeError{Path: path, Limit: limit}
		}
		lines += bytes.Count(buf, []byte{'\n'})
		chunks = append(chunks, buf)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return bytes.Join(chunks, nil), nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading configuration %s: %w", path, err)
		}
		size = 1 << 20
	}
}

// hasUTF16Mark reports a UTF-16 byte order mark, the one encoding of YAML
// in which a NUL byte is text.
func hasUTF16Mark(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff})
}

// structure counts what bounds the number of nodes a document makes: each
// node but the first needs a line break, a separator (, : -) or an opening
// bracket or question mark of its own.
func structure(data []byte) int {
	n := 0
	for _, c := range []byte("\n,:-[{?") {
		n += bytes.Count(data, []byte{c})
	}
	return n
}
