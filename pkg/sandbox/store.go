package sandbox

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// record is one stored user. Records are immutable once stored: a change
// stores a new record, so a reader may use a record (and the sorted slice it
// came from) after releasing the lock.
type record struct {
	user         User
	lower        string // lower-cased email: the sort key, and the identity unless emails are exact
	key          string
	passwordHash string
}

func newRecord(u User, key, passwordHash string) *record {
	return &record{user: u, lower: strings.ToLower(u.Email), key: key, passwordHash: passwordHash}
}

// store holds the users: a map for lookups and a slice sorted by email
// (ignoring case) for listing. The slice is copy-on-write, so listing
// 100,000 users takes the lock only long enough to read one slice header.
type store struct {
	// exact makes emails distinct by exact spelling; otherwise two emails
	// that differ only in letter case are one user. Set before first use.
	exact bool

	mu      sync.RWMutex
	byID    map[string]*record // identity (see id) -> user
	byKey   map[string]string  // API key -> identity
	sorted  []*record
	version uint64 // bumped on every change, so saves can be ordered
}

// id maps an email to the identity lookups compare.
func (st *store) id(email string) string {
	if st.exact {
		return email
	}
	return strings.ToLower(email)
}

func (st *store) recordID(rec *record) string {
	if st.exact {
		return rec.user.Email
	}
	return rec.lower
}

func (st *store) reset(recs []*record) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.byID = make(map[string]*record, len(recs))
	st.byKey = make(map[string]string, len(recs))
	for _, rec := range recs {
		id := st.recordID(rec)
		st.byID[id] = rec
		st.byKey[rec.key] = id
	}
	st.sorted = slices.Clone(recs)
	slices.SortFunc(st.sorted, compareRecords)
	st.version++
}

// compareRecords orders users by email ignoring case, as DQOps lists them;
// the exact spelling breaks ties between emails that differ only in case.
func compareRecords(a, b *record) int {
	if c := strings.Compare(a.lower, b.lower); c != 0 {
		return c
	}
	return strings.Compare(a.user.Email, b.user.Email)
}

// get returns the user with that email, or nil.
func (st *store) get(email string) *record {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.byID[st.id(email)]
}

// byAPIKey returns the user that owns key, or nil.
func (st *store) byAPIKey(key string) *record {
	st.mu.RLock()
	defer st.mu.RUnlock()
	id, ok := st.byKey[key]
	if !ok {
		return nil
	}
	return st.byID[id]
}

// list returns the users sorted by email. The caller must not modify the
// slice.
func (st *store) list() []*record {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.sorted
}

// snapshot returns the users and the version they belong to.
func (st *store) snapshot() ([]*record, uint64) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.sorted, st.version
}

type insertResult int

const (
	inserted insertResult = iota
	insertExists
	insertOverLimit
)

// insert adds rec unless its email is taken or the store already holds limit
// users (limit < 0: no limit). Checking and inserting under one lock keeps
// parallel creates from overshooting the limit.
func (st *store) insert(rec *record, limit int) insertResult {
	st.mu.Lock()
	defer st.mu.Unlock()
	id := st.recordID(rec)
	if _, ok := st.byID[id]; ok {
		return insertExists
	}
	if limit >= 0 && len(st.sorted) >= limit {
		return insertOverLimit
	}
	pos, _ := slices.BinarySearchFunc(st.sorted, rec, compareRecords)
	sorted := make([]*record, 0, len(st.sorted)+1)
	sorted = append(sorted, st.sorted[:pos]...)
	sorted = append(sorted, rec)
	sorted = append(sorted, st.sorted[pos:]...)
	st.sorted = sorted
	st.byID[id] = rec
	st.byKey[rec.key] = id
	st.version++
	return inserted
}

// locate returns the identity of email, its user (nil when there is none)
// and that user's index in the sorted slice. The caller holds the lock.
func (st *store) locate(email string) (id string, rec *record, pos int) {
	id = st.id(email)
	rec = st.byID[id]
	if rec != nil {
		pos, _ = slices.BinarySearchFunc(st.sorted, rec, compareRecords)
	}
	return id, rec, pos
}

