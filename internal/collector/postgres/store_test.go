package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/collector/store/storetest"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/queue/queuetest"
)

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t, freshDB(t), Options{}) })
}

// The outbox is a queue.Store like the SDK's own: it keeps the contract
// the flusher relies on.
func TestOutboxStoreContract(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queue.Store {
		st := open(t, freshDB(t), Options{})
		// Another project's records share the table and stay out of view.
		if _, err := st.Outbox("other").Append(t.Context(), []queue.Record{{ID: "x", Kind: queue.KindEvent, Body: "{}"}}); err != nil {
			t.Fatal(err)
		}
		return st.Outbox("p")
	})
}

// TestInstancesShareDedupeAndCounts: collectors on one database store
// each command once, whichever received it, even when they receive it
// at the same moment; their counts add up.
func TestInstancesShareDedupeAndCounts(t *testing.T) {
	url := freshDB(t)
	a, b := open(t, url, Options{}), open(t, url, Options{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var recs []store.Record
			for j := range 10 {
				recs = append(recs, storetest.Ev(fmt.Sprintf("id-%d", (i*7+j)%40), "c", "x"))
			}
			st := a
			if i%2 == 1 {
				st = b
			}
			if err := st.Commit(store.Write{Project: "p", Records: recs, ReceivedAt: 1, Commands: 10, Status: 200}); err != nil {
				t.Errorf("Commit: %v", err)
			}
		}()
	}
	wg.Wait()
	a.Count(401)
	if err := a.Close(); err != nil { // writes a's pending count
		t.Fatal(err)
	}
	s := storetest.Stats(t, b)
	if s.Events != 40 || s.DuplicatesReceived != 200-40 || s.CommandsReceived != 200 || s.RequestsByStatus["200"] != 20 ||
		s.RequestsByStatus["401"] != 1 {
		t.Errorf("got %+v, want 40 events, 160 duplicates, 200 commands, 20 requests answered 200 and one 401", s)
	}
}

// TestSchemaMigratedOnceByInstancesStartingTogether: four collectors
// starting at once on an empty database all start, and the schema is
// created once; a database of a newer schema is refused.
func TestSchemaMigratedOnceByInstancesStartingTogether(t *testing.T) {
	url := freshDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := Open(context.Background(), url, Options{})
			if err == nil {
				st.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	st := open(t, url, Options{})
	var versions []int32
	rows, err := st.db.Query(context.Background(), `SELECT version FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int32
		rows.Scan(&v)
		versions = append(versions, v)
	}
	if fmt.Sprint(versions) != "[1]" {
		t.Errorf("schema_version: got %v, want [1]", versions)
	}
	if _, err := st.db.Exec(context.Background(), `INSERT INTO schema_version VALUES (99)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), url, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("opening a newer schema: got %v", err)
	}
}
