package api

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// DefaultURL is where DQOps listens when nothing else is configured.
const DefaultURL = "http://localhost:8888"

// NormalizeURL checks a DQOps address and removes trailing slashes. Its
// errors quote the address only when it cannot hold credentials (no '@').
func NormalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	shown := fmt.Sprintf(" %q", raw)
	if strings.Contains(raw, "@") {
		shown = ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("invalid DQOps URL%s: use http(s)://host[:port][/prefix]", shown)
	}
	if u.User != nil {
		return "", fmt.Errorf("invalid DQOps URL: credentials in the URL are not supported, use an API key")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("invalid DQOps URL%s: it may not have a query or fragment", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u.String(), nil
}

// CanonicalURL returns the form of a DQOps address that names its server:
// scheme and host in lower case, the port always written (80 for http, 443
// for https when the address leaves it out), the path without trailing
// slashes. An empty address means DefaultURL. Two addresses of one server
// have one canonical form, so it tells which server a stored API key
// belongs to, and names the key's keyring item.
func CanonicalURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		raw = DefaultURL
	}
	norm, err := NormalizeURL(raw)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(norm)
	if err != nil {
		return "", err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	port := u.Port()
	switch n, err := strconv.Atoi(port); {
	case port == "" && u.Scheme == "https":
		port = "443"
	case port == "":
		port = "80"
	case err == nil:
		port = strconv.Itoa(n) // 08888 is 8888
	}
	u.Host = net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	return u.String(), nil
}

// SameServer reports whether two DQOps addresses name the same server, by
// their CanonicalURL; an address that is not valid names no server.
func SameServer(a, b string) bool {
	ca, errA := CanonicalURL(a)
	cb, errB := CanonicalURL(b)
	return errA == nil && errB == nil && ca == cb
}
