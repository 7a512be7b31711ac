package collector

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Read API limits.
const (
	defaultLimit = 1000
	maxLimit     = 10000
)

// api wraps a read-API handler with CORS, preflight, the read credential
// check and a method check.
func (s *Server) api(h http.HandlerFunc, methods ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allowed := s.cors.apply(w, r); r.Method == http.MethodOptions {
			s.cors.preflight(w, allowed)
			return
		}
		if status, msg := s.reads.check(r); status != 0 {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Basic realm="collector", charset="UTF-8"`)
			}
			writeError(w, status, msg)
			return
		}
		methodCheck(w, r, h, methods)
	})
}

// faultsOnly wraps the fault-injection handlers: no CORS at all, and the
// checks of faultsRefusal.
func (s *Server) faultsOnly(h http.HandlerFunc, methods ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg := faultsRefusal(r); msg != "" {
			writeError(w, http.StatusForbidden, msg)
			return
		}
		methodCheck(w, r, h, methods)
	})
}

func methodCheck(w http.ResponseWriter, r *http.Request, h http.HandlerFunc, methods []string) {
	for _, m := range methods {
		if r.Method == m || (m == http.MethodGet && r.Method == http.MethodHead) {
			h(w, r)
			return
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", ")+", OPTIONS")
	writeError(w, http.StatusMethodNotAllowed, "method not allowed")
}

// parseQuery reads the read-API filters and cursor from the URL.
func parseQuery(r *http.Request) (query, string) {
	v := r.URL.Query()
	q := query{project: v.Get("project"), eventType: v.Get("event_type"), cookie: v.Get("cookie"), limit: defaultLimit}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, "limit: must be a positive integer"
		}
		q.limit = min(n, maxLimit)
	}
	for _, c := range []struct {
		name string
		dst  *int64
	}{{"after_id", &q.afterID}, {"before_id", &q.beforeID}} {
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
		q.desc = true
	default:
		return q, `order: must be "asc" or "desc"`
	}
	return q, ""
}

// listRows answers a page of t's rows as {"<name>":[...]}, plus
// "next_after_id" (ascending) or "next_before_id" (descending) when the
// page was cut by the limit or the byte cap: the cursor of the next page.
func (s *Server) listRows(t table, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, msg := parseQuery(r)
		if msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
		p := &page{buf: []byte(`{"` + name + `":[`), maxBytes: s.cfg.MaxReadBytes}
		if err := s.st.read(r.Context(), t, q, p); err != nil {
			s.internalError(w, err)
			return
		}
		writeBody(w, http.StatusOK, p.close(q))
	}
}

// close ends the page's JSON, with the cursor when more may follow.
func (p *page) close(q query) []byte {
	p.buf = append(p.buf, ']')
	if p.rows > 0 && (p.full || p.rows == q.limit) {
		if q.desc {
			p.buf = append(p.buf, `,"next_before_id":`...)
		} else {
			p.buf = append(p.buf, `,"next_after_id":`...)
		}
		p.buf = strconv.AppendInt(p.buf, p.last, 10)
	}
	return append(p.buf, '}')
}

func (s *Server) getStats(w http.ResponseWriter, r *http.Request) {
	st, err := s.st.stats(r.Context(), &s.tally)
	if err != nil {
		s.internalError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// postReset deletes all rows, counters and fault rules.
func (s *Server) postReset(w http.ResponseWriter, r *http.Request) {
	s.faults.clear()
	s.tally.clear()
	if err := s.st.reset(); err != nil {
		s.internalError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Success bool `json:"success"`
	}{true})
}

// faultsAPI lists (GET), appends (POST) or clears (DELETE) fault rules.
func (s *Server) faultsAPI(w http.ResponseWriter, r *http.Request) {
	type reply struct {
		Success bool        `json:"success"`
		Faults  []faultRule `json:"faults"`
	}
	switch r.Method {
	case http.MethodPost:
		var rule faultRule
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rule); err != nil {
			writeError(w, http.StatusBadRequest, "malformed fault rule: "+err.Error())
			return
		}
		if err := rule.validate(s.cfg.WriteTimeout); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, reply{true, s.faults.add(rule)})
	case http.MethodDelete:
		s.faults.clear()
		writeJSON(w, http.StatusOK, reply{true, []faultRule{}})
	default:
		writeJSON(w, http.StatusOK, reply{true, s.faults.list()})
	}
}

func (s *Server) internalError(w http.ResponseWriter, err error) {
	s.cfg.Logger.Printf("%v", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}
