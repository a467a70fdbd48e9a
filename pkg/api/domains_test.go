package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// domainsBody is GET /api/domains/ of an instance with two data domains, as
// DQOps 1.13 answers it.
const domainsBody = `[{"domain_name":"(default)","display_name":"Root data domain","created_at":1712000000000,"enable_scheduler":true},` +
	`{"domain_name":"sales","display_name":"Sales","created_at":1712345678901,"enable_scheduler":false,"future":1}]`

func TestListDomains(t *testing.T) {
	var gotPath, gotAuth string
	mux := http.NewServeMux()
	mux.HandleFunc("/dqops/api/domains/", func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotAuth = r.URL.Path, r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, domainsBody)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newTestClient(t, srv.URL+"/dqops/", "k1")
	domains, err := c.ListDomains(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Domain{
		{Name: DefaultDomain, DisplayName: "Root data domain", CreatedAt: time.UnixMilli(1712000000000).UTC(), EnableScheduler: true},
		{Name: "sales", DisplayName: "Sales", CreatedAt: time.UnixMilli(1712345678901).UTC()},
	}
	if !reflect.DeepEqual(domains, want) {
		t.Errorf("got  %+v\nwant %+v", domains, want)
	}
	if gotPath != "/dqops/api/domains/" || gotAuth != "Bearer k1" {
		t.Errorf("request %s with %q", gotPath, gotAuth)
	}
}

func TestListDomainsFailures(t *testing.T) {
	tests := []struct {
		name, ct, body string
		status         int
		want           string
	}{
		{"DQOps 1.0", "", "", 404, "listing data domains: server answered 404 Not Found"},
		{"a login page", "text/html", "<html><title>Sign in</title></html>", 200,
			`expected JSON (a list of data domains), got an HTML page titled "Sign in"`},
		{"an object", "application/json", `{"domains":[]}`, 200, "the body is JSON but not a list of data domains: it holds an object"},
		{"a bad time", "application/json", `[{"domain_name":"x","created_at":true}]`, 200, `field "created_at"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ct != "" {
					w.Header().Set("Content-Type", tt.ct)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := newTestClient(t, srv.URL, "", func(o *Options) { o.Retries = 0 })
			_, err := c.ListDomains(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) || Status(err) != tt.status {
				t.Errorf("error %v (status %d), want one containing %q", err, Status(err), tt.want)
			}
		})
	}
}

func TestDomainCreatedAt(t *testing.T) {
	ms := time.UnixMilli(1712345678901).UTC()
	tests := []struct {
		raw     string
		want    time.Time
		wantErr bool
	}{
		{`1712345678901`, ms, false},
		{`1712345678.901000000`, ms, false},
		{`"2024-04-05T19:34:38.901Z"`, ms, false},
		{`null`, time.Time{}, false},
		{``, time.Time{}, false},
		{`"yesterday"`, time.Time{}, true},
		{`1e400`, time.Time{}, true},
		{`[]`, time.Time{}, true},
	}
	for _, tt := range tests {
		body := `{"domain_name":"sales"}`
		if tt.raw != "" {
			body = `{"domain_name":"sales","created_at":` + tt.raw + `}`
		}
		var d Domain
		err := json.Unmarshal([]byte(body), &d)
		if (err != nil) != tt.wantErr || !d.CreatedAt.Equal(tt.want) {
			t.Errorf("created_at %s: %v, %v; want %v (error %v)", tt.raw, d.CreatedAt, err, tt.want, tt.wantErr)
		}
	}
	// Written back as the document has it.
	out, err := json.Marshal(Domain{Name: "sales", CreatedAt: ms})
	if err != nil || string(out) != `{"domain_name":"sales","created_at":1712345678901,"enable_scheduler":false}` {
		t.Errorf("encoded %s, %v", out, err)
	}
	out, _ = json.Marshal(Domain{Name: DefaultDomain})
	if string(out) != `{"domain_name":"(default)","enable_scheduler":false}` {
		t.Errorf("encoded %s", out)
	}
}

// The model's fields are the document's (LocalDataDomainModel), checked
// when DQOPS_OPENAPI_DIR names the directory of DQOps's documents.
func TestDomainMatchesTheDocument(t *testing.T) {
	dir := os.Getenv("DQOPS_OPENAPI_DIR")
	if dir == "" {
		t.Skip("DQOPS_OPENAPI_DIR is not set: the documents are not in this repository")
	}
	data, err := os.ReadFile(filepath.Join(dir, "dqops-users-api-v1.13.2.swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Definitions map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for name := range doc.Definitions["LocalDataDomainModel"].Properties {
		documented = append(documented, name)
	}
	var ours map[string]any
	out, _ := json.Marshal(Domain{Name: "x", DisplayName: "X", CreatedAt: time.Now()})
	if err := json.Unmarshal(out, &ours); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for name := range ours {
		fields = append(fields, name)
	}
	slices.Sort(documented)
	slices.Sort(fields)
	if !slices.Equal(documented, fields) {
		t.Errorf("fields %v, the document has %v", fields, documented)
	}
}
