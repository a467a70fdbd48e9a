package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/dqops-users/dqo-users/pkg/api"
	"github.com/dqops-users/dqo-users/pkg/text"
	"github.com/dqops-users/dqo-users/pkg/users"
)

// Result is what the directory calls for: the DQOps users that the mapped
// groups give access to, and what was found on the way.
type Result struct {
	// People are the users sync manages, in the order of their folded
	// emails; a person whose email is under keep: is in Kept instead.
	People []Person `json:"people"`
	// Kept are the members of mapped groups whose email is under keep:,
	// which sync leaves as they are.
	Kept []Person `json:"kept"`
	// Skipped are members of mapped groups who cannot be DQOps users: no
	// usable email.
	Skipped []Skipped `json:"skipped"`
	// Notices say what was decided for someone: which of several emails
	// was used, which entries share an email.
	Notices []Notice `json:"notices"`
	// Groups are the mapped groups, in the file's order (a filter: mapping
	// gives each group it found, in the directory's order).
	Groups []GroupSummary `json:"groups"`
	// Loops are the loops of nested groups: each lists the DNs of one,
	// from a group back to itself. Each group is followed once.
	Loops [][]string `json:"loops"`
	// Users is how many entries under users.baseDN match users.filter.
	Users int `json:"users"`
	// GroupsRead is how many groups were read, mapped and nested.
	GroupsRead int `json:"groupsRead"`
}

// Entries are the people as apply's entries of a users file, in the same
// order. Each sets its data-domain roles, never nil: sync owns them, so a
// user's grants become exactly the mapped ones. Kept people are not among
// them; the plan must also leave their DQOps users alone when they are
// unmatched (Config.Keeps).
func (r *Result) Entries() []users.Entry {
	entries := make([]users.Entry, len(r.People))
	for i, p := range r.People {
		grants := make(map[string]api.Role, len(p.DataDomainRoles))
		for d, role := range p.DataDomainRoles {
			grants[d] = role
		}
		entries[i] = users.Entry{Email: p.Email, AccountRole: p.AccountRole, DataDomainRoles: grants}
	}
	return entries
}

// Person is one DQOps user the directory calls for.
type Person struct {
	Email string `json:"email"`
	// DN is the person's entry (the first, when several share the email).
	DN              string              `json:"dn"`
	AccountRole     api.Role            `json:"accountRole"`
	DataDomainRoles map[string]api.Role `json:"dataDomainRoles"` // exactly the mapped grants; never nil
	// Groups are the DNs of the mapped groups that give the access, in the
	// file's order.
	Groups []string `json:"groups"`
}

// Skipped is a member of a mapped group who is not a DQOps user, and why.
type Skipped struct {
	DN     string `json:"dn"`
	Reason string `json:"reason"`
}

// Notice says what was decided for the entry DN.
type Notice struct {
	DN      string `json:"dn"`
	Message string `json:"message"`
}

// GroupSummary is one mapped group as found.
type GroupSummary struct {
	DN string `json:"dn"`
	// Mapping is the index of its mapping in Config.Groups.
	Mapping int `json:"mapping"`
	// Members counts the people it gives access to, nested groups
	// included: 0 for an empty group.
	Members int `json:"members"`
	// Nested counts the groups it lists as members.
	Nested int `json:"nested"`
	// NotUsers counts what it lists that is neither a person matching
	// users.filter (a disabled account, an entry outside users.baseDN)
	// nor a group.
	NotUsers int `json:"notUsers"`
}

// groupClasses are the object classes of groups, for telling a group
// from a person.
var groupClasses = []string{"groupOfNames", "groupOfUniqueNames", "posixGroup", "group", "groupOfMembers", "groupOfURLs"}

// memberAttributes list a group's members: DNs, DNs with an optional
// unique identifier, and POSIX user names.
var memberAttributes = []string{"member", "uniqueMember", "memberUid"}

