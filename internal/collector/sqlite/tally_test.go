package sqlite

import (
	"path/filepath"
	"testing"
	"time"
)

// TestRefusalsCountedInMemory: a refused request costs no transaction: its
// count is in memory at once (stats see it), in the table only after the
// background flush, and Close writes what is left.
func TestRefusalsCountedInMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	st := open(t, path, Options{TallyEvery: time.Hour})
	for range 5 {
		st.Count(401)
	}
	if got := stats(t, st).RequestsByStatus["401"]; got != 5 {
		t.Errorf("stats: got %d 401s, want 5", got)
	}
	if n := counter(t, st, "status:401"); n != 0 {
		t.Errorf("counters table already holds %d refusals: they were written on the request path", n)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st2 := open(t, path, Options{})
	if got := stats(t, st2).RequestsByStatus["401"]; got != 5 {
		t.Errorf("after a restart: got %d 401s, want 5", got)
	}
}

func TestRefusalsFlushedInTheBackground(t *testing.T) {
	st := open(t, "", Options{TallyEvery: 20 * time.Millisecond})
	for range 3 {
		st.Count(401)
	}
	deadline := time.Now().Add(5 * time.Second)
	for counter(t, st, "status:401") != 3 {
		if time.Now().After(deadline) {
			t.Fatal("the refusals were not written within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := stats(t, st).RequestsByStatus["401"]; got != 3 {
		t.Errorf("stats after the flush: got %d, want 3 (counted once)", got)
	}
}
