package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The fuzz targets cover every parser of what the tool does not control:
// emails and URLs typed by users, API keys pasted from elsewhere, and
// everything a server (or a proxy in front of it) answers. Seeds live in
// testdata/fuzz/<target>; .ci/fuzz.sh runs each target for a bounded time.

func FuzzValidateEmail(f *testing.F) {
	for _, s := range []string{"ana@example.com", "Ana.B+tag@sub.example.co", "a@b", "", "a b@c.d", "\"a b\"@c.d",
		"Ana <ana@x.io>", "a@x.io/../admin", "a%40b@x.io", "a?b@x.io", "a#b@x.io", "ä@ü.de", "a@[127.0.0.1]", " a@x.io",
		"ana\u202e@x.io", "a\u200b@x.io", "a@examplecom", "a\x00@x.io", "..", "a\xff@x.io"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		raw := func(r rune) bool { return invisibleKind(r) != "" }
		newErr := ValidateNewEmail(s, true)
		existingErr := Reachable(s)
		for _, err := range []error{newErr, existingErr} {
			if err != nil && strings.ContainsFunc(err.Error(), raw) {
				t.Fatalf("the message holds an invisible or control character raw: %q", err)
			}
		}
		if newErr == nil && (ValidateEmail(s) != nil || strings.ContainsFunc(s, raw) || existingErr != nil) {
			t.Fatalf("ValidateNewEmail accepts %q, which ValidateEmail or Reachable refuse or which is not all visible", s)
		}
		if ValidateEmail(s) != nil {
			return
		}
		if strings.ContainsAny(s, "/?#% \t\r\n<>,;\"") {
			t.Fatalf("accepted %q, which has a character that changes a URL path or a list", s)
		}
		addr, err := mail.ParseAddress(s)
		if err != nil || addr.Address != s || addr.Name != "" {
			t.Fatalf("accepted %q, which net/mail reads as %v, %v", s, addr, err)
		}
		// The email is one path segment that the server decodes back.
		seg := url.PathEscape(s)
		if strings.Contains(seg, "/") {
			t.Fatalf("%q escapes to %q, more than one segment", s, seg)
		}
		if back, err := url.PathUnescape(seg); err != nil || back != s {
			t.Fatalf("%q escapes to %q, which decodes to %q, %v", s, seg, back, err)
		}
		upper := strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' {
				return r - 'a' + 'A'
			}
			return r
		}, s)
		if !SameEmail(s, upper) {
			t.Fatalf("SameEmail(%q, its ASCII upper case) is false", s)
		}
	})
}

// normalizeUser replaces the raw JSON of unknown fields by its meaning
// (numbers kept as written), because encoding re-formats it: it compacts it
// and escapes '&', '<' and '>'. Two decodings of the same user then compare
// equal.
func normalizeUser(t *testing.T, u User) any {
	extra := make(map[string]any, len(u.Extra))
	for k, v := range u.Extra {
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		var value any
		if err := dec.Decode(&value); err != nil {
			t.Fatalf("field %q holds invalid JSON %q: %v", k, v, err)
		}
		extra[k] = value
	}
	u.Extra = nil
	return []any{u, extra}
}

// roundTripUser encodes a decoded user and decodes it again: the result
// must be the same user, unknown fields included, because update sends back
// what it read. A user without data-domain roles is sent without the field
// (1.0 knows none), so it comes back as one whose model has none.
func roundTripUser(t *testing.T, u User) {
	enc, err := json.Marshal(u)
	if err != nil {
		t.Fatalf("encoding %#v: %v", u, err)
	}
	var again User
	if err := json.Unmarshal(enc, &again); err != nil {
		t.Fatalf("decoding the encoding %s of %#v: %v", enc, u, err)
	}
	if again.NoRolesField != (len(u.DataDomainRoles) == 0) {
		t.Fatalf("%s decodes with NoRolesField %v", enc, again.NoRolesField)
	}
	again.NoRolesField = u.NoRolesField
	if a, b := normalizeUser(t, u), normalizeUser(t, again); !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip changed the user:\n  %#v\n  %#v\nvia %s", a, b, enc)
	}
}

func FuzzUserJSON(f *testing.F) {
	for _, s := range []string{
		`{"email":"ana@example.com","accountRole":"editor"}`,
		`{"email":"a@x.io","accountRole":"viewer","dataDomainRoles":{"sales":"editor","(default)":"viewer"}}`,
		`{"email":"a@x.io","future":{"x":[1,"}"]},"n":-1.5e3,"b":true,"accountRole":"viewer"}`,
		`{"email":"a\u0040x.io","accountRole":null,"dataDomainRoles":null}`,
		`{"email":"a@x.io","email":"b@x.io","x":1,"x":2}`,
		`{}`, `null`, `[]`, `{"email":1}`, `{"email":"\ud800"}`, "{\"email\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var u User
		if err := json.Unmarshal(data, &u); err != nil {
			return
		}
		roundTripUser(t, u)
	})
}

