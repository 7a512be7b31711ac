package collector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStaticAndPage(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html": "<p>demo</p>", "app.wasm": "\x00asm", "loader.mjs": "export {}", "x.js": "1",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	withRoot := newHarness(t, Config{Static: []StaticMount{{"/", dir}, {"/dist", dir}}})
	bare := newHarness(t, Config{})
	tests := []struct {
		name        string
		h           *harness
		path        string
		status      int
		contentType string
		contains    string
	}{
		{"wasm", withRoot, "/dist/app.wasm", 200, "application/wasm", "asm"},
		{"mjs", withRoot, "/dist/loader.mjs", 200, "text/javascript; charset=utf-8", "export"},
		{"js at root", withRoot, "/x.js", 200, "text/javascript; charset=utf-8", "1"},
		{"index at root", withRoot, "/", 200, "text/html; charset=utf-8", "demo"},
		{"missing file", withRoot, "/dist/nope.js", 404, "text/plain; charset=utf-8", ""},
		{"page always at /collector/", withRoot, "/collector/", 200, "text/html; charset=utf-8", "<table"},
		{"page at / without a root mount", bare, "/", 200, "text/html; charset=utf-8", "<button"},
		{"nothing else at root", bare, "/other", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.h.must("GET", tt.path, "", nil)
			wantStatus(t, r, tt.status)
			if tt.contentType != "" && r.header.Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type: got %q, want %q", r.header.Get("Content-Type"), tt.contentType)
			}
			if want := map[bool]string{true: "no-store", false: "no-cache"}[strings.HasPrefix(tt.contains, "<")]; tt.status == 200 && r.header.Get("Cache-Control") != want {
				t.Errorf("Cache-Control: got %q, want %s", r.header.Get("Cache-Control"), want)
			}
			if !strings.Contains(string(r.body), tt.contains) {
				t.Errorf("body %q lacks %q", r.body, tt.contains)
			}
		})
	}
}

func TestStaticPrecompressed(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for name, body := range map[string]string{
		"app.wasm": "plain", "app.wasm.br": "brotli", "app.wasm.gz": "gzip",
		"loader.js": "plain js", "loader.js.gz": "gzip js", "stale.js": "new", "stale.js.br": "old",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if name == "stale.js.br" {
			os.Chtimes(p, old, old) // older than stale.js: a leftover of an earlier build
		}
	}
	h := newHarness(t, Config{Static: []StaticMount{{"/dist/", dir}}})
	tests := []struct {
		path, accept          string
		body, encoding, ctype string
		vary                  bool
	}{
		{"/dist/app.wasm", "gzip, deflate, br", "brotli", "br", "application/wasm", true},
		{"/dist/app.wasm", "gzip", "gzip", "gzip", "application/wasm", true},
		{"/dist/app.wasm", "br;q=0, gzip;q=0.5", "gzip", "gzip", "application/wasm", true},
		{"/dist/app.wasm", "*", "brotli", "br", "application/wasm", true},
		{"/dist/app.wasm", "identity", "plain", "", "application/wasm", true},
		{"/dist/loader.js", "br, gzip", "gzip js", "gzip", "text/javascript; charset=utf-8", true},
		{"/dist/stale.js", "br", "new", "", "text/javascript; charset=utf-8", false},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.accept, func(t *testing.T) {
			r := h.must("GET", tt.path, "", map[string]string{"Accept-Encoding": tt.accept})
			wantStatus(t, r, 200)
			if string(r.body) != tt.body || r.header.Get("Content-Encoding") != tt.encoding || r.header.Get("Content-Type") != tt.ctype {
				t.Errorf("got %q encoding %q type %q, want %q %q %q", r.body, r.header.Get("Content-Encoding"),
					r.header.Get("Content-Type"), tt.body, tt.encoding, tt.ctype)
			}
			if got := r.header.Get("Vary") == "Accept-Encoding"; got != tt.vary {
				t.Errorf("Vary: got %q", r.header.Get("Vary"))
			}
			if r.header.Get("Cache-Control") != "no-cache" || r.header.Get("ETag") == "" || r.header.Get("Last-Modified") == "" {
				t.Errorf("caching headers: %v", r.header)
			}
			// Revalidation: the same variant is not sent again.
			again := h.must("GET", tt.path, "", map[string]string{"Accept-Encoding": tt.accept, "If-None-Match": r.header.Get("ETag")})
			wantStatus(t, again, 304)
		})
	}
	br := h.must("GET", "/dist/app.wasm", "", map[string]string{"Accept-Encoding": "br"}).header.Get("ETag")
	gz := h.must("GET", "/dist/app.wasm", "", map[string]string{"Accept-Encoding": "gzip"}).header.Get("ETag")
	if br == gz {
		t.Errorf("the br and gzip variants share the ETag %s", br)
	}
}

func TestAccepts(t *testing.T) {
	tests := []struct {
		header, coding string
		want           bool
	}{
		{"gzip, br", "br", true},
		{"gzip", "br", false},
		{"BR;q=0.1", "br", true},
		{"br;q=0", "br", false},
		{"*;q=0.5", "gzip", true},
		{"*, gzip;q=0", "gzip", false},
		{"", "gzip", false},
	}
	for _, tt := range tests {
		if got := accepts(tt.header, tt.coding); got != tt.want {
			t.Errorf("accepts(%q, %q) = %v, want %v", tt.header, tt.coding, got, tt.want)
		}
	}
}
