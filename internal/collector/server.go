package collector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
)

// Server is a collector: an HTTP server on its own listener over an open
// SQLite file.
type Server struct {
	cfg      Config
	st       *store
	auth     auth
	reads    readAccess
	hosts    hostCheck
	cors     cors
	projects map[string]bool
	faults   *faults // nil unless Config.Faults
	limiter  *limiter
	tally    tally
	relay    *relay // nil unless Config.Forward
	ln       net.Listener
	hs       *http.Server

	stop     chan struct{} // closed by Shutdown: background loops end
	bg       sync.WaitGroup
	shutOnce sync.Once
	shutErr  error
}

// New opens (creating if needed) the database at cfg.DBPath, listens on
// cfg.Addr and returns a Server ready to Serve. Shutdown releases both.
func New(cfg Config) (*Server, error) {
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	if cfg.DBPath == "" {
		return nil, errors.New("collector: empty database path")
	}
	s := &Server{
		cfg:      cfg,
		auth:     auth{keys: nonEmpty(cfg.Keys), private: cfg.Private},
		cors:     newCORS(nonEmpty(cfg.Origins)),
		projects: map[string]bool{},
		limiter:  newLimiter(cfg.Rate),
		stop:     make(chan struct{}),
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
	if cfg.Forward != "" && len(s.projects) == 0 {
		return nil, errors.New("collector: -forward needs -projects: the relay forwards only the projects it is given")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("collector: listen: %w", err)
	}
	loopback := isLoopback(ln.Addr())
	if cfg.Faults && !loopback {
		ln.Close()
		return nil, fmt.Errorf("collector: -faults is refused on %s: it is only served on a loopback address", ln.Addr())
	}
	s.hosts = newHostCheck(nonEmpty(cfg.Hosts), ln.Addr(), loopback)
	s.reads = readAccess{keys: nonEmpty(cfg.ReadKeys), private: cfg.Private, open: cfg.OpenReads, loopback: loopback}
	if s.st, err = openStore(cfg.DBPath, cfg.DedupeIDs); err != nil {
		ln.Close()
		return nil, err
	}
	if cfg.Forward != "" {
		if s.relay, err = newRelay(s, cfg); err != nil {
			ln.Close()
			s.st.close()
			return nil, err
		}
	}
	s.ln = newLimitListener(ln, cfg.MaxConns)
	s.hs = &http.Server{
		Handler:           s.checkHost(mux),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          cfg.Logger,
	}
	s.warn(loopback)
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.tally.run(s.st.wr, cfg.tallyEvery, s.stop, cfg.Logger.Printf)
	}()
	if s.relay != nil {
		s.relay.start()
	}
	return s, nil
}

// warn logs what is open that should not be on the internet.
func (s *Server) warn(loopback bool) {
	logf := s.cfg.Logger.Printf
	if !s.auth.required() {
		logf("collector: warning: no -keys or -private given, tracking requests need no credentials")
	}
	switch {
	case s.reads.open && !loopback:
		logf("collector: WARNING: -open-reads on %s: anyone who can reach this address can read every "+
			"stored customer id and property through /api/ and /collector/", s.ln.Addr())
	case !loopback && len(s.reads.keys) == 0 && len(s.reads.private) == 0:
		logf("collector: reads (/api/, /collector/) are refused on %s: set -read-keys to read", s.ln.Addr())
	}
	if !loopback && s.hosts.any {
		logf("collector: warning: any Host header is accepted on %s; set -hosts to the names clients use", s.ln.Addr())
	}
}

// checkHost refuses a request for a host the collector does not serve
// with 421 Misdirected Request.
func (s *Server) checkHost(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hosts.allows(r) {
			writeError(w, http.StatusMisdirectedRequest, "unknown host: set -hosts to serve it")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// routes builds the mux. Static mounts are checked before the database is
// opened, so a bad flag fails fast.
func (s *Server) routes() (*http.ServeMux, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/track/", s.track)
	mux.Handle("/api/events", s.api(s.listRows(eventsTable, "events"), http.MethodGet))
	mux.Handle("/api/customers", s.api(s.listRows(customersTable, "customers"), http.MethodGet))
	mux.Handle("/api/outbox", s.api(s.listOutbox, http.MethodGet))
	mux.Handle("/api/stats", s.api(s.getStats, http.MethodGet))
	if s.faults != nil {
		mux.Handle("/api/reset", s.faultsOnly(s.postReset, http.MethodPost))
		mux.Handle("/api/faults", s.faultsOnly(s.faultsAPI, http.MethodGet, http.MethodPost, http.MethodDelete))
	}
	mux.Handle("/api/", s.api(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	}, http.MethodGet, http.MethodPost, http.MethodDelete))
	mux.Handle("/collector/", s.pageAccess(s.page))

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
		mux.Handle("/{$}", s.pageAccess(s.page))
	}
	return mux, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve answers requests until Shutdown; it then returns nil.
func (s *Server) Serve() error {
	if err := s.hs.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("collector: serve: %w", err)
	}
	return nil
}

// Shutdown stops accepting requests, waits for those in flight (until ctx
// ends), stops the relay, writes the request counts and closes the
// database. Calls after the first return its result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutOnce.Do(func() {
		err := s.hs.Shutdown(ctx)
		if err != nil {
			s.hs.Close()
		}
		s.ln.Close() // in case Serve never ran
		close(s.stop)
		if s.relay != nil {
			s.relay.wait()
		}
		s.bg.Wait()
		s.shutErr = errors.Join(err, s.st.close())
	})
	return s.shutErr
}

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
