package yamlfile

import (
	"errors"
	"strings"
	"testing"
)

// Decode reports a syntax error at the line of the problem, whichever way
// yaml.v3 counts it, in words that quote nothing of the file.
func TestDecodeProblems(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, doc string
		want      Problem
	}{
		// yaml.v3 says line 2: where the mapping around the problem starts,
		// counted from 0.
		{"mis-indented key", "current_profile: a\nprofiles:\n  a:\n    url: http://x\n   bad: 1\n",
			Problem{Line: 5, Message: "not valid YAML: did not find expected key"}},
		{"mis-indented key, deep in a long mapping", "a:\n  b:\n" + strings.Repeat("    c: 1\n", 500) + "   d: 1\n" + strings.Repeat("e: 1\n", 100),
			Problem{Line: 503, Message: "not valid YAML: did not find expected key"}},
		{"a list after a mapping", "users: []\n- email: a@x.io\n", Problem{Line: 2, Message: "not valid YAML: did not find expected key"}},
		{"scanner error", "a: 1\nb: @x\n", Problem{Line: 2, Message: "not valid YAML: found character that cannot start any token"}},
		{"first line", "a: b: c\n", Problem{Line: 1, Message: "not valid YAML: mapping values are not allowed in this context"}},
		{"unclosed quote", "a: 1\nb: \"x\n\nc: 2\n", Problem{Line: 2, Message: "not valid YAML: found unexpected end of stream"}},
		{"invalid UTF-8", "a: 1\nb: \xff\n", Problem{Line: 2, Message: "not valid YAML: invalid leading UTF-8 octet"}},
		{"control character", "a: 1\n\nb: x\x01\n", Problem{Line: 3, Message: "not valid YAML: control characters are not allowed"}},
		{"unknown anchor", "a: 1\nb: *Zq7vKEYMATERIAL\n", Problem{Line: 2,
			Message: "not valid YAML: an alias (*name) refers to an anchor (&name) that is not defined: a value that begins with * or & must be quoted"}},
		{"second document", "a: 1\n---\nb: 2\n", Problem{Line: 2, Message: "a second YAML document begins here: the file must hold one"}},
		{"alias in its anchor", "a: &x\n  - *x\n", Problem{Line: 2, Message: "a YAML alias refers to a value that contains the alias itself"}},
		{"alias bomb", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
			"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
			Problem{Line: 5, Message: "YAML aliases expand to far more values than the file holds: refusing to expand them"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode([]byte(tt.doc))
			var p *Problem
			if !errors.As(err, &p) || *p != tt.want {
				t.Errorf("got %v, want %v", err, tt.want.Error())
			}
			if err != nil && strings.Contains(err.Error(), "KEYMATERIAL") {
				t.Errorf("the message quotes the file: %v", err)
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	t.Parallel()
	// nil for nothing at all; "---" is a document that holds null.
	for doc, empty := range map[string]bool{"": true, "# nothing\n": true, "---\n": false, "a: 1\n---\n": false, "a: &x {b: 1}\nc: *x\n": false} {
		root, err := Decode([]byte(doc))
		if err != nil || (root == nil) != empty {
			t.Errorf("%q: %v, %v", doc, root, err)
		}
	}
}
