package flush

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// drStore is a queue.DeleteReader over a Memory store that logs its calls
// (one entry per transaction an IndexedDB store would run) and fails
// DeleteThenOldest while failDR is set.
type drStore struct {
	*queue.Memory
	mu     sync.Mutex
	calls  []string
	failDR bool
}

func (s *drStore) log(call string) {
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
}

func (s *drStore) logged() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *drStore) Oldest(c ctxlite.Context, after int64, n int) ([]queue.Record, error) {
	s.log("Oldest")
	return s.Memory.Oldest(c, after, n)
}

func (s *drStore) Delete(c ctxlite.Context, seqs []int64) error {
	s.log("Delete")
	return s.Memory.Delete(c, seqs)
}

func (s *drStore) Update(c ctxlite.Context, recs []queue.Record) error {
	s.log("Update")
	return s.Memory.Update(c, recs)
}

func (s *drStore) Len(c ctxlite.Context) (int, error) {
	s.log("Len")
	return s.Memory.Len(c)
}

func (s *drStore) DeleteThenOldest(c ctxlite.Context, seqs []int64, after int64, n int) ([]queue.Record, error) {
	s.log("DeleteThenOldest")
	s.mu.Lock()
	fail := s.failDR
	s.mu.Unlock()
	if fail {
		return nil, errDisk
	}
	return s.Memory.DeleteThenOldest(c, seqs, after, n)
}

// sentOnce fails the test if a command went out in more than one request
// body, and returns how many were sent.
func sentOnce(t *testing.T, bodies [][]byte) int {
	t.Helper()
	seen := map[string]bool{}
	for _, b := range bodies {
		for _, id := range ids(b) {
			if seen[id] {
				t.Errorf("%s sent twice", id)
			}
			seen[id] = true
		}
	}
	return len(seen)
}

// A backlog sent one request at a time: each confirmed batch is deleted in
// the same store call (transaction) as the read ahead of the request its
// answer lets go: three batches cost the first read and the read ahead of
// the second request, two DeleteThenOldest, the delete of the last batch
// (no read follows it) and the count at the end; without a DeleteReader,
// three reads ahead and three deletes.
func TestFlushDeletesWithTheNextRead(t *testing.T) {
	store := &drStore{Memory: fill(t, 150)}
	s := &sender{}
	f := New(store, s, Config{MaxInFlight: 1}, newClock().Now, fixed(0), Observer{})
	res, err := f.Flush(ctx, false)
	if err != nil || res.Confirmed != 150 || res.Kept != 0 || res.Requests != 3 {
		t.Fatalf("got %+v, %v; want 150 confirmed in 3 requests", res, err)
	}
	want := []string{"Oldest", "Oldest", "DeleteThenOldest", "DeleteThenOldest", "Delete", "Len"}
	if got := store.logged(); !slices.Equal(got, want) {
		t.Errorf("store calls %v, want %v", got, want)
	}
	if n := sentOnce(t, s.bodies); n != 150 {
		t.Errorf("%d records sent, want 150", n)
	}
}

// The queue was empty: one read and the count, nothing deleted, no request.
func TestFlushDeleteReaderEmptyQueue(t *testing.T) {
	store := &drStore{Memory: queue.NewMemory()}
	s := &sender{}
	f := New(store, s, Config{}, newClock().Now, fixed(0), Observer{})
	res, err := f.Flush(ctx, false)
	if err != nil || res.Requests != 0 || res.Kept != 0 || s.calls() != 0 {
		t.Fatalf("got %+v, %v with %d requests; want nothing done", res, err, s.calls())
	}
	if got, want := store.logged(), []string{"Oldest", "Len"}; !slices.Equal(got, want) {
		t.Errorf("store calls %v, want %v", got, want)
	}
}

