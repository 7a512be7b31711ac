package collector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	withRoot := newHarness(t, Config{Static: []StaticMount{{Prefix: "/", Dir: dir}, {Prefix: "/dist", Dir: dir}}})
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
