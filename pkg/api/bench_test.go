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
// 58 bytes a user.
func listBody(n int) []byte {
	roles := [...]string{"editor", "operator", "viewer", "none"}
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"email":"user%06d@example.com","accountRole":%q}`, i+1, roles[i%4])
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

func benchmarkList(b *testing.B, n int, list func(*Client) (int, error)) {
	body := listBody(n)
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
}

// BenchmarkListUsers measures the client's side of a list: reading the
// body and decoding every user.
func BenchmarkListUsers(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			benchmarkList(b, n, func(c *Client) (int, error) {
				users, err := c.ListUsers(context.Background())
				return len(users), err
			})
		})
	}
}

// BenchmarkStreamUsers measures a list decoded as it arrives.
func BenchmarkStreamUsers(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			benchmarkList(b, n, func(c *Client) (int, error) {
				got := 0
				err := c.StreamUsers(context.Background(), func(User) error { got++; return nil })
				return got, err
			})
		})
	}
}
