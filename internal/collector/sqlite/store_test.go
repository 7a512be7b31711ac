package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/exponea-wasm/tracker/internal/collector/store"
)

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keep.db")
	st := open(t, path, Options{})
	commit(t, st, "p", ev("e1", "x"), cu("u1"))
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st2 := open(t, path, Options{})
	if s := stats(t, st2); s.Events != 1 || s.Customers != 1 {
		t.Fatalf("after reopen: %d events, %d customers; want 1, 1", s.Events, s.Customers)
	}
	// The dedupe ledger and the counters survived too.
	commit(t, st2, "p", ev("e1", "x"))
	s := stats(t, st2)
	if s.Events != 1 || s.DuplicatesReceived != 1 || s.CommandsReceived != 3 || s.RequestsByStatus["200"] != 2 {
		t.Errorf("stats after reopen: got %+v", s)
	}
}

// TestDedupeWindow: the newest ids are remembered, between DedupeIDs/2
// and DedupeIDs of them; older ones are forgotten, in memory and on disk.
func TestDedupeWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	st := open(t, path, Options{DedupeIDs: 4})
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		commit(t, st, "p", ev(id, "x"))
	}
	commit(t, st, "p", ev("e", "x"), ev("d", "x"), ev("a", "x"))
	if s := stats(t, st); s.Events != 6 || s.DuplicatesReceived != 2 {
		t.Errorf("got %d events, %d duplicates; want 6 (a forgotten, stored again), 2 (d, e)", s.Events, s.DuplicatesReceived)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// After a restart the ledger gives back the newest ids.
	st2 := open(t, path, Options{DedupeIDs: 4})
	commit(t, st2, "p", ev("a", "x"), ev("b", "x"))
	if s := stats(t, st2); s.Events != 7 || s.DuplicatesReceived != 3 {
		t.Errorf("after restart: got %d events, %d duplicates; want 7 (b stored again), 3 (a)", s.Events, s.DuplicatesReceived)
	}
	var ledger int
	st2.r.QueryRow(`SELECT COUNT(*) FROM ledger`).Scan(&ledger)
	if ledger > 4+2 {
		t.Errorf("ledger holds %d keys, want those of the window (4) and the new ones", ledger)
	}
}

// TestMigrateVersion0: a file of the schema before this one keeps its
// rows and its dedupe ledger, and loses the indexes no read needs.
func TestMigrateVersion0(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{schemaVersion0,
		`INSERT INTO commands VALUES ('p', 'old-1', 1), ('p', 'old-2', 2)`,
		`INSERT INTO events (project, command_id, customer_ids, event_type, timestamp, properties, received_at)
		 VALUES ('p', 'old-1', '{"cookie":"c"}', 'x', 1.5, '{}', 1)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	st := open(t, path, Options{})
	commit(t, st, "p", ev("old-1", "x"), ev("old-2", "x"), ev("new", "x"))
	if s := stats(t, st); s.Events != 2 || s.DuplicatesReceived != 2 {
		t.Errorf("got %+v, want 2 events (old-1 and new), 2 duplicates", s)
	}
	var version, indexes, commands int
	st.r.QueryRow(`PRAGMA user_version`).Scan(&version)
	st.r.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' AND name != 'outbox_project'`).Scan(&indexes)
	st.r.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'commands'`).Scan(&commands)
	if version != schemaVersion || indexes != 0 || commands != 0 {
		t.Errorf("user_version %d, %d old indexes, commands table %d; want %d, 0, 0", version, indexes, commands, schemaVersion)
	}
	p := store.NewPage(store.Events, store.Query{Limit: 10}, 1<<20)
	if err := st.Read(context.Background(), store.Events, store.Query{Limit: 10}, p); err != nil {
		t.Fatal(err)
	}
	if got := string(p.Close(store.Query{Limit: 10})); got[:30] != `{"events":[{"id":1,"project":"` {
		t.Errorf("the old row reads back as %s", got)
	}
}

// schemaVersion0 is the schema before version 2, as the collector created it.
const schemaVersion0 = `
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

// TestMigrateVersion2: the ids of a ledger from before per-project
// windows (whose project is not recorded) still count as stored, in the
// shared window, for a project that now has a window of its own.
func TestMigrateVersion2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	k := keyOf("p", "old")
	for _, q := range []string{`CREATE TABLE ledger (seq INTEGER PRIMARY KEY, key BLOB NOT NULL)`, `PRAGMA user_version = 2`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO ledger (key) VALUES (?)`, k[:]); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st := open(t, path, Options{Projects: []string{"p"}})
	commit(t, st, "p", ev("old", "x"), ev("new", "x"))
	if s := stats(t, st); s.Events != 1 || s.DuplicatesReceived != 1 {
		t.Errorf("got %d events, %d duplicates; want 1 (new), 1 (old)", s.Events, s.DuplicatesReceived)
	}
	var version int
	st.r.QueryRow(`PRAGMA user_version`).Scan(&version)
	if version != schemaVersion {
		t.Errorf("user_version %d, want %d", version, schemaVersion)
	}
}
