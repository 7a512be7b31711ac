package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/exponea-wasm/tracker/internal/collector/store"
)

// Defaults of Options.
const (
	DefaultConns = 8
	DefaultLease = 2 * time.Minute
)

// Options tune a Store; the zero value is the default.
type Options struct {
	// Conns is the size of the connection pool (DefaultConns): the
	// writer's, the reads', and the relay's outbox work.
	Conns int
	// Lease is how long a relay's claim on outbox rows lasts without
	// renewal (DefaultLease). It must be longer than an upstream request
	// may take, or a live relay's rows could be taken over.
	Lease time.Duration
	// TallyEvery is how often the counts of requests that stored nothing
	// are written (1 s).
	TallyEvery time.Duration
	// Logf receives errors of the background writes; nil discards them.
	Logf func(format string, args ...any)
}

// Store is the collector's storage on one PostgreSQL database, shared
// with any number of other collectors and relays.
type Store struct {
	db       *pgxpool.Pool
	instance string // this process's name in counters and outbox claims
	lease    time.Duration
	wr       *store.Group[*job]
	tally    store.Tally
	stop     chan struct{}
	done     chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// IsURL reports whether dsn names a PostgreSQL database rather than a
// file: postgres:// or postgresql://.
func IsURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database at url (a pgx connection string), creates
// or migrates the schema, and starts the writer.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	if opt.Conns == 0 {
		opt.Conns = DefaultConns
	}
	if opt.Lease == 0 {
		opt.Lease = DefaultLease
	}
	if opt.TallyEvery == 0 {
		opt.TallyEvery = time.Second
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	if opt.Conns < 2 || opt.Lease < 0 {
		return nil, errors.New("postgres: the pool needs 2 connections at least, and the lease must not be negative")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cfg.MaxConns = int32(opt.Conns)
	db, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: schema: %w", err)
	}
	st := &Store{db: db, instance: uuid.NewString(), lease: opt.Lease, wr: store.NewGroup[*job](),
		stop: make(chan struct{}), done: make(chan struct{})}
	go st.wr.Run(st.commitGroup)
	go func() {
		defer close(st.done)
		st.tally.Run(st.writeCounts, opt.TallyEvery, st.stop, opt.Logf)
	}()
	return st, nil
}

// Close writes the pending counts, stops the writer and closes the pool.
// Calls after the first return its result.
func (st *Store) Close() error {
	st.closeOnce.Do(func() {
		close(st.stop)
		<-st.done
		st.wr.Stop()
		st.db.Close()
	})
	return st.closeErr
}

// Ping checks that the database answers.
func (st *Store) Ping(ctx context.Context) error {
	if err := st.db.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// Reset deletes every stored row, counter and remembered id, of every
// instance, and this instance's counts not yet written. Ids keep growing
// (the sequences are not restarted), so a reader paging by id misses
// nothing written after.
func (st *Store) Reset(ctx context.Context) error {
	st.tally.Clear()
	if _, err := st.db.Exec(ctx, `TRUNCATE command_ids, events, customers, counters, outbox, outbox_state`); err != nil {
		return fmt.Errorf("postgres: reset: %w", err)
	}
	return nil
}
