package users

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/output"
)

// Exporter writes users in the file format that Parse reads, one at a time
// in the order they are given, so that export can hand on each user as it
// arrives from the server and memory does not grow with their number.
// DQOps lists users sorted by email, so an export is in that order, and
// applying it changes nothing.
//
// The file opens with a start mark, the format version and the instances
// the users come from, and ends with an end mark, written by Close after
// the last user and never by Abort, so that a file cut off part-way cannot
// pass for the whole list:
//
//	# dqo-users export: a file without its last line, end:, was cut off and apply refuses it
//	export: 1
//	instance: https://dqops.example.com:443
//	users:
//	- email: ana@example.com
//	  accountRole: editor
//	  dataDomainRoles: {}
//	end: {users: 1}
//
// JSON holds the same keys ({"export": 1, "instance": ..., "users": [...],
// "end": {"users": 1}}), and CSV a marker row before the header and one
// after the last row, which a reader knows by their first cell:
//
//	#dqo-users export,version=1,instance=https://dqops.example.com:443
//	email,accountRole,dataDomainRoles
//	ana@example.com,editor,
//	#dqo-users end,users=1
//
// Data-domain roles are written as ExportOptions.WithDomains says.
type Exporter struct {
	list        *output.ListWriter
	withDomains bool
	// The list writer keeps neither the item nor the row: one of each
	// serves every user.
	csv   bool
	user  fileUser
	roles map[string]api.Role // user's, read only
	row   []string
	// folds holds a hash of each lower-cased email written (8 bytes a
	// user, never the email), so that case twins are found however far
	// apart they come; twins counts the users of those, by email.
	folds *foldSet
	seen  func(folded string) // sawTwin
	twins map[string]int
}

// ExportOptions say what an export holds besides the users.
type ExportOptions struct {
	// WithDomains is whether the server's user model has dataDomainRoles
	// (DQOps 1.13, with or without data domains in use). Then every user is
	// written with its grants (User.Grants: the entries whose role is none
	// that DQOps lists for every domain are left out), {} (or an empty CSV
	// cell) when it has none, so the file pins the server's whole state:
	// applying it later also removes data-domain roles granted since. In
	// 1.0 the field (and the CSV column) is left out, since such a server
	// has nothing to say about them.
	WithDomains bool
	// Instances are the normalised URLs (api.NormalizeURL) of the
	// instances the users come from, for the start mark: one, or several
	// for a fleet (YAML and JSON only: CSV has no room for them). None
	// leaves the instance out (--no-instance).
	Instances []string
}

// exportComment opens a YAML export.
const exportComment = "dqo-users export: a file without its last line, end:, was cut off and apply refuses it"

// ErrFleetCSV refuses a CSV export of several instances.
var ErrFleetCSV = errors.New("an export of several instances cannot be CSV, which has no room for the instances of each user: use yaml or json")

// CaseTwin is an email that several users written share, ignoring letter
// case: a file that Parse refuses until one spelling is removed or changed.
type CaseTwin struct {
	Email string // lower-cased
	Users int
}

// NewExporter starts a file of the given format on w. What comes before the
// first user is written with it, or by Close.
func NewExporter(w io.Writer, format Format, opts ExportOptions) (*Exporter, error) {
	switch format {
	case FormatYAML, FormatJSON, FormatCSV:
	default:
		return nil, fmt.Errorf("unknown file format %q", format)
	}
	if format == FormatCSV && len(opts.Instances) > 1 {
		return nil, ErrFleetCSV
	}
	columns := []output.Column{{Name: keyEmail}, {Name: keyAccountRole}}
	if opts.WithDomains {
		columns = append(columns, output.Column{Name: keyDomainRoles})
	}
	p := &output.Printer{Out: w, Options: output.Options{Format: format}, Layout: exportLayout(opts.Instances)}
	// No --jq runs here, so no context can end the writing early.
	list, err := p.List(context.Background(), columns, 0, "")
	if err != nil {
		return nil, err
	}
	e := &Exporter{list: list, withDomains: opts.WithDomains, csv: format == FormatCSV, folds: newFoldSet()}
	e.seen = e.sawTwin
	return e, nil
}

// exportLayout frames the users with the start and end marks.
func exportLayout(instances []string) output.Layout {
	head := []output.Field{{Key: keyExport, Value: exportVersion}}
	csvHead := []string{csvStartMark, fmt.Sprintf("version=%d", exportVersion)}
	switch len(instances) {
	case 0:
	case 1:
		head = append(head, output.Field{Key: keyInstance, Value: instances[0]})
		csvHead = append(csvHead, "instance="+instances[0])
	default:
		head = append(head, output.Field{Key: keyInstance, Value: instances})
	}
	return output.Layout{
		Key:     keyUsers,
		Comment: exportComment,
		Head:    head,
		Tail: func(n int) []output.Field {
			return []output.Field{{Key: keyEnd, Value: map[string]int{keyUsers: n}}}
		},
		FlowFields: true,
		CSVHead:    csvHead,
		CSVTail:    func(n int) []string { return []string{csvEndMark, fmt.Sprintf("users=%d", n)} },
	}
}

