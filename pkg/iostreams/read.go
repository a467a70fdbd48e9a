package iostreams

import (
	"bytes"
	"context"
	"errors"

	"github.com/dqops-users/dqo-users/pkg/files"
)

// ReadStdin reads stdin to its end (apply -f -), at most files.MaxFileSize
// (else a *files.TooLargeError). Ctrl-C ends the wait.
func (s *IOStreams) ReadStdin(ctx context.Context) ([]byte, error) {
	return s.readStdin(ctx, files.MaxFileSize, "stdin")
}

func (s *IOStreams) readStdin(ctx context.Context, limit int64, what string) ([]byte, error) {
	return files.Wait(ctx, func() ([]byte, error) { return files.ReadAll(s.reader(), limit, what, 0) })
}

// ReadStdinSecret reads a secret from stdin, for --password-stdin and
// --with-token: to its end, less one trailing newline ("\n" or "\r\n"), at
// most files.MaxSecretSize (else a *files.TooLargeError). When stdin is a terminal, the
// user is typing it: it is read as one line without echo, so that it does
// not show on the screen, and Ctrl-C and Ctrl-D work as at a prompt.
func (s *IOStreams) ReadStdinSecret(ctx context.Context) ([]byte, error) {
	if fd, ok := terminalFd(s.In); ok {
		return s.readHidden(ctx, fd, "")
	}
	// The line ending is not part of the secret, so it may come on top.
	data, err := s.readStdin(ctx, files.MaxSecretSize+int64(len("\r\n")), "stdin")
	if err != nil {
		if tl := (*files.TooLargeError)(nil); errors.As(err, &tl) {
			err = &files.TooLargeError{What: "stdin", Limit: files.MaxSecretSize}
		}
		return nil, err
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	if int64(len(data)) > files.MaxSecretSize {
		return nil, &files.TooLargeError{What: "stdin", Limit: files.MaxSecretSize}
	}
	return data, nil
}
