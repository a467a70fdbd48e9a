package cmd

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/files"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// passwordAlphabet are the characters of a generated password: letters and
// digits without those that look alike (0 O o, 1 l I i j J, 5 S s, 2 Z z,
// 8 B, u U v V w y), so that a password read off a screen or a printout is
// typed right the first time.
const passwordAlphabet = "abcdefghkmnpqrtx" + "ACDEFGHKLMNPQRTWXY" + "34679"

// passwordLength is the length of a generated password: 20 characters of
// 39 give over 105 bits.
const passwordLength = 20

// generatePassword returns a new password from crypto/rand.
func generatePassword() []byte {
	pw := make([]byte, 0, passwordLength)
	for len(pw) < passwordLength {
		var b [1]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand does not fail on the platforms Go supports
		}
		// Reject the bytes above the last whole multiple, so that every
		// character is as likely as every other.
		if int(b[0]) < 256/len(passwordAlphabet)*len(passwordAlphabet) {
			pw = append(pw, passwordAlphabet[int(b[0])%len(passwordAlphabet)])
		}
	}
	return pw
}

// passwordFile is where apply --generate-passwords writes each generated
// password, "email,password" a line, before the password is set.
type passwordFile struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// createPasswordFile creates FILE for the passwords: mode 0600, through no
// symbolic link the tool's rule forbids, and never over a file that exists.
func createPasswordFile(path string) (*passwordFile, error) {
	f, err := files.CreateNew(path, 0o600)
	if err != nil {
		return nil, withHint(&ExitError{Code: ExitUsage, Err: fmt.Errorf("--generate-passwords %s: %w", path, err)},
			"nothing was sent; name a file that does not exist yet: it will hold the passwords, readable by you alone")
	}
	return &passwordFile{f: f, path: path}, nil
}

// add writes one line and syncs it: the password is set only once the
// file holds it.
func (p *passwordFile) add(email string, password []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := append(append([]byte(csvField(email)), ','), password...)
	line = append(line, '\n')
	if _, err := p.f.Write(line); err != nil {
		return err
	}
	return p.f.Sync()
}

// close closes the file.
func (p *passwordFile) close() error {
	if p == nil {
		return nil
	}
	return p.f.Close()
}

// csvField is an email as a CSV field: quoted when it holds a comma, a
// quote or a line break.
func csvField(s string) string {
	for _, c := range s {
		if c == ',' || c == '"' || c == '\n' || c == '\r' {
			q := []byte{'"'}
			for _, c := range []byte(s) {
				if c == '"' {
					q = append(q, '"')
				}
				q = append(q, c)
			}
			return string(append(q, '"'))
		}
	}
	return s
}

// passwordWriter sets a generated password on every user apply creates,
// right after the create: the password is written to the file first.
// A user created whose password could not be set is left created, and
// noted.
type passwordWriter struct {
	users.Writer
	client *api.Client
	file   *passwordFile
	log    *auditor

	mu     sync.Mutex
	unset  []unsetPassword
	errOut io.Writer
}

// unsetPassword is a user created without the password meant for it.
type unsetPassword struct {
	email string
	err   error
}

func (w *passwordWriter) CreateUser(ctx context.Context, u api.User) error {
	if err := w.Writer.CreateUser(ctx, u); err != nil {
		return err
	}
	pw := generatePassword()
	err := w.file.add(u.Email, pw)
	if err == nil {
		err = w.client.ChangeUserPassword(ctx, u.Email, pw)
		if rerr := w.log.recordPassword(ctx, u.Email, err); rerr != nil && err == nil {
			err = rerr
		}
	} else {
		err = fmt.Errorf("writing its password to %s: %w", w.file.path, err)
	}
	clear(pw)
	if err != nil {
		w.mu.Lock()
		w.unset = append(w.unset, unsetPassword{email: u.Email, err: err})
		w.mu.Unlock()
	}
	return nil
}

// report says which users were created without a password: exit 1.
func (w *passwordWriter) report() error {
	if len(w.unset) == 0 {
		return nil
	}
	for _, u := range w.unset {
		say(w.errOut, "error: user %s was created, but its password was not set: %s\n", u.email, failureMessage(u.err))
	}
	return withHint(&ExitError{Code: ExitFailure, Reported: true,
		Err: fmt.Errorf("%d users were created without a password", len(w.unset))},
		"set them with `dqo-users user-passwd EMAIL`")
}
