package directory

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/jimlambrt/gldap"
)

// fakeAD answers as Active Directory does where slapd cannot: a group of
// more members than its range size (1,500 in AD) lists them in ranges,
// member;range=0-1499, then member;range=1500-2999 and so on to the last,
// member;range=3000-*, each asked for on its own. It pages its users, and
// writes DNs in AD's upper-case style while groups list them in another.
type fakeAD struct {
	users   int // CN=User0000 ... under OU=People, each with a mail
	members int // of CN=Big, the first users
	// stopAt, when not 0, is where the server stops answering the ranged
	// retrieval: the request for the rest gets the entry without it.
	stopAt int
	// readers is how many users list CN=Readers in memberOf, a group
	// whose member attribute this account cannot read.
	readers int

	mu       sync.Mutex
	searches []string // the attributes each search asked for
}

const (
	adRange   = 1500
	adPeople  = "OU=People,DC=ad,DC=test"
	adBig     = "CN=Big,OU=Groups,DC=ad,DC=test"
	adReaders = "CN=Readers,OU=Groups,DC=ad,DC=test"
	adSyncDN  = "CN=sync,OU=Services,DC=ad,DC=test"
	adSyncPW  = "ad-secret-77a1"
)

func adUser(i int) string { return fmt.Sprintf("CN=User%04d,%s", i, adPeople) }

// start runs the server on a free loopback port until the test ends and
// returns its ldap:// URL.
func (ad *fakeAD) start(t *testing.T) string {
	t.Helper()
	srv, err := gldap.NewServer(gldap.WithLogger(hclog.NewNullLogger()))
	if err != nil {
		t.Fatal(err)
	}
	mux, err := gldap.NewMux()
	if err != nil {
		t.Fatal(err)
	}
	if err := mux.Bind(ad.bind); err != nil {
		t.Fatal(err)
	}
	if err := mux.Search(ad.search); err != nil {
		t.Fatal(err)
	}
	if err := srv.Router(mux); err != nil {
		t.Fatal(err)
	}
	// gldap listens on an address it is given and does not say which
	// port it got: take a free one.
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + port
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		if err := srv.Run(addr); err != nil {
			t.Errorf("the fake directory: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Stop() })
	if err := waitListening(addr, exited); err != nil {
		t.Fatal(err)
	}
	return "ldap://" + addr
}

func (ad *fakeAD) bind(w *gldap.ResponseWriter, r *gldap.Request) {
	resp := r.NewBindResponse(gldap.WithResponseCode(gldap.ResultInvalidCredentials))
	defer w.Write(resp)
	m, err := r.GetSimpleBindMessage()
	if err == nil && strings.EqualFold(m.UserName, adSyncDN) && string(m.Password) == adSyncPW {
		resp.SetResultCode(gldap.ResultSuccess)
	}
}

func (ad *fakeAD) search(w *gldap.ResponseWriter, r *gldap.Request) {
	done := r.NewSearchDoneResponse(gldap.WithResponseCode(gldap.ResultSuccess))
	defer func() { w.Write(done) }()
	m, err := r.GetSearchMessage()
	if err != nil {
		done.SetResultCode(gldap.ResultUnwillingToPerform)
		return
	}
	ad.mu.Lock()
	ad.searches = append(ad.searches, strings.Join(m.Attributes, " "))
	ad.mu.Unlock()
	switch {
	case strings.EqualFold(m.BaseDN, adPeople) && m.Scope == gldap.WholeSubtree:
		ad.page(w, r, m, done)
	case strings.EqualFold(m.BaseDN, adBig) && m.Scope == gldap.BaseObject:
		ad.big(w, r, m)
	case strings.EqualFold(m.BaseDN, adReaders) && m.Scope == gldap.BaseObject:
		w.Write(r.NewSearchResponseEntry(adReaders, gldap.WithAttributes(map[string][]string{"objectClass": {"top", "group"}})))
	default:
		done.SetResultCode(gldap.ResultNoSuchObject)
	}
}

// page answers a users search one page at a time: the cookie is the
// offset of the next page.
func (ad *fakeAD) page(w *gldap.ResponseWriter, r *gldap.Request, m *gldap.SearchMessage, done *gldap.SearchResponseDone) {
	from, size := 0, ad.users
	for _, c := range m.Controls {
		if p, ok := c.(*gldap.ControlPaging); ok {
			size = int(p.PagingSize)
			from, _ = strconv.Atoi(string(p.Cookie))
		}
	}
	to := min(from+size, ad.users)
	for i := from; i < to; i++ {
		attrs := map[string][]string{"objectClass": {"top", "person", "user"}, "mail": {fmt.Sprintf("user%04d@ad.test", i)}}
		if i < ad.readers {
			attrs["memberOf"] = []string{adReaders}
		}
		w.Write(r.NewSearchResponseEntry(adUser(i), gldap.WithAttributes(attrs)))
	}
	next := ""
	if to < ad.users {
		next = strconv.Itoa(to)
	}
	done.SetControls(&gldap.ControlPaging{Cookie: []byte(next)})
}

// big answers a read of CN=Big: its members in ranges of adRange.
func (ad *fakeAD) big(w *gldap.ResponseWriter, r *gldap.Request, m *gldap.SearchMessage) {
	attrs := map[string][]string{"objectClass": {"top", "group"}}
	for _, a := range m.Attributes {
		start := -1
		switch lower := strings.ToLower(a); {
		case lower == "member":
			start = 0
		case strings.HasPrefix(lower, "member;range="):
			lo, _, _ := strings.Cut(strings.TrimPrefix(lower, "member;range="), "-")
			start, _ = strconv.Atoi(lo)
		}
		if start < 0 || ad.stopAt > 0 && start >= ad.stopAt {
			continue
		}
		end := min(start+adRange, ad.members)
		var vals []string
		for i := start; i < end; i++ {
			// Groups list DNs as they were written: lower case here.
			vals = append(vals, strings.ToLower(adUser(i)))
		}
		switch {
		case start == 0 && end == ad.members:
			attrs["member"] = vals
		case end == ad.members:
			attrs[fmt.Sprintf("member;range=%d-*", start)] = vals
		default:
			attrs[fmt.Sprintf("member;range=%d-%d", start, end-1)] = vals
		}
	}
	w.Write(r.NewSearchResponseEntry(adBig, gldap.WithAttributes(attrs)))
}

func adFile(url, group string) string {
	return fmt.Sprintf(`ldap:
  url: %s
  bindDN: %s
  bindPasswordEnv: AD_PASSWORD
users:
  baseDN: ou=people,dc=ad,dc=test
  filter: (&(objectCategory=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))
groups:
  - dn: %s
    accountRole: editor
`, url, adSyncDN, group)
}

var adEnv = envMap{"AD_PASSWORD": adSyncPW}.get

func TestReadRangedMembers(t *testing.T) {
	t.Parallel()
	ad := &fakeAD{users: 3300, members: 3200}
	cfg := syncDir(t, adFile(ad.start(t), adBig))
	res, debug, err := read(t, cfg, Options{Getenv: adEnv})
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, debug)
	}
	if len(res.People) != 3200 || res.Groups[0].Members != 3200 || res.Groups[0].NotUsers != 0 {
		t.Fatalf("%d people, group %+v: want all 3,200 members, not the first range's 1,500\n%s", len(res.People), res.Groups[0], debug)
	}
	if first, last := res.People[0].Email, res.People[3199].Email; first != "user0000@ad.test" || last != "user3199@ad.test" {
		t.Errorf("people from %s to %s", first, last)
	}
	for _, want := range []string{
		"-b CN=Big,OU=Groups,DC=ad,DC=test -s base '(objectClass=*)' 'member;range=1500-*'  # 1 entry, ",
		"-b CN=Big,OU=Groups,DC=ad,DC=test -s base '(objectClass=*)' 'member;range=3000-*'  # 1 entry, ",
		"# 3,300 entries in 7 pages, ",
	} {
		if !strings.Contains(debug, want) {
			t.Errorf("the debug output lacks %q:\n%s", want, debug)
		}
	}
}

