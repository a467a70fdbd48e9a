package api

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
)

// newTransport builds the transport of a client without Options.Transport:
// a clone of http.DefaultTransport that honours HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY (or Options.Proxy), and trusts Options.CACertFile's authorities
// in addition to the system's.
func newTransport(opts Options) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// apply sends up to 64 requests at once; with the default of 2 idle
	// connections per host most of them would open a new connection (and
	// a new TLS handshake) every time.
	t.MaxIdleConnsPerHost = 64
	t.Proxy = http.ProxyFromEnvironment
	if opts.Proxy != nil {
		t.Proxy = opts.Proxy
	}
	if opts.CACertFile == "" && !opts.InsecureSkipVerify {
		return t, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.CACertFile != "" {
		pool, err := LoadCACerts(opts.CACertFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	// The caller asked for it and warns about it.
	cfg.InsecureSkipVerify = opts.InsecureSkipVerify //nolint:gosec
	t.TLSClientConfig = cfg
	return t, nil
}

// LoadCACerts returns the system's certificate authorities plus those of the
// PEM file at path.
func LoadCACerts(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading CA certificates: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("reading CA certificates: %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path)
	}
	return pool, nil
}