// replace stores change(old) in place of the user with that email, and
// reports whether the user existed. change must keep the stored email and
// the key.
func (st *store) replace(email string, change func(old *record) *record) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	id, old, pos := st.locate(email)
	if old == nil {
		return false
	}
	rec := change(old)
	sorted := slices.Clone(st.sorted)
	sorted[pos] = rec
	st.sorted = sorted
	st.byID[id] = rec
	st.version++
	return true
}

// remove deletes the user with that email and reports whether it existed.
// Its key stops working with it.
func (st *store) remove(email string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	id, old, pos := st.locate(email)
	if old == nil {
		return false
	}
	sorted := make([]*record, 0, len(st.sorted)-1)
	sorted = append(sorted, st.sorted[:pos]...)
	sorted = append(sorted, st.sorted[pos+1:]...)
	st.sorted = sorted
	delete(st.byID, id)
	delete(st.byKey, old.key)
	st.version++
	return true
}

// keyRandomBytes is the entropy of an API key (128 bits).
const keyRandomBytes = 16

// newKeys returns n fresh API keys. One read from crypto/rand serves them
// all, which keeps seeding 100,000 users fast.
func newKeys(n int) []string {
	buf := make([]byte, n*keyRandomBytes)
	// crypto/rand.Read never fails (it aborts the program instead).
	_, _ = rand.Read(buf)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = KeyPrefix + hex.EncodeToString(buf[i*keyRandomBytes:(i+1)*keyRandomBytes])
	}
	return keys
}

// Password hashes are PBKDF2-SHA256, stored as
// "pbkdf2-sha256$<iterations>$<salt>$<hash>" (base64, no padding). The
// iteration count is low because these are sandbox passwords and tests set
// many of them; it is stored, so a file stays readable if it changes.
const (
	hashScheme     = "pbkdf2-sha256"
	hashIterations = 4096
	hashSaltBytes  = 16
	hashKeyBytes   = 32
)

func hashPassword(password string) string {
	salt := make([]byte, hashSaltBytes)
	_, _ = rand.Read(salt)
	sum, err := pbkdf2.Key(sha256.New, password, salt, hashIterations, hashKeyBytes)
	if err != nil {
		// Only FIPS-140 mode rejects parameters, and these are fixed and valid.
		panic(fmt.Sprintf("sandbox: hashing a password: %v", err))
	}
	enc := base64.RawStdEncoding
	return hashScheme + "$" + strconv.Itoa(hashIterations) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(sum)
}

// parsePasswordHash splits a stored hash into its parts.
func parsePasswordHash(hash string) (iterations int, salt, sum []byte, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != hashScheme {
		return 0, nil, nil, fmt.Errorf("not a %s hash", hashScheme)
	}
	iterations, err = strconv.Atoi(parts[1])
	if err != nil || iterations <= 0 {
		return 0, nil, nil, fmt.Errorf("bad iteration count %q", parts[1])
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[2]); err != nil {
		return 0, nil, nil, fmt.Errorf("bad salt: %w", err)
	}
	if sum, err = enc.DecodeString(parts[3]); err != nil || len(sum) == 0 {
		return 0, nil, nil, fmt.Errorf("bad hash value")
	}
	return iterations, salt, sum, nil
}

func checkPassword(hash, password string) bool {
	if hash == "" {
		return false
	}
	iterations, salt, sum, err := parsePasswordHash(hash)
	if err != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iterations, len(sum))
	return err == nil && subtle.ConstantTimeCompare(got, sum) == 1
}

// validRole tells whether role is one of the account roles.
func validRole(role string) bool {
	return roleRank(role) >= 0
}

// roleRank orders the roles, so "at least viewer" is a comparison; -1 for an
// unknown role.
func roleRank(role string) int {
	switch role {
	case RoleNone:
		return 0
	case RoleViewer:
		return 1
	case RoleOperator:
		return 2
	case RoleEditor:
		return 3
	case RoleAdmin:
		return 4
	}
	return -1
}
