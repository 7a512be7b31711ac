package collector

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/wire"
)

// trackPrefix is the path prefix of the Tracking API v2 endpoints.
const trackPrefix = "/track/v2/projects/"

// endpoints maps an endpoint path (after the project token) to its method.
var endpoints = map[string]string{
	"batch":              http.MethodPost,
	wire.CommandEvent:    http.MethodPost,
	wire.CommandCustomer: http.MethodPost,
	wire.CommandTime:     http.MethodGet,
}

// track is the handler for every request under trackPrefix. The order of
// checks is the contract: CORS, rate limit, endpoint and method, injected
// faults, credentials, project, body limit, then the endpoint itself.
func (s *Server) track(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if !sw.counted && (sw.status != 0 || sw.hijacked) {
			s.tally.add(sw.status) // 0 when hijacked: dropped
		}
	}()
	w = sw
	if allowed := s.cors.apply(w, r); r.Method == http.MethodOptions {
		s.cors.preflight(w, allowed)
		return
	}
	if !s.limiter.allow(r, s.cfg.Now()) {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "rate limit exceeded")
		return
	}
	token, endpoint, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, trackPrefix), "/")
	method, ok := endpoints[endpoint]
	if token == "" || !ok {
		writeError(w, http.StatusNotFound, "unknown endpoint")
		return
	}
	if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
		w.Header().Set("Allow", method+", OPTIONS")
		writeError(w, http.StatusMethodNotAllowed, "method not allowed: use "+method)
		return
	}

	plan := s.faults.next()
	if plan.delay > 0 {
		t := time.NewTimer(plan.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return // the client gave up; nothing to answer
		}
	}
	switch {
	case plan.drop:
		dropConnection(w)
		return
	case plan.status != 0:
		plan.writeStatus(w)
		return
	}

	if msg := s.auth.check(r); msg != "" {
		writeError(w, http.StatusUnauthorized, msg)
		return
	}
	if len(s.projects) > 0 && !s.projects[token] {
		writeError(w, http.StatusNotFound, "unknown project token")
		return
	}
	req := trackRequest{w: sw, r: r, project: token, dropAfter: plan.storeThenDrop}
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
	// The writer may wait a moment for this request's job (see
	// writer.expect), unless it ends without one.
	s.st.wr.expect()
	req.submitted = new(bool)
	defer func() {
		if !*req.submitted {
			s.st.wr.unexpect()
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
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer) ([]byte, bool) {
	tooLarge := func() ([]byte, bool) {
		writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
		return nil, false
	}
	if r.ContentLength > s.cfg.MaxBody {
		return tooLarge()
	}
	buf.Reset()
	buf.Grow(int(max(r.ContentLength, 0)) + bytes.MinRead)
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	body := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge()
		}
		writeError(w, http.StatusBadRequest, "reading body: "+err.Error())
		return nil, false
	}
	return body, true
}

// trackRequest is a parsed-enough tracking request on its way to storage.
type trackRequest struct {
	w         *statusWriter
	r         *http.Request
	project   string
	body      []byte
	dropAfter bool  // store_then_drop: commit, then close without answering
	submitted *bool // commit was called (and ended the writer's expect)
}

// commit stores wr and counts the request in the same transaction. The
// status counted is the one the response will have: 200, or "dropped".
func (s *Server) commit(req trackRequest, wr write) bool {
	wr.project = req.project
	wr.status = statusCounterPrefix + "200"
	if req.dropAfter {
		wr.status = statusCounterPrefix + "dropped"
	}
	// Once the body is read the request is stored whether or not the client
	// still waits for the answer: a browser abandons requests when a page
	// reloads or closes, and storing what it sent (the retry is deduped) is
	// better than failing the transaction with "context canceled".
	wr.relay = s.relay != nil
	wr.expected, *req.submitted = true, true
	if _, err := s.st.commit(wr); err != nil {
		s.cfg.Logger.Printf("%v", err)
		writeError(req.w, http.StatusInternalServerError, "storage failed")
		return false
	}
	req.w.counted = true
	if s.relay != nil && len(wr.records) > 0 {
		s.relay.kick(req.project)
	}
	return true
}

// respond writes a successful response, or drops the connection for
// store_then_drop.
func (req trackRequest) respond(v any) {
	if req.dropAfter {
		dropConnection(req.w)
		return
	}
	writeJSON(req.w, http.StatusOK, v)
}

// respondRaw is respond for a body already encoded as JSON.
func (req trackRequest) respondRaw(body []byte) {
	if req.dropAfter {
		dropConnection(req.w)
		return
	}
	writeBody(req.w, http.StatusOK, body)
}
