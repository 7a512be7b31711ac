package tracker

import (
	"errors"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// The queue is bounded by Config.MaxQueueRecords and MaxQueueBytes. When a
// write takes it over either bound, or the browser refuses a write for lack
// of space (QuotaExceededError), the oldest records are evicted until it
// fits again: events first (customers commands carry identity and are kept
// as long as any event can go instead), oldest first. Each evicted record is
// reported to the drop handler and counted.
//
// The tracker keeps an estimate of the queue's size — the exact size at
// open, plus what it stored since — and counts exactly only when the
// estimate crosses a bound: the number of records with Store.Len, the
// bytes with Store.Count, which reads the whole queue. Records other tabs
// store or the flusher deletes make the estimate drift; the exact count
// before any eviction corrects it, so nothing is evicted on a stale figure.

// DropHandler is told about each record the tracker gives up.
type DropHandler func(rec queue.Record, reason string)

// SetDropHandler sets where eviction reports go.
func (t *Tracker) SetDropHandler(h DropHandler) {
	t.mu.Lock()
	t.onDrop = h
	t.mu.Unlock()
}

// count refreshes the size estimate with an exact count.
func (t *Tracker) count(ctx ctxlite.Context) error {
	n, b, err := t.store.Count(ctx)
	if err == nil {
		t.estN, t.estBytes = n, b
	}
	return err
}

// append stores recs, enforcing the bounds. Called with t.mu held.
func (t *Tracker) append(ctx ctxlite.Context, recs []queue.Record) ([]queue.Record, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	stored, _, err := t.put(ctx, len(recs), func() ([]queue.Record, []bool, error) {
		stored, err := t.store.Append(ctx, recs)
		return stored, nil, err
	})
	return stored, err
}

// appendOnce stores batches with queue.Store.AppendOnce, enforcing the
// bounds. Called with t.mu held.
func (t *Tracker) appendOnce(ctx ctxlite.Context, batches []queue.Batch) ([]queue.Record, []bool, error) {
	n := 0
	for _, b := range batches {
		n += len(b.Recs)
	}
	return t.put(ctx, n, func() ([]queue.Record, []bool, error) { return t.store.AppendOnce(ctx, batches) })
}

// put runs write, a store write of n records; if the browser refuses it
// for lack of space it makes room and tries once more. Then it enforces
// the bounds.
func (t *Tracker) put(ctx ctxlite.Context, n int, write func() ([]queue.Record, []bool, error)) ([]queue.Record, []bool, error) {
	stored, skipped, err := write()
	if errors.Is(err, queue.ErrQuota) {
		// Make room — a tenth of the queue, at least what we are writing —
		// and try once more.
		if cerr := t.count(ctx); cerr != nil {
			return nil, nil, err
		}
		if _, eerr := t.evict(ctx, max(t.estN/10, n), 0, "the browser's storage quota is exhausted"); eerr != nil {
			return nil, nil, err
		}
		stored, skipped, err = write()
	}
	if err != nil {
		return nil, nil, err
	}
	return t.bound(ctx, stored), skipped, nil
}

// bound counts stored in the queue's size estimate and evicts the oldest
// records if the queue is over a bound; it returns stored without the
// records it evicted.
func (t *Tracker) bound(ctx ctxlite.Context, stored []queue.Record) []queue.Record {
	for _, r := range stored {
		t.estN++
		t.estBytes += int64(r.Size())
	}
	if t.estN <= t.cfg.MaxQueueRecords && t.estBytes <= t.cfg.MaxQueueBytes {
		return stored
	}
	// The number of records is cheap to know exactly (Len); their bytes
	// are not (Count reads the whole queue), so they are counted only when
	// their estimate, which only overstates, is over its own bound.
	if t.estBytes > t.cfg.MaxQueueBytes {
		if err := t.count(ctx); err != nil {
			return stored // stored; the bound is enforced on the next write
		}
	} else {
		n, err := t.store.Len(ctx)
		if err != nil {
			return stored
		}
		t.estN = n
	}
	overN := t.estN - t.cfg.MaxQueueRecords
	overB := t.estBytes - t.cfg.MaxQueueBytes
	if overN > 0 || overB > 0 {
		reason := "queue full (maxQueueRecords " + strconv.Itoa(t.cfg.MaxQueueRecords) +
			", maxQueueBytes " + strconv.FormatInt(t.cfg.MaxQueueBytes, 10) + ")"
		gone, _ := t.evict(ctx, overN, overB, reason)
		stored = without(stored, gone)
	}
	return stored
}

// evict deletes at least n records and b bytes, events before customers,
// oldest first, and reports them. It returns the evicted records' seqs.
func (t *Tracker) evict(ctx ctxlite.Context, n int, b int64, reason string) (map[int64]bool, error) {
	var pick []queue.Record
	for _, kind := range []queue.Kind{queue.KindEvent, queue.KindCustomer} {
		var after int64
		for n > 0 || b > 0 {
			page, err := t.store.Oldest(ctx, after, 500)
			if err != nil {
				return nil, err
			}
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				if r.Kind != kind || (n <= 0 && b <= 0) {
					continue
				}
				pick = append(pick, r)
				n--
				b -= int64(r.Size())
			}
			after = page[len(page)-1].Seq
		}
	}
	gone := make(map[int64]bool, len(pick))
	seqs := make([]int64, len(pick))
	for i, r := range pick {
		seqs[i] = r.Seq
		gone[r.Seq] = true
	}
	if err := t.store.Delete(ctx, seqs); err != nil {
		return nil, err
	}
	for _, r := range pick {
		t.estN--
		t.estBytes -= int64(r.Size())
		t.dropped++
		if t.onDrop != nil {
			t.onDrop(r, reason)
		}
	}
	return gone, nil
}

func without(recs []queue.Record, gone map[int64]bool) []queue.Record {
	if len(gone) == 0 {
		return recs
	}
	kept := recs[:0:0]
	for _, r := range recs {
		if !gone[r.Seq] {
			kept = append(kept, r)
		}
	}
	return kept
}
