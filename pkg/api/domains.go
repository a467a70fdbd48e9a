package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultDomain is the name DQOps gives the root data domain.
const DefaultDomain = "(default)"

// Domain is a data domain of a DQOps 1.13 instance (LocalDataDomainModel).
type Domain struct {
	// Name is the domain's name, as data-domain roles name it; the root
	// domain is DefaultDomain.
	Name string `json:"domain_name"`
	// DisplayName is the user-friendly name ("Root data domain" for the root).
	DisplayName string `json:"display_name,omitempty"`
	// CreatedAt is when the domain was created; zero when the server did
	// not say.
	CreatedAt time.Time `json:"-"`
	// EnableScheduler tells whether the job scheduler runs for the domain.
	EnableScheduler bool `json:"enable_scheduler"`
}

// domainFields is Domain as the API writes it, created_at kept raw.
type domainFields struct {
	Name            string          `json:"domain_name"`
	DisplayName     string          `json:"display_name,omitempty"`
	CreatedAt       json.RawMessage `json:"created_at,omitempty"`
	EnableScheduler bool            `json:"enable_scheduler"`
}

// UnmarshalJSON reads created_at as the document types it (int64, epoch
// milliseconds), and as Jackson may write a Java Instant instead (decimal
// seconds, or an RFC 3339 string); null or absent is the zero time.
func (d *Domain) UnmarshalJSON(data []byte) error {
	var f domainFields
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	created, err := parseCreatedAt(f.CreatedAt)
	if err != nil {
		return fmt.Errorf("field \"created_at\": %w", err)
	}
	*d = Domain{Name: f.Name, DisplayName: f.DisplayName, CreatedAt: created, EnableScheduler: f.EnableScheduler}
	return nil
}

// MarshalJSON writes the document's form: created_at in epoch
// milliseconds, left out when unknown.
func (d Domain) MarshalJSON() ([]byte, error) {
	f := domainFields{Name: d.Name, DisplayName: d.DisplayName, EnableScheduler: d.EnableScheduler}
	if !d.CreatedAt.IsZero() {
		f.CreatedAt = strconv.AppendInt(nil, d.CreatedAt.UnixMilli(), 10)
	}
	return json.Marshal(f)
}

func parseCreatedAt(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		return time.Parse(time.RFC3339Nano, s)
	}
	if !bytes.ContainsAny(raw, ".eE") {
		ms, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("not a time: %s", quoteStart(raw))
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	// Decimal seconds, read digit by digit: a float64 would lose the
	// milliseconds.
	whole, frac, _ := strings.Cut(string(raw), ".")
	secs, err1 := strconv.ParseInt(whole, 10, 64)
	frac = (frac + "000000000")[:9]
	nanos, err2 := strconv.ParseUint(frac, 10, 64)
	if err1 != nil || err2 != nil || strings.ContainsAny(whole+frac, "eE+") {
		return time.Time{}, fmt.Errorf("not a time: %s", quoteStart(raw))
	}
	if strings.HasPrefix(whole, "-") {
		return time.Unix(secs, -int64(nanos)).UTC(), nil
	}
	return time.Unix(secs, int64(nanos)).UTC(), nil
}

// ListDomains returns the data domains of the instance (GET /api/domains/,
// DQOps 1.13), the root domain "(default)" first; an instance without data
// domains lists it alone. DQOps 1.0 has no such operation: a *StatusError
// with 404.
func (c *Client) ListDomains(ctx context.Context) ([]Domain, error) {
	domains := []Domain{}
	err := c.do(ctx, &call{op: "listing data domains", what: "a list of data domains", method: http.MethodGet,
		path: "/api/domains/", want: http.StatusOK, out: &domains})
	if err != nil {
		return nil, err
	}
	if domains == nil { // a null body
		domains = []Domain{}
	}
	return domains, nil
}
