package queue

import (
	"sort"
	"strings"
	"sync"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
)

// Memory is a Store kept in memory. It serves tests and is the fallback when
// IndexedDB cannot be opened; its contents die with the page.
type Memory struct {
	mu     sync.Mutex
	recs   []Record // sorted by Seq
	next   int64
	state  map[string]string
	closed bool
}

var _ DeleteReader = (*Memory)(nil)

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{next: 1, state: map[string]string{}} }

func (m *Memory) check(ctx ctxlite.Context) error {
	if m.closed {
		return ErrClosed
	}
	return ctx.Err()
}

// Append implements Store.
func (m *Memory) Append(ctx ctxlite.Context, recs []Record) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	return m.append(recs), nil
}

// AppendOnce implements Store.
func (m *Memory) AppendOnce(ctx ctxlite.Context, batches []Batch) ([]Record, []bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return nil, nil, err
	}
	skipped := make([]bool, len(batches))
	var recs []Record
	for i, b := range batches {
		if b.Mark != "" {
			if _, ok := m.state[MarkKey(b.Mark)]; ok {
				skipped[i] = true
				continue
			}
			m.state[MarkKey(b.Mark)] = "1"
		}
		recs = append(recs, b.Recs...)
	}
	return m.append(recs), skipped, nil
}

// DropMarks implements Store.
func (m *Memory) DropMarks(ctx ctxlite.Context, before string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return err
	}
	for k := range m.state {
		if strings.HasPrefix(k, markPrefix) && k < MarkKey(before) {
			delete(m.state, k)
		}
	}
	return nil
}

func (m *Memory) append(recs []Record) []Record {
	out := make([]Record, len(recs))
	for i, r := range recs {
		r.Seq = m.next
		m.next++
		out[i] = r
	}
	m.recs = append(m.recs, out...)
	return out
}

func (m *Memory) find(seq int64) int {
	i := sort.Search(len(m.recs), func(i int) bool { return m.recs[i].Seq >= seq })
	if i < len(m.recs) && m.recs[i].Seq == seq {
		return i
	}
	return -1
}

// Oldest implements Store.
func (m *Memory) Oldest(ctx ctxlite.Context, after int64, n int) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	return m.oldest(after, n), nil
}

func (m *Memory) oldest(after int64, n int) []Record {
	i := sort.Search(len(m.recs), func(i int) bool { return m.recs[i].Seq > after })
	j := min(i+max(n, 0), len(m.recs))
	return append([]Record(nil), m.recs[i:j]...)
}

// Update implements Store.
func (m *Memory) Update(ctx ctxlite.Context, recs []Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return err
	}
	for _, r := range recs {
		if i := m.find(r.Seq); i >= 0 {
			m.recs[i] = r
		}
	}
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx ctxlite.Context, seqs []int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return err
	}
	m.delete(seqs)
	return nil
}

// DeleteThenOldest implements DeleteReader.
func (m *Memory) DeleteThenOldest(ctx ctxlite.Context, seqs []int64, after int64, n int) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.delete(seqs)
	return m.oldest(after, n), nil
}

func (m *Memory) delete(seqs []int64) {
	drop := make(map[int64]bool, len(seqs))
	for _, s := range seqs {
		drop[s] = true
	}
	kept := m.recs[:0]
	for _, r := range m.recs {
		if !drop[r.Seq] {
			kept = append(kept, r)
		}
	}
	m.recs = kept
}

// Count implements Store.
func (m *Memory) Count(ctx ctxlite.Context) (int, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return 0, 0, err
	}
	return len(m.recs), m.bytes(), nil
}

// bytes is the size of the records; m.mu is held.
func (m *Memory) bytes() int64 {
	var b int64
	for _, r := range m.recs {
		b += int64(r.Size())
	}
	return b
}

// Snapshot implements Snapshotter.
func (m *Memory) Snapshot(ctx ctxlite.Context, keys []string, init Init) (Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return Snapshot{}, err
	}
	sn := Snapshot{N: len(m.recs), Bytes: m.bytes(), Values: make([]string, len(keys)), Has: make([]bool, len(keys))}
	for i, k := range keys {
		sn.Values[i], sn.Has[i] = m.state[k]
		if init == nil {
			continue
		}
		if v, write := init(i, sn.Values[i], sn.Has[i]); write {
			if m.state == nil {
				m.state = map[string]string{}
			}
			m.state[k] = v
			sn.Values[i], sn.Has[i] = v, true
		}
	}
	return sn, nil
}

// Len implements Store.
func (m *Memory) Len(ctx ctxlite.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return 0, err
	}
	return len(m.recs), nil
}

// GetState implements Store.
func (m *Memory) GetState(ctx ctxlite.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return "", false, err
	}
	v, ok := m.state[key]
	return v, ok, nil
}

// UpdateState implements Store.
func (m *Memory) UpdateState(ctx ctxlite.Context, key string, fn func(string, bool) (string, bool)) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx); err != nil {
		return "", err
	}
	old, ok := m.state[key]
	v, write := fn(old, ok)
	if !write {
		return old, nil
	}
	m.state[key] = v
	return v, nil
}

// Closed tells whether Close was called.
func (m *Memory) Closed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// Close implements Store.
func (m *Memory) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	return nil
}
