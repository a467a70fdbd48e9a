package api

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

func TestServesAPIAgainstTheSandbox(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	unlicensed, err := sandbox.New(sandbox.Options{Unlicensed: true})
	if err != nil {
		t.Fatal(err)
	}
	atRoot := httptest.NewServer(sb)
	defer atRoot.Close()
	mux := http.NewServeMux()
	mux.Handle("/dqops/", http.StripPrefix("/dqops", sb))
	underPrefix := httptest.NewServer(mux)
	defer underPrefix.Close()
	unlicensedSrv := httptest.NewServer(unlicensed)
	defer unlicensedSrv.Close()

	tests := []struct {
		name, url, key string
		want           bool
	}{
		{"at the root, admin", atRoot.URL, sb.AdminKey(), true},
		{"at the root, viewer", atRoot.URL, sb.ViewerKey(), true},
		{"at the root, no key (401)", atRoot.URL, "", true},
		{"at the root, unknown key (401)", atRoot.URL, "dqo-sandbox-unknown", true},
		{"unlicensed (403)", unlicensedSrv.URL, unlicensed.ViewerKey(), true},
		{"at the root, asked under a prefix (404)", atRoot.URL + "/dqops", sb.AdminKey(), false},
		{"at the root, asked under a prefix without a key (303)", atRoot.URL + "/dqops", "", false},
		{"under a prefix, asked there", underPrefix.URL + "/dqops", sb.AdminKey(), true},
		{"under a prefix, asked at the root (404)", underPrefix.URL, sb.AdminKey(), false},
		{"under a prefix, asked under another", underPrefix.URL + "/dqo", sb.AdminKey(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.url, tt.key)
			got, err := c.ServesAPI(context.Background())
			if got != tt.want || err != nil {
				t.Errorf("ServesAPI = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestServesAPIAgainstOddServers(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    bool
		wantErr bool
		answer  string // ProbedAnswer
	}{
		{"a web app's page for every path", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!doctype html><html><title>App</title></html>")
		}, false, false, "200 OK with text/html"},
		{"a JSON object", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"status":"UP"}`)
		}, false, false, "200 OK with JSON that is not a list of users"},
		{"a JSON array of numbers", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `[1,2]`)
		}, false, false, "200 OK with JSON that is not a list of users"},
		{"an empty list", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, " [ ] ")
		}, true, false, ""},
		{"a list as text/html", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `[{"email":"a@x.io"}]`)
		}, false, false, "200 OK with text/html"},
		{"401 with a login page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(401)
			io.WriteString(w, "<html><title>Sign in</title></html>")
		}, false, false, "401 Unauthorized with a body, which DQOps never sends with it"},
		{"a redirect to a login page", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://login.example.com/", http.StatusFound)
		}, false, false, "302 Found, a redirect"},
		{"an empty page", func(w http.ResponseWriter, r *http.Request) {}, false, false, "200 OK with an empty body"},
		{"405", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(405) }, false, false, "405 Method Not Allowed"},
		{"404", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) }, false, false, "404 Not Found"},
		{"503: cannot tell", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }, false, true, ""},
		{"429: cannot tell", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) }, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c := newTestClient(t, srv.URL, "k")
			got, err := c.ServesAPI(context.Background())
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("ServesAPI = %v, %v; want %v (error %v)", got, err, tt.want, tt.wantErr)
			}
			if a := c.ProbedAnswer(); a != tt.answer {
				t.Errorf("ProbedAnswer() = %q, want %q", a, tt.answer)
			}
		})
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newTestClient(t, "http://"+addr, "")
	var te *TransportError
	if ok, err := c.ServesAPI(context.Background()); ok || !errors.As(err, &te) || te.Attempts > 1 {
		t.Errorf("nothing listening: %v, %v", ok, err)
	}
}

// Only the start of the list is read: ServesAPI answers while the server
// is still sending it. The 10 seconds only bound a hang.
func TestServesAPIReadsOnlyTheStart(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"email":"a@x.io","accountRole":"admin"},`)
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, "k", func(o *Options) { o.Timeout = 0 })
	done := make(chan bool, 1)
	go func() {
		ok, _ := c.ServesAPI(context.Background())
		done <- ok
	}()
	select {
	case ok := <-done:
		if !ok {
			t.Error("the start of a list is not taken for the DQOps API")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServesAPI waits for the rest of the list")
	}
}