// A failed DeleteThenOldest ends the pass with the store's error and
// loses nothing: the batches the server confirmed are still queued (sent
// again by the next pass, which the server dedupes), and so is every
// record behind them; none is reported flushed.
func TestFlushDeleteThenOldestFailureKeepsRecords(t *testing.T) {
	for _, inFlight := range []int{1, 4} {
		t.Run("in flight "+strconv.Itoa(inFlight), func(t *testing.T) {
			store := &drStore{Memory: fill(t, 200), failDR: true}
			s := &sender{}
			var reported error
			var flushed []string
			f := New(store, s, Config{MaxInFlight: inFlight}, newClock().Now, fixed(0), Observer{
				OnError: func(r ErrorReport) { reported = r.Err },
				OnFlush: func(r FlushReport) { flushed = append(flushed, r.IDs...) },
			})
			res, err := f.Flush(ctx, false)
			if !errors.Is(err, errDisk) || reported == nil {
				t.Fatalf("got %v (reported %v), want the store's error", err, reported)
			}
			if left := all(t, store.Memory); len(left) != 200 || res.Kept != 200 || res.Confirmed != 0 {
				t.Fatalf("got %d records left, result %+v; want all 200 kept, none counted confirmed", len(left), res)
			}
			if len(flushed) != 0 {
				t.Errorf("reported %d records flushed that are still queued", len(flushed))
			}
			// The second request went out on the page read before; the
			// pass stops at the failure, before acting on its answer.
			if s.calls() != 2 {
				t.Errorf("%d requests, want 2", s.calls())
			}
			store.mu.Lock()
			store.failDR = false
			store.mu.Unlock()
			res, err = f.Flush(ctx, false)
			if err != nil || res.Kept != 0 || res.Confirmed != 200 {
				t.Fatalf("after the store recovered: got %+v, %v; want all 200 confirmed", res, err)
			}
		})
	}
}

// A batch with a rejected record needs an Update as well: it is written
// with Delete and Update, as without a DeleteReader, and the next read is
// a read of its own; the last batch's delete goes with the last read.
func TestFlushRejectionWritesApart(t *testing.T) {
	store := &drStore{Memory: fill(t, 60)}
	s := &sender{reply: func(_ int, body []byte) (Response, error) {
		return results(body, func(id string) bool { return id != "id-3" }), nil
	}}
	f := New(store, s, Config{MaxInFlight: 1}, newClock().Now, fixed(0), Observer{})
	res, err := f.Flush(ctx, false)
	if err != nil || res.Confirmed != 59 || res.Kept != 1 {
		t.Fatalf("got %+v, %v; want 59 confirmed, id-3 kept", res, err)
	}
	// The write of the first batch runs behind the read of the second
	// (a full batch): in either order.
	got := store.logged()
	slices.Sort(got)
	if want := []string{"Delete", "DeleteThenOldest", "Len", "Oldest", "Oldest", "Update"}; !slices.Equal(got, want) {
		t.Errorf("store calls %v, want %v", got, want)
	}
	if left := all(t, store.Memory); len(left) != 1 || left[0].ID != "id-3" || left[0].Rejections != 1 {
		t.Errorf("left %+v, want id-3 with one rejection", left)
	}
}

// Many requests in flight, answered in a random order, over a store that
// deletes with the next read, while records keep arriving: every record is
// sent once and confirmed, none is lost.
func TestFlushDeleteReaderInvariants(t *testing.T) {
	for seed := range uint64(20) {
		store := &drStore{Memory: fill(t, 437)}
		rng := rand.New(rand.NewPCG(seed, 1))
		var mu sync.Mutex
		next := 437
		s := &sender{reply: func(_ int, body []byte) (Response, error) {
			mu.Lock()
			d := time.Duration(rng.IntN(300)) * time.Microsecond
			arrive := rng.IntN(3) == 0 && next < 600
			var more []queue.Record
			if arrive {
				for range rng.IntN(40) + 1 {
					more = append(more, rec(next))
					next++
				}
			}
			mu.Unlock()
			if len(more) > 0 {
				if _, err := store.Append(ctx, more); err != nil {
					return Response{}, err
				}
			}
			time.Sleep(d) // the order of the answers, not a timed assertion
			return results(body, allOK), nil
		}}
		f := New(store, s, Config{MaxInFlight: 4}, newClock().Now, fixed(0), Observer{})
		for {
			res, err := f.Flush(ctx, false)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if res.Kept == 0 {
				break
			}
		}
		mu.Lock()
		total := next
		mu.Unlock()
		if n := sentOnce(t, s.bodies); n != total {
			t.Errorf("seed %d: %d records sent, want %d", seed, n, total)
		}
		if left := all(t, store.Memory); len(left) != 0 {
			t.Errorf("seed %d: %d records left", seed, len(left))
		}
	}
}
