package collector

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Tally slots beside the HTTP status codes (0-599).
const (
	droppedSlot        = 600 // a connection closed without an answer
	forwardedSlot      = 601 // commands the upstream confirmed (relay)
	forwardDroppedSlot = 602 // commands the relay gave up (relay)
	slotCount          = 603
)

// tally counts, in memory, the tracking requests that stored nothing:
// refusals (401, 404, 413, 429...), injected faults, preflights; and the
// relay's forwarded and dropped commands. Counting one is an atomic add; a background loop writes the counts to the
// counters table about once a second, as a job of the writer, so a flood
// of refused requests costs the writer one small job a second instead of
// a synced transaction each.
//
// A count is always in exactly one place for a reader holding mu for
// reading: in slots, or in the table. A flush holds mu for writing from
// the moment it takes the slots until its transaction has ended.
type tally struct {
	slots [slotCount]atomic.Int64
	mu    sync.RWMutex
}

// add counts one request with this status (0: dropped).
func (t *tally) add(status int) {
	if status == 0 {
		t.slots[droppedSlot].Add(1)
	} else if status > 0 && status < droppedSlot {
		t.slots[status].Add(1)
	}
}

// pending calls fn with the counter name and count of each slot not yet
// written; the caller holds mu for reading.
func (t *tally) pending(fn func(name string, v int64)) {
	for i := range t.slots {
		if v := t.slots[i].Load(); v != 0 {
			fn(slotName(i), v)
		}
	}
}

// clear forgets the counts not yet written (POST /api/reset).
func (t *tally) clear() {
	for i := range t.slots {
		t.slots[i].Store(0)
	}
}

// slotName is the counters table name of slot i.
func slotName(i int) string {
	switch i {
	case droppedSlot:
		return statusCounterPrefix + "dropped"
	case forwardedSlot:
		return counterForwarded
	case forwardDroppedSlot:
		return counterForwardDropped
	}
	return statusCounterPrefix + strconv.Itoa(i)
}

// flush writes the pending counts in a writer job. On failure they go
// back to the slots.
func (t *tally) flush(w *writer) error {
	var taken map[int]int64
	locked := false
	return w.do(func(g *group) error {
		t.mu.Lock()
		locked = true
		taken = map[int]int64{}
		for i := range t.slots {
			if v := t.slots[i].Swap(0); v != 0 {
				taken[i] = v
				g.count(slotName(i), v)
			}
		}
		return nil
	}, func(err error) {
		if err != nil {
			for i, v := range taken {
				t.slots[i].Add(v)
			}
		}
		if locked {
			t.mu.Unlock()
		}
	}, false)
}

// run flushes every interval until stop is closed, then once more.
func (t *tally) run(w *writer, every time.Duration, stop <-chan struct{}, logf func(string, ...any)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if !t.any() {
				continue
			}
		case <-stop:
			if err := t.flush(w); err != nil {
				logf("collector: writing request counts: %v", err)
			}
			return
		}
		if err := t.flush(w); err != nil {
			logf("collector: writing request counts: %v", err)
		}
	}
}

func (t *tally) any() bool {
	for i := range t.slots {
		if t.slots[i].Load() != 0 {
			return true
		}
	}
	return false
}
