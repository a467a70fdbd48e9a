package users

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/yamlfile"
)

// The keys of a YAML or JSON document beside users: what the file says
// about itself.
const (
	keyUsers = "users"
	// keyInstance names the instance, or instances, the file is for.
	keyInstance = "instance"
	// keyDomains says what to do with grants on an instance without data
	// domains; its one value is domainsIgnoreWhereAbsent.
	keyDomains               = "domains"
	domainsIgnoreWhereAbsent = "ignore-where-absent"
	// keyExport and keyEnd are an export's start and end marks (marks.go).
	keyExport = "export"
	keyEnd    = "end"
)

// documentKeys are the keys a person writes; an export adds its marks.
var documentKeys = []string{keyUsers, keyInstance, keyDomains}

// maxInstances bounds the instances a file may be for: a fleet is a few
// dozen instances, and checking that entries of one email do not overlap
// costs up to this much per entry.
const maxInstances = 100

// File is a parsed, valid file of users.
type File struct {
	// Name is the file's name as given ("-" is shown as "stdin").
	Name string
	// Format is the format it was read in.
	Format Format
	// Entries are the users, in file order. In a file for several
	// instances, one email may have several entries whose scopes do not
	// overlap: For picks one instance's.
	Entries []Entry
	// Instances are the instances the file is for (its instance: key, or
	// the instance= cell of a CSV export's start mark), as
	// api.NormalizeURL writes them; nil when it names none. CheckInstance
	// refuses any other target.
	Instances []string
	// IgnoreAbsentDomains is domains: ignore-where-absent in the file, or
	// ParseOptions.IgnoreAbsentDomains: grants are dropped, not refused,
	// on an instance without data domains (DropGrantsWhereAbsent).
	IgnoreAbsentDomains bool
	// Export is the format version of an export's start mark; 0 for a file
	// without one (written by hand).
	Export int
	// Notices are messages about the file that are no problem, such as
	// the CSV columns that a mapping leaves out, ready to be shown: values
	// in them are cited.
	Notices []string

	// instanceLine is the line of instance:, or of a CSV start mark.
	instanceLine int
	// flagInstance is ParseOptions.Instance, normalised.
	flagInstance string
}

// ParseOptions say how a file is read, from the command line.
type ParseOptions struct {
	// CSVColumns maps the columns of a CSV file to a user's fields
	// (--csv-columns email="Work Email",accountRole=Role): columns it does
	// not use are then ignored, with one notice. Without it, every column
	// must be one of email, accountRole and dataDomainRoles.
	CSVColumns CSVColumns
	// Instance is --instance URL: the file is for that instance alone,
	// which CheckInstance checks as it checks the file's own instance:.
	Instance string
	// IgnoreAbsentDomains is --ignore-absent-domains: the file's
	// domains: ignore-where-absent, given on the command line.
	IgnoreAbsentDomains bool
	// AllowLocalDomain is --allow-local-domain: an email whose domain has
	// no dot is no problem for a new user (see Parse).
	AllowLocalDomain bool
}

// Parse reads and validates a whole file with the default options.
func Parse(name string, data []byte, format Format) (*File, error) {
	return ParseOptions{}.Parse(name, data, format)
}