// Add writes one user. After an error, Add does nothing and returns that
// error again.
func (e *Exporter) Add(u *api.User) error {
	// Each format reads one of them: the CSV row, or the item. A user's
	// file form holds its grants (User.Grants), not the entries whose role
	// is none that DQOps lists for every domain.
	if e.csv {
		e.row = csvRow(e.row[:0], u, e.withDomains)
	} else {
		e.user = fileUser{Email: u.Email, AccountRole: u.AccountRole}
		if e.withDomains {
			if e.roles = u.Grants(); e.roles == nil {
				e.roles = noRoles
			}
			e.user.DataDomainRoles = &e.roles
		}
	}
	if err := e.list.Add(&e.user, e.row); err != nil {
		return err
	}
	e.folds.add(api.FoldEmail(u.Email), e.seen)
	return nil
}

// AddScoped writes one user as an entry of a file for several instances,
// which applies to those instances alone (none: to every one). CSV has no
// room for scopes: a fleet export is YAML or JSON (ErrFleetCSV).
func (e *Exporter) AddScoped(u *api.User, instances []string) error {
	if len(instances) == 0 {
		return e.Add(u)
	}
	if e.csv {
		return ErrFleetCSV
	}
	item := scopedUser{Email: u.Email, AccountRole: u.AccountRole, Instances: instances}
	if e.withDomains {
		roles := u.Grants()
		if roles == nil {
			roles = noRoles
		}
		item.DataDomainRoles = &roles
	}
	if err := e.list.Add(&item, nil); err != nil {
		return err
	}
	e.folds.add(api.FoldEmail(u.Email), e.seen)
	return nil
}

// scopedUser is an entry of a file for several instances that applies to
// some of them.
type scopedUser struct {
	Email           string               `json:"email"`
	AccountRole     api.Role             `json:"accountRole"`
	DataDomainRoles *map[string]api.Role `json:"dataDomainRoles,omitempty"`
	Instances       []string             `json:"instances"`
}

// sawTwin counts a user whose lower-cased email a user before it had.
func (e *Exporter) sawTwin(folded string) {
	if e.twins == nil {
		e.twins = map[string]int{}
	}
	if e.twins[folded] == 0 {
		e.twins[folded] = 1 // the one seen before
	}
	e.twins[folded]++
}

// CaseTwins lists the emails that several of the users written share,
// ignoring letter case, sorted.
func (e *Exporter) CaseTwins() []CaseTwin {
	e.folds.flush(e.seen)
	twins := make([]CaseTwin, 0, len(e.twins))
	for email, n := range e.twins {
		twins = append(twins, CaseTwin{Email: email, Users: n})
	}
	slices.SortFunc(twins, func(a, b CaseTwin) int { return strings.Compare(a.Email, b.Email) })
	return twins
}

// Close ends the file, with the end mark, and hands all output on. After
// an error of Add it writes no end mark, and returns that error.
func (e *Exporter) Close() error { return e.list.Close() }

// Abort ends a file that could not be completed: what was written stays,
// and the file is left without its end mark (and JSON without its closing
// brackets), so that it does not read as the whole list.
func (e *Exporter) Abort() error { return e.list.Abort() }

// Written returns how many users have been handed to w so far (output is
// handed on in pieces; after Close or Abort, all of them).
func (e *Exporter) Written() int { return e.list.Written() }

// fileUser is a user as a file holds it, fields in the API's order.
type fileUser struct {
	Email       string   `json:"email"`
	AccountRole api.Role `json:"accountRole"`
	// DataDomainRoles is nil in 1.0, and never points to a nil map, which
	// JSON would write as null: noRoles for none.
	DataDomainRoles *map[string]api.Role `json:"dataDomainRoles,omitempty"`
}

// UserFields makes a fileUser an output.User, which the YAML writer writes
// itself.
func (u *fileUser) UserFields(f *output.UserFields) {
	f.Email, f.AccountRole = u.Email, string(u.AccountRole)
	if u.DataDomainRoles != nil {
		f.HasDomainRoles = true
		f.DomainRoles = appendDomainRoles(f.DomainRoles, *u.DataDomainRoles)
	}
}

// csvRow appends a user's CSV cells to row: email, accountRole and, with
// data domains, its grants as "domain=role;domain=role".
func csvRow(row []string, u *api.User, withDomains bool) []string {
	row = append(row, u.Email, string(u.AccountRole))
	switch {
	case withDomains && u.HasGrants():
		row = append(row, u.GrantsString())
	case withDomains:
		row = append(row, "")
	}
	return row
}
