package collector

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func TestDuplicateCommandIDs(t *testing.T) {
	h := newHarness(t, Config{})
	// Same request: the second e1 is a duplicate, u1 dedupes across kinds'
	// ledger too, and commands without an id are always stored.
	r := h.batch("p", ev("e1", "c", "a"), ev("e1", "c", "a"), cu("u1", "c"), ev("", "c", "noid"), ev("", "c", "noid"))
	br := decode[batchResult](t, r)
	for i, res := range br.Results {
		if !res.Success {
			t.Errorf("result %d: got %+v, want success", i, res)
		}
	}
	// Across requests, and per project: p2 may reuse e1.
	wantStatus(t, h.batch("p", ev("e1", "c", "a"), cu("u1", "c"), ev("e2", "c", "b")), 200)
	wantStatus(t, h.batch("p2", ev("e1", "c", "a")), 200)

	tests := []struct {
		query string
		want  int
	}{
		{"project=p&event_type=a", 1},
		{"project=p&event_type=noid", 2},
		{"project=p&event_type=b", 1},
		{"project=p2", 1},
	}
	for _, tt := range tests {
		if got := len(h.events(tt.query)); got != tt.want {
			t.Errorf("events?%s: got %d, want %d", tt.query, got, tt.want)
		}
	}
	if got := len(h.customers("")); got != 1 {
		t.Errorf("customers: got %d, want 1", got)
	}
	st := h.stats()
	if st.CommandsReceived != 9 || st.DuplicatesReceived != 3 {
		t.Errorf("stats: got %+v, want 9 commands, 3 duplicates", st)
	}
}

func TestDuplicatesUnderConcurrency(t *testing.T) {
	h := newHarness(t, Config{})
	const requests, perRequest = 20, 10
	id := func(i, j int) string { return fmt.Sprintf("id-%d", (i*3+j)%25) } // heavily overlapping
	all := map[string]bool{}
	for i := range requests {
		for j := range perRequest {
			all[id(i, j)] = true
		}
	}
	distinct := len(all)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cmds []string
			for j := range perRequest {
				cmds = append(cmds, ev(id(i, j), "c", "x"))
			}
			r, err := h.send("POST", "/track/v2/projects/p/batch", batchBody(cmds...), nil)
			if err != nil || r.status != 200 {
				t.Errorf("request %d: %v %d %s", i, err, r.status, r.body)
			}
		}()
	}
	wg.Wait()
	events := h.events("")
	seen := map[string]bool{}
	for _, e := range events {
		if seen[*e.CommandID] {
			t.Errorf("command %s stored twice", *e.CommandID)
		}
		seen[*e.CommandID] = true
	}
	if len(events) != distinct {
		t.Errorf("stored: got %d, want %d", len(events), distinct)
	}
	st := h.stats()
	if st.CommandsReceived != requests*perRequest || st.DuplicatesReceived != int64(requests*perRequest-distinct) {
		t.Errorf("stats: got %+v, want %d commands, %d duplicates", st, requests*perRequest, requests*perRequest-distinct)
	}
	if st.RequestsByStatus["200"] != requests {
		t.Errorf("requests_by_status: got %v", st.RequestsByStatus)
	}
}

// TestDedupeWindow: the newest ids are remembered, between DedupeIDs/2
// and DedupeIDs of them; older ones are forgotten, in memory and on disk.
func TestDedupeWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	h := newHarness(t, Config{DBPath: path, DedupeIDs: 4})
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		wantStatus(t, h.batch("p", ev(id, "c", "x")), 200)
	}
	wantStatus(t, h.batch("p", ev("e", "c", "x"), ev("d", "c", "x"), ev("a", "c", "x")), 200)
	if st := h.stats(); st.Events != 6 || st.DuplicatesReceived != 2 {
		t.Errorf("got %d events, %d duplicates; want 6 (a forgotten, stored again), 2 (d, e)", st.Events, st.DuplicatesReceived)
	}
	h.stop()
	// After a restart the ledger gives back the newest ids.
	h2 := newHarness(t, Config{DBPath: path, DedupeIDs: 4})
	wantStatus(t, h2.batch("p", ev("a", "c", "x"), ev("b", "c", "x")), 200)
	if st := h2.stats(); st.Events != 7 || st.DuplicatesReceived != 3 {
		t.Errorf("after restart: got %d events, %d duplicates; want 7 (b stored again), 3 (a)", st.Events, st.DuplicatesReceived)
	}
	var ledger int
	h2.srv.st.r.QueryRow(`SELECT COUNT(*) FROM ledger`).Scan(&ledger)
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
	h := newHarness(t, Config{DBPath: path})
	wantStatus(t, h.batch("p", ev("old-1", "c", "x"), ev("old-2", "c", "x"), ev("new", "c", "x")), 200)
	if st := h.stats(); st.Events != 2 || st.DuplicatesReceived != 2 {
		t.Errorf("got %+v, want 2 events (old-1 and new), 2 duplicates", st)
	}
	var version, indexes, commands int
	h.srv.st.r.QueryRow(`PRAGMA user_version`).Scan(&version)
	h.srv.st.r.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' AND name != 'outbox_project'`).Scan(&indexes)
	h.srv.st.r.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'commands'`).Scan(&commands)
	if version != schemaVersion || indexes != 0 || commands != 0 {
		t.Errorf("user_version %d, %d old indexes, commands table %d; want %d, 0, 0", version, indexes, commands, schemaVersion)
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
