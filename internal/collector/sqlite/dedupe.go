package sqlite

import "crypto/sha256"

// DefaultDedupeIDs is how many command ids the collector remembers for
// dedupe when Config.DedupeIDs is 0.
const DefaultDedupeIDs = 10_000_000

// idKey identifies a (project, command_id) pair: the first 96 bits of its
// SHA-256. Two different pairs collide with a probability of about
// n²/2⁹⁷, below 10⁻¹¹ for a billion ids.
type idKey [12]byte

func keyOf(project, commandID string) idKey {
	h := sha256.New()
	h.Write([]byte(project))
	h.Write([]byte{0})
	h.Write([]byte(commandID))
	var sum [sha256.Size]byte
	var k idKey
	copy(k[:], h.Sum(sum[:0]))
	return k
}

// seen is the dedupe index: the keys of the newest command ids stored, in
// memory, in two generations of up to half of max each. When the current
// generation is full the older one is forgotten, so between max/2 and max
// ids are remembered, about 16-32 bytes each.
//
// Why memory and not an index in SQLite: command ids are random UUIDs, so
// each insert into a B-tree on them dirties a page of its own; at 50
// commands a batch that was most of the collector's write cost (≈1 page
// written per command). The ledger table that persists the keys is
// appended to in id order instead, and read back at start.
//
// Only the writer goroutine uses a seen, so it needs no lock.
type seen struct {
	cur, prev map[idKey]struct{}
	half      int
}

func newSeen(n int) *seen {
	return &seen{cur: map[idKey]struct{}{}, prev: map[idKey]struct{}{}, half: max(1, n/2)}
}

func (s *seen) has(k idKey) bool {
	if _, ok := s.cur[k]; ok {
		return true
	}
	_, ok := s.prev[k]
	return ok
}

func (s *seen) add(k idKey) {
	if len(s.cur) >= s.half {
		s.prev, s.cur = s.cur, map[idKey]struct{}{}
	}
	s.cur[k] = struct{}{}
}

// forget undoes add, for keys whose transaction failed.
func (s *seen) forget(keys []idKey) {
	for _, k := range keys {
		delete(s.cur, k)
		delete(s.prev, k)
	}
}

// windows is the dedupe index of a store: a window of its own for each
// configured project, so that one project's traffic never pushes another
// project's ids out, and a shared window for every other project (all of
// them when none is configured) and for the ids of a ledger written
// before windows were per project, whose project is not known.
type windows struct {
	per    map[string]*seen
	shared *seen
	size   int
}

func newWindows(projects []string, size int) *windows {
	w := &windows{per: map[string]*seen{}, shared: newSeen(size), size: size}
	for _, p := range projects {
		w.per[p] = newSeen(size)
	}
	return w
}

// of returns the window called name.
func (w *windows) of(name string) *seen {
	if s := w.per[name]; s != nil {
		return s
	}
	return w.shared
}

// has reports whether k, an id of the project whose window is name, was
// stored. Keys hash the project in, so looking in the shared window too
// never takes one project's id for another's.
func (w *windows) has(name string, k idKey) bool {
	return w.of(name).has(k) || w.shared.has(k)
}

// empty returns windows like w's, with nothing remembered.
func (w *windows) empty() *windows {
	projects := make([]string, 0, len(w.per))
	for p := range w.per {
		projects = append(projects, p)
	}
	return newWindows(projects, w.size)
}
