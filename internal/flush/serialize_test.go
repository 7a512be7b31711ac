package flush

import (
	"sync"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/queue"
)

func TestFlushConcurrentCallsNeverOverlap(t *testing.T) {
	store, clock := queue.NewMemory(), newClock()
	var (
		mu       sync.Mutex
		inFlight int
		maxSeen  int
		seen     = map[string]int{}
	)
	s := &sender{reply: func(_ int, body []byte) (Response, error) {
		mu.Lock()
		inFlight++
		maxSeen = max(maxSeen, inFlight)
		for _, id := range ids(body) {
			seen[id]++
		}
		mu.Unlock()
		time.Sleep(200 * time.Microsecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		return results(body, allOK), nil
	}}
	f := New(store, s, Config{MaxCommands: 7}, clock.Now, fixed(0), Observer{})
	const writers, each = 4, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := store.Append(ctx, []queue.Record{rec(w*each + i)}); err != nil {
					t.Error(err)
				}
				if _, err := f.Flush(ctx, i%5 == 0); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 20 {
				f.Flush(ctx, false)
				nextAttempt(f)
				isPaused(f)
			}
		})
	}
	wg.Wait()
	res, err := f.Flush(ctx, false)
	if err != nil || res.Kept != 0 {
		t.Fatalf("final flush: got %+v, %v; want an empty queue", res, err)
	}
	if maxSeen != 1 {
		t.Errorf("got %v requests in flight at once, want 1", maxSeen)
	}
	if len(seen) != writers*each {
		t.Errorf("got %v distinct records delivered, want %v", len(seen), writers*each)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s: sent %v times, want once", id, n)
		}
	}
}
