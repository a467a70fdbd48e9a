package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/itchyny/gojq"
	"go.yaml.in/yaml/v3"
)

// randomUsers builds n users with awkward values now and then.
func randomUsers(rng *rand.Rand, n int) []testUser {
	words := []string{"ana", "Bo", "zoë", "例え", "x,y", `q"t`, "tab\there", "line\nbreak", "", " lead", "=1+1", "true", "-", "a: b", "#c", "\x1b[31m", "\u202e"}
	roles := []string{"admin", "editor", "viewer", "operator", "none"}
	users := make([]testUser, n)
	for i := range users {
		u := testUser{
			Email:       fmt.Sprintf("%s%d@%s.io", words[rng.IntN(len(words))], i, words[rng.IntN(len(words))]),
			AccountRole: roles[rng.IntN(len(roles))],
			Logins:      rng.Int64N(1 << 40),
		}
		if rng.IntN(2) == 0 {
			u.DataDomainRoles = map[string]string{}
			for range rng.IntN(3) {
				u.DataDomainRoles[words[rng.IntN(len(words))]] = roles[rng.IntN(len(roles))]
			}
		}
		if rng.IntN(3) == 0 {
			u.DisplayName = words[rng.IntN(len(words))]
		}
		users[i] = u
	}
	return users
}

// listPrinters are the printers the streaming tests go through: every
// format, on a terminal and piped, and --jq in both of its ways.
func listPrinters() map[string]Printer {
	return map[string]Printer{
		"table terminal":       {IsTerminal: true},
		"table terminal color": {IsTerminal: true, Color: true},
		"table no headers":     {IsTerminal: true, Options: Options{NoHeaders: true}},
		"table columns":        {IsTerminal: true, Options: Options{Columns: []string{"displayName", "email"}}},
		"wide terminal":        {IsTerminal: true, Options: Options{Format: FormatWide}},
		"table piped":          {},
		"table piped color":    {Color: true},
		"wide piped":           {Options: Options{Format: FormatWide}},
		"json":                 {Options: Options{Format: FormatJSON}},
		"yaml":                 {Options: Options{Format: FormatYAML}},
		"csv":                  {Options: Options{Format: FormatCSV}},
		"csv no headers":       {Options: Options{Format: FormatCSV, NoHeaders: true}},
		"tsv":                  {Options: Options{Format: FormatTSV}},
		"name":                 {Options: Options{Format: FormatName}},
		"jq each":              {Options: Options{JQ: ".[] | .email, .dataDomainRoles"}},
		"jq each term":         {Options: Options{JQ: ".[].dataDomainRoles"}},
		"jq each halt":         {Options: Options{JQ: ".[] | if .logins % 3 == 0 then halt else .email end"}},
		"jq whole":             {Options: Options{JQ: "length, map(.email)"}},
		"template":             {Options: Options{Template: `{{range .}}{{.email}} {{.accountRole}}{{"\n"}}{{end}}{{len .}}`}},
	}
}

// streamList prints users through a ListWriter.
func streamList[T any](t *testing.T, p Printer, users []T, tbl *Table) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	p.Out, p.ErrOut = &out, &errOut
	l, err := p.List(context.Background(), tbl.Columns, tbl.NameColumn, tbl.Empty)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range users {
		if err := l.Add(u, tbl.Rows[i]); err != nil {
			return out.String(), errOut.String(), err
		}
	}
	err = l.Close()
	// After halt, the rest of the list is not printed.
	if err == nil && l.Written() != len(users) && !strings.Contains(p.Options.JQ, "halt") {
		t.Errorf("Written() = %d after Close, want %d", l.Written(), len(users))
	}
	return out.String(), errOut.String(), err
}

// A list printed one item at a time is exactly the list printed whole.
func TestListMatchesPrint(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for name, p := range listPrinters() {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{0, 1, 2, 7, 300, 3000} {
				users := randomUsers(rng, n)
				tbl := usersTable(users)
				tbl.Columns[2].OmitEmpty = true
				var want, wantErr bytes.Buffer
				whole := p
				whole.Out, whole.ErrOut = &want, &wantErr
				if err := whole.Print(context.Background(), users, tbl); err != nil {
					t.Fatal(err)
				}
				got, gotErr, err := streamList(t, p, users, tbl)
				if err != nil {
					t.Fatal(err)
				}
				if got != want.String() || gotErr != wantErr.String() {
					t.Fatalf("%d users: streamed\n%q\n%q\nwhole\n%q\n%q", n, got, gotErr, want.String(), wantErr.String())
				}
			}
		})
	}
}

