package ingest

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/access"
	"github.com/exponea-wasm/tracker/internal/collector/faults"
	"github.com/exponea-wasm/tracker/internal/collector/reply"
	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// Prefix is the path prefix of the Tracking API v2 endpoints.
const Prefix = wire.ProjectsPath

// Store is where accepted commands go.
type Store interface {
	// Expect announces a Commit that will come soon: a request whose body
	// is being read; Unexpect withdraws it. The store may wait a moment
	// for it, to commit it with others.
	Expect()
	Unexpect()
	// Commit stores w durably (and counts its request), or fails.
	Commit(w store.Write) error
	// Count counts a request that stored nothing, with the status it was
	// answered (or store.StatusDropped).
	Count(status int)
}

// Config configures a Handler.
type Config struct {
	Store    Store
	Tracking access.Tracking
	CORS     access.CORS
	// Projects lists the accepted project tokens; empty accepts any.
	Projects []string
	// Faults, when not nil, are injected into the requests.
	Faults *faults.Rules
	// Rate limits requests per second per client; 0 is unlimited.
	Rate float64
	// MaxBody is the request body limit in bytes.
	MaxBody int64
	// Pace is how long a body may take to arrive; zero leaves it to the
	// server's read timeout.
	Pace Pace
	// Relay stores commands into the outbox instead of the tables, and
	// calls Stored with the project of each request that stored some.
	Relay  bool
	Stored func(project string)
	Now    func() time.Time
	Logf   func(format string, args ...any)
}

// Handler serves the Tracking API under Prefix.
type Handler struct {
	cfg      Config
	projects map[string]bool
	limiter  *limiter
}

// New returns the handler of cfg.
func New(cfg Config) *Handler {
	h := &Handler{cfg: cfg, projects: map[string]bool{}, limiter: newLimiter(cfg.Rate)}
	for _, p := range cfg.Projects {
		h.projects[p] = true
	}
	return h
}

// endpoints maps an endpoint path (after the project token) to its method.
var endpoints = map[string]string{
	"batch":              http.MethodPost,
	wire.CommandEvent:    http.MethodPost,
	wire.CommandCustomer: http.MethodPost,
	wire.CommandTime:     http.MethodGet,
}

// ServeHTTP handles every request under Prefix. The order of checks is
// the contract: CORS, rate limit, endpoint and method, injected faults,
// credentials, project, body limit, then the endpoint itself.
func (s *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &reply.StatusWriter{ResponseWriter: w}
	defer func() {
		switch {
		case sw.Counted:
		case sw.Hijacked:
			s.cfg.Store.Count(store.StatusDropped)
		case sw.Status != 0:
			s.cfg.Store.Count(sw.Status)
		}
	}()
	w = sw
	if allowed := s.cfg.CORS.Apply(w, r); r.Method == http.MethodOptions {
		s.cfg.CORS.Preflight(w, allowed)
		return
	}
	if !s.limiter.allow(r, s.cfg.Now()) {
		w.Header().Set("Retry-After", "1")
		reply.Error(w, http.StatusTooManyRequests, "rate limit exceeded")
		return
	}
	token, endpoint, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, Prefix), "/")
	method, ok := endpoints[endpoint]
	if token == "" || !ok {
		reply.Error(w, http.StatusNotFound, "unknown endpoint")
		return
	}
	if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
		w.Header().Set("Allow", method+", OPTIONS")
		reply.Error(w, http.StatusMethodNotAllowed, "method not allowed: use "+method)
		return
	}

	plan := s.cfg.Faults.Next()
	if plan.Delay > 0 {
		t := time.NewTimer(plan.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return // the client gave up; nothing to answer
		}
	}
	switch {
	case plan.Drop:
		reply.Drop(w)
		return
	case plan.Status != 0:
		plan.WriteStatus(w)
		return
	}

	if msg := s.cfg.Tracking.Check(r); msg != "" {
		reply.Error(w, http.StatusUnauthorized, msg)
		return
	}
	if len(s.projects) > 0 && !s.projects[token] {
		reply.Error(w, http.StatusNotFound, "unknown project token")
		return
	}
	req := trackRequest{w: sw, r: r, project: token, dropAfter: plan.StoreThenDrop}
	if endpoint == wire.CommandTime {
		req.respond(struct {
			Success bool    `json:"success"`
			Time    float64 `json:"time"`
		}{true, unixSeconds(s.cfg.Now())})
		return
	}
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf) // nothing keeps the body: records hold copies
	if req.body, ok = s.readBody(w, r, buf); !ok {
		return
	}
	// The store may wait a moment for this request's write (see
	// Store.Expect), unless it ends without one.
	s.cfg.Store.Expect()
	req.submitted = new(bool)
	defer func() {
		if !*req.submitted {
			s.cfg.Store.Unexpect()
		}
	}()
	if endpoint == "batch" {
		s.batch(req)
	} else {
		s.single(req, endpoint)
	}
}

// bodies holds buffers for request bodies, reused across requests.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readBody reads the whole body into buf within the limit: a declared
// Content-Length over it is refused before reading, and a chunked body is
// cut off by http.MaxBytesReader as soon as it goes over.
func (s *Handler) readBody(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer) ([]byte, bool) {
	tooLarge := func() ([]byte, bool) {
		reply.Error(w, http.StatusRequestEntityTooLarge, "request body too large")
		return nil, false
	}
	if r.ContentLength > s.cfg.MaxBody {
		return tooLarge()
	}
	buf.Reset()
	buf.Grow(int(max(r.ContentLength, 0)) + bytes.MinRead)
	_, err := buf.ReadFrom(pacedReader(w, http.MaxBytesReader(w, r.Body, s.cfg.MaxBody), s.cfg.Pace, time.Now()))
	body := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge()
		}
		reply.Error(w, http.StatusBadRequest, "reading body: "+err.Error())
		return nil, false
	}
	return body, true
}

// trackRequest is a parsed-enough tracking request on its way to storage.
type trackRequest struct {
	w         *reply.StatusWriter
	r         *http.Request
	project   string
	body      []byte
	dropAfter bool  // store_then_drop: commit, then close without answering
	submitted *bool // commit was called (and ended the writer's expect)
}

// commit stores wr and counts the request in the same transaction. The
// status counted is the one the response will have: 200, or dropped.
func (s *Handler) commit(req trackRequest, wr store.Write) bool {
	wr.Project = req.project
	wr.Status = http.StatusOK
	if req.dropAfter {
		wr.Status = store.StatusDropped
	}
	// Once the body is read the request is stored whether or not the client
	// still waits for the answer: a browser abandons requests when a page
	// reloads or closes, and storing what it sent (the retry is deduped) is
	// better than failing the transaction with "context canceled".
	wr.Relay = s.cfg.Relay
	wr.Expected, *req.submitted = true, true
	if err := s.cfg.Store.Commit(wr); err != nil {
		s.cfg.Logf("%v", err)
		reply.Error(req.w, http.StatusInternalServerError, "storage failed")
		return false
	}
	req.w.Counted = true
	if s.cfg.Relay && len(wr.Records) > 0 {
		s.cfg.Stored(req.project)
	}
	return true
}

// respond writes a successful response, or drops the connection for
// store_then_drop.
func (req trackRequest) respond(v any) {
	if req.dropAfter {
		reply.Drop(req.w)
		return
	}
	reply.JSON(req.w, http.StatusOK, v)
}

// respondRaw is respond for a body already encoded as JSON.
func (req trackRequest) respondRaw(body []byte) {
	if req.dropAfter {
		reply.Drop(req.w)
		return
	}
	reply.Body(req.w, http.StatusOK, body)
}