func TestReadRangedMembersCutShort(t *testing.T) {
	t.Parallel()
	ad := &fakeAD{users: 3300, members: 3200, stopAt: 1500}
	cfg := syncDir(t, adFile(ad.start(t), adBig))
	res, debug, err := read(t, cfg, Options{Getenv: adEnv})
	if err == nil {
		t.Fatalf("no error: %d people\n%s", len(res.People), debug)
	}
	want := "reading member of CN=Big,OU=Groups,DC=ad,DC=test from value 1,500: the server ended the ranged retrieval after 1,500 values " +
		"without the last range (member;range=N-*): the list is incomplete, so it is not used"
	if err.Error() != want {
		t.Errorf("error\n %v\nwant\n %s", err, want)
	}
}

func TestReadMemberOf(t *testing.T) {
	t.Parallel()
	ad := &fakeAD{users: 20, readers: 5}
	cfg := syncDir(t, adFile(ad.start(t), adReaders))
	res, debug, err := read(t, cfg, Options{Getenv: adEnv})
	if err != nil {
		t.Fatalf("Read: %v\n%s", err, debug)
	}
	if len(res.People) != 5 || res.People[4].Email != "user0004@ad.test" || res.Groups[0].Members != 5 {
		t.Errorf("people %+v, want the 5 users whose memberOf names the group\n%s", res.People, debug)
	}
}

func TestReadWrongPasswordAD(t *testing.T) {
	t.Parallel()
	ad := &fakeAD{users: 1}
	url := ad.start(t)
	cfg := syncDir(t, adFile(url, adBig))
	_, _, err := read(t, cfg, Options{Getenv: envMap{"AD_PASSWORD": "nope"}.get})
	want := "binding to " + url + " as CN=sync,OU=Services,DC=ad,DC=test: LDAP result 49 (Invalid Credentials)"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %s", err, want)
	}
}
