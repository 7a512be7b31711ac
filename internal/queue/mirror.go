package queue

import (
	"sort"
	"sync"
)

// Mirror is an in-memory copy of the records this page stored and has not
// yet seen confirmed. The page-close path needs it: when a page is being
// hidden or unloaded there is no time to wait for IndexedDB, so whatever is
// to be sent at close must already be in memory (the loader keeps a copy on
// the page for that), and the answers to what was sent are settled against
// it.
//
// The mirror is a cache, never the source of truth: records stay in the
// Store until the server confirms them, whatever the mirror holds.
type Mirror struct {
	mu    sync.Mutex
	recs  []Record // by Seq
	bytes int
	limit int
}

// NewMirror returns a mirror that holds at most limit bytes of bodies; the
// oldest records beyond it are forgotten (they are still in the Store and go
// out on the next visit). limit ≤ 0 means 1 MiB.
func NewMirror(limit int) *Mirror {
	if limit <= 0 {
		limit = 1 << 20
	}
	return &Mirror{limit: limit}
}

// Add records stored records.
func (m *Mirror) Add(recs []Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		i := sort.Search(len(m.recs), func(i int) bool { return m.recs[i].Seq >= r.Seq })
		if i < len(m.recs) && m.recs[i].Seq == r.Seq {
			continue
		}
		m.recs = append(m.recs, Record{})
		copy(m.recs[i+1:], m.recs[i:])
		m.recs[i] = r
		m.bytes += r.Size()
	}
	for m.bytes > m.limit && len(m.recs) > 0 {
		m.bytes -= m.recs[0].Size()
		m.recs = m.recs[1:]
	}
}

// Remove forgets the records with these ids (confirmed or dropped).
func (m *Mirror) Remove(ids []string) {
	if len(ids) == 0 {
		return
	}
	gone := make(map[string]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := m.recs[:0]
	for _, r := range m.recs {
		if gone[r.ID] {
			m.bytes -= r.Size()
			continue
		}
		kept = append(kept, r)
	}
	m.recs = kept
}

// Get returns the mirrored records with these ids, in Seq order.
func (m *Mirror) Get(ids []string) []Record {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Record
	for _, r := range m.recs {
		if want[r.ID] {
			out = append(out, r)
		}
	}
	return out
}
