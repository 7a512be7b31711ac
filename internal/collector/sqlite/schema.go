package sqlite

import (
	"context"
	"database/sql"
	"fmt"
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
