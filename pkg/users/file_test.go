package users

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// instance: names the instance a file is for, or a list of them, by URL;
// CheckInstance refuses any other target, naming both, whichever spelling
// of the URL either uses. list -o json, a bare list, names none.
func TestCheckInstance(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, data string
		format     Format
		opts       ParseOptions
		instances  []string
		target     string
		want       string // "" when the target passes
	}{
		{"same", "instance: https://dqops.example.com:443\nusers: []\n", FormatYAML, ParseOptions{},
			[]string{"https://dqops.example.com:443"}, "https://DQOPS.example.com/", ""},
		{"other", "instance: https://dqops.example.com\nusers: []\n", FormatYAML, ParseOptions{},
			[]string{"https://dqops.example.com"}, "http://localhost:8888/",
			"u:1: the file is for instance https://dqops.example.com, not for http://localhost:8888, the instance of this command"},
		{"other path", "instance: https://h.example.com/dqops/\nusers: []\n", FormatYAML, ParseOptions{},
			[]string{"https://h.example.com/dqops"}, "https://h.example.com/", "u:1: the file is for instance https://h.example.com/dqops, not for https://h.example.com,"},
		{"list", "users: []\ninstance: [https://a.example.com, 'http://b.example.com:8888/']\n", FormatYAML, ParseOptions{},
			[]string{"https://a.example.com", "http://b.example.com:8888"}, "http://b.example.com:8888", ""},
		{"not in the list", `{"instance": ["https://a.example.com", "https://b.example.com"], "users": []}`, FormatJSON, ParseOptions{},
			[]string{"https://a.example.com", "https://b.example.com"}, "https://c.example.com",
			"u:1: the file is for instances https://a.example.com, https://b.example.com, not for https://c.example.com"},
		{"csv start mark", "#dqo-users export,version=1,instance=https://dqops.example.com:443\nemail,accountRole\n#dqo-users end,users=0\n", FormatCSV, ParseOptions{},
			[]string{"https://dqops.example.com:443"}, "https://dqops.example.com:444", "u:1: the file is for instance https://dqops.example.com:443, not for https://dqops.example.com:444"},
		{"none", `[{"email": "a@example.com", "accountRole": "admin", "dataDomainRoles": {}}]`, FormatJSON, ParseOptions{},
			nil, "https://any.example.com", ""},
		{"--instance", "- {email: a@example.com, accountRole: admin}\n", FormatYAML, ParseOptions{Instance: "https://prod.example.com"},
			nil, "https://dev.example.com", "--instance https://prod.example.com is not the instance of this command, https://dev.example.com"},
		{"--instance, same", "- {email: a@example.com, accountRole: admin}\n", FormatYAML, ParseOptions{Instance: "https://prod.example.com/"},
			nil, "https://prod.example.com:443", ""},
		{"--instance and the file's", "instance: https://a.example.com\nusers: []\n", FormatYAML, ParseOptions{Instance: "https://a.example.com"},
			[]string{"https://a.example.com"}, "https://b.example.com", "--instance https://a.example.com is not"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := tt.opts.Parse("u", []byte(tt.data), tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.Instances, tt.instances) {
				t.Errorf("Instances %q, want %q", f.Instances, tt.instances)
			}
			err = f.CheckInstance(tt.target)
			var ie *InstanceError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (!errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tt.want)):
				t.Errorf("got %v\nwant an *InstanceError beginning %s", err, tt.want)
			}
		})
	}
}

// Instances are named by URL: a profile name, a list of nothing, a URL
// given twice or with credentials is a problem at its line.
func TestParseInstanceProblems(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, data string
		want       []string
	}{
		{"profile name", "instance: prod\nusers: []\n", []string{`u:1: instance: invalid DQOps URL "prod": use http(s)://host[:port][/prefix]; instances are named by URL, not by profile`}},
		{"empty list", "instance: []\nusers: []\n", []string{"u:1: instance is an empty list"}},
		{"mapping", "instance: {url: x}\nusers: []\n", []string{"u:1: instance must be a URL or a list of URLs, not a mapping"}},
		{"twice", "instance:\n- https://a.example.com\n- https://A.example.com:443/\nusers: []\n", []string{"u:3: instance: https://A.example.com:443 is given twice"}},
		{"credentials", "instance: https://me:secret@a.example.com\nusers: []\n", []string{"u:1: instance: invalid DQOps URL: credentials in the URL are not supported"}},
		{"--instance", "users: []\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := ParseOptions{}
			want := tt.want
			if tt.name == "--instance" {
				opts.Instance, want = "prod", []string{`--instance: invalid DQOps URL "prod"`}
			}
			_, err := opts.Parse("u", []byte(tt.data), FormatYAML)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			checkSafeMessage(t, err.Error(), 2000)
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q:\n%s", w, err)
				}
			}
		})
	}
}
