package collector

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCORS(t *testing.T) {
	tests := []struct {
		name, method, path, origin string
		origins, readOrigins       []string
		status                     int
		allowOrigin                string
		preflightHeaders           bool
	}{
		{"allowed POST", "POST", "/track/v2/projects/p/batch", "http://shop.test", []string{"http://shop.test"}, nil, 200, "http://shop.test", false},
		{"allowed preflight", "OPTIONS", "/track/v2/projects/p/batch", "http://shop.test", []string{"http://shop.test"}, nil, 204, "http://shop.test", true},
		{"wildcard reflects origin", "POST", "/track/v2/projects/p/batch", "http://any.test", []string{"*"}, nil, 200, "http://any.test", false},
		{"foreign POST is processed without CORS headers", "POST", "/track/v2/projects/p/batch", "http://evil.test", []string{"http://shop.test"}, nil, 200, "", false},
		{"foreign preflight", "OPTIONS", "/track/v2/projects/p/batch", "http://evil.test", []string{"http://shop.test"}, nil, 403, "", false},
		{"no origins configured", "OPTIONS", "/track/v2/projects/p/batch", "http://shop.test", nil, nil, 403, "", false},
		{"a tracking origin does not read", "GET", "/api/stats", "http://shop.test", []string{"http://shop.test"}, nil, 200, "", false},
		{"a tracking origin gets no read preflight", "OPTIONS", "/api/events", "http://shop.test", []string{"http://shop.test"}, nil, 403, "", false},
		{"tracking from any origin: still no reads", "GET", "/api/events", "http://evil.test", []string{"*"}, nil, 200, "", false},
		{"read origin allowed", "GET", "/api/stats", "http://dash.test", []string{"http://shop.test"}, []string{"http://dash.test"}, 200, "http://dash.test", false},
		{"read origin preflight", "OPTIONS", "/api/events", "http://dash.test", nil, []string{"http://dash.test"}, 204, "http://dash.test", true},
		{"read origin does not track", "OPTIONS", "/track/v2/projects/p/batch", "http://dash.test", nil, []string{"http://dash.test"}, 403, "", false},
		{"api foreign", "GET", "/api/stats", "http://evil.test", []string{"http://shop.test"}, []string{"http://dash.test"}, 200, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{Origins: tt.origins, ReadOrigins: tt.readOrigins})
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

// TestReadOriginsAnyNeedsAReadKey: "*" as a read origin would let every
// page read every stored customer unless reads take a key.
func TestReadOriginsAnyNeedsAReadKey(t *testing.T) {
	dir := t.TempDir()
	for _, cfg := range []Config{
		{ReadOrigins: []string{"*"}},
		{ReadOrigins: []string{"*"}, Private: map[string]string{"kid": "s"}},
		{ReadOrigins: []string{"*"}, ReadKeys: []string{"rk"}, OpenReads: true},
	} {
		cfg.DBPath, cfg.Addr = filepath.Join(dir, "c.db"), "127.0.0.1:0"
		if s, err := New(cfg); err == nil {
			s.Shutdown(t.Context())
			t.Errorf("%+v: got nil error", cfg)
		} else if !strings.Contains(err.Error(), "-read-origins") {
			t.Errorf("error %q does not name the flag", err)
		}
	}
	h := newHarness(t, Config{ReadOrigins: []string{"*"}, ReadKeys: []string{"rk"}})
	r := h.must("GET", "/api/stats", "", map[string]string{"Origin": "http://any.test", "Authorization": "Bearer rk"})
	wantStatus(t, r, 200)
	if r.header.Get("Access-Control-Allow-Origin") != "http://any.test" {
		t.Errorf("Allow-Origin: got %q", r.header.Get("Access-Control-Allow-Origin"))
	}
	if r := h.must("GET", "/api/stats", "", map[string]string{"Origin": "http://any.test"}); r.status != 401 {
		t.Errorf("without the read key: got %d, want 401", r.status)
	}
}
