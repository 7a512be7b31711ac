package access

import (
	"net/http"

	"github.com/exponea-wasm/tracker/internal/collector/reply"
)

// CORS answers cross-origin requests from the configured origins.
type CORS struct {
	any     bool
	origins map[string]bool
}

// NewCORS allows origins; "*" allows any origin.
func NewCORS(origins []string) CORS {
	c := CORS{origins: map[string]bool{}}
	for _, o := range origins {
		if o == "*" {
			c.any = true
		}
		c.origins[o] = true
	}
	return c
}

// Apply sets the CORS headers for an allowed Origin. It returns false for a
// cross-origin request from a foreign origin, which gets no CORS headers:
// the browser then hides the response from the page.
func (c CORS) Apply(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	h := w.Header()
	h.Add("Vary", "Origin")
	if origin == "" {
		return true // not a cross-origin request
	}
	if !c.any && !c.origins[origin] {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	// Retry-After is not a CORS-safelisted response header; without this
	// the tracker could not honour it on 429 and 503.
	h.Set("Access-Control-Expose-Headers", "Retry-After")
	return true
}

// Preflight answers an OPTIONS request: 204 with the allowed methods and
// headers when Apply allowed the origin, else 403.
func (c CORS) Preflight(w http.ResponseWriter, allowed bool) {
	if !allowed {
		reply.Error(w, http.StatusForbidden, "origin not allowed")
		return
	}
	h := w.Header()
	h.Set("Allow", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
