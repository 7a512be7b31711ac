package ingest

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

func request(remote string) *http.Request {
	return &http.Request{RemoteAddr: remote}
}

// TestRateLimitIPv6ByNetwork: the addresses of one IPv6 /64 share a
// bucket, so rotating through them does not evade the limit; another
// /64, and every IPv4 address, has its own.
func TestRateLimitIPv6ByNetwork(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(2)
	for i, tt := range []struct {
		remote string
		want   bool
	}{
		{"[2001:db8:1:2::1]:5000", true},
		{"[2001:db8:1:2::2]:5001", true},
		{"[2001:db8:1:2:ffff::9]:5002", false}, // the same /64: the burst of 2 is spent
		{"[2001:db8:1:3::1]:5000", true},       // the next /64
		{"192.0.2.1:80", true},
		{"192.0.2.1:81", true},
		{"192.0.2.1:82", false},
		{"192.0.2.2:80", true},
		{"[::ffff:192.0.2.2]:80", true}, // the same IPv4 client, mapped: its second token
		{"192.0.2.2:80", false},
	} {
		if got := l.allow(request(tt.remote), now); got != tt.want {
			t.Errorf("request %d from %s: got %v, want %v", i, tt.remote, got, tt.want)
		}
	}
}

// TestRateLimitMemoryBounded: a flood from ever new sources leaves the
// limiter remembering at most maxBuckets clients, and a client seen
// lately is still limited.
func TestRateLimitMemoryBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newLimiter(1)
	if !l.allow(request("198.51.100.7:1"), now) {
		t.Fatal("first request refused")
	}
	for i := range 3 * maxBuckets {
		l.allow(request(fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255)), now)
		if i%1000 == 0 {
			l.allow(request("198.51.100.7:1"), now) // a client that keeps coming
		}
	}
	if n := len(l.cur) + len(l.prev); n > maxBuckets {
		t.Errorf("remembers %d clients, want at most %d", n, maxBuckets)
	}
	if l.allow(request("198.51.100.7:1"), now) {
		t.Error("a client seen through the flood got a fresh bucket")
	}
}