// Parse reads and validates a whole file. Every problem is reported at once
// in a *ValidationError (the first 1,000 by line, the rest counted): syntax,
// unknown keys, missing or invalid emails, unknown roles, duplicate emails
// (ignoring case) whose scopes overlap, instance URLs. When the file has
// problems, emails that create would refuse for a new user
// (api.ValidateNewEmail) are among them too, so that one run shows
// everything to fix; in a valid file only the plan knows which users are
// new.
//
// An export whose end mark is missing is refused with that one problem,
// whatever else is wrong with it (it was cut off), as is an export written
// by a newer dqo-users.
func (o ParseOptions) Parse(name string, data []byte, format Format) (*File, error) {
	f := &File{Name: DisplayName(name), Format: format, IgnoreAbsentDomains: o.IgnoreAbsentDomains}
	var err error
	if f.flagInstance, err = o.instance(); err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	var probs yamlfile.List
	var stop *Problem
	switch format {
	case FormatYAML, FormatJSON:
		if len(o.CSVColumns) > 0 {
			probs.Add(0, "--csv-columns maps the columns of a CSV file; this file is read as %s", format)
		}
		stop = parseDocument(f, data, &probs)
	case FormatCSV:
		stop = parseCSV(f, data, o.CSVColumns, &probs)
	default:
		return nil, fmt.Errorf("unknown file format %q", format)
	}
	if stop != nil {
		return nil, &ValidationError{File: f.Name, Problems: []Problem{*stop}}
	}
	checkScopes(f, &probs)
	checkDuplicates(f, &probs)
	if probs.Len() > 0 {
		checkNewEmails(f.Entries, o.AllowLocalDomain, &probs)
	}
	if err := errOf(&probs, f.Name); err != nil {
		return nil, err
	}
	return f, nil
}

// instance is --instance (Instance), normalised; "" when not given.
func (o ParseOptions) instance() (string, error) {
	if o.Instance == "" {
		return "", nil
	}
	u, err := api.NormalizeURL(o.Instance)
	if err != nil {
		return "", &ValidationError{File: "--instance", Problems: []Problem{{Message: citeError(err, strings.TrimSpace(o.Instance))}}}
	}
	return u, nil
}

// FileOf is a file of entries that come from elsewhere than a users file,
// such as the people that a sync file's directory calls for: name is
// their source, for messages; instances and line are its instance: key
// (normalised) and that key's line. --instance (Instance) is read as Parse
// reads it, so that CheckInstance refuses another target as it does for a
// users file.
func (o ParseOptions) FileOf(name string, entries []Entry, instances []string, line int) (*File, error) {
	f := &File{Name: DisplayName(name), Format: FormatYAML, Entries: entries, Instances: instances, instanceLine: line,
		IgnoreAbsentDomains: o.IgnoreAbsentDomains}
	var err error
	if f.flagInstance, err = o.instance(); err != nil {
		return nil, err
	}
	return f, nil
}

// parseDocument reads a YAML or JSON document. stop, when not nil, is the
// one problem to report: an export cut off or written by a newer version.
func parseDocument(f *File, data []byte, probs *yamlfile.List) (stop *Problem) {
	var root *node
	var err error
	if f.Format == FormatYAML {
		root, err = parseYAML(data)
	} else {
		root, err = parseJSON(data)
	}
	if err != nil {
		// A cut often breaks the syntax: a document that starts with the
		// start mark and has no end mark was cut off, whatever the parser
		// says.
		if cut := cutOffText(f.Format, data); cut != nil {
			return cut
		}
		var pe *Problem
		if !errors.As(err, &pe) {
			pe = &Problem{Message: err.Error()}
		}
		return pe
	}
	var list *node
	switch root.kind {
	case kindNull:
		probs.Add(root.line, "the file holds no users; write users: [] for an empty list")
		return nil
	case kindSeq:
		list = root
	case kindMap:
		if stop := checkMarks(f, root, data, probs); stop != nil {
			return stop
		}
		seen := map[string]bool{}
		for i, k := range root.keys {
			v := root.values[i]
			switch {
			case seen[k.value]:
				probs.Add(k.line, "key %s is given twice", text.Cite(k.value))
			case k.value == keyUsers:
				list = v
			case k.value == keyInstance:
				f.Instances, f.instanceLine = urlsFromNode(v, keyInstance, probs), k.line
				if len(f.Instances) > maxInstances {
					probs.Add(k.line, "instance lists %s instances: at most %d", text.Thousands(len(f.Instances)), maxInstances)
					f.Instances = f.Instances[:maxInstances]
				}
			case k.value == keyDomains:
				if v.kind != kindScalar || v.value != domainsIgnoreWhereAbsent {
					probs.Add(v.line, "domains: the one value is %s (grants are then dropped on an instance without data domains); leave the key out to refuse them there", domainsIgnoreWhereAbsent)
					break
				}
				f.IgnoreAbsentDomains = true
			case k.value == keyExport, k.value == keyEnd:
				// checkMarks read them.
			case isColumn(k.value) && len(root.keys) <= 3:
				probs.Add(root.line, "expected a list of users, or users: followed by the list; this looks like a single user, put it in a list")
				return nil
			default:
				probs.Add(k.line, "unknown key %s: the document is a list of users, or a mapping of %s", text.Cite(k.value), strings.Join(documentKeys, ", "))
			}
			seen[k.value] = true
		}
		if list == nil {
			if probs.Len() == 0 {
				probs.Add(root.line, "no users key")
			}
			return nil
		}
		if list.kind != kindSeq {
			probs.Add(list.line, "users must be a list, not %s", list.kind)
			return nil
		}
	default:
		probs.Add(root.line, "expected a list of users, or users: followed by the list")
		return nil
	}
	f.Entries = entriesFromList(list, probs)
	return nil
}