// Machine formats hand items on before the list ends, and say how many.
func TestListStreams(t *testing.T) {
	users := randomUsers(rand.New(rand.NewPCG(5, 6)), 4000)
	tbl := usersTable(users)
	for _, name := range []string{"json", "yaml", "csv", "tsv", "name", "table piped", "jq each"} {
		t.Run(name, func(t *testing.T) {
			p := listPrinters()[name]
			var out bytes.Buffer
			p.Out = &out
			l, err := p.List(context.Background(), tbl.Columns, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			for i, u := range users {
				if err := l.Add(u, tbl.Rows[i]); err != nil {
					t.Fatal(err)
				}
			}
			if out.Len() == 0 || l.Written() == 0 || l.Written() > len(users) {
				t.Fatalf("after %d items: %d bytes out, Written() = %d", len(users), out.Len(), l.Written())
			}
			if out.Len() > len(users)*500 {
				t.Errorf("%d bytes out for %d items", out.Len(), len(users))
			}
			if err := l.Abort(); err != nil {
				t.Fatal(err)
			}
			if l.Written() != len(users) {
				t.Errorf("Written() = %d after Abort, want %d", l.Written(), len(users))
			}
			if name == "json" && strings.HasSuffix(out.String(), "]\n") {
				t.Error("an aborted JSON list was closed as if complete")
			}
		})
	}
}

// A table on a terminal, --template and a --jq over the whole list print
// nothing before Close, and nothing at all when aborted.
func TestListHoldsWhatNeedsTheWholeList(t *testing.T) {
	users := randomUsers(rand.New(rand.NewPCG(7, 8)), 1000)
	tbl := usersTable(users)
	for _, name := range []string{"table terminal", "jq whole", "template"} {
		p := listPrinters()[name]
		var out bytes.Buffer
		p.Out = &out
		l, err := p.List(context.Background(), tbl.Columns, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		for i, u := range users {
			if err := l.Add(u, tbl.Rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Abort(); err != nil || out.Len() > 0 || l.Written() != 0 {
			t.Errorf("%s: Abort() = %v with %d bytes out, Written() = %d", name, err, out.Len(), l.Written())
		}
	}
}

// An invalid option is refused before anything is written.
func TestListRefusesBadOptions(t *testing.T) {
	for _, opts := range []Options{
		{Format: "xml"},
		{JQ: ".[] | nosuch"},
		{Template: "{{.x"},
		{Columns: []string{"nope"}},
		{Format: FormatYAML, JQ: "."},
	} {
		var out bytes.Buffer
		p := Printer{Out: &out, Options: opts}
		_, err := p.List(context.Background(), testColumns(), 0, "")
		var usage *UsageError
		if !errors.As(err, &usage) || out.Len() > 0 {
			t.Errorf("%+v: List() = %v and %q, want a usage error and nothing", opts, err, out.String())
		}
	}
	p := Printer{Out: &bytes.Buffer{}, Options: Options{Format: FormatName}}
	if _, err := p.List(context.Background(), testColumns(), 7, ""); err == nil {
		t.Error("List accepted a name column out of range")
	}
	if _, err := p.List(context.Background(), nil, 0, ""); err == nil {
		t.Error("List accepted -o name without columns")
	}
}

// A failing --jq on one item leaves what the items before it printed, and
// the list refuses more.
func TestListJQErrorStops(t *testing.T) {
	users := []testUser{{Email: "a@b.io"}, {Email: "c@d.io", Logins: 1}, {Email: "e@f.io"}}
	out, _, err := streamList(t, Printer{Options: Options{JQ: ".[] | if .logins == 1 then error(\"boom\") else .email end"}}, users, usersTable(users))
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v, want boom", err)
	}
	if out != "" {
		t.Errorf("printed %q before Close", out)
	}
	var b bytes.Buffer
	l, _ := (&Printer{Out: &b, Options: Options{JQ: ".[] | if .logins == 1 then error(\"boom\") else .email end"}}).List(context.Background(), testColumns(), 0, "")
	for _, u := range users {
		err = l.Add(u, nil)
	}
	if err == nil || l.Close() == nil || b.String() != "a@b.io\n" {
		t.Errorf("after a failing item: %v, %q", err, b.String())
	}
}

func TestPerItem(t *testing.T) {
	tests := []struct {
		expr string
		want string // the per-item query, "" when run on the whole list
	}{
		{".[]", "."},
		{".[].email", ".email"},
		{".[] | .email", ".email"},
		{".[] | select(.x) | .a, .b", "select(.x) | .a, .b"},
		{".[][]", ".[]"},
		{".[] as $x | $x", ""},
		{".[]?", ""},
		{".[].a?", ""},
		{".[], 1", ""},
		{"def f: .; .[] | f", ""},
		{"map(.email)", ""},
		{".a[]", ""},
		{".[1:] | .[]", ""},
		{"[.[] | .email]", ""},
	}
	for _, tt := range tests {
		q, err := gojq.Parse(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if each := perItem(q); each != nil {
			got = each.String()
			if got == "" {
				got = "."
			}
		}
		if got != tt.want {
			t.Errorf("perItem(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// An element that is a nil slice is null in a list, whichever way the list
// is printed.
func TestListNilElement(t *testing.T) {
	for _, opts := range []Options{{JQ: ".[]"}, {JQ: "."}, {Format: FormatJSON}, {Format: FormatYAML}} {
		var whole, streamed bytes.Buffer
		p := Printer{Out: &whole, Options: opts}
		if err := p.Print(context.Background(), [][]string{nil, {"a"}}, nil); err != nil {
			t.Fatal(err)
		}
		p.Out = &streamed
		l, err := p.List(context.Background(), nil, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range [][]string{nil, {"a"}} {
			if err := l.Add(item, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if whole.String() != streamed.String() || !strings.Contains(whole.String(), "null") {
			t.Errorf("%+v: streamed %q, whole %q", opts, streamed.String(), whole.String())
		}
	}
}

// notifyingBuffer is a buffer that the timer of a list may write to while
// the test reads it, and that says when something was written.
type notifyingBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{}
}

func (b *notifyingBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.written <- struct{}{}:
	default:
	}
	return b.buf.Write(p)
}

func (b *notifyingBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// With FlushAfter, an item is handed on although no more come and the
// list is not closed: what a list from a server that pauses needs. Without
// it, nothing is written until 64 KB have gathered or the list ends.
func TestListFlushAfter(t *testing.T) {
	users := testUsers()[:1]
	tbl := usersTable(users)
	for _, name := range []string{"json", "yaml", "csv", "name", "table piped", "jq each"} {
		t.Run(name, func(t *testing.T) {
			p := listPrinters()[name]
			out := &notifyingBuffer{written: make(chan struct{}, 1)}
			p.Out = out
			l, err := p.List(context.Background(), tbl.Columns, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			l.FlushAfter(time.Millisecond)
			if err := l.Add(users[0], tbl.Rows[0]); err != nil {
				t.Fatal(err)
			}
			select {
			case <-out.written:
			case <-time.After(time.Minute):
				t.Fatal("the item was not handed on within a minute")
			}
			if got := out.String(); !strings.Contains(got, "alice") || l.Written() != 1 {
				t.Errorf("handed on %q, Written() = %d", got, l.Written())
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("without", func(t *testing.T) {
		out := &notifyingBuffer{written: make(chan struct{}, 1)}
		p := Printer{Out: out, Options: Options{Format: FormatJSON}}
		l, err := p.List(context.Background(), nil, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Add(users[0], nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		if got := out.String(); got != "" {
			t.Errorf("handed on %q before Close", got)
		}
		if err := l.Close(); err != nil || !strings.Contains(out.String(), "alice") {
			t.Errorf("Close() = %v, out %q", err, out.String())
		}
	})
}

// streamItems prints items, which have no table, through a ListWriter.
func streamItems(p Printer, items []any) (string, string, error) {
	var out, errOut bytes.Buffer
	p.Out, p.ErrOut = &out, &errOut
	l, err := p.List(context.Background(), nil, 0, "")
	if err != nil {
		return "", "", err
	}
	for _, item := range items {
		if err := l.Add(item, nil); err != nil {
			return out.String(), errOut.String(), err
		}
	}
	err = l.Close()
	return out.String(), errOut.String(), err
}

// With a Layout key, a list is the value of one key of a document, in json
// and yaml, with the layout's other keys before and after it, as
// encoding/json and yaml.v3 alone write the whole document; csv has its own
// rows before the header and after the last row.
func TestListLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	tail := func(n int) []Field { return []Field{{"end", map[string]int{"users": n}}} }
	csvTail := func(n int) []string { return []string{"#end", fmt.Sprintf("users=%d", n)} }
	for _, n := range []int{0, 1, 2, 300} {
		users := genFixedUsers(rng, n, awkward[:40])
		items := make([]any, n)
		tbl := &Table{Columns: []Column{{Name: "email"}, {Name: "accountRole"}}}
		for i := range users {
			items[i] = &users[i]
			tbl.Rows = append(tbl.Rows, []string{users[i].Email, users[i].AccountRole})
		}
		for _, layout := range []Layout{
			{Key: "users", FlowFields: true},
			{Key: "users", FlowFields: true, Comment: "a comment", Head: []Field{{"export", 1}, {"instance", []string{"https://a.io:443", "http://b.io:80"}}}, Tail: tail,
				CSVHead: []string{"#export", "version=1", "=x"}, CSVTail: csvTail},
			{Key: "users", Head: []Field{{"instance", "https://a.io:443"}}, Tail: tail},
		} {
			fields := append([]Field(nil), layout.Head...)
			fields = append(fields, Field{"users", users})
			if layout.Tail != nil {
				fields = append(fields, layout.Tail(n)...)
			}
			var wantYAML strings.Builder
			if layout.Comment != "" {
				wantYAML.WriteString("# " + layout.Comment + "\n")
			}
			wantYAML.WriteString(yamlDocument(t, fields, layout.FlowFields))
			var wantCSV bytes.Buffer
			if layout.CSVHead != nil {
				wantCSV.WriteString(strings.Join(layout.CSVHead, ",") + "\n")
			}
			if err := (&Printer{Out: &wantCSV, Options: Options{Format: FormatCSV}}).Print(context.Background(), nil, tbl); err != nil {
				t.Fatal(err)
			}
			if layout.CSVTail != nil {
				wantCSV.WriteString(strings.Join(layout.CSVTail(n), ",") + "\n")
			}
			for format, want := range map[Format]string{
				FormatJSON: jsonDocument(t, fields),
				FormatYAML: wantYAML.String(),
				FormatCSV:  wantCSV.String(),
			} {
				got, _, err := streamList(t, Printer{Options: Options{Format: format}, Layout: layout}, items, tbl)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%s, %d users, %+v:\n%s\nwant\n%s", format, n, layout, got, want)
				}
			}
		}
	}
}

// jsonDocument is the JSON object of fields, in their order, as
// encoding/json alone writes it: each value encoded whole, and json.Indent
// over the object.
func jsonDocument(t *testing.T, fields []Field) string {
	t.Helper()
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	compact.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			compact.WriteByte(',')
		}
		if err := enc.Encode(f.Key); err != nil {
			t.Fatal(err)
		}
		compact.WriteByte(':')
		if err := enc.Encode(f.Value); err != nil {
			t.Fatal(err)
		}
	}
	compact.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	return out.String() + "\n"
}

// yamlDocument is the YAML mapping of fields, in their order, as yaml.v3
// alone writes it: the users as yamlV3Users has them, the other values as
// yaml.v3 encodes them, in flow style when flow is set.
func yamlDocument(t *testing.T, fields []Field, flow bool) string {
	t.Helper()
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, f := range fields {
		value := &yaml.Node{}
		if users, ok := f.Value.([]fixedUser); ok {
			value = yamlV3UsersNode(users, flow)
		} else if err := value.Encode(f.Value); err != nil {
			t.Fatal(err)
		} else if flow && value.Kind != yaml.ScalarNode {
			value.Style = yaml.FlowStyle
		}
		doc.Content = append(doc.Content, yamlStr(f.Key), value)
	}
	return yamlV3Encode(t, doc)
}

// A list cut short has none of what its layout writes after it: Abort,
// and Close after a failed item, leave the document without its end.
func TestListLayoutCutShort(t *testing.T) {
	users := randomUsers(rand.New(rand.NewPCG(19, 20)), 3)
	tbl := usersTable(users)
	layout := Layout{Key: "users", Head: []Field{{"export", 1}}, Tail: func(n int) []Field { return []Field{{"end", n}} },
		CSVHead: []string{"#export"}, CSVTail: func(n int) []string { return []string{"#end"} }}
	for _, format := range []Format{FormatJSON, FormatYAML, FormatCSV} {
		for _, how := range []string{"abort", "failed item"} {
			if how == "failed item" && format == FormatCSV {
				continue // a csv row cannot fail
			}
			var out bytes.Buffer
			p := Printer{Out: &out, Options: Options{Format: format}, Layout: layout}
			l, err := p.List(context.Background(), tbl.Columns, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			for i := range users {
				if err := l.Add(users[i], tbl.Rows[i]); err != nil {
					t.Fatal(err)
				}
			}
			if how == "abort" {
				err = l.Abort()
			} else {
				if l.Add(func() {}, []string{"x"}) == nil {
					t.Fatalf("%s: a func was written", format)
				}
				err = l.Close()
			}
			got := out.String()
			if !strings.Contains(got, "export") || strings.Contains(got, "end") {
				t.Errorf("%s, %s: %v\n%s", format, how, err, got)
			}
		}
	}
}
