package collector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/access"
	"github.com/exponea-wasm/tracker/internal/collector/conns"
	"github.com/exponea-wasm/tracker/internal/collector/faults"
	"github.com/exponea-wasm/tracker/internal/collector/ingest"
	"github.com/exponea-wasm/tracker/internal/collector/readapi"
	"github.com/exponea-wasm/tracker/internal/collector/relay"
	"github.com/exponea-wasm/tracker/internal/collector/reply"
	"github.com/exponea-wasm/tracker/internal/collector/static"
)

// Server is a collector: an HTTP server on its own listener over an open
// database.
type Server struct {
	cfg      Config
	st       backend
	tracking access.Tracking
	reads    access.Reads
	hosts    access.Hosts
	relay    *relay.Relay // nil unless Config.Forward
	ln       net.Listener
	hs       *http.Server

	stop     chan struct{} // closed by Shutdown: background loops end
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
	mounts, err := staticMounts(cfg.Static)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		tracking: access.Tracking{Keys: nonEmpty(cfg.Keys), Private: cfg.Private},
		stop:     make(chan struct{}),
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
	s.hosts = access.NewHosts(nonEmpty(cfg.Hosts), ln.Addr(), loopback)
	s.reads = access.Reads{Keys: nonEmpty(cfg.ReadKeys), Private: cfg.Private, Open: cfg.OpenReads, Loopback: loopback}
	var poll time.Duration
	if s.st, poll, err = openBackend(cfg); err != nil {
		ln.Close()
		return nil, err
	}
	if cfg.Forward != "" {
		s.relay, err = relay.New(relay.Config{Forward: cfg.Forward, Key: cfg.ForwardKey, AllowHTTP: cfg.ForwardAllowHTTP, Projects: nonEmpty(cfg.Projects),
			Outboxes: s.st, Backoff: cfg.relayBackoff, Poll: poll, Logf: cfg.Logger.Printf})
		if err != nil {
			ln.Close()
			s.st.Close()
			return nil, fmt.Errorf("collector: %w", err)
		}
	}
	mux, err := s.routes(mounts)
	if err != nil {
		ln.Close()
		s.st.Close()
		return nil, err
	}
	limited := conns.New(ln, cfg.MaxConns, cfg.MaxClientConns)
	s.ln = limited
	s.hs = &http.Server{
		Handler:           s.checkHost(mux),
		ConnState:         limited.ConnState,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          cfg.Logger,
	}
	s.warn(loopback)
	if s.relay != nil {
		s.relay.Start(s.stop)
	}
	return s, nil
}

// warn logs what is open that should not be on the internet.
func (s *Server) warn(loopback bool) {
	logf := s.cfg.Logger.Printf
	if !s.tracking.Required() {
		logf("collector: warning: no -keys or -private given, tracking requests need no credentials")
	}
	switch {
	case s.reads.Open && !loopback:
		logf("collector: WARNING: -open-reads on %s: anyone who can reach this address can read every "+
			"stored customer id and property through /api/ and /collector/", s.ln.Addr())
	case !loopback && s.reads.Keyless():
		logf("collector: reads (/api/, /collector/) are refused on %s: set -read-keys to read", s.ln.Addr())
	}
	if !loopback && s.hosts.Any {
		logf("collector: warning: any Host header is accepted on %s; set -hosts to the names clients use", s.ln.Addr())
	}
}

// checkHost refuses a request for a host the collector does not serve
// with 421 Misdirected Request.
func (s *Server) checkHost(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hosts.Allows(r) {
			reply.Error(w, http.StatusMisdirectedRequest, "unknown host: set -hosts to serve it")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// reserved are the collector's own path prefixes; no static mount may
// shadow them.
var reserved = []string{ingest.Prefix, "/track/", "/api/", "/collector/", "/healthz"}

// staticMounts checks the mounts before anything is opened, so a bad flag
// fails fast, and returns them by their normalized prefix.
func staticMounts(mounts []static.Mount) (map[string]string, error) {
	out := map[string]string{}
	for _, m := range mounts {
		prefix, err := static.Normalize(m, reserved)
		if err != nil {
			return nil, fmt.Errorf("collector: %w", err)
		}
		if _, twice := out[prefix]; twice {
			return nil, fmt.Errorf("collector: static prefix %s given twice", prefix)
		}
		out[prefix] = m.Dir
	}
	return out, nil
}

// routes builds the mux: tracking, the read API and its page, the faults
// API when enabled, and the static mounts.
func (s *Server) routes(mounts map[string]string) (*http.ServeMux, error) {
	mux := http.NewServeMux()
	cors := access.NewCORS(nonEmpty(s.cfg.Origins))
	var rules *faults.Rules
	if s.cfg.Faults {
		rules = &faults.Rules{}
		api := &faults.API{Rules: rules, Access: s.reads, Reset: s.st.Reset, WriteTimeout: s.cfg.WriteTimeout, Logf: s.cfg.Logger.Printf}
		api.Register(mux)
	}
	tc := ingest.Config{Store: s.st, Tracking: s.tracking, CORS: cors, Projects: nonEmpty(s.cfg.Projects),
		Faults: rules, Rate: s.cfg.Rate, MaxBody: s.cfg.MaxBody, Now: s.cfg.Now, Logf: s.cfg.Logger.Printf,
		Pace: ingest.Pace{Base: s.cfg.BodyTimeout, Rate: s.cfg.MinBodyRate, Limit: s.cfg.ReadTimeout}}
	if s.relay != nil {
		tc.Relay, tc.Stored = true, s.relay.Kick
	}
	mux.Handle("/track/", ingest.New(tc))
	mux.HandleFunc("/healthz", s.health)
	reads := &readapi.API{Store: s.st, Access: s.reads, CORS: access.NewCORS(nonEmpty(s.cfg.ReadOrigins)),
		MaxBytes: s.cfg.MaxReadBytes, MaxHeld: s.cfg.MaxReadMemory, Logf: s.cfg.Logger.Printf}
	_, root := mounts["/"]
	reads.Register(mux, !root)
	for prefix, dir := range mounts {
		h, err := static.Handler(prefix, dir)
		if err != nil {
			return nil, fmt.Errorf("collector: %w", err)
		}
		mux.Handle(prefix, h)
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
// ends), stops the relay, and closes the database (which writes the
// request counts). Calls after the first return its result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutOnce.Do(func() {
		err := s.hs.Shutdown(ctx)
		if err != nil {
			s.hs.Close()
		}
		s.ln.Close() // in case Serve never ran
		close(s.stop)
		if s.relay != nil {
			s.relay.Wait()
		}
		s.shutErr = errors.Join(err, s.st.Close())
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
