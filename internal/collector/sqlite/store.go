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

// schemaVersion is PRAGMA user_version of a file with this schema.
// Version 0 is the schema before it: a commands table as the dedupe ledger
// (a B-tree on random ids) and indexes the reads did not need.
const schemaVersion = 3

// schema creates the tables. The only indexes are the row ids, which grow
// with each insert, so a write touches the last pages of each table and
// little else; reads page by id (see read.go), and dedupe is in
// memory (see seen). AUTOINCREMENT keeps ids growing even after a reset,
// so a reader polling with after_id never misses a row; the outbox relies
// on it too (a queue.Store's Seq only grows).
const schema = `
CREATE TABLE IF NOT EXISTS ledger (
	seq     INTEGER PRIMARY KEY,
	key     BLOB NOT NULL,
	project TEXT NOT NULL DEFAULT ''
);
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
CREATE TABLE IF NOT EXISTS customers (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	project      TEXT NOT NULL,
	command_id   TEXT,
	customer_ids TEXT NOT NULL,
	properties   TEXT NOT NULL,
	received_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	project     TEXT NOT NULL,
	command_id  TEXT NOT NULL,
	kind        TEXT NOT NULL,
	created_ms  INTEGER NOT NULL,
	body        TEXT NOT NULL,
	rejections  INTEGER NOT NULL DEFAULT 0,
	not_before_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_project ON outbox (project, seq);
CREATE TABLE IF NOT EXISTS outbox_state (
	project TEXT NOT NULL,
	key     TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (project, key)
) WITHOUT ROWID;
`

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

// trimLedger keeps only what each window can hold: the newest keep keys
// of each; older keys were forgotten by the last run already. The cut of
// each window is found once, by a scan from the newest row down.
func (st *Store) trimLedger(ctx context.Context, keep int) error {
	rows, err := st.w.QueryContext(ctx, `SELECT DISTINCT project FROM ledger`)
	if err != nil {
		return fmt.Errorf("sqlite: trim ledger: %w", err)
	}
	var windows []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: trim ledger: %w", err)
		}
		windows = append(windows, p)
	}
	rows.Close()
	for _, p := range windows {
		var cut int64
		err := st.w.QueryRowContext(ctx, `SELECT seq FROM ledger WHERE project = ? ORDER BY seq DESC LIMIT 1 OFFSET ?`, p, keep).Scan(&cut)
		if err == sql.ErrNoRows {
			continue
		}
		if err == nil {
			_, err = st.w.ExecContext(ctx, `DELETE FROM ledger WHERE project = ? AND seq <= ?`, p, cut)
		}
		if err != nil {
			return fmt.Errorf("sqlite: trim ledger: %w", err)
		}
	}
	return nil
}

// migrate brings a version 0 file to this schema in one transaction: the
// command ids of the old ledger move to the new one, and the indexes no
// read needs are dropped.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var old int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'commands'`).Scan(&old); err != nil {
		return err
	}
	if old > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT project, command_id FROM commands ORDER BY received_at`)
		if err != nil {
			return err
		}
		var keys [][]byte
		for rows.Next() {
			var p, id string
			if err := rows.Scan(&p, &id); err != nil {
				rows.Close()
				return err
			}
			k := keyOf(p, id)
			keys = append(keys, k[:])
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO ledger (key) VALUES (?)`, k); err != nil {
				return err
			}
		}
	}
	var perProject int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('ledger') WHERE name = 'project'`).Scan(&perProject); err != nil {
		return err
	}
	if perProject == 0 { // version 2: the ledger's ids are of no project in particular
		if _, err := tx.ExecContext(ctx, `ALTER TABLE ledger ADD COLUMN project TEXT NOT NULL DEFAULT ''`); err != nil {
			return err
		}
	}
	for _, stmt := range []string{
		`DROP TABLE IF EXISTS commands`,
		`DROP INDEX IF EXISTS events_command`, `DROP INDEX IF EXISTS events_cookie`,
		`DROP INDEX IF EXISTS customers_command`, `DROP INDEX IF EXISTS customers_cookie`,
		fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion),
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
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
