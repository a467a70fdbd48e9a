package api

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestProfileFlavour(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		want    Flavour
		release string
	}{
		{"1.0: no can_use_data_domains", `{"user":"a@x.io","account_role":"admin","license_type":"TEAM"}`, FlavourRelease10, "1.0"},
		{"1.13 without data domains", `{"user":"a@x.io","can_use_data_domains":false,"data_domains_limit":10,"license_type":"TEAM"}`, FlavourNoDomains, "1.13"},
		{"1.13 with data domains", `{"user":"a@x.io","can_use_data_domains":true,"data_domains_limit":10,"license_type":"ENTERPRISE"}`, FlavourDomains, "1.13"},
		// The field decides, not the licence.
		{"1.13 ENTERPRISE without domains in use", `{"user":"a@x.io","can_use_data_domains":false,"license_type":"ENTERPRISE"}`, FlavourNoDomains, "1.13"},
		{"1.13, null", `{"user":"a@x.io","can_use_data_domains":null,"data_domains_limit":0}`, FlavourNoDomains, "1.13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Profile
			if err := json.Unmarshal([]byte(tt.profile), &p); err != nil {
				t.Fatal(err)
			}
			if got := p.Flavour(); got != tt.want {
				t.Errorf("Flavour() = %s, want %s", got, tt.want)
			}
			if got := p.Release(); got != tt.release {
				t.Errorf("Release() = %s, want %s", got, tt.release)
			}
			var trace strings.Builder
			c := newTestClient(t, "http://dqops.test", "k", func(o *Options) { o.Debug = &trace })
			if got := c.DecideFlavour(&p, nil); got != tt.want {
				t.Errorf("DecideFlavour(profile) = %s, want %s", got, tt.want)
			}
			if trace.Len() != 0 {
				t.Errorf("the profile decided, yet the trace says %q", trace.String())
			}
		})
	}
}

func TestDecideFlavourFromUsers(t *testing.T) {
	tests := []struct {
		name  string
		list  string
		want  Flavour
		trace string
	}{
		{"every domain listed", `[{"email":"a@x.io","accountRole":"admin","dataDomainRoles":{"(default)":"none","sales":"none"}},` +
			`{"email":"b@x.io","accountRole":"viewer","dataDomainRoles":{"(default)":"none","sales":"editor"}}]`,
			FlavourDomains, `debug: * the profile could not be read: DQOps 1.13 with data domains, since user "a@x.io" lists data domains`},
		{"1.13 without data domains", `[{"email":"a@x.io","accountRole":"admin","dataDomainRoles":{}}]`,
			FlavourNoDomains, "debug: * the profile could not be read: no data domains, since none of the 1 users lists any"},
		{"1.0", `[{"email":"a@x.io","accountRole":"admin"},{"email":"b@x.io","accountRole":"viewer"}]`,
			FlavourNoDomains, "none of the 2 users lists any (DQOps 1.0 or 1.13 without data domains)"},
		{"nobody", `[]`, FlavourNoDomains, "none of the 0 users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var users []User
			if err := json.Unmarshal([]byte(tt.list), &users); err != nil {
				t.Fatal(err)
			}
			var trace strings.Builder
			c := newTestClient(t, "http://dqops.test", "k", func(o *Options) { o.Debug = &trace })
			if got := c.DecideFlavour(nil, users); got != tt.want {
				t.Errorf("DecideFlavour = %s, want %s", got, tt.want)
			}
			if !strings.Contains(trace.String(), tt.trace) {
				t.Errorf("trace %q lacks %q", trace.String(), tt.trace)
			}
			// Without --debug, nothing is written anywhere.
			quiet := newTestClient(t, "http://dqops.test", "k")
			if got := quiet.DecideFlavour(nil, users); got != tt.want {
				t.Errorf("without a trace, DecideFlavour = %s", got)
			}
		})
	}
}

func TestFlavourString(t *testing.T) {
	for f, want := range map[Flavour]string{
		FlavourRelease10: "DQOps 1.0", FlavourNoDomains: "DQOps 1.13 without data domains",
		FlavourDomains: "DQOps 1.13 with data domains", 0: "an unknown kind of instance",
	} {
		if f.String() != want {
			t.Errorf("%d: %q, want %q", int(f), f.String(), want)
		}
		if f.HasDomains() != (f == FlavourDomains) {
			t.Errorf("%s: HasDomains() = %v", f, f.HasDomains())
		}
	}
}
