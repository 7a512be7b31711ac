package closepath

import (
	"sort"
	"sync"

	"github.com/exponea-wasm/tracker/internal/queue"
)

// Mirror is the SDK's copy of the records this page stored and has not
// yet seen confirmed, the twin of the loader's own copy on the page (the
// page sends from that one at close, when there is no time for IndexedDB):
// the answers to what the page sent at close are settled against it.
//
// The Mirror is a cache, never the source of truth: records stay in the
// Store until the server confirms them, whatever the mirror holds.
type Mirror struct {
	mu    sync.Mutex
	recs  []queue.Record // by Seq
	bytes int
	limit int
}

// MirrorBytes bounds both copies of the unsent records, the loader's and
// the SDK's: beyond it the oldest are forgotten (they are still in the
// Store and go out with a later flush or on the next visit). The close path
// can send at most 64 KiB per hide; the rest is for a page that lives on
// and is hidden again. (At 1 MiB the copies cost a 100,000-event fill half
// its time and 1.5 MB of wasm memory.)
const MirrorBytes = 256 << 10

// NewMirror returns a Mirror that holds at most limit bytes of bodies.
func NewMirror(limit int) *Mirror { return &Mirror{limit: limit} }

// Add records stored records.
func (m *Mirror) Add(recs []queue.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		i := sort.Search(len(m.recs), func(i int) bool { return m.recs[i].Seq >= r.Seq })
		if i < len(m.recs) && m.recs[i].Seq == r.Seq {
			continue
		}
		m.recs = append(m.recs, queue.Record{})
		copy(m.recs[i+1:], m.recs[i:])
		m.recs[i] = r
		m.bytes += r.Size()
	}
	// Over the limit, the oldest go: the rest move to the front, so the
	// slice's array is reused rather than left behind and grown anew.
	k := 0
	for m.bytes > m.limit && k < len(m.recs) {
		m.bytes -= m.recs[k].Size()
		k++
	}
	if k > 0 {
		n := copy(m.recs, m.recs[k:])
		clear(m.recs[n:])
		m.recs = m.recs[:n]
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
	// What goes is nearly always the oldest records (a confirmed batch):
	// stop looking once all are found rather than walk the whole mirror.
	kept, found := m.recs[:0], 0
	for i, r := range m.recs {
		if found == len(gone) {
			kept = append(kept, m.recs[i:]...)
			break
		}
		if gone[r.ID] {
			m.bytes -= r.Size()
			found++
			continue
		}
		kept = append(kept, r)
	}
	clear(m.recs[len(kept):]) // let the bodies go
	m.recs = kept
}

// Get returns the mirrored records with these ids, in Seq order.
func (m *Mirror) Get(ids []string) []queue.Record {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []queue.Record
	for _, r := range m.recs {
		if want[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// Clear forgets every record.
func (m *Mirror) Clear() {
	m.mu.Lock()
	m.recs, m.bytes = nil, 0
	m.mu.Unlock()
}
