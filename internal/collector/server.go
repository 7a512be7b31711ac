package collector

import (
	"fmt"
	"net/http"
	"strings"
)

// Server is a collector: an http.Handler over an open SQLite file.
type Server struct {
	cfg      Config
	st       *store
	auth     auth
	cors     cors
	projects map[string]bool
	faults   *faults // nil unless Config.Faults
	limiter  *limiter
	handler  http.Handler
}

// New opens (creating if needed) the database at cfg.DBPath and returns a
// Server ready to serve. Close releases the database.
func New(cfg Config) (*Server, error) {
	cfg.withDefaults()
	if cfg.MaxBody < 0 {
		return nil, fmt.Errorf("collector: max body %d must not be negative", cfg.MaxBody)
	}
	if cfg.Rate < 0 {
		return nil, fmt.Errorf("collector: rate %v must not be negative", cfg.Rate)
	}
	s := &Server{
		cfg:      cfg,
		auth:     auth{keys: nonEmpty(cfg.Keys), private: cfg.Private},
		cors:     newCORS(nonEmpty(cfg.Origins)),
		projects: map[string]bool{},
		limiter:  newLimiter(cfg.Rate),
	}
	for _, p := range nonEmpty(cfg.Projects) {
		s.projects[p] = true
	}
	if cfg.Faults {
		s.faults = &faults{}
	}
	mux, err := s.routes()
	if err != nil {
		return nil, err
	}
	s.handler = mux
	if !s.auth.required() {
		cfg.Logger.Printf("collector: warning: no -keys or -private given, tracking requests need no credentials")
	}
	if s.st, err = openStore(cfg.DBPath); err != nil {
		return nil, err
	}
	return s, nil
}

// routes builds the mux. Static mounts are checked before the database is
// opened, so a bad flag fails fast.
func (s *Server) routes() (*http.ServeMux, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/track/", s.track)
	mux.Handle("/api/events", s.api(s.getEvents, http.MethodGet))
	mux.Handle("/api/customers", s.api(s.getCustomers, http.MethodGet))
	mux.Handle("/api/stats", s.api(s.getStats, http.MethodGet))
	if s.faults != nil {
		mux.Handle("/api/reset", s.api(s.postReset, http.MethodPost))
		mux.Handle("/api/faults", s.api(s.faultsAPI, http.MethodGet, http.MethodPost, http.MethodDelete))
	}
	mux.Handle("/api/", s.api(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	}, http.MethodGet, http.MethodPost, http.MethodDelete))
	mux.HandleFunc("/collector/", s.page)

	root := false
	seen := map[string]bool{}
	for _, m := range s.cfg.Static {
		prefix, err := normalizeMount(m)
		if err != nil {
			return nil, err
		}
		if seen[prefix] {
			return nil, fmt.Errorf("collector: static prefix %s given twice", prefix)
		}
		seen[prefix] = true
		root = root || prefix == "/"
		mux.Handle(prefix, staticHandler(prefix, m.Dir))
	}
	if !root {
		mux.HandleFunc("/{$}", s.page)
	}
	return mux, nil
}

// Handler returns the collector's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close closes the database. Requests still in flight fail; shut the HTTP
// server down first.
func (s *Server) Close() error { return s.st.close() }

// nonEmpty drops blank entries and surrounding spaces, so "a, b," is a, b.
func nonEmpty(list []string) []string {
	var out []string
	for _, v := range list {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
