package access

import (
	"encoding/base64"
	"net/http"
	"testing"
)

func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// Reads off loopback, where a test cannot listen: reads always need
// credentials unless -open-reads.
func TestReadAccessOffLoopback(t *testing.T) {
	req := func(authz string) *http.Request {
		r, _ := http.NewRequest("GET", "http://collect.example/api/events", nil)
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		return r
	}
	tests := []struct {
		name   string
		a      Reads
		authz  string
		status int
	}{
		{"no credentials configured: reads are off", Reads{}, "", 403},
		{"no credentials configured, even with some sent", Reads{}, "Bearer x", 403},
		{"open reads", Reads{Open: true}, "", 0},
		{"read key", Reads{Keys: []string{"k"}}, "Bearer k", 0},
		{"read key missing", Reads{Keys: []string{"k"}}, "", 401},
		{"private pair", Reads{Private: map[string]string{"id": "s"}}, basicAuth("id", "s"), 0},
		{"private secret as a bare password is no read key", Reads{Private: map[string]string{"id": "s"}}, basicAuth("x", "s"), 401},
	}
	for _, tt := range tests {
		if got, _ := tt.a.Check(req(tt.authz)); got != tt.status {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.status)
		}
	}
}
