package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Users some tests add, one per role below admin.
const (
	editorEmail   = "ed@example.com"
	operatorEmail = "op@example.com"
	nobodyEmail   = "nobody@example.com" // role none
)

// modes lists both imitated releases; most tests run for each.
func modes() []string { return []string{API10, API113} }

// harness is a sandbox served over real loopback HTTP.
type harness struct {
	t      testing.TB
	sb     *Server
	url    string
	client *http.Client
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	sb, err := New(opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	ts := httptest.NewServer(sb)
	t.Cleanup(ts.Close)
	client := ts.Client()
	// Redirects are answers under test, not something to follow.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &harness{t: t, sb: sb, url: ts.URL, client: client}
}

// addRoleUsers adds a user for each of editor, operator and none.
func (h *harness) addRoleUsers() {
	h.t.Helper()
	for email, role := range map[string]string{editorEmail: RoleEditor, operatorEmail: RoleOperator, nobodyEmail: RoleNone} {
		if err := h.sb.AddUser(User{Email: email, AccountRole: role}); err != nil {
			h.t.Fatal(err)
		}
	}
}

// call is one request to make.
type call struct {
	method string
	path   string // escaped, as it goes on the wire
	// as is the email of the caller, whose key is sent; "" sends no key.
	as string
	// auth, when set, are the Authorization header values to send instead;
	// "{admin}" in them stands for the admin's key.
	auth        []string
	contentType string
	accept      string
	body        string
}

// reply is what came back.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (h *harness) do(c call) reply {
	h.t.Helper()
	req := h.request(c)
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: reading body: %v", c.method, c.path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: body}
}

func (h *harness) request(c call) *http.Request {
	h.t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, h.url+c.path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	switch {
	case c.auth != nil:
		for _, v := range c.auth {
			req.Header.Add("Authorization", strings.ReplaceAll(v, "{admin}", h.sb.AdminKey()))
		}
	case c.as != "":
		key, ok := h.sb.KeyFor(c.as)
		if !ok {
			h.t.Fatalf("no key for %s", c.as)
		}
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.accept != "" {
		req.Header.Set("Accept", c.accept)
	}
	return req
}

// getUser fetches one user as the admin and decodes it.
func (h *harness) getUser(email string) map[string]any {
	h.t.Helper()
	r := h.do(call{method: "GET", path: "/api/users/" + email, as: AdminEmail})
	if r.status != http.StatusOK {
		h.t.Fatalf("GET user %s: status %d", email, r.status)
	}
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		h.t.Fatalf("GET user %s: %v", email, err)
	}
	return m
}

// swaggerSchema is the part of a Swagger 2.0 schema the sandbox's answers use.
type swaggerSchema struct {
	Ref                  string                   `json:"$ref"`
	Type                 string                   `json:"type"`
	Format               string                   `json:"format"`
	Enum                 []string                 `json:"enum"`
	Properties           map[string]swaggerSchema `json:"properties"`
	AdditionalProperties *swaggerSchema           `json:"additionalProperties"`
	Items                *swaggerSchema           `json:"items"`
}

type swaggerDoc struct {
	Definitions map[string]swaggerSchema `json:"definitions"`
}

// openAPIDirEnv names the directory holding DQOps's OpenAPI documents. The
// repository keeps no copies of them; CI points it at the real ones.
const openAPIDirEnv = "DQOPS_OPENAPI_DIR"

// swaggerFiles are the documents of each mode, as DQOps published them.
var swaggerFiles = map[string]string{
	API10:  "dqops-users-api-v1.0.0.swagger.json",
	API113: "dqops-users-api-v1.13.2.swagger.json",
}

// swaggerDocs loads the documents of both modes from $DQOPS_OPENAPI_DIR. It
// skips the test when the variable is unset, and fails it when the variable
// is not an absolute path or a document is missing there.
func swaggerDocs(t testing.TB) map[string]swaggerDoc {
	t.Helper()
	dir := os.Getenv(openAPIDirEnv)
	if dir == "" {
		t.Skipf("schema checks skipped: set %s to a directory holding %s and %s (any DQOps instance serves its own document at /swagger-api/dqops-api-swagger-2.json)",
			openAPIDirEnv, swaggerFiles[API10], swaggerFiles[API113])
	}
	if !filepath.IsAbs(dir) {
		t.Fatalf("%s=%s: want an absolute path (go test runs in the package's directory)", openAPIDirEnv, dir)
	}
	docs := make(map[string]swaggerDoc, len(swaggerFiles))
	for mode, name := range swaggerFiles {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s is set, but: %v", openAPIDirEnv, err)
		}
		var doc swaggerDoc
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs[mode] = doc
	}
	return docs
}

// userModelName is the user model's definition in a mode's document.
func userModelName(mode string) string {
	if mode == API10 {
		return "DqoCloudUserModel"
	}
	return "DqoUserRolesModel"
}

// validateJSON checks body against a definition, strictly: a property the
// definition does not name is an error too (the documents allow extra ones,
// the sandbox should not send any).
func validateJSON(t testing.TB, doc swaggerDoc, definition string, body []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("body is not JSON: %v: %.200s", err, body)
	}
	if err := doc.validate(swaggerSchema{Ref: "#/definitions/" + definition}, v, "$"); err != nil {
		t.Fatalf("body does not match %s: %v\n%.500s", definition, err, body)
	}
}

func (doc swaggerDoc) validate(s swaggerSchema, v any, at string) error {
	if s.Ref != "" {
		name := strings.TrimPrefix(s.Ref, "#/definitions/")
		def, ok := doc.Definitions[name]
		if !ok {
			return fmt.Errorf("%s: unknown definition %s", at, name)
		}
		return doc.validate(def, v, at)
	}
	switch s.Type {
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: want a string, got %T", at, v)
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			return fmt.Errorf("%s: %q is not one of %v", at, str, s.Enum)
		}
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%s: want an integer, got %T", at, v)
		}
		i, err := n.Int64()
		if err != nil {
			return fmt.Errorf("%s: %s is not an integer", at, n)
		}
		if s.Format == "int32" && (i < math.MinInt32 || i > math.MaxInt32) {
			return fmt.Errorf("%s: %d is not an int32", at, i)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want a boolean, got %T", at, v)
		}
	case "array":
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array, got %T", at, v)
		}
		for i, item := range items {
			if err := doc.validate(*s.Items, item, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %T", at, v)
		}
		for name, value := range obj {
			prop, ok := s.Properties[name]
			if !ok && s.AdditionalProperties != nil {
				prop, ok = *s.AdditionalProperties, true
			}
			if !ok {
				return fmt.Errorf("%s: property %q is not in the document", at, name)
			}
			if err := doc.validate(prop, value, at+"."+name); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%s: schema type %q not handled by this validator", at, s.Type)
	}
	return nil
}

// jsonKeys returns the sorted keys of a JSON object.
func jsonKeys(t testing.TB, body []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not a JSON object: %v", err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
