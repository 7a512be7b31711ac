package collector

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// schema creates the tables. AUTOINCREMENT keeps ids growing even after a
// reset, so a reader polling with after_id never misses a row. The commands
// table is the dedupe ledger: its primary key is the UNIQUE constraint that
// makes "INSERT ... ON CONFLICT DO NOTHING" report a duplicate, whichever
// kind of command carried the id.
const schema = `
CREATE TABLE IF NOT EXISTS commands (
	project     TEXT NOT NULL,
	command_id  TEXT NOT NULL,
	received_at REAL NOT NULL,
	PRIMARY KEY (project, command_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	project      TEXT NOT NULL,
	command_id   TEXT,
	customer_ids TEXT NOT NULL,
	event_type   TEXT NOT NULL,
	timestamp    REAL NOT NULL,
	properties   TEXT NOT NULL,
	received_at  REAL NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_command ON events (project, command_id);
CREATE INDEX IF NOT EXISTS events_cookie ON events (json_extract(customer_ids, '$.cookie'));
CREATE TABLE IF NOT EXISTS customers (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	project      TEXT NOT NULL,
	command_id   TEXT,
	customer_ids TEXT NOT NULL,
	properties   TEXT NOT NULL,
	received_at  REAL NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS customers_command ON customers (project, command_id);
CREATE INDEX IF NOT EXISTS customers_cookie ON customers (json_extract(customer_ids, '$.cookie'));
CREATE TABLE IF NOT EXISTS counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
`

// store owns the SQLite file: one write connection and a read pool.
type store struct {
	w *sql.DB // exactly one connection: writers queue here, never on SQLITE_BUSY
	r *sql.DB // readers; WAL lets them run while the writer commits
}

// openStore opens (creating if needed) the database at path.
//
// Durability: journal_mode=WAL with synchronous=FULL. In WAL mode NORMAL
// only syncs at checkpoints, so a commit survives a process crash but can be
// lost on power failure or an OS crash; the collector promises that a 200
// means stored, so every commit fsyncs the WAL (FULL). The cost is one fsync
// per request, which is fine for a demo and test backend.
// busy_timeout covers the remaining lock waits (readers during a checkpoint,
// another process opening the file); _txlock=immediate takes the write lock
// at BEGIN so a transaction never has to upgrade a read lock and fail.
func openStore(path string) (*store, error) {
	if path == "" {
		return nil, errors.New("collector: empty database path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("collector: database path %q must not contain '?' or '#'", path)
	}
	const common = "_busy_timeout=10000"
	w, err := sql.Open("sqlite", path+"?"+common+"&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("collector: open database: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if _, err := w.Exec(schema); err != nil {
		w.Close()
		return nil, fmt.Errorf("collector: create schema in %s: %w", path, err)
	}
	st := &store{w: w, r: w}
	if path != ":memory:" { // an in-memory database exists only on its one connection
		r, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("collector: open database for reading: %w", err)
		}
		r.SetMaxOpenConns(4)
		st.r = r
	}
	return st, nil
}

// close closes both pools.
func (st *store) close() error {
	// Readers first: the last connection to close checkpoints the WAL into
	// the database file, and that should be the one allowed to write.
	var err error
	if st.r != st.w {
		err = st.r.Close()
	}
	err = errors.Join(err, st.w.Close())
	if err != nil {
		return fmt.Errorf("collector: close database: %w", err)
	}
	return nil
}

// reset deletes every stored row and counter in one transaction.
func (st *store) reset(ctx context.Context) error {
	tx, err := st.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("collector: reset: %w", err)
	}
	defer tx.Rollback()
	for _, table := range []string{"commands", "events", "customers", "counters"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("collector: reset %s: %w", table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("collector: reset: %w", err)
	}
	return nil
}
