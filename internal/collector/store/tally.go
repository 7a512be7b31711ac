package store

import (
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

// Tally counts, in memory, the tracking requests that stored nothing:
// refusals (401, 404, 413, 429...), injected faults, preflights; and the
// relay's forwarded and dropped commands. Counting one is an atomic add; a
// backend writes the counts to its counters about once a second (Run), so
// a flood of refused requests costs one small write a second instead of a
// synced transaction each.
//
// A count is always in exactly one place for a reader inside Read: in
// the tally, or in the backend's counters. Flush holds the tally from the
// moment it takes the counts until their transaction has ended.
type Tally struct {
	slots [slotCount]atomic.Int64
	mu    sync.RWMutex
}

// Add counts one request with this status, or StatusDropped.
func (t *Tally) Add(status int) {
	if status == StatusDropped {
		t.slots[droppedSlot].Add(1)
	} else if status > 0 && status < droppedSlot {
		t.slots[status].Add(1)
	}
}

// Forwarded counts n commands the upstream confirmed.
func (t *Tally) Forwarded(n int) { t.slots[forwardedSlot].Add(int64(n)) }

// ForwardDropped counts a command the relay gave up.
func (t *Tally) ForwardDropped() { t.slots[forwardDroppedSlot].Add(1) }

// Clear forgets the counts not yet written (POST /api/reset).
func (t *Tally) Clear() {
	for i := range t.slots {
		t.slots[i].Store(0)
	}
}

// Read runs read, which reads the backend's counters, and then adds the
// counts not yet written to s; no count is in both or in neither.
func (t *Tally) Read(s *Stats, read func() error) error {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if err := read(); err != nil {
		return err
	}
	for i := range t.slots {
		if v := t.slots[i].Load(); v != 0 {
			s.Add(slotName(i), v)
		}
	}
	return nil
}

// slotName is the counter name of slot i.
func slotName(i int) string {
	switch i {
	case droppedSlot:
		return StatusCounter(StatusDropped)
	case forwardedSlot:
		return CounterForwarded
	case forwardDroppedSlot:
		return CounterForwardDropped
	}
	return StatusCounter(i)
}

// Flush takes the pending counts and hands them to write, which adds them
// to the backend's counters in a transaction and returns once it has
// ended. When write fails the counts go back to the tally.
func (t *Tally) Flush(write func(counts map[string]int64) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	taken := map[int]int64{}
	counts := map[string]int64{}
	for i := range t.slots {
		if v := t.slots[i].Swap(0); v != 0 {
			taken[i] = v
			counts[slotName(i)] = v
		}
	}
	if len(counts) == 0 {
		return nil
	}
	err := write(counts)
	if err != nil {
		for i, v := range taken {
			t.slots[i].Add(v)
		}
	}
	return err
}

// Run flushes through write every interval until stop is closed, then
// once more.
func (t *Tally) Run(write func(counts map[string]int64) error, every time.Duration, stop <-chan struct{}, logf func(string, ...any)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		final := false
		select {
		case <-tick.C:
		case <-stop:
			final = true
		}
		if err := t.Flush(write); err != nil {
			logf("collector: writing request counts: %v", err)
		}
		if final {
			return
		}
	}
}