func FuzzUserListJSON(f *testing.F) {
	for _, s := range []string{
		`[{"email":"admin@example.com","accountRole":"admin"},{"email":"v@example.com","accountRole":"viewer","dataDomainRoles":{"hr":"none"}}]`,
		`[]`, `[null]`, `[{}]`, `{"users":[]}`, `not json at all`, `[{"email":"a@x.io"`, `<html><title>x</title></html>`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		users := []User{}
		err := decodeBody(data, "application/json", "a list of users", &users)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "the body is ") && !strings.HasPrefix(msg, "expected JSON") {
				t.Fatalf("a decoding failure reads as a bare decoder message: %q", msg)
			}
			return
		}
		for _, u := range users {
			roundTripUser(t, u)
		}
	})
}

func FuzzProfileJSON(f *testing.F) {
	for _, s := range []string{
		`{"user":"admin@example.com","tenant":"t","license_type":"TEAM","users_limit":5,"account_role":"admin","can_manage_account":true}`,
		`{"user":"a@x.io","account_role":"viewer","can_manage_account":false,"can_manage_users":false,"can_use_data_domains":true,"data_domains_limit":3,"can_change_own_password":true,"future":[]}`,
		`{}`, `{"users_limit":1.5}`, `{"can_manage_account":"yes"}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Profile
		if err := decodeBody(data, "application/json", "a user profile", &p); err != nil {
			return
		}
		enc, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("encoding %#v: %v", p, err)
		}
		var again Profile
		if err := json.Unmarshal(enc, &again); err != nil || !reflect.DeepEqual(p, again) {
			t.Fatalf("round trip changed the profile: %#v -> %s -> %#v, %v", p, enc, again, err)
		}
		_ = p.Release()
	})
}

// cannedTransport answers every request with the same response.
type cannedTransport struct {
	status      int
	contentType string
	location    string
	retryAfter  string
	body        []byte
	truncate    bool // announce one byte more than is sent
}

func (c cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h := http.Header{}
	if c.contentType != "" {
		h.Set("Content-Type", c.contentType)
	}
	if c.location != "" {
		h.Set("Location", c.location)
	}
	if c.retryAfter != "" {
		h.Set("Retry-After", c.retryAfter)
	}
	length := int64(len(c.body))
	var body io.Reader = bytes.NewReader(c.body)
	if c.truncate {
		body = io.MultiReader(body, errReader{io.ErrUnexpectedEOF})
		length++
	}
	return &http.Response{StatusCode: c.status, Status: http.StatusText(c.status), Header: h, Proto: "HTTP/1.1",
		Body: io.NopCloser(body), ContentLength: length, Request: req}, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// FuzzResponse feeds arbitrary answers to every reading operation, with the
// trace on: nothing panics, every failure is a typed error that starts with
// the operation and carries the status, and no run of the API key shows.
func FuzzResponse(f *testing.F) {
	f.Add(200, "application/json", "", "", []byte(`[{"email":"a@x.io","accountRole":"admin"}]`), false)
	f.Add(200, "application/json; charset=utf-8", "", "", []byte(`{"email":"a@x.io"}`), false)
	f.Add(200, "text/html", "", "", []byte(`<html><head><title>Login</title></head></html>`), false)
	f.Add(303, "", "https://cloud.dqops.com/login?returnPath=/api/users", "", []byte(nil), false)
	f.Add(502, "text/html", "", "", []byte("<html><title>502 Bad Gateway</title></html>"), false)
	f.Add(429, "", "", "Wed, 21 Oct 2015 07:28:00 GMT", []byte(nil), false)
	f.Add(200, "application/json", "", "", []byte(`[{"email":"a@x.io"},`), true)
	f.Add(500, "application/json", "", "", []byte(`{"timestamp":1,"status":500,"error":"Internal Server Error","path":"/api/users"}`), false)
	f.Add(200, "", "", "", []byte("not json at all"), false)
	const key = "FUZZ-KEY-never-shown"
	f.Fuzz(func(t *testing.T, status int, contentType, location, retryAfter string, body []byte, truncate bool) {
		if status < 100 || status > 999 {
			return
		}
		// The key may be echoed in anything the server sends, whole, cut or
		// in another letter case.
		echo := strings.NewReplacer("KEY", key, "key", strings.ToLower(key), "K8", key[2:10]).Replace
		tr := cannedTransport{status: status, contentType: contentType, location: echo(location), retryAfter: retryAfter,
			body: []byte(echo(string(body))), truncate: truncate}
		var trace bytes.Buffer
		c, err := New(Options{BaseURL: "http://dqops.test", APIKey: key, Transport: tr, Debug: &trace,
			Retries: 1, Backoff: func(int) time.Duration { return 0 }, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		// Retry-After is honoured for real otherwise.
		c.sleep = func(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil }
		ctx := context.Background()
		check := func(op string, err error) {
			if err == nil {
				return
			}
			var se *StatusError
			var be *BodyError
			var te *TransportError
			var oe *OtherUserError
			if !errors.As(err, &se) && !errors.As(err, &be) && !errors.As(err, &te) && !errors.As(err, &oe) {
				t.Fatalf("%s: untyped error %T: %v", op, err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, op+": ") {
				t.Fatalf("error does not start with %q: %q", op, msg)
			}
			if showsKeyRun(msg, key) {
				t.Fatalf("error shows the key: %q", msg)
			}
			if te == nil && oe == nil && Status(err) != status {
				t.Fatalf("Status(err) = %d, want %d", Status(err), status)
			}
		}
		_, err = c.ListUsers(ctx)
		check("listing users", err)
		check("listing users", c.StreamUsers(ctx, func(User) error { return nil }))
		_, err = c.GetUser(ctx, "a@x.io")
		check(`getting user "a@x.io"`, err)
		_, err = c.Profile(ctx)
		check("reading your profile", err)
		_, err = c.ListDomains(ctx)
		check("listing data domains", err)
		check(`deleting user "a@x.io"`, c.DeleteUser(ctx, "a@x.io"))
		if showsKeyRun(trace.String(), key) {
			t.Fatalf("the trace shows the key:\n%s", trace.String())
		}
	})
}

func FuzzValidateAPIKey(f *testing.F) {
	for _, s := range []string{"dqo-sandbox-abc", "a b", "a\nb", "\"quoted\"", "ключ", "\xff", "\x7f", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := ValidateAPIKey(key)
		if err == nil {
			for i := 0; i < len(key); i++ {
				if key[i] < 0x21 || key[i] > 0x7e {
					t.Fatalf("accepted %q, whose byte %d cannot travel in a header", key, i)
				}
			}
			return
		}
		// The message depends only on where the bad character is and what
		// kind it is: with every good character replaced it is the same, so
		// it cannot show any part of the key.
		masked := []byte(key)
		for i, b := range masked {
			if b >= 0x21 && b <= 0x7e {
				masked[i] = 'x'
			}
		}
		if m := ValidateAPIKey(string(masked)); m == nil || m.Error() != err.Error() {
			t.Fatalf("message for %q depends on the key: %v vs %v", key, err, m)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "1", "120", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994", "9223372036854775807", "soon", ""} {
		f.Add(s)
	}
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if ok && (d < 0 || d > MaxRetryAfter) {
			t.Fatalf("parseRetryAfter(%q) = %s, outside [0, %s]", v, d, MaxRetryAfter)
		}
	})
}

func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"http://localhost:8888", "https://dqops.example.com/dqops/", "https://h/p%2Fq//", "ftp://x",
		"http://user:pw@h", "http://h/?q=1", "http://[::1]:8888/", " http://h ", "http://h/a b", "http:///x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := NormalizeURL(raw)
		if err != nil {
			if strings.Contains(raw, "@") && strings.Contains(err.Error(), raw) {
				t.Fatalf("error shows a URL that may hold credentials: %v", err)
			}
			return
		}
		again, err := NormalizeURL(u)
		if err != nil || again != u {
			t.Fatalf("NormalizeURL(%q) = %q, which normalises to %q, %v", raw, u, again, err)
		}
		if strings.HasSuffix(u, "/") {
			t.Fatalf("NormalizeURL(%q) = %q ends in a slash", raw, u)
		}
		parsed, _ := url.Parse(u)
		if parsed.User != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
			t.Fatalf("NormalizeURL(%q) = %q", raw, u)
		}
		// The canonical form is a fixed point that names the same server.
		canon, err := CanonicalURL(raw)
		if err != nil {
			t.Fatalf("CanonicalURL(%q): %v, though NormalizeURL accepts it", raw, err)
		}
		if again, err := CanonicalURL(canon); err != nil || again != canon || !SameServer(raw, canon) {
			t.Fatalf("CanonicalURL(%q) = %q, whose canonical form is %q, %v", raw, canon, again, err)
		}
	})
}
