package api

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dqops-users/dqo-users/pkg/sandbox"
)

// startTLSSandbox serves a sandbox over HTTPS with httptest's self-signed
// certificate, and writes that certificate to a PEM file.
func startTLSSandbox(t *testing.T) (*sandbox.Server, *httptest.Server, string) {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sb)
	// The handshake failures the tests provoke are expected.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pemFile := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(pemFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return sb, srv, pemFile
}

func TestTLSUntrustedCertificate(t *testing.T) {
	sb, srv, _ := startTLSSandbox(t)
	c := newTestClient(t, srv.URL, sb.AdminKey())
	_, err := c.ListUsers(context.Background())
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("error %#v, want a TransportError", err)
	}
	var unknownCA x509.UnknownAuthorityError
	if !errors.As(err, &unknownCA) {
		t.Errorf("error %v does not unwrap to x509.UnknownAuthorityError", err)
	}
	if te.Attempts > 1 || len(sb.Requests()) != 0 {
		t.Errorf("an untrusted certificate was retried: %d attempts, %d requests", te.Attempts, len(sb.Requests()))
	}
	if !strings.Contains(err.Error(), "listing users: the server's TLS certificate is signed by an authority this computer does not trust") {
		t.Errorf("message: %v", err)
	}
}

func TestTLSCACertFile(t *testing.T) {
	sb, srv, pemFile := startTLSSandbox(t)
	c := newTestClient(t, srv.URL, sb.AdminKey(), func(o *Options) { o.CACertFile = pemFile })
	if _, err := c.ListUsers(context.Background()); err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	c = newTestClient(t, srv.URL, sb.AdminKey(), func(o *Options) { o.InsecureSkipVerify = true })
	if _, err := c.ListUsers(context.Background()); err != nil {
		t.Fatalf("insecure: %v", err)
	}
	// Plain HTTP to the TLS port, and HTTPS to a plain port.
	c = newTestClient(t, strings.Replace(srv.URL, "https:", "http:", 1), sb.AdminKey(), func(o *Options) { o.Retries = 0 })
	if _, err := c.ListUsers(context.Background()); err == nil {
		t.Error("plain HTTP to a TLS server succeeded")
	}
	plain := startTestSandbox(t, "")
	c = newTestClient(t, strings.Replace(plain.URL, "http:", "https:", 1), sb.AdminKey(), func(o *Options) { o.Retries = 2 })
	_, err := c.ListUsers(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the server answered in plain HTTP to an HTTPS request") {
		t.Errorf("HTTPS to a plain server: %v", err)
	}
	var te *TransportError
	if errors.As(err, &te) && te.Attempts > 1 {
		t.Errorf("a TLS mismatch was retried %d times", te.Attempts)
	}
}

func TestTLSBadCACertFile(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	for file, want := range map[string]string{
		notPEM:                        "holds no PEM certificate",
		filepath.Join(dir, "missing"): "no such file",
	} {
		_, err := New(Options{BaseURL: "https://x.example", CACertFile: file})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", file, err, want)
		}
	}
}

// TestProxyIsUsed sends requests for a host that does not resolve through a
// forward proxy (Go never proxies loopback addresses, so the proxy function
// is injected, as HTTPS_PROXY would set it).
func TestProxyIsUsed(t *testing.T) {
	sb := startTestSandbox(t, "")
	target, _ := url.Parse(sb.URL)
	var proxied atomic.Int32
	// A forward proxy: it gets the absolute URL and passes the request on.
	forward := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) }}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != "dqops.corp.invalid:8888" {
			http.Error(w, "unexpected host "+r.URL.Host, http.StatusBadGateway)
			return
		}
		proxied.Add(1)
		forward.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	proxyURL, _ := url.Parse(proxy.URL)
	c := newTestClient(t, "http://dqops.corp.invalid:8888", sb.AdminKey(), func(o *Options) {
		o.Proxy = http.ProxyURL(proxyURL)
	})
	users, err := c.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || proxied.Load() != 1 || len(sb.Requests()) != 1 {
		t.Errorf("%d users, %d proxied requests, %d at the sandbox", len(users), proxied.Load(), len(sb.Requests()))
	}
	// An unreachable proxy is a connection error: nothing was sent, so it is
	// retried, and the message names the proxy.
	proxy.Close()
	_, err = c.ListUsers(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot reach the HTTP proxy") || !strings.Contains(err.Error(), "(4 attempts)") {
		t.Errorf("unreachable proxy: %v", err)
	}
}

// The words that name a cause in an error's text are looked for in the
// error, not in the URL it quotes.
func TestCauseIgnoresTheURLsWords(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := newTestClient(t, "http://"+addr+"/certificate/proxyconnect", "")
	_, err = c.ListUsers(context.Background())
	var te *TransportError
	if !errors.As(err, &te) || te.Cause() != CauseRefused || te.Attempts != 4 {
		t.Fatalf("error %v: want a refused connection, retried", err)
	}
}
