package collector

import (
	"fmt"
	"net/http"
	"os"
	"path"
	"strings"
)

// reservedPrefixes are the collector's own paths; no static mount may
// shadow them.
var reservedPrefixes = []string{trackPrefix, "/track/", "/api/", "/collector/"}

// contentTypes fixes the types a browser is strict about: a .wasm file must
// be application/wasm for WebAssembly.instantiateStreaming, and module
// scripts must have a JavaScript type.
var contentTypes = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".map":  "application/json; charset=utf-8",
}

// normalizeMount checks m and returns its prefix with a trailing slash.
func normalizeMount(m StaticMount) (string, error) {
	p := m.Prefix
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("collector: static prefix %q must start with /", p)
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	for _, r := range reservedPrefixes {
		if strings.HasPrefix(p, r) || strings.HasPrefix(r, p) && p != "/" {
			return "", fmt.Errorf("collector: static prefix %q overlaps the collector's %s", m.Prefix, r)
		}
	}
	fi, err := os.Stat(m.Dir)
	if err != nil {
		return "", fmt.Errorf("collector: static dir for %s: %w", p, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("collector: static dir %s is not a directory", m.Dir)
	}
	return p, nil
}

// staticHandler serves dir under prefix, uncached: it is a dev server, and a
// stale wasm or loader after a rebuild is the usual source of confusion.
func staticHandler(prefix, dir string) http.Handler {
	files := http.StripPrefix(strings.TrimSuffix(prefix, "/"), http.FileServer(http.Dir(dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct, ok := contentTypes[strings.ToLower(path.Ext(r.URL.Path))]; ok {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Cache-Control", "no-store")
		files.ServeHTTP(w, r)
	})
}
