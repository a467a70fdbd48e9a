package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// stateVersion is the version of the state file's format.
const stateVersion = 1

// stateDoc is the state file: every user with its key and password hash, so a
// restarted sandbox accepts the keys it printed before.
type stateDoc struct {
	Version int         `json:"version"`
	Users   []stateUser `json:"users"`
}

type stateUser struct {
	Email           string            `json:"email"`
	AccountRole     string            `json:"accountRole"`
	DataDomainRoles map[string]string `json:"dataDomainRoles,omitempty"`
	APIKey          string            `json:"apiKey"`
	PasswordHash    string            `json:"passwordHash,omitempty"`
}

// loadState reads the users from the state file. It returns nil records
// and no error when the file does not exist. Data-domain grants are kept as
// written, but for entries whose role is none, and dropped in 1.0 mode,
// because a 1.0 server has none. Emails are distinct as the store compares
// them.
func (s *Server) loadState() ([]*record, error) {
	path := s.stateFile
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: reading state file %s: %w", path, err)
	}
	var doc stateDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("sandbox: state file %s is corrupt: %w", path, err)
	}
	if doc.Version != stateVersion {
		return nil, fmt.Errorf("sandbox: state file %s has version %d, want %d", path, doc.Version, stateVersion)
	}
	recs := make([]*record, 0, len(doc.Users))
	emails := make(map[string]bool, len(doc.Users))
	keys := make(map[string]bool, len(doc.Users))
	for i, su := range doc.Users {
		if err := checkStateUser(su, emails, keys, &s.store); err != nil {
			return nil, fmt.Errorf("sandbox: state file %s is corrupt: user #%d: %w", path, i+1, err)
		}
		u := User{Email: su.Email, AccountRole: su.AccountRole}
		if s.api == API113 {
			u.DataDomainRoles = grantsOf(su.DataDomainRoles)
		}
		recs = append(recs, newRecord(u, su.APIKey, su.PasswordHash))
	}
	return recs, nil
}

// checkStateUser validates one user of a state file, and that its email (as
// st compares emails) and key were not seen before.
func checkStateUser(su stateUser, emails, keys map[string]bool, st *store) error {
	if su.Email == "" {
		return errors.New("empty email")
	}
	id := st.id(su.Email)
	if emails[id] {
		if st.exact {
			return fmt.Errorf("duplicate email %q", su.Email)
		}
		return fmt.Errorf("duplicate email %q (emails ignore case)", su.Email)
	}
	emails[id] = true
	if !validRole(su.AccountRole) {
		return fmt.Errorf("user %q: invalid account role %q", su.Email, su.AccountRole)
	}
	for domain, role := range su.DataDomainRoles {
		if !validRole(role) {
			return fmt.Errorf("user %q: invalid role %q in data domain %q", su.Email, role, domain)
		}
	}
	if su.APIKey == "" {
		return fmt.Errorf("user %q: empty API key", su.Email)
	}
	if keys[su.APIKey] {
		return fmt.Errorf("user %q: API key shared with another user", su.Email)
	}
	keys[su.APIKey] = true
	if su.PasswordHash != "" {
		if _, _, _, err := parsePasswordHash(su.PasswordHash); err != nil {
			return fmt.Errorf("user %q: password hash: %w", su.Email, err)
		}
	}
	return nil
}

// persist saves the users to the state file, when there is one. Saves are
// serialised; a save that finds a newer snapshot already written skips its
// own, since that snapshot includes its change.
func (s *Server) persist() error {
	if s.stateFile == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	recs, version := s.store.snapshot()
	if version <= s.savedVersion {
		return nil
	}
	doc := stateDoc{Version: stateVersion, Users: make([]stateUser, len(recs))}
	for i, rec := range recs {
		doc.Users[i] = stateUser{
			Email:           rec.user.Email,
			AccountRole:     rec.user.AccountRole,
			DataDomainRoles: rec.user.DataDomainRoles,
			APIKey:          rec.key,
			PasswordHash:    rec.passwordHash,
		}
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("sandbox: encoding state file %s: %w", s.stateFile, err)
	}
	if err := writeFileAtomic(s.stateFile, append(data, '\n')); err != nil {
		return fmt.Errorf("sandbox: saving state file %s: %w", s.stateFile, err)
	}
	s.savedVersion = version
	return nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// over path, so a reader (or a crash) never sees half a file. The file holds
// API keys, hence mode 0600.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
