package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/store"
	"github.com/exponea-wasm/tracker/internal/collector/store/storetest"
)

// TestOutboxClaims: what one relay reads is its own while its lease
// lasts (renewed as it reads again); another relay sees none of it, and
// takes it over once the lease has run out.
func TestOutboxClaims(t *testing.T) {
	url := freshDB(t)
	const lease = 400 * time.Millisecond
	a, b := open(t, url, Options{Lease: lease}), open(t, url, Options{Lease: lease})
	var recs []store.Record
	for i := range 5 {
		recs = append(recs, storetest.Ev(fmt.Sprintf("e%d", i), "c", "x"))
	}
	if err := a.Commit(store.Write{Project: "p", Records: recs, ReceivedAt: 1, Commands: 5, Status: 200, Relay: true}); err != nil {
		t.Fatal(err)
	}
	oldest := func(st *Store) int {
		t.Helper()
		recs, err := st.Outbox("p").Oldest(t.Context(), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	if n := oldest(a); n != 5 {
		t.Fatalf("a read %d, want 5", n)
	}
	start := time.Now()
	for time.Since(start) < 2*lease { // a renews its claim while b looks
		if n := oldest(b); n != 0 {
			t.Fatalf("b read %d of a's claimed rows after %v", n, time.Since(start))
		}
		if n := oldest(a); n != 5 {
			t.Fatalf("a read %d of its own rows, want 5", n)
		}
		time.Sleep(lease / 8)
	}
	// a stops reading (it died): after the lease, b takes the rows over.
	deadline := time.Now().Add(5 * lease)
	for oldest(b) != 5 {
		if time.Now().After(deadline) {
			t.Fatalf("b had not taken over %v after a's last read", 5*lease)
		}
		time.Sleep(lease / 8)
	}
	if n := oldest(a); n != 0 {
		t.Errorf("a read %d of the rows b took over", n)
	}
	if n, err := a.Outbox("p").Len(t.Context()); n != 5 || err != nil {
		t.Errorf("Len: %d, %v; want every row, claimed or not", n, err)
	}
}
