// Package static serves directories of files for the collector's -static
// mounts (the demo page, the SDK's dist/): with the types browsers are
// strict about, precompressed siblings (.br, .gz) where the client accepts
// them, and revalidation on every use.
package static

import (
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
)

// Mount serves the files of Dir under the URL path Prefix.
type Mount struct {
	// Prefix is the URL path prefix, such as "/" or "/dist/".
	Prefix string
	// Dir is the directory on disk.
	Dir string
}

// contentTypes fixes the types a browser is strict about: a .wasm file must
// be application/wasm for WebAssembly.instantiateStreaming, and module
// scripts must have a JavaScript type.
var contentTypes = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".map":  "application/json; charset=utf-8",
}

// encodings are the precompressed siblings a static file may have, in
// order of preference: "app.wasm.br" is app.wasm in brotli.
var encodings = []struct{ name, suffix string }{{"br", ".br"}, {"gzip", ".gz"}}

// Normalize checks m and returns its prefix with a trailing slash. No
// mount may shadow one of the reserved path prefixes (the collector's
// own), nor lie above one, but for the root.
func Normalize(m Mount, reserved []string) (string, error) {
	p := m.Prefix
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("static: prefix %q must start with /", p)
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	for _, r := range reserved {
		if strings.HasPrefix(p, r) || strings.HasPrefix(r, p) && p != "/" {
			return "", fmt.Errorf("static: prefix %q overlaps the collector's %s", m.Prefix, r)
		}
	}
	fi, err := os.Stat(m.Dir)
	if err != nil {
		return "", fmt.Errorf("static: dir for %s: %w", p, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("static: dir %s is not a directory", m.Dir)
	}
	return p, nil
}

// Handler serves dir under prefix. A file with a precompressed
// sibling (name.br, name.gz) no older than itself is served from the
// sibling when the request's Accept-Encoding allows, with Content-Encoding
// and the original's Content-Type; such files say Vary: Accept-Encoding.
// Every answer is "Cache-Control: no-cache" with an ETag and Last-Modified:
// a browser keeps the file but asks each time, so a rebuild is seen at
// once (the names in dist/ carry no hash) and an unchanged file costs a
// 304.
//
// Only the folder's own files are served: no name that starts with a
// dot (.env, .git/), no directory listing (a directory is served only
// through its index.html), and nothing a symlink or ".." would reach
// outside the folder.
func Handler(prefix, dir string) (http.Handler, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	root := folder{r.FS()}
	strip := strings.TrimSuffix(prefix, "/")
	files := http.StripPrefix(strip, http.FileServer(root))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, strip)
		h := w.Header()
		ext := strings.ToLower(path.Ext(name))
		if ct, ok := contentTypes[ext]; ok {
			h.Set("Content-Type", ct)
		}
		h.Set("Cache-Control", "no-cache")
		plain, err := stat(root, name)
		if err != nil || plain.IsDir() || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			files.ServeHTTP(w, r)
			return
		}
		variant, encoding := "", ""
		for _, e := range encodings {
			fi, err := stat(root, name+e.suffix)
			if err != nil || fi.IsDir() || fi.ModTime().Before(plain.ModTime()) {
				continue
			}
			if h.Get("Vary") == "" {
				h.Set("Vary", "Accept-Encoding")
			}
			if encoding == "" && accepts(r.Header.Get("Accept-Encoding"), e.name) {
				variant, encoding, plain = name+e.suffix, e.name, fi
			}
		}
		h.Set("ETag", etag(plain, encoding))
		if encoding == "" {
			files.ServeHTTP(w, r)
			return
		}
		f, err := root.Open(variant)
		if err != nil {
			files.ServeHTTP(w, r)
			return
		}
		defer f.Close()
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", typeByExtension(ext))
		}
		h.Set("Content-Encoding", encoding)
		http.ServeContent(w, r, name, plain.ModTime(), f)
	}), nil
}

// folder is the http.FileSystem of a folder opened as an os.Root, which
// refuses every path that leads out of it, symlinks included. It hides
// the names that start with a dot, and the directories that have no
// index.html, so that nothing is listed.
type folder struct{ fsys fs.FS }

func (f folder) Open(name string) (http.File, error) {
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name == "" {
		name = "."
	}
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") && seg != "." {
			return nil, fs.ErrNotExist
		}
	}
	file, err := http.FS(f.fsys).Open(name)
	if err != nil {
		return nil, fs.ErrNotExist // missing, or out of the folder: not here either way
	}
	if fi, err := file.Stat(); err != nil || fi.IsDir() {
		if _, ierr := fs.Stat(f.fsys, path.Join(name, "index.html")); err != nil || ierr != nil {
			file.Close()
			return nil, fs.ErrNotExist
		}
	}
	return file, nil
}

func stat(root http.FileSystem, name string) (fs.FileInfo, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}

// etag names one variant of one version of a file.
func etag(fi fs.FileInfo, encoding string) string {
	t := strconv.FormatInt(fi.ModTime().UnixNano(), 36) + "-" + strconv.FormatInt(fi.Size(), 36)
	if encoding != "" {
		t += "-" + encoding
	}
	return `"` + t + `"`
}

func typeByExtension(ext string) string {
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// accepts reports whether an Accept-Encoding header value allows coding:
// named, or covered by "*", with a q-value above 0.
func accepts(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		switch {
		case strings.EqualFold(name, coding):
			return q > 0
		case name == "*":
			star = q > 0
		}
	}
	return star
}
