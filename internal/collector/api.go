package collector

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Read API limits.
const (
	defaultLimit = 1000
	maxLimit     = 10000
)

// api wraps a read-API handler with CORS, preflight and a method check.
func (s *Server) api(h http.HandlerFunc, methods ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allowed := s.cors.apply(w, r); r.Method == http.MethodOptions {
			s.cors.preflight(w, allowed)
			return
		}
		for _, m := range methods {
			if r.Method == m || (m == http.MethodGet && r.Method == http.MethodHead) {
				h(w, r)
				return
			}
		}
		allow := ""
		for _, m := range methods {
			allow += m + ", "
		}
		w.Header().Set("Allow", allow+"OPTIONS")
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	})
}

// parseQuery reads the read-API filters from the URL.
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
	if s := v.Get("after_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return q, "after_id: must be a non-negative integer"
		}
		q.afterID = n
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

func (s *Server) getEvents(w http.ResponseWriter, r *http.Request) {
	q, msg := parseQuery(r)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	events, err := s.st.events(r.Context(), q)
	if err != nil {
		s.internalError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Events []Event `json:"events"`
	}{events})
}

func (s *Server) getCustomers(w http.ResponseWriter, r *http.Request) {
	q, msg := parseQuery(r)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	customers, err := s.st.customers(r.Context(), q)
	if err != nil {
		s.internalError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Customers []Customer `json:"customers"`
	}{customers})
}

func (s *Server) getStats(w http.ResponseWriter, r *http.Request) {
	st, err := s.st.stats(r.Context())
	if err != nil {
		s.internalError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// postReset deletes all rows, counters and fault rules.
func (s *Server) postReset(w http.ResponseWriter, r *http.Request) {
	s.faults.clear()
	if err := s.st.reset(r.Context()); err != nil {
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
		if err := rule.validate(); err != nil {
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
