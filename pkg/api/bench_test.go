package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// listBody is a user list as the sandbox sends it for n seeded users: about
// 58 bytes a user, and 20 more with the empty dataDomainRoles of DQOps 1.13.
func listBody(n int, release string) []byte {
	roles := [...]string{"editor", "operator", "viewer", "none"}
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"email":"user%06d@example.com","accountRole":%q`, i+1, roles[i%4])
		if release == "1.13" {
			b.WriteString(`,"dataDomainRoles":{}`)
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.Bytes()
}

// bodyTransport answers every request 200 with body, of unknown length as
// the sandbox's chunked list is.
type bodyTransport struct{ body []byte }

func (t bodyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h := http.Header{"Content-Type": {"application/json"}}
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: h, Proto: "HTTP/1.1",
		Body: io.NopCloser(bytes.NewReader(t.body)), ContentLength: -1, Request: req}, nil
}

func benchmarkList(b *testing.B, list func(*Client) (int, error)) {
	for _, release := range []string{"1.0", "1.13"} {
		for _, n := range []int{100_000, 1_000_000} {
			b.Run(fmt.Sprintf("%s/%d", release, n), func(b *testing.B) {
				body := listBody(n, release)
				c, err := New(Options{BaseURL: "http://dqops.test", Transport: bodyTransport{body}})
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					got, err := list(c)
					if err != nil || got != n {
						b.Fatalf("%d users, %v", got, err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/user")
			})
		}
	}
}

// BenchmarkListUsers measures the client's side of a list: reading the
// body and decoding every user.
func BenchmarkListUsers(b *testing.B) {
	benchmarkList(b, func(c *Client) (int, error) {
		users, err := c.ListUsers(context.Background())
		return len(users), err
	})
}

// BenchmarkStreamUsers measures a list decoded as it arrives.
func BenchmarkStreamUsers(b *testing.B) {
	benchmarkList(b, func(c *Client) (int, error) {
		got := 0
		err := c.StreamUsers(context.Background(), func(User) error { got++; return nil })
		return got, err
	})
}
