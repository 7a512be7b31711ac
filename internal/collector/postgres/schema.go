package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations bring an empty database to the current schema, one version
// each; their number is the schema's version. A migration never changes
// once released: a new one is added.
var migrations = []string{
	1: `
CREATE TABLE command_ids (
	project    text NOT NULL,
	command_id text NOT NULL,
	created    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project, command_id)
);
CREATE TABLE events (
	id           bigserial PRIMARY KEY,
	project      text NOT NULL,
	command_id   text,
	customer_ids text NOT NULL,
	event_type   text NOT NULL,
	timestamp    double precision NOT NULL,
	properties   text NOT NULL,
	received_at  double precision NOT NULL
);
CREATE TABLE customers (
	id           bigserial PRIMARY KEY,
	project      text NOT NULL,
	command_id   text,
	customer_ids text NOT NULL,
	properties   text NOT NULL,
	received_at  double precision NOT NULL
);
CREATE TABLE counters (
	instance text NOT NULL,
	name     text NOT NULL,
	value    bigint NOT NULL,
	PRIMARY KEY (instance, name)
);
CREATE TABLE outbox (
	seq           bigserial PRIMARY KEY,
	project       text NOT NULL,
	command_id    text NOT NULL,
	kind          text NOT NULL,
	created_ms    bigint NOT NULL,
	body          text NOT NULL,
	rejections    integer NOT NULL DEFAULT 0,
	not_before_ms bigint NOT NULL DEFAULT 0,
	claimed_by    text,
	claimed_until timestamptz
);
CREATE INDEX outbox_project ON outbox (project, seq);
CREATE TABLE outbox_state (
	project text NOT NULL,
	key     text NOT NULL,
	value   text NOT NULL,
	PRIMARY KEY (project, key)
);
`,
}

// schemaVersion is the version this collector's schema has.
var schemaVersion = len(migrations) - 1

// schemaLock is the advisory lock key held while the schema is checked
// and migrated.
const schemaLock = 0x636f6c6c // "coll"

// migrate brings db to schemaVersion in one transaction under the
// advisory lock: instances that start together wait for the first, then
// find nothing left to do. A database newer than this collector is
// refused.
func migrate(ctx context.Context, db *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&version); err != nil {
			return err
		}
		if version > schemaVersion {
			return fmt.Errorf("the database has schema version %d, newer than this collector's %d", version, schemaVersion)
		}
		for v := version + 1; v <= schemaVersion; v++ {
			if _, err := tx.Exec(ctx, migrations[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v); err != nil {
				return err
			}
		}
		return nil
	})
}