// checkScopes checks the entries' instances against the file's: an entry
// for an instance the file is not for would never apply.
func checkScopes(f *File, probs *yamlfile.List) {
	if len(f.Instances) == 0 {
		return
	}
	universe := canonicalSet(f.Instances)
	for _, e := range f.Entries {
		for _, key := range []struct {
			name string
			urls []string
		}{{keyInstances, e.Instances}, {keyExceptInstances, e.ExceptInstances}} {
			for _, u := range key.urls {
				if !universe[canonical(u)] {
					probs.Add(e.scopeLine, "%s: %s names %s, which is not one of the file's instances (instance: on line %d)",
						text.CiteBare(e.Email), key.name, text.CiteBare(u), f.instanceLine)
				}
			}
		}
	}
}

// maxNewEmailProblems bounds the problems checkNewEmails names one by one:
// where every email has a domain without a dot, on purpose, they must not
// crowd out the file's real problems.
const maxNewEmailProblems = 3

// checkNewEmails adds the problems that create would find with the emails
// of the file's users, if they are new: that is the plan's to know, but a
// file that is sent back anyway had better show them all at once.
func checkNewEmails(entries []Entry, allowLocalDomain bool, probs *yamlfile.List) {
	found, moreLine := 0, 0
	for _, e := range entries {
		if api.ValidateEmail(e.Email) != nil {
			continue // already a problem
		}
		err := api.ValidateNewEmail(e.Email, allowLocalDomain)
		if err == nil {
			continue
		}
		if found++; found <= maxNewEmailProblems {
			probs.Add(e.Line, "if it is a new user: %s", citeError(err, e.Email))
		} else if moreLine == 0 {
			moreLine = e.Line
		}
	}
	if more := found - maxNewEmailProblems; more > 0 {
		emails := "emails"
		if more == 1 {
			emails = "email"
		}
		probs.Add(moreLine, "%s more %s from this line on that create would refuse for a new user (see the first above)", text.Thousands(more), emails)
	}
}

// HasGrants reports whether some user of the file is given a data-domain
// grant: a dataDomainRoles entry whose role is not none.
func (f *File) HasGrants() bool {
	for _, e := range f.Entries {
		for _, role := range e.DataDomainRoles {
			if role != api.RoleNone {
				return true
			}
		}
	}
	return false
}

// CheckGrants returns a *ValidationError naming every grant of the file
// that the instance would not keep, as the rule decides: a domain it does
// not have, or any grant on an instance without data domains. Entries
// whose role is none are no grants and pass.
func (f *File) CheckGrants(rule api.GrantRule) error {
	var probs yamlfile.List
	for _, e := range f.Entries {
		for _, domain := range slices.Sorted(maps.Keys(e.DataDomainRoles)) {
			if err := rule.Check(domain, e.DataDomainRoles[domain]); err != nil {
				probs.Add(e.Line, "%s: dataDomainRoles: %v", text.CiteBare(e.Email), err)
			}
		}
	}
	return errOf(&probs, f.Name)
}

