package collector

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/ingest"
	"github.com/exponea-wasm/tracker/internal/collector/postgres"
	"github.com/exponea-wasm/tracker/internal/collector/readapi"
	"github.com/exponea-wasm/tracker/internal/collector/relay"
	"github.com/exponea-wasm/tracker/internal/collector/reply"
	"github.com/exponea-wasm/tracker/internal/collector/sqlite"
)

// backend is a storage backend: the SQLite file, or PostgreSQL.
type backend interface {
	ingest.Store
	readapi.Reader
	relay.Outboxes
	Reset(ctx context.Context) error
	Ping(ctx context.Context) error
	Close() error
}

// openBackend opens cfg.DBPath: a postgres:// URL, or a SQLite file. It
// returns how often an idle relay should look at a shared outbox (0: not
// shared).
func openBackend(cfg Config) (backend, time.Duration, error) {
	if postgres.IsURL(cfg.DBPath) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		st, err := postgres.Open(ctx, cfg.DBPath, postgres.Options{Conns: cfg.DBConns, Lease: cfg.OutboxLease,
			TallyEvery: cfg.tallyEvery, Logf: cfg.Logger.Printf})
		if err != nil {
			return nil, 0, fmt.Errorf("collector: %w", err)
		}
		lease := cfg.OutboxLease
		if lease == 0 {
			lease = postgres.DefaultLease
		}
		return st, max(lease/4, 10*time.Millisecond), nil
	}
	st, err := sqlite.Open(cfg.DBPath, sqlite.Options{DedupeIDs: cfg.DedupeIDs, Projects: nonEmpty(cfg.Projects),
		TallyEvery: cfg.tallyEvery, Logf: cfg.Logger.Printf})
	if err != nil {
		return nil, 0, fmt.Errorf("collector: %w", err)
	}
	return st, 0, nil
}

// health answers GET /healthz: 200 when the database answers, else 503.
// It needs no credentials and tells nothing stored.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if !reply.Method(w, r, http.MethodGet) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		s.cfg.Logger.Printf("collector: health: %v", err)
		reply.Error(w, http.StatusServiceUnavailable, "database unavailable")
		return
	}
	reply.JSON(w, http.StatusOK, struct {
		Success bool `json:"success"`
	}{true})
}
