package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// open opens a Store on path (a new file when ""), closed at the test's
// end.
func open(t *testing.T, path string, opt Options) *Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "c.db")
	}
	st, err := Open(path, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// ev is an event record with command id id ("" for none).
func ev(id, eventType string) store.Record {
	return store.Record{Kind: wire.CommandEvent, CommandID: id, CustomerIDs: `{"cookie":"c"}`, EventType: eventType,
		Timestamp: 1764320000.5, Properties: `{"n":1}`}
}

// cu is a customer update with command id id.
func cu(id string) store.Record {
	return store.Record{Kind: wire.CommandCustomer, CommandID: id, CustomerIDs: `{"cookie":"c"}`, Properties: `{"paying":true}`}
}

// commit stores recs for project p as one request answered 200.
func commit(t *testing.T, st *Store, p string, recs ...store.Record) {
	t.Helper()
	if err := st.Commit(store.Write{Project: p, Records: recs, ReceivedAt: 1764320001, Commands: len(recs), Status: 200}); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func stats(t *testing.T, st *Store) store.Stats {
	t.Helper()
	s, err := st.Stats(context.Background())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return s
}

// counter reads a counter from the table, leaving out the counts not yet
// written.
func counter(t *testing.T, st *Store, name string) int64 {
	t.Helper()
	var n int64
	if err := st.r.QueryRow(`SELECT COALESCE((SELECT value FROM counters WHERE name = ?), 0)`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