// DropGrantsWhereAbsent is the file as an instance without data domains
// takes it when the file says domains: ignore-where-absent (or the command
// line --ignore-absent-domains): every entry's grants dropped, so that
// dataDomainRoles means "none" there, which is true of every user of such
// an instance. It returns the file and how many entries had grants, for a
// notice; on an instance with data domains, or without the setting, f
// itself and 0, and CheckGrants refuses what the instance cannot keep.
func (f *File) DropGrantsWhereAbsent(rule api.GrantRule) (*File, int) {
	if !f.IgnoreAbsentDomains || rule.Flavour.HasDomains() || !f.HasGrants() {
		return f, 0
	}
	g := *f
	g.Entries = slices.Clone(f.Entries)
	dropped := 0
	for i, e := range g.Entries {
		if api.GrantsOf(e.DataDomainRoles) != nil {
			g.Entries[i].DataDomainRoles = map[string]api.Role{}
			dropped++
		}
	}
	return &g, dropped
}

// For is the file as it applies to one instance: the entries without a
// scope, those whose instances: name it and those whose exceptInstances:
// do not. URLs compare as api.SameServer does. A plan is made per instance
// from For's file; CheckInstance says whether the file is for the
// instance at all.
func (f *File) For(instanceURL string) *File {
	target := canonical(instanceURL)
	g := *f
	g.Entries = make([]Entry, 0, len(f.Entries))
	for _, e := range f.Entries {
		if e.appliesTo(target) {
			g.Entries = append(g.Entries, e)
		}
	}
	return &g
}

// appliesTo reports whether the entry is for the instance of a canonical
// URL.
func (e *Entry) appliesTo(target string) bool {
	if e.Instances != nil && !slices.ContainsFunc(e.Instances, func(u string) bool { return canonical(u) == target }) {
		return false
	}
	return !slices.ContainsFunc(e.ExceptInstances, func(u string) bool { return canonical(u) == target })
}

// InstanceError is a file for other instances than the target of the
// command: nothing may be sent.
type InstanceError struct {
	// File is the file's name, Line the line of its instance: key; File
	// is "--instance" when the command line gave the instance.
	File string
	Line int
	// Instances are the file's (or --instance's), Target the command's.
	Instances []string
	Target    string
}

func (e *InstanceError) Error() string {
	shown := make([]string, 0, min(len(e.Instances), 5))
	for _, u := range e.Instances[:min(len(e.Instances), 5)] {
		shown = append(shown, text.CiteBare(u))
	}
	list := strings.Join(shown, ", ")
	if more := len(e.Instances) - len(shown); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	target := e.Target
	if u, err := api.NormalizeURL(e.Target); err == nil {
		target = u
	}
	if e.File == "--instance" {
		return fmt.Sprintf("--instance %s is not the instance of this command, %s", list, text.CiteBare(target))
	}
	where := e.File
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	instances := "instance " + list
	if len(e.Instances) > 1 {
		instances = "instances " + list
	}
	return fmt.Sprintf("%s: the file is for %s, not for %s, the instance of this command", where, instances, text.CiteBare(target))
}

// CheckInstance returns an *InstanceError when the file is not for the
// target instance: its instance: names others, or --instance
// (ParseOptions.Instance) does. A file that names no instance, read
// without --instance, is for any. URLs compare as api.SameServer does.
func (f *File) CheckInstance(target string) error {
	same := func(u string) bool { return api.SameServer(u, target) }
	if f.flagInstance != "" && !same(f.flagInstance) {
		return &InstanceError{File: "--instance", Instances: []string{f.flagInstance}, Target: target}
	}
	if len(f.Instances) > 0 && !slices.ContainsFunc(f.Instances, same) {
		return &InstanceError{File: f.Name, Line: f.instanceLine, Instances: f.Instances, Target: target}
	}
	return nil
}

// canonical is the form in which instance URLs compare (api.CanonicalURL);
// a URL that is not valid stays as it is, equal to no valid one.
func canonical(u string) string {
	if c, err := api.CanonicalURL(u); err == nil && strings.TrimSpace(u) != "" {
		return c
	}
	return "\x00" + u
}

func canonicalSet(urls []string) map[string]bool {
	set := make(map[string]bool, len(urls))
	for _, u := range urls {
		set[canonical(u)] = true
	}
	return set
}
