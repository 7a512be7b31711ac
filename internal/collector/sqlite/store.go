package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/exponea-wasm/tracker/internal/collector/store"
)

// Store owns the SQLite file: one write connection, driven by the writer,
// and a read pool.
type Store struct {
	w     *sql.DB // exactly one connection, used by the writer goroutine
	r     *sql.DB // readers; WAL lets them run while the writer commits
	wr    *writer
	seen  *windows        // written only in writer jobs
	own   map[string]bool // the projects with a dedupe window of their own
	tally store.Tally
	stop  chan struct{} // closed by Close: the tally's loop ends
	done  chan struct{} // closed when it has

	closeOnce sync.Once
	closeErr  error
}

// Options tune a Store; the zero value is the default.
type Options struct {
	// DedupeIDs is how many command ids are remembered for dedupe
	// (DefaultDedupeIDs), for each of Projects, and for all others
	// together.
	DedupeIDs int
	// Projects are the projects that get a dedupe window of their own.
	Projects []string
	// TallyEvery is how often the counts of requests that stored nothing
	// are written (1 s).
	TallyEvery time.Duration
	// Logf receives errors of the background writes; nil discards them.
	Logf func(format string, args ...any)
}

// Open opens (creating if needed) the database at path.
//
// Durability: journal_mode=WAL with synchronous=FULL. In WAL mode NORMAL
// only syncs at checkpoints, so a commit survives a process crash but can
// be lost on power failure or an OS crash; the collector promises that a
// 200 means stored, so every commit fsyncs the WAL (FULL). Group commit
// (writer) shares that fsync between the requests of one transaction.
// busy_timeout covers the remaining lock waits (readers during a
// checkpoint, another process opening the file); _txlock=immediate takes
// the write lock at BEGIN so a transaction never has to upgrade a read
// lock and fail.
func Open(path string, opt Options) (*Store, error) {
	if opt.DedupeIDs == 0 {
		opt.DedupeIDs = DefaultDedupeIDs
	}
	if opt.TallyEvery == 0 {
		opt.TallyEvery = time.Second
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	dedupeIDs := opt.DedupeIDs
	switch {
	case path == "":
		return nil, errors.New("sqlite: empty database path")
	case path == ":memory:":
		// Reads would wait for the one connection the writer holds.
		return nil, errors.New("sqlite: the database must be a file, not :memory:")
	case strings.ContainsAny(path, "?#"):
		return nil, fmt.Errorf("sqlite: database path %q must not contain '?' or '#'", path)
	case dedupeIDs < 0:
		return nil, errors.New("sqlite: dedupe ids must not be negative")
	}
	const common = "_busy_timeout=10000"
	w, err := sql.Open("sqlite", path+"?"+common+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open database: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	st := &Store{w: w, seen: newWindows(opt.Projects, dedupeIDs), own: map[string]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	for _, p := range opt.Projects {
		st.own[p] = true
	}
	if err := st.prepare(path, dedupeIDs); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open database for reading: %w", err)
	}
	r.SetMaxOpenConns(4)
	st.r = r
	st.wr = newWriter(st)
	go func() {
		defer close(st.done)
		st.tally.Run(st.writeCounts, opt.TallyEvery, st.stop, opt.Logf)
	}()
	return st, nil
}

// prepare creates or migrates the schema and loads the dedupe index.
func (st *Store) prepare(path string, dedupeIDs int) error {
	ctx := context.Background()
	var version int
	if err := st.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if version > schemaVersion {
		return fmt.Errorf("sqlite: %s has schema version %d, newer than this collector's %d", path, version, schemaVersion)
	}
	if _, err := st.w.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("sqlite: create schema in %s: %w", path, err)
	}
	if version < schemaVersion {
		if err := migrate(ctx, st.w); err != nil {
			return fmt.Errorf("sqlite: migrate %s: %w", path, err)
		}
	}
	if err := st.trimLedger(ctx, dedupeIDs); err != nil {
		return err
	}
	rows, err := st.w.QueryContext(ctx, `SELECT project, key FROM ledger ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("sqlite: read ledger: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var project string
		var b []byte
		if err := rows.Scan(&project, &b); err != nil {
			return fmt.Errorf("sqlite: read ledger: %w", err)
		}
		var k idKey
		copy(k[:], b)
		st.seen.of(project).add(k)
	}
	return rows.Err()
}

// Close writes the pending counts, stops the writer and closes both
// pools. Calls after the first return its result.
func (st *Store) Close() error {
	st.closeOnce.Do(func() {
		close(st.stop)
		<-st.done
		st.wr.group.Stop()
		// Readers first: the last connection to close checkpoints the WAL
		// into the database file, and that should be the one allowed to
		// write.
		if err := errors.Join(st.r.Close(), st.w.Close()); err != nil {
			st.closeErr = fmt.Errorf("sqlite: close database: %w", err)
		}
	})
	return st.closeErr
}

// Reset deletes every stored row, counter and remembered id in one
// transaction, and the counts not yet written.
func (st *Store) Reset(ctx context.Context) error {
	st.tally.Clear()
	var forgotten *windows
	err := st.wr.do(func(g *group) error {
		for _, table := range []string{"ledger", "events", "customers", "counters", "outbox", "outbox_state"} {
			if _, err := g.tx.ExecContext(g.ctx, "DELETE FROM "+table); err != nil {
				return fmt.Errorf("sqlite: reset %s: %w", table, err)
			}
		}
		forgotten = st.seen.empty()
		return nil
	}, func(err error) {
		if err == nil {
			st.seen = forgotten
		}
	}, false)
	return err
}

// Ping checks that the file can be read.
func (st *Store) Ping(ctx context.Context) error {
	if err := st.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}
