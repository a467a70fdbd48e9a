package api

import "testing"

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", "http://localhost:8888", false},
		{"  ", "http://localhost:8888", false},
		{"http://localhost:8888", "http://localhost:8888", false},
		{"http://localhost:8888/", "http://localhost:8888", false},
		{"HTTP://LocalHost:8888//", "http://localhost:8888", false},
		{"http://dqops.example.com", "http://dqops.example.com:80", false},
		{"https://dqops.example.com", "https://dqops.example.com:443", false},
		{"https://DQOps.Example.com:443/", "https://dqops.example.com:443", false},
		{"https://dqops.example.com:8443/DQOps/", "https://dqops.example.com:8443/DQOps", false},
		{"http://h:08888", "http://h:8888", false},
		{"http://[::1]:8888/", "http://[::1]:8888", false},
		{"http://[::1]", "http://[::1]:80", false},
		{"https://h/a%2Fb/", "https://h:443/a%2Fb", false},
		{"ftp://h", "", true},
		{"http://user:pw@h", "", true},
		{"http://h/?q=1", "", true},
		{"dqops.example.com", "", true},
	}
	for _, tt := range tests {
		got, err := CanonicalURL(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("CanonicalURL(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestSameServer(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "http://localhost:8888", true},
		{"", "http://LOCALHOST:8888/", true},
		{"http://localhost:8888", "http://127.0.0.1:8888", false},
		{"http://h", "http://h:80/", true},
		{"https://h", "https://h:443", true},
		{"http://h", "https://h", false},
		{"http://h:80", "https://h:80", false},
		{"http://h:8888", "http://h:8889", false},
		{"https://h/dqops", "https://h/dqops/", true},
		{"https://h/dqops", "https://h/DQOps", false},
		{"https://h/dqops", "https://h", false},
		{"https://h/dqops", "https://h/dqops/api", false},
		{"ftp://h", "ftp://h", false},
		{"", "", true},
	}
	for _, tt := range tests {
		if got := SameServer(tt.a, tt.b); got != tt.want {
			t.Errorf("SameServer(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := SameServer(tt.b, tt.a); got != tt.want {
			t.Errorf("SameServer(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}
