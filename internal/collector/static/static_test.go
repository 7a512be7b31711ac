package static

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func TestStaticPrecompressed(t *testing.T) {
	dir := t.TempDir()
	// Every file gets its time explicitly: written in the map's order, a
	// sibling could be a clock tick older than its original, and so stale.
	now := time.Now().Truncate(time.Second)
	old := now.Add(-time.Hour)
	for name, body := range map[string]string{
		"app.wasm": "plain", "app.wasm.br": "brotli", "app.wasm.gz": "gzip",
		"loader.js": "plain js", "loader.js.gz": "gzip js", "stale.js": "new", "stale.js.br": "old",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		at := now
		if name == "stale.js.br" {
			at = old // older than stale.js: a leftover of an earlier build
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	h, err := Handler("/dist/", dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string, header map[string]string) answer {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		// Not the default transport: it would ask for gzip itself, and
		// decode the answer.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return answer{resp.StatusCode, resp.Header, b}
	}
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
			r := get(tt.path, map[string]string{"Accept-Encoding": tt.accept})
			if r.status != 200 {
				t.Fatalf("got %d", r.status)
			}
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
			if again := get(tt.path, map[string]string{"Accept-Encoding": tt.accept, "If-None-Match": r.header.Get("ETag")}); again.status != 304 {
				t.Errorf("revalidation: got %d, want 304", again.status)
			}
		})
	}
	br := get("/dist/app.wasm", map[string]string{"Accept-Encoding": "br"}).header.Get("ETag")
	gz := get("/dist/app.wasm", map[string]string{"Accept-Encoding": "gzip"}).header.Get("ETag")
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

// TestStaticServesOnlyTheFolder: no dotfile, no directory listing, and
// nothing a symlink or ".." reaches outside the folder; a symlink inside
// it, and a directory with an index.html, are served.
func TestStaticServesOnlyTheFolder(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	for name, body := range map[string]string{
		".env": "SECRET=1", ".git/config": "[remote]", "sub/a.js": "a", "app/index.html": "<p>app</p>", "app/x.js": "x",
		"ok.js": "ok", ".well/inside.js": "hidden",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"out.txt": filepath.Join(outside, "secret.txt"), "outdir": outside, "in.js": "ok.js",
		"up.txt": filepath.Join("..", filepath.Base(outside), "secret.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	h, err := Handler("/", dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/ok.js", 200, "ok"},
		{"/in.js", 200, "ok"},
		{"/app/", 200, "<p>app</p>"},
		{"/app/x.js", 200, "x"},
		{"/.env", 404, ""},
		{"/.git/config", 404, ""},
		{"/.well/inside.js", 404, ""},
		{"/sub/", 404, ""},
		{"/sub", 404, ""},
		{"/", 404, ""},
		{"/out.txt", 404, ""},
		{"/up.txt", 404, ""},
		{"/outdir/secret.txt", 404, ""},
		{"/outdir/", 404, ""},
		{"/../" + filepath.Base(outside) + "/secret.txt", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+tt.path, nil)
			req.URL.Opaque = tt.path // sent as it is, ".." included
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || (tt.body != "" && string(b) != tt.body) {
				t.Errorf("got %d %.60q, want %d %q", resp.StatusCode, b, tt.status, tt.body)
			}
			if strings.Contains(string(b), "outside") || strings.Contains(string(b), "SECRET") || strings.Contains(string(b), "a.js") {
				t.Errorf("leaked: %.80q", b)
			}
		})
	}
}
