package tracker

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

type drop struct {
	rec    queue.Record
	reason string
}

func track(t *testing.T, tr *Tracker, names ...string) []queue.Record {
	t.Helper()
	calls := make([]Call, len(names))
	for i, n := range names {
		calls[i] = Call{Method: "trackEvent", Args: []byte(`{"name":"` + n + `"}`), TimeMs: now}
	}
	res, stored := tr.Apply(ctxlite.Background(), calls)
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("call %d: %v", i, r.Err)
		}
	}
	return stored
}

func queued(t *testing.T, s queue.Store) []string {
	t.Helper()
	recs, _ := s.Oldest(ctxlite.Background(), 0, 1000)
	var out []string
	for _, r := range recs {
		for _, e := range decode(t, []queue.Record{r}) {
			if e.Name == "customers" {
				out = append(out, "customer")
			} else {
				out = append(out, e.Data.EventType)
			}
		}
	}
	return out
}

func TestQueueBoundByCountEvictsOldestEventsFirst(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p","maxQueueRecords":4,"automaticSessionTracking":false}`)
	var drops []drop
	tr.SetDropHandler(func(r queue.Record, reason string) { drops = append(drops, drop{r, reason}) })
	tr.Apply(ctxlite.Background(), []Call{{Method: "identifyCustomer", Args: []byte(`{"ids":{"registered":"x"}}`), TimeMs: now}})
	track(t, tr, "e1", "e2")
	stored := track(t, tr, "e3", "e4")
	if got := strings.Join(queued(t, store), ","); got != "customer,e2,e3,e4" {
		t.Fatalf("queue: got %s, want the customer kept and the oldest events evicted", got)
	}
	if len(drops) != 2 || dropped(tr) != 2 {
		t.Fatalf("got %d drop reports (counter %d), want 2", len(drops), dropped(tr))
	}
	for _, d := range drops {
		if d.rec.Kind != queue.KindEvent || !strings.Contains(d.reason, "queue full") {
			t.Errorf("drop %+v", d)
		}
	}
	if len(stored) != 2 {
		t.Errorf("Apply returned %d records, want the 2 it stored", len(stored))
	}
}

func TestQueueBoundByBytes(t *testing.T) {
	store := queue.NewMemory()
	tr, _ := open(t, store, `{"projectToken":"p","maxQueueBytes":2048,"automaticSessionTracking":false}`)
	var names []string
	for i := range 20 {
		names = append(names, "event-"+strconv.Itoa(i))
	}
	track(t, tr, names...)
	_, b, _ := store.Count(ctxlite.Background())
	if b > 2048 {
		t.Fatalf("queue holds %d bytes, over the 2048 bound", b)
	}
	q := queued(t, store)
	if q[len(q)-1] != "event-19" {
		t.Errorf("the newest event must stay: %v", q)
	}
}

func TestQuotaExceededEvictsAndRetries(t *testing.T) {
	store := &quotaStore{Store: queue.NewMemory()}
	tr, _ := open(t, store, `{"projectToken":"p","automaticSessionTracking":false}`)
	var drops []drop
	tr.SetDropHandler(func(r queue.Record, reason string) { drops = append(drops, drop{r, reason}) })
	track(t, tr, "a", "b", "c")
	store.quota = 4 // installation + 3 events fill it
	track(t, tr, "d")
	if got := strings.Join(queued(t, store), ","); got != "a,b,c,d" {
		t.Fatalf("queue: got %s, want the oldest event (installation) evicted for d", got)
	}
	if len(drops) != 1 || !strings.Contains(drops[0].reason, "quota") {
		t.Fatalf("drops: %+v", drops)
	}
}

// quotaStore refuses an Append that would take it over quota records (0:
// no limit) with queue.ErrQuota, as IndexedDB does with QuotaExceededError.
type quotaStore struct {
	queue.Store
	quota int
}

func (s *quotaStore) Append(ctx ctxlite.Context, recs []queue.Record) ([]queue.Record, error) {
	if n, err := s.Len(ctx); err == nil && s.quota > 0 && n+len(recs) > s.quota {
		return nil, fmt.Errorf("quota store: %w", queue.ErrQuota)
	}
	return s.Store.Append(ctx, recs)
}

// countingStore counts the calls of Store.Count, which reads the whole queue.
type countingStore struct {
	queue.Store
	counts int
}

func (s *countingStore) Count(ctx ctxlite.Context) (int, int64, error) {
	s.counts++
	return s.Store.Count(ctx)
}

// TestFullQueueDoesNotReadItAllPerWrite: a queue held at its record bound
// (a sender slower than the page) is kept there with the cheap Len, not by
// reading every record (Count) on every write; and the bound still holds
// when the sender deletes records behind the tracker's back.
func TestFullQueueDoesNotReadItAllPerWrite(t *testing.T) {
	store := &countingStore{Store: queue.NewMemory()}
	tr, _ := open(t, store, `{"projectToken":"p","maxQueueRecords":20,"automaticSessionTracking":false}`)
	opened := store.counts
	for i := range 50 {
		track(t, tr, "a", "b", "c")
		if i%5 == 4 { // the flusher confirms the 4 oldest
			old, _ := store.Oldest(ctxlite.Background(), 0, 4)
			var seqs []int64
			for _, r := range old {
				seqs = append(seqs, r.Seq)
			}
			_ = store.Delete(ctxlite.Background(), seqs)
		}
		if n, _ := store.Len(ctxlite.Background()); n > 20 {
			t.Fatalf("write %d: %d records queued, over the bound of 20", i, n)
		}
	}
	if store.counts != opened {
		t.Fatalf("Count called %d times while the bytes were far under their bound, want 0", store.counts-opened)
	}
	if dropped(tr) == 0 {
		t.Fatal("nothing evicted: the test did not fill the queue")
	}
}

// dropped returns how many records tr evicted.
func dropped(tr *Tracker) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.dropped
}
