package collector

import (
	"path/filepath"
	"testing"
	"time"
)

// TestRefusalsCountedInMemory: a refused request costs no transaction: its
// count is in memory at once (stats see it), in the table only after the
// background flush, and a shutdown writes what is left.
func TestRefusalsCountedInMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	h := newHarness(t, Config{DBPath: path, Keys: []string{"k"}, tallyEvery: time.Hour})
	for range 5 {
		wantStatus(t, h.batch("p", ev("", "c", "x")), 401)
	}
	if got := h.stats().RequestsByStatus["401"]; got != 5 {
		t.Errorf("stats: got %d 401s, want 5", got)
	}
	if n := tableCount(t, h.srv.st, "status:401"); n != 0 {
		t.Errorf("counters table already holds %d refusals: they were written on the request path", n)
	}
	h.stop()
	h2 := newHarness(t, Config{DBPath: path, Keys: []string{"k"}})
	if got := h2.stats().RequestsByStatus["401"]; got != 5 {
		t.Errorf("after a restart: got %d 401s, want 5", got)
	}
}

func TestRefusalsFlushedInTheBackground(t *testing.T) {
	h := newHarness(t, Config{Keys: []string{"k"}, tallyEvery: 20 * time.Millisecond})
	for range 3 {
		wantStatus(t, h.batch("p", ev("", "c", "x")), 401)
	}
	deadline := time.Now().Add(5 * time.Second)
	for tableCount(t, h.srv.st, "status:401") != 3 {
		if time.Now().After(deadline) {
			t.Fatal("the refusals were not written within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := h.stats().RequestsByStatus["401"]; got != 3 {
		t.Errorf("stats after the flush: got %d, want 3 (counted once)", got)
	}
}

func tableCount(t *testing.T, st *store, name string) int64 {
	t.Helper()
	var n int64
	st.r.QueryRow(`SELECT COALESCE((SELECT value FROM counters WHERE name = ?), 0)`, name).Scan(&n)
	return n
}