// Read binds to the directory of cfg, reads the people and the mapped
// groups, and returns who gets which roles. A failed bind or search, a
// mapped group that does not exist, a limit passed, and an answer without
// a single person are errors (an *Error for the LDAP ones): an empty
// answer must never demote or delete anyone.
func Read(ctx context.Context, cfg *Config, opts Options) (*Result, error) {
	limits := opts.Limits.withDefaults()
	password, err := bindPassword(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	s, err := connect(ctx, cfg, password, opts, limits)
	if err != nil {
		return nil, err
	}
	defer s.close()
	r := &reader{s: s, cfg: cfg, limits: limits, users: map[string]*user{}, byUID: map[string][]*user{}, groups: map[string]*group{}}
	if err := r.readUsers(); err != nil {
		return nil, err
	}
	mapped := make([][]*group, len(cfg.Groups))
	for i, m := range cfg.Groups {
		if mapped[i], err = r.readMapping(i, m); err != nil {
			return nil, err
		}
	}
	if err := r.expand(); err != nil {
		return nil, err
	}
	r.addMemberOf()
	return r.result(mapped)
}

// user is an entry under users.baseDN that matches users.filter.
type user struct {
	dn, key  string
	emails   []string
	memberOf []string // DN keys
}

// group is a group read from the directory.
type group struct {
	dn, key string
	members []string // DNs
	uids    []string
	// Set once its members are sorted out:
	people   []*user
	children []*group
	notUsers int
	resolved bool
}

type reader struct {
	s      *session
	cfg    *Config
	limits Limits
	users  map[string]*user // by DN key
	byUID  map[string][]*user
	groups map[string]*group // by DN key
	order  []*group          // groups in the order read
	// groupDNs are the DN keys of every group in the directory's part
	// that sync looks at, read once when a member is neither a known user
	// nor a known group.
	groupDNs map[string]bool
	loops    [][]string
	loopKeys map[string]bool
}

func (r *reader) readUsers() error {
	u := r.cfg.Users
	attrs := uniqueFold([]string{u.EmailAttribute, "uid", "memberOf", "objectClass"})
	q := query{base: u.BaseDN, filter: u.Filter, attrs: attrs, paged: true,
		what: "searching users.baseDN " + text.Safe(u.BaseDN) + " with users.filter"}
	err := r.s.search(q, func(e *ldap.Entry) error {
		if isGroup(e) {
			return nil
		}
		key := dnKey(e.DN)
		if _, dup := r.users[key]; dup {
			return nil
		}
		usr := &user{dn: e.DN, key: key, emails: e.GetEqualFoldAttributeValues(u.EmailAttribute)}
		memberOf, err := r.values(e, "memberOf")
		if err != nil {
			return err
		}
		for _, dn := range memberOf {
			usr.memberOf = append(usr.memberOf, dnKey(dn))
		}
		r.users[key] = usr
		for _, uid := range e.GetEqualFoldAttributeValues("uid") {
			id := strings.ToLower(uid)
			r.byUID[id] = append(r.byUID[id], usr)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(r.users) == 0 {
		return &Error{Op: q.what, Err: errors.New("the search succeeded (LDAP result 0) and found no one: " +
			"an empty answer is never a reason to demote or delete; check users.baseDN and users.filter")}
	}
	return nil
}

// readMapping reads the groups of mapping i.
func (r *reader) readMapping(i int, m Mapping) ([]*group, error) {
	where := fmt.Sprintf("groups[%d] (line %d)", i+1, m.Line)
	attrs := append([]string{"objectClass"}, memberAttributes...)
	var found []*group
	if m.DN != "" {
		q := query{base: m.DN, base0: true, filter: "(objectClass=*)", attrs: attrs,
			what: where + ": reading the group " + text.Safe(m.DN)}
		err := r.s.search(q, func(e *ldap.Entry) error {
			if !isGroup(e) && !hasMembers(e) {
				return &Error{Op: q.what, Err: errors.New("the entry is not a group (no member, uniqueMember or memberUid, and no group object class)")}
			}
			g, err := r.addGroup(e)
			found = append(found, g)
			return err
		})
		var le *Error
		if errors.As(err, &le) && le.Code == int(ldap.LDAPResultNoSuchObject) {
			le.Op = where + ": the group " + text.Safe(m.DN) + " does not exist"
		}
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, &Error{Op: q.what, Err: errors.New("the server returned no entry for it")}
		}
		return found, nil
	}
	q := query{base: m.BaseDN, filter: m.Filter, attrs: attrs, paged: true,
		what: where + ": searching " + text.Safe(m.BaseDN) + " for groups"}
	err := r.s.search(q, func(e *ldap.Entry) error {
		if !isGroup(e) && !hasMembers(e) {
			return &Error{Op: q.what, Err: fmt.Errorf("the filter finds %s, which is not a group (no member, uniqueMember or memberUid, and no group object class)", text.Safe(e.DN))}
		}
		g, err := r.addGroup(e)
		if g != nil {
			found = append(found, g)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, &Error{Op: q.what, Err: errors.New("the filter found no group: a group that disappeared must not take its members' access silently")}
	}
	return found, nil
}

// addGroup records the group e, reading the rest of any ranged values; a
// group read before is returned as it was.
func (r *reader) addGroup(e *ldap.Entry) (*group, error) {
	key := dnKey(e.DN)
	if g, ok := r.groups[key]; ok {
		return g, nil
	}
	if len(r.groups) >= r.limits.Groups {
		return nil, &Error{Op: "reading the group " + text.Safe(e.DN), Err: fmt.Errorf("more than %s groups, mapped and nested: refusing to read more", text.Thousands(r.limits.Groups))}
	}
	g := &group{dn: e.DN, key: key}
	for _, attr := range memberAttributes {
		vals, err := r.values(e, attr)
		if err != nil {
			return nil, err
		}
		if attr == "memberUid" {
			g.uids = append(g.uids, vals...)
			continue
		}
		for _, v := range vals {
			if attr == "uniqueMember" {
				v = stripUID(v)
			}
			g.members = append(g.members, v)
		}
	}
	r.groups[key] = g
	r.order = append(r.order, g)
	return g, nil
}

// values returns every value of attr in e, reading on when the server
// sent only a range of them (Active Directory sends member;range=0-1499
// for a group of more than 1,500 members, and the rest on request).
func (r *reader) values(e *ldap.Entry, attr string) ([]string, error) {
	var vals []string
	next := -1
	for _, a := range e.Attributes {
		name, rng, err := splitRange(a.Name)
		if err != nil || !strings.EqualFold(name, attr) {
			if err != nil && strings.EqualFold(name, attr) {
				return nil, &Error{Op: "reading " + attr + " of " + text.Safe(e.DN), Err: err}
			}
			continue
		}
		vals = append(vals, a.Values...)
		if rng != nil && !rng.last {
			next = rng.end + 1
		}
	}
	for next >= 0 {
		if len(vals) > r.limits.Values {
			break
		}
		what := "reading " + attr + " of " + text.Safe(e.DN) + " from value " + text.Thousands(next)
		q := query{base: e.DN, base0: true, filter: "(objectClass=*)", attrs: []string{attr + ";range=" + strconv.Itoa(next) + "-*"}, what: what}
		found := false
		err := r.s.search(q, func(more *ldap.Entry) error {
			for _, a := range more.Attributes {
				name, rng, err := splitRange(a.Name)
				if err != nil || rng == nil || !strings.EqualFold(name, attr) {
					continue
				}
				if found || rng.start != next || len(a.Values) == 0 && !rng.last {
					return &Error{Op: what, Err: fmt.Errorf("the server answered with the range %s, not one starting at %d", text.Safe(a.Name), next)}
				}
				found = true
				vals = append(vals, a.Values...)
				next = -1
				if !rng.last {
					next = rng.end + 1
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, &Error{Op: what, Err: fmt.Errorf("the server ended the ranged retrieval after %s values without the last range (%s;range=N-*): "+
				"the list is incomplete, so it is not used", text.Thousands(len(vals)), attr)}
		}
	}
	if len(vals) > r.limits.Values {
		return nil, &Error{Op: "reading " + attr + " of " + text.Safe(e.DN), Err: fmt.Errorf("more than %s values: refusing to read more", text.Thousands(r.limits.Values))}
	}
	return vals, nil
}

// valueRange is the range option of an attribute description:
// member;range=0-1499, or member;range=1500-* for the last part.
type valueRange struct {
	start, end int
	last       bool
}

// splitRange splits an attribute description into the attribute's name and
// its range option, if any.
func splitRange(desc string) (string, *valueRange, error) {
	parts := strings.Split(desc, ";")
	for _, opt := range parts[1:] {
		if len(opt) < 6 || !strings.EqualFold(opt[:6], "range=") {
			continue
		}
		lo, hi, ok := strings.Cut(opt[6:], "-")
		start, err := strconv.Atoi(lo)
		if !ok || err != nil || start < 0 {
			return parts[0], nil, fmt.Errorf("the server sent an invalid range %s", text.Safe(desc))
		}
		if hi == "*" {
			return parts[0], &valueRange{start: start, last: true}, nil
		}
		end, err := strconv.Atoi(hi)
		if err != nil || end < start {
			return parts[0], nil, fmt.Errorf("the server sent an invalid range %s", text.Safe(desc))
		}
		return parts[0], &valueRange{start: start, end: end}, nil
	}
	return parts[0], nil, nil
}

// stripUID takes the optional unique identifier off a uniqueMember value:
// cn=ana,dc=example,dc=com#'0101'B.
func stripUID(v string) string {
	i := strings.LastIndex(v, "#'")
	if i < 0 || len(v) < i+4 || !strings.HasSuffix(v, "'B") || strings.Trim(v[i+2:len(v)-2], "01") != "" {
		return v
	}
	return v[:i]
}

// expand sorts out the members of every group read, reading the nested
// groups among them, level by level, until no new group turns up.
func (r *reader) expand() error {
	for {
		pending := map[string][]*group{} // unknown member key -> the groups listing it
		var pendingDNs []string
		for _, g := range r.order {
			if g.resolved {
				continue
			}
			g.resolved = true
			for _, dn := range g.members {
				key := dnKey(dn)
				switch {
				case r.users[key] != nil:
					g.people = append(g.people, r.users[key])
				case r.groups[key] != nil:
					g.children = append(g.children, r.groups[key])
				default:
					if pending[key] == nil {
						pendingDNs = append(pendingDNs, dn)
					}
					pending[key] = append(pending[key], g)
				}
			}
			for _, uid := range g.uids {
				us := r.byUID[strings.ToLower(uid)]
				if len(us) == 0 {
					g.notUsers++
				}
				g.people = append(g.people, us...)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		if err := r.readGroupDNs(); err != nil {
			return err
		}
		for _, dn := range pendingDNs {
			key := dnKey(dn)
			parents := pending[key]
			if !r.groupDNs[key] {
				for _, p := range parents {
					p.notUsers++
				}
				continue
			}
			child, err := r.readNested(dn)
			if err != nil {
				return err
			}
			for _, p := range parents {
				p.children = append(p.children, child)
			}
		}
	}
}

// readGroupDNs lists the groups of the directory's part that sync looks
// at (the subtree that holds users.baseDN and the mapped groups), DNs
// alone, once: a member that is neither a user nor a group read so far is
// a nested group when it is in this list, and otherwise a person who does
// not match users.filter. So no member is read on its own.
func (r *reader) readGroupDNs() error {
	if r.groupDNs != nil {
		return nil
	}
	r.groupDNs = map[string]bool{}
	var f strings.Builder
	f.WriteString("(|")
	for _, c := range groupClasses {
		f.WriteString("(objectClass=" + c + ")")
	}
	for _, a := range memberAttributes {
		f.WriteString("(" + a + "=*)")
	}
	f.WriteString(")")
	for _, root := range r.roots() {
		q := query{base: root, filter: f.String(), attrs: []string{"1.1"}, paged: true,
			what: "listing the groups under " + text.Safe(root) + " to find nested groups"}
		err := r.s.search(q, func(e *ldap.Entry) error {
			r.groupDNs[dnKey(e.DN)] = true
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// roots are the bases of the group list: the longest DN that holds
// users.baseDN and every mapped group, or, when they share none, each of
// their bases.
func (r *reader) roots() []string {
	bases := []string{r.cfg.Users.BaseDN}
	for _, m := range r.cfg.Groups {
		if m.BaseDN != "" {
			bases = append(bases, m.BaseDN)
		} else {
			bases = append(bases, parentDN(m.DN))
		}
	}
	var common []*ldap.RelativeDN
	for i, b := range bases {
		d, err := ldap.ParseDN(b)
		if err != nil {
			return uniqueFold(bases)
		}
		if i == 0 {
			common = d.RDNs
			continue
		}
		n := 0
		for n < len(common) && n < len(d.RDNs) &&
			strings.EqualFold(common[len(common)-1-n].String(), d.RDNs[len(d.RDNs)-1-n].String()) {
			n++
		}
		common = common[len(common)-n:]
	}
	if len(common) == 0 {
		return uniqueFold(bases)
	}
	return []string{(&ldap.DN{RDNs: common}).String()}
}

// readNested reads a nested group.
func (r *reader) readNested(dn string) (*group, error) {
	attrs := append([]string{"objectClass"}, memberAttributes...)
	q := query{base: dn, base0: true, filter: "(objectClass=*)", attrs: attrs, what: "reading the nested group " + text.Safe(dn)}
	var g *group
	err := r.s.search(q, func(e *ldap.Entry) error {
		var err error
		g, err = r.addGroup(e)
		return err
	})
	if err != nil {
		return nil, err
	}
	if g == nil {
		return nil, &Error{Op: q.what, Err: errors.New("the server returned no entry for it")}
	}
	return g, nil
}

// addMemberOf adds the people whose memberOf names a group that was read.
func (r *reader) addMemberOf() {
	for _, u := range r.sortedUsers() {
		for _, key := range u.memberOf {
			if g := r.groups[key]; g != nil {
				g.people = append(g.people, u)
			}
		}
	}
}

func (r *reader) sortedUsers() []*user {
	list := make([]*user, 0, len(r.users))
	for _, u := range r.users {
		list = append(list, u)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].key < list[j].key })
	return list
}

// reach returns the people of root and of the groups nested in it, each
// group followed once; a loop is recorded, not followed again.
func (r *reader) reach(root *group) (map[*user]bool, error) {
	people := map[*user]bool{}
	seen := map[*group]bool{}
	onPath := map[*group]int{}
	var path []*group
	var visit func(g *group) error
	visit = func(g *group) error {
		if len(path) >= r.limits.Depth {
			return &Error{Op: "following the groups nested in " + text.Safe(root.dn),
				Err: fmt.Errorf("they nest more than %d deep (through %s)", r.limits.Depth, text.Safe(g.dn))}
		}
		seen[g] = true
		onPath[g] = len(path)
		path = append(path, g)
		for _, u := range g.people {
			people[u] = true
		}
		for _, c := range g.children {
			if i, ok := onPath[c]; ok {
				r.addLoop(append(path[i:len(path):len(path)], c))
				continue
			}
			if seen[c] {
				continue
			}
			if err := visit(c); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		delete(onPath, g)
		return nil
	}
	return people, visit(root)
}

// addLoop records a loop of groups once, however it was entered.
func (r *reader) addLoop(loop []*group) {
	keys := make([]string, 0, len(loop)-1)
	for _, g := range loop[:len(loop)-1] {
		keys = append(keys, g.key)
	}
	sort.Strings(keys)
	id := strings.Join(keys, "\x00")
	if r.loopKeys == nil {
		r.loopKeys = map[string]bool{}
	}
	if r.loopKeys[id] {
		return
	}
	r.loopKeys[id] = true
	dns := make([]string, len(loop))
	for i, g := range loop {
		dns[i] = g.dn
	}
	r.loops = append(r.loops, dns)
}

// access is what one person gets from the mapped groups.
type access struct {
	user   *user
	role   api.Role
	grants map[string]api.Role
	groups []string
}

func (a *access) add(m Mapping, groupDN string) {
	if a.role == "" || m.AccountRole.Rank() < a.role.Rank() {
		a.role = m.AccountRole
	}
	for domain, role := range m.DataDomainRoles {
		if old, ok := a.grants[domain]; !ok || role.Rank() < old.Rank() {
			a.grants[domain] = role
		}
	}
	for _, g := range a.groups {
		if g == groupDN {
			return
		}
	}
	a.groups = append(a.groups, groupDN)
}

func (r *reader) result(mapped [][]*group) (*Result, error) {
	res := &Result{Users: len(r.users), GroupsRead: len(r.groups)}
	byUser := map[*user]*access{}
	var granted []*access
	for i, m := range r.cfg.Groups {
		for _, g := range mapped[i] {
			people, err := r.reach(g)
			if err != nil {
				return nil, err
			}
			res.Groups = append(res.Groups, GroupSummary{DN: g.dn, Mapping: i, Members: len(people),
				Nested: len(g.children), NotUsers: g.notUsers})
			list := make([]*user, 0, len(people))
			for u := range people {
				list = append(list, u)
			}
			sort.Slice(list, func(i, j int) bool { return list[i].key < list[j].key })
			for _, u := range list {
				a := byUser[u]
				if a == nil {
					a = &access{user: u, grants: map[string]api.Role{}}
					byUser[u] = a
					granted = append(granted, a)
				}
				a.add(m, g.dn)
			}
		}
	}
	res.Loops = r.loops
	sort.Slice(granted, func(i, j int) bool { return granted[i].user.key < granted[j].user.key })

	people := map[string]*Person{}
	var order []string
	for _, a := range granted {
		u := a.user
		if len(u.emails) == 0 {
			res.Skipped = append(res.Skipped, Skipped{DN: u.dn, Reason: "no " + r.cfg.Users.EmailAttribute + " attribute"})
			continue
		}
		email := u.emails[0]
		if err := api.ValidateNewEmail(email, true); err != nil {
			res.Skipped = append(res.Skipped, Skipped{DN: u.dn, Reason: r.cfg.Users.EmailAttribute + " is not a usable email: " + err.Error()})
			continue
		}
		if n := len(u.emails); n > 1 {
			res.Notices = append(res.Notices, Notice{DN: u.dn,
				Message: fmt.Sprintf("%d %s values; the first, %s, is used", n, r.cfg.Users.EmailAttribute, text.Safe(email))})
		}
		fold := api.FoldEmail(email)
		p := people[fold]
		if p == nil {
			p = &Person{Email: email, DN: u.dn, AccountRole: a.role, DataDomainRoles: map[string]api.Role{}}
			people[fold] = p
			order = append(order, fold)
		} else {
			res.Notices = append(res.Notices, Notice{DN: u.dn,
				Message: fmt.Sprintf("has the email %s of %s: they are one DQOps user, with the access of both", text.Safe(email), text.Safe(p.DN))})
			if a.role.Rank() < p.AccountRole.Rank() {
				p.AccountRole = a.role
			}
		}
		for domain, role := range a.grants {
			if old, ok := p.DataDomainRoles[domain]; !ok || role.Rank() < old.Rank() {
				p.DataDomainRoles[domain] = role
			}
		}
		for _, g := range a.groups {
			if !slices.Contains(p.Groups, g) {
				p.Groups = append(p.Groups, g)
			}
		}
	}
	sort.Strings(order)
	for _, fold := range order {
		p := people[fold]
		// Sync owns the grants: exactly the mapped ones, none where a
		// mapping says none.
		p.DataDomainRoles = api.GrantsOf(p.DataDomainRoles)
		if p.DataDomainRoles == nil {
			p.DataDomainRoles = map[string]api.Role{}
		}
		if r.cfg.Keeps(p.Email) {
			res.Kept = append(res.Kept, *p)
		} else {
			res.People = append(res.People, *p)
		}
	}
	if len(res.People)+len(res.Kept) == 0 {
		return nil, &Error{Op: "reading the mapped groups", Err: fmt.Errorf("no person with a usable email is in any of them "+
			"(%s matching users.filter, %s skipped): an empty answer is never a reason to demote or delete",
			plural(res.Users, "user", "users"), text.Thousands(len(res.Skipped)))}
	}
	return res, nil
}

// isGroup reports whether e has a group's object class.
func isGroup(e *ldap.Entry) bool {
	for _, c := range e.GetEqualFoldAttributeValues("objectClass") {
		for _, g := range groupClasses {
			if strings.EqualFold(c, g) {
				return true
			}
		}
	}
	return false
}

// hasMembers reports whether e lists members, ranged or not.
func hasMembers(e *ldap.Entry) bool {
	for _, a := range e.Attributes {
		name, _, _ := splitRange(a.Name)
		for _, m := range memberAttributes {
			if strings.EqualFold(name, m) {
				return true
			}
		}
	}
	return false
}

// dnKey is the key by which DNs are compared: parsed, so that spaces and
// escapes do not matter, and folded, since the attributes of names (cn,
// uid, ou, dc) ignore letter case.
func dnKey(dn string) string {
	d, err := ldap.ParseDN(dn)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(dn))
	}
	return strings.ToLower(d.String())
}

// parentDN is the DN above dn, or dn when it has no parent.
func parentDN(dn string) string {
	d, err := ldap.ParseDN(dn)
	if err != nil || len(d.RDNs) < 2 {
		return dn
	}
	return (&ldap.DN{RDNs: d.RDNs[1:]}).String()
}

// uniqueFold drops repeated strings, ignoring case, keeping the first.
func uniqueFold(list []string) []string {
	var out []string
	for _, s := range list {
		dup := false
		for _, o := range out {
			if strings.EqualFold(o, s) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}
