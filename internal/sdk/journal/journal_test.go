package journal

import (
	"errors"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

func TestEntryBeforeSortsByTime(t *testing.T) {
	t0 := time.UnixMilli(1_700_000_000_000)
	a, b := EntryBefore(t0), EntryBefore(t0.Add(time.Millisecond))
	if len(a) != TimeDigits || a != "001700000000000" || !(a < b) {
		t.Errorf("EntryBefore: %q, %q", a, b)
	}
}

func TestOnceRunsAnEntryOnce(t *testing.T) {
	ctx, store := ctxlite.Background(), queue.NewMemory()
	runs := 0
	fn := func() error { runs++; return nil }
	for range 3 {
		if err := Once(ctx, store, "000000000000001-a", fn); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 1 {
		t.Errorf("an entry ran %d times, want 1", runs)
	}
	// A failed call is not marked: handed over again, it runs again.
	boom := errors.New("boom")
	if err := Once(ctx, store, "000000000000001-b", func() error { runs++; return boom }); err != boom {
		t.Fatalf("got %v, want boom", err)
	}
	if err := Once(ctx, store, "000000000000001-b", fn); err != nil || runs != 3 {
		t.Errorf("after a failure: %v, %d runs, want 3", err, runs)
	}
	// No entry: runs every time.
	for range 2 {
		_ = Once(ctx, store, "", fn)
	}
	if runs != 5 {
		t.Errorf("calls with no entry: %d runs, want 5", runs)
	}
}

func TestDropOldForgetsOnlyOldMarks(t *testing.T) {
	ctx, store := ctxlite.Background(), queue.NewMemory()
	now := time.UnixMilli(1_700_000_000_000)
	old := EntryBefore(now.Add(-MarkLifetime-time.Millisecond)) + "-old"
	recent := EntryBefore(now.Add(-MarkLifetime)) + "-recent"
	for _, e := range []string{old, recent} {
		if err := Once(ctx, store, e, func() error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if err := DropOld(ctx, store, now); err != nil {
		t.Fatal(err)
	}
	for e, want := range map[string]bool{old: false, recent: true} {
		if _, marked, _ := store.GetState(ctx, queue.MarkKey(e)); marked != want {
			t.Errorf("%s marked: %v, want %v", e, marked, want)
		}
	}
}
