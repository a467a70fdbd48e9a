package users

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
)

// PlanVersion is the version of the saved plan format this tool writes and
// reads.
const PlanVersion = 1

// SavedPlan is a plan written by "diff --save-plan" to be reviewed, then
// carried out by "apply --plan" exactly as it was reviewed, as Terraform's
// "plan -out" is. It holds no key and no password.
//
// Each instance's section records a digest of every user as it was read
// (Fingerprint), so that apply can refuse a plan that the server has moved
// away from since, and a checksum of its changes, so that a plan edited by
// mistake is refused. The checksum guards against mistakes, not against an
// attacker, who can compute it too.
type SavedPlan struct {
	PlanVersion int       `json:"planVersion"`
	Tool        string    `json:"tool"`
	CreatedAt   time.Time `json:"createdAt"`
	// Source is the file the plan was made from.
	Source PlanSource `json:"source"`
	// Options are those the plan was made with; apply --plan honours them.
	Options   SavedOptions    `json:"options"`
	Instances []SavedInstance `json:"instances"`
}

// PlanSource is the users file a plan was made from, or the sync file
// (Sync) whose directory gave the users.
type PlanSource struct {
	File   string `json:"file,omitempty"`
	Sync   string `json:"sync,omitempty"`
	SHA256 string `json:"sha256"`
}

// SavedOptions are the options that shaped a plan.
type SavedOptions struct {
	Prune bool `json:"prune"`
	Force bool `json:"force"`
	// MaxDeletes is --max-deletes as given: a number, "all" or "default".
	MaxDeletes string `json:"maxDeletes"`
	// MaxChanges is --max-changes, null when not given.
	MaxChanges *int `json:"maxChanges"`
	// Unmatched is the sync file's unmatched: (Options.Unmatched), for a
	// plan that sync made.
	Unmatched Unmatched `json:"unmatched,omitempty"`
}

// SavedInstance is the plan of one instance.
type SavedInstance struct {
	// Instance is the normalised URL, as keys are stored for it.
	Instance string `json:"instance"`
	// Profile is the profile's name, for information: names are local to
	// one machine.
	Profile string `json:"profile,omitempty"`
	// Flavour is the kind of instance: "1.0", "1.13" or "1.13-data-domains".
	Flavour string `json:"flavour"`
	// Users is the digest of every user as read, by email.
	Users map[string]string `json:"users"`
	// Caller is the account the plan was made for.
	Caller string `json:"caller,omitempty"`
	// Unchanged, NotInFile and Kept are the plan's counts, for its
	// summary.
	Unchanged int          `json:"unchanged"`
	NotInFile int          `json:"notInFile"`
	Kept      int          `json:"kept,omitempty"`
	Changes   []changeJSON `json:"changes"`
	// ChangesSHA256 is the checksum of Changes (changesDigest).
	ChangesSHA256 string `json:"changesSha256"`
}

// Fingerprint returns the digest of each user, by email: a SHA-256 of the
// user's email, account role and grants (User.Grants: the entries whose role
// is none are left out, so that a data domain added to the instance does not
// change every user).
func Fingerprint(current []api.User) map[string]string {
	out := make(map[string]string, len(current))
	for i := range current {
		out[current[i].Email] = userDigest(&current[i])
	}
	return out
}

