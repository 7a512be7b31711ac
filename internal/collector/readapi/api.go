package readapi

import (
	"context"
	"net/http"
	"strconv"
	"sync"

	"github.com/exponea-wasm/tracker/internal/collector/access"
	"github.com/exponea-wasm/tracker/internal/collector/reply"
	"github.com/exponea-wasm/tracker/internal/collector/store"
)

// Read API limits.
const (
	defaultLimit = 1000
	maxLimit     = 10000
	maxRow       = 1 << 20 // what one row may add past MaxBytes: a request body
)

// Reader is what the read API reads.
type Reader interface {
	// Read fills p with the rows of t that match q, in q's order.
	Read(ctx context.Context, t store.Table, q store.Query, p *store.Page) error
	// Stats returns the row counts and counters.
	Stats(ctx context.Context) (store.Stats, error)
}

// API serves GET /api/events, /api/customers, /api/outbox and /api/stats,
// and the page at /collector/.
type API struct {
	Store  Reader
	Access access.Reads
	CORS   access.CORS
	// MaxBytes caps the body of one answer; the answer then says where
	// the next page starts.
	MaxBytes int
	// MaxHeld caps the bytes of all the answers being built or written at
	// once; a list that would go over it is answered 503.
	MaxHeld int64
	Logf    func(format string, args ...any)

	held     budget
	heldOnce sync.Once
}

// Register adds the API's routes to mux: the lists, a 404 for every other
// path under /api/, and the page at /collector/ (and at /, when root).
func (a *API) Register(mux *http.ServeMux, root bool) {
	mux.Handle("/api/events", a.guard(a.list(store.Events), http.MethodGet))
	mux.Handle("/api/customers", a.guard(a.list(store.Customers), http.MethodGet))
	mux.Handle("/api/outbox", a.guard(a.list(store.Outbox), http.MethodGet))
	mux.Handle("/api/stats", a.guard(a.stats, http.MethodGet))
	mux.Handle("/api/", a.guard(func(w http.ResponseWriter, r *http.Request) {
		reply.Error(w, http.StatusNotFound, "not found")
	}, http.MethodGet, http.MethodPost, http.MethodDelete))
	mux.Handle("/collector/", a.pageAccess(page))
	if root {
		mux.Handle("/{$}", a.pageAccess(page))
	}
}

// guard wraps a read-API handler with CORS, preflight, the read credential
// check and a method check.
func (a *API) guard(h http.HandlerFunc, methods ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allowed := a.CORS.Apply(w, r); r.Method == http.MethodOptions {
			a.CORS.Preflight(w, allowed)
			return
		}
		if status, msg := a.Access.Check(r); status != 0 {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Basic realm="collector", charset="UTF-8"`)
			}
			reply.Error(w, status, msg)
			return
		}
		if reply.Method(w, r, methods...) {
			h(w, r)
		}
	})
}

// parseQuery reads the read-API filters and cursor from the URL.
func parseQuery(r *http.Request) (store.Query, string) {
	v := r.URL.Query()
	q := store.Query{Project: v.Get("project"), EventType: v.Get("event_type"), Cookie: v.Get("cookie"), Limit: defaultLimit}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, "limit: must be a positive integer"
		}
		q.Limit = min(n, maxLimit)
	}
	for _, c := range []struct {
		name string
		dst  *int64
	}{{"after_id", &q.AfterID}, {"before_id", &q.BeforeID}} {
		if s := v.Get(c.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return q, c.name + ": must be a non-negative integer"
			}
			*c.dst = n
		}
	}
	switch v.Get("order") {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		return q, `order: must be "asc" or "desc"`
	}
	return q, ""
}

// list answers a page of t's rows as {"<name>":[...]}, plus
// "next_after_id" (ascending) or "next_before_id" (descending) when the
// page was cut by the limit or the byte cap: the cursor of the next page.
// The outbox is listed oldest first, whatever the order asked.
func (a *API) list(t store.Table) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, msg := parseQuery(r)
		if msg != "" {
			reply.Error(w, http.StatusBadRequest, msg)
			return
		}
		if t == store.Outbox {
			q.Desc, q.BeforeID = false, 0
		}
		// A page stops after the row that crosses MaxBytes: one row (at most
		// a request body) more may be held.
		n := int64(a.MaxBytes) + maxRow
		a.heldOnce.Do(func() { a.held.left = a.MaxHeld })
		if !a.held.take(n) {
			w.Header().Set("Retry-After", "1")
			reply.Error(w, http.StatusServiceUnavailable, "too many read answers in flight: try again")
			return
		}
		defer a.held.give(n)
		p := store.NewPage(t, q, a.MaxBytes)
		if err := a.Store.Read(r.Context(), t, q, p); err != nil {
			a.internalError(w, err)
			return
		}
		reply.Body(w, http.StatusOK, p.Close(q))
	}
}

func (a *API) stats(w http.ResponseWriter, r *http.Request) {
	st, err := a.Store.Stats(r.Context())
	if err != nil {
		a.internalError(w, err)
		return
	}
	reply.JSON(w, http.StatusOK, st)
}

func (a *API) internalError(w http.ResponseWriter, err error) {
	a.Logf("%v", err)
	reply.Error(w, http.StatusInternalServerError, "internal error")
}
