package collector

import "testing"

func TestCORS(t *testing.T) {
	tests := []struct {
		name, method, path, origin string
		origins                    []string
		status                     int
		allowOrigin                string
		preflightHeaders           bool
	}{
		{"allowed POST", "POST", "/track/v2/projects/p/batch", "http://shop.test", []string{"http://shop.test"}, 200, "http://shop.test", false},
		{"allowed preflight", "OPTIONS", "/track/v2/projects/p/batch", "http://shop.test", []string{"http://shop.test"}, 204, "http://shop.test", true},
		{"wildcard reflects origin", "POST", "/track/v2/projects/p/batch", "http://any.test", []string{"*"}, 200, "http://any.test", false},
		{"foreign POST is processed without CORS headers", "POST", "/track/v2/projects/p/batch", "http://evil.test", []string{"http://shop.test"}, 200, "", false},
		{"foreign preflight", "OPTIONS", "/track/v2/projects/p/batch", "http://evil.test", []string{"http://shop.test"}, 403, "", false},
		{"no origins configured", "OPTIONS", "/track/v2/projects/p/batch", "http://shop.test", nil, 403, "", false},
		{"api allowed", "GET", "/api/stats", "http://shop.test", []string{"http://shop.test"}, 200, "http://shop.test", false},
		{"api preflight", "OPTIONS", "/api/events", "http://shop.test", []string{"http://shop.test"}, 204, "http://shop.test", true},
		{"api foreign", "GET", "/api/stats", "http://evil.test", []string{"http://shop.test"}, 200, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{Origins: tt.origins})
			body := ""
			if tt.method == "POST" {
				body = batchBody(ev("", "c", "x"))
			}
			r := h.must(tt.method, tt.path, body, map[string]string{
				"Origin": tt.origin, "Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "authorization,content-type",
			})
			wantStatus(t, r, tt.status)
			if got := r.header.Get("Access-Control-Allow-Origin"); got != tt.allowOrigin {
				t.Errorf("Allow-Origin: got %q, want %q", got, tt.allowOrigin)
			}
			if got := r.header.Get("Vary"); got != "Origin" {
				t.Errorf("Vary: got %q, want Origin", got)
			}
			want := map[string]string{
				"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
				"Access-Control-Allow-Headers": "Authorization, Content-Type",
				"Access-Control-Max-Age":       "600",
			}
			for k, v := range want {
				if !tt.preflightHeaders {
					v = ""
				}
				if got := r.header.Get(k); got != v {
					t.Errorf("%s: got %q, want %q", k, got, v)
				}
			}
			if tt.allowOrigin != "" && r.header.Get("Access-Control-Expose-Headers") != "Retry-After" {
				t.Errorf("Retry-After is not exposed")
			}
		})
	}
}
