package faults

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/access"
	"github.com/exponea-wasm/tracker/internal/collector/reply"
)

// Header must be present on every request to the fault-injection API and
// POST /api/reset. A page cannot send it cross-site: it is not a
// CORS-safelisted header, so the browser would first ask with a preflight,
// which those endpoints never grant.
const Header = "X-Collector-Faults"

// API serves the fault-injection API: GET, POST and DELETE /api/faults
// list, append and clear the rules; POST /api/reset clears the rules and
// everything stored.
type API struct {
	Rules *Rules
	// Access is who may read: the API changes what readers see, and
	// reset deletes it, so it asks for the same credentials.
	Access access.Reads
	// Reset deletes everything stored.
	Reset func(ctx context.Context) error
	// WriteTimeout bounds a rule's delay: it must end before the server
	// would cut the answer.
	WriteTimeout time.Duration
	// Logf receives the errors of Reset.
	Logf func(format string, args ...any)
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle("/api/reset", a.guard(a.reset, http.MethodPost))
	mux.Handle("/api/faults", a.guard(a.faults, http.MethodGet, http.MethodPost, http.MethodDelete))
}

// guard wraps the fault-injection handlers: no CORS at all, the checks of
// refusal, then the read credentials.
func (a *API) guard(h http.HandlerFunc, methods ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg := refusal(r); msg != "" {
			reply.Error(w, http.StatusForbidden, msg)
			return
		}
		if status, msg := a.Access.Check(r); status != 0 {
			reply.Error(w, status, msg)
			return
		}
		if reply.Method(w, r, methods...) {
			h(w, r)
		}
	})
}

// reset deletes all rows, counters and fault rules.
func (a *API) reset(w http.ResponseWriter, r *http.Request) {
	a.Rules.Clear()
	if err := a.Reset(r.Context()); err != nil {
		a.Logf("%v", err)
		reply.Error(w, http.StatusInternalServerError, "internal error")
		return
	}
	reply.JSON(w, http.StatusOK, struct {
		Success bool `json:"success"`
	}{true})
}

// faults lists (GET), appends (POST) or clears (DELETE) fault rules.
func (a *API) faults(w http.ResponseWriter, r *http.Request) {
	type answer struct {
		Success bool   `json:"success"`
		Faults  []Rule `json:"faults"`
	}
	switch r.Method {
	case http.MethodPost:
		var rule Rule
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rule); err != nil {
			reply.Error(w, http.StatusBadRequest, "malformed fault rule: "+err.Error())
			return
		}
		if err := rule.validate(a.WriteTimeout); err != nil {
			reply.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		reply.JSON(w, http.StatusOK, answer{true, a.Rules.add(rule)})
	case http.MethodDelete:
		a.Rules.Clear()
		reply.JSON(w, http.StatusOK, answer{true, []Rule{}})
	default:
		reply.JSON(w, http.StatusOK, answer{true, a.Rules.list()})
	}
}

// refusal returns why r may not use the fault-injection API, or "".
// Beside the header, a request from another site (by Origin or
// Sec-Fetch-Site) or through a proxy is refused; the Host check has
// already refused DNS rebinding.
func refusal(r *http.Request) string {
	switch {
	case r.Header.Get(Header) == "":
		return "the fault-injection API needs the " + Header + " header"
	case access.Forwarded(r):
		return "the fault-injection API is not served through a proxy"
	case r.Header.Get("Origin") != "" && !sameOrigin(r):
		return "the fault-injection API refuses cross-origin requests"
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return ""
	}
	return "the fault-injection API refuses cross-site requests"
}

// sameOrigin reports whether r's Origin names r's own host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	_, host, ok := strings.Cut(o, "://")
	return ok && strings.EqualFold(host, r.Host)
}