func userDigest(u *api.User) string {
	data, _ := json.Marshal(struct {
		Email       string              `json:"email"`
		AccountRole api.Role            `json:"accountRole"`
		Grants      map[string]api.Role `json:"grants"`
	}{u.Email, u.AccountRole, u.Grants()})
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// changesDigest is the checksum of a section's changes: the SHA-256 of
// their compact JSON.
func changesDigest(changes []changeJSON) string {
	data, _ := json.Marshal(changes)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// NewSavedInstance records the plan of one instance, made from current.
func NewSavedInstance(p *Plan, current []api.User, instance, profile, flavour string) SavedInstance {
	s := SavedInstance{Instance: instance, Profile: profile, Flavour: flavour, Users: Fingerprint(current),
		Caller: p.Caller, Unchanged: p.Unchanged, NotInFile: p.NotInFile, Kept: p.Kept, Changes: p.changesJSON()}
	s.ChangesSHA256 = changesDigest(s.Changes)
	return s
}

// Write writes the saved plan as indented JSON.
func (s *SavedPlan) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

// PlanFileError is a saved plan that cannot be used as it is: of another
// version, edited, or not a plan at all.
type PlanFileError struct {
	File string
	Err  error
}

func (e *PlanFileError) Error() string { return fmt.Sprintf("%s: %v", e.File, e.Err) }
func (e *PlanFileError) Unwrap() error { return e.Err }

// ReadSavedPlan reads a plan that diff --save-plan wrote, refusing one of
// an unknown version or whose changes were edited since.
func ReadSavedPlan(name string, data []byte) (*SavedPlan, error) {
	fail := func(format string, args ...any) error {
		return &PlanFileError{File: DisplayName(name), Err: fmt.Errorf(format, args...)}
	}
	var head struct {
		PlanVersion *int `json:"planVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil || head.PlanVersion == nil {
		return nil, fail("not a plan written by dqo-users diff --save-plan")
	}
	if *head.PlanVersion != PlanVersion {
		return nil, fail("a plan of version %d, which this dqo-users does not read (it reads version %d)", *head.PlanVersion, PlanVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s SavedPlan
	if err := dec.Decode(&s); err != nil {
		return nil, fail("not a valid plan: %s", text.Safe(err.Error()))
	}
	if len(s.Instances) == 0 {
		return nil, fail("the plan names no instance")
	}
	switch s.Options.Unmatched {
	case "", UnmatchedKeep, UnmatchedNone, UnmatchedDelete:
	default:
		return nil, fail("options.unmatched is %s: it is one of keep, none, delete", text.Cite(string(s.Options.Unmatched)))
	}
	for _, in := range s.Instances {
		if changesDigest(in.Changes) != in.ChangesSHA256 {
			return nil, fail("the changes for %s were edited after the plan was written (their checksum differs): make the plan again", text.Safe(in.Instance))
		}
		for _, c := range in.Changes {
			if err := c.check(); err != nil {
				return nil, fail("%s: %v", text.Safe(in.Instance), err)
			}
		}
	}
	return &s, nil
}

// check refuses a change that is not one this tool writes, even with a
// checksum that matches.
func (c changeJSON) check() error {
	ok := false
	switch c.Action {
	case ActionCreate:
		ok = c.After != nil && c.Before == nil
	case ActionUpdate:
		ok = c.After != nil && c.Before != nil
	case ActionDelete:
		ok = c.Before != nil && c.After == nil
	}
	if !ok {
		return fmt.Errorf("a change of %s is not a create, update or delete as diff writes them", text.Safe(c.Email))
	}
	return api.Reachable(c.Email)
}

// StaleError is a saved plan whose instance no longer holds the users it
// was made from: applying it could undo what was done since, so nothing is.
type StaleError struct {
	Instance string
	// Changed are the users created, changed or deleted since, sorted.
	Changed []string
}

// staleShown bounds the users a StaleError names.
const staleShown = 20

func (e *StaleError) Error() string {
	shown := make([]string, 0, staleShown)
	for _, u := range e.Changed[:min(len(e.Changed), staleShown)] {
		shown = append(shown, text.Safe(u))
	}
	more := ""
	if n := len(e.Changed) - len(shown); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	return fmt.Sprintf("the saved plan is stale: on %s, %d users changed since it was made: %s%s; nothing was changed",
		text.Safe(e.Instance), len(e.Changed), strings.Join(shown, ", "), more)
}

// Plan rebuilds the section's plan against the users the server has now,
// refusing with a *StaleError when they differ from those the plan was made
// from. Each change is the one saved: an update sends the model read now
// (fields this client does not know included) with the saved roles. prune
// is the plan's option, for its summary.
func (s *SavedInstance) Plan(current []api.User, prune bool) (*Plan, error) {
	now := Fingerprint(current)
	var changed []string
	for email, digest := range now {
		if s.Users[email] != digest {
			changed = append(changed, email)
		}
	}
	for email := range s.Users {
		if _, ok := now[email]; !ok {
			changed = append(changed, email)
		}
	}
	if len(changed) > 0 {
		slices.Sort(changed)
		return nil, &StaleError{Instance: s.Instance, Changed: changed}
	}
	byEmail := make(map[string]int, len(current))
	for i := range current {
		byEmail[current[i].Email] = i
	}
	p := &Plan{Caller: s.Caller, Unchanged: s.Unchanged, NotInFile: s.NotInFile, Kept: s.Kept, Prune: prune}
	for _, c := range s.Changes {
		change := Change{Action: c.Action, Email: c.Email, Line: c.Line, Refused: c.Refused, CountsAsDelete: c.CountsAsDelete}
		i, exists := byEmail[c.Email]
		switch {
		case c.Action == ActionCreate && exists, c.Action != ActionCreate && !exists:
			return nil, &StaleError{Instance: s.Instance, Changed: []string{c.Email}}
		case c.Action == ActionCreate:
			change.After = &api.User{Email: c.Email, AccountRole: c.After.AccountRole, DataDomainRoles: api.GrantsOf(c.After.DataDomainRoles)}
		default:
			before := current[i]
			change.Before = &before
			if c.Action == ActionUpdate {
				after := before
				after.AccountRole = c.After.AccountRole
				after.DataDomainRoles = api.GrantsOf(c.After.DataDomainRoles)
				change.After = &after
			}
		}
		change.Self = s.Caller != "" && api.SameEmail(c.Email, s.Caller)
		p.Changes = append(p.Changes, change)
	}
	return p, nil
}

// ErrNoSuchInstance is the error of a plan that has no section for the
// instance it is applied to.
var ErrNoSuchInstance = errors.New("the plan has no changes for this instance")

// For returns the section of the plan for an instance, by its normalised
// URL.
func (s *SavedPlan) For(instance string) (*SavedInstance, error) {
	for i := range s.Instances {
		if api.SameServer(s.Instances[i].Instance, instance) {
			return &s.Instances[i], nil
		}
	}
	return nil, ErrNoSuchInstance
}
