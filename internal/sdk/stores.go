package sdk

import (
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// Stores shares one open store per name between the SDKs of one runtime:
// a SharedWorker serves every page of the origin, each with an SDK of its
// own, and they share one IndexedDB connection, opened by the first. The
// connection stays open after the last SDK closes, for as long as the
// runtime runs: the next page of a visit (whose SDK starts after the last
// page's has closed) finds it open rather than waiting for IndexedDB to
// open it again. It is opened anew after the browser closed it (a version
// change) or an SDK gave it up (Discard). Its OpenStore is a
// Platform.OpenStore.
type Stores struct {
	// Open opens a store (Platform.OpenStore of one SDK).
	Open func(ctx ctxlite.Context, name string) (queue.Store, error)

	mu   sync.Mutex
	open map[string]*sharedStore
}

type sharedStore struct {
	s    queue.Store
	refs int

	peersMu sync.Mutex
	peers   map[*storeHandle]Peer // every open handle's (Join)
}

// Peer is an SDK on a shared store, told what the others do to records
// that every page's close path or flusher may hold: each page's close path
// keeps a copy of the records its own SDK stored, and whichever SDK's
// flush sends them — another page's, or one finishing its last send as
// its page goes — must make that copy forget them (Gone), or the page
// sends them again at close; and what a page sent at close, no SDK may
// send while the page waits for its answer (Hold).
type Peer interface {
	Gone(ids []string)
	Hold(ids []string, until time.Time)
}

// each calls fn with every open handle's Peer.
func (sh *sharedStore) each(fn func(Peer)) {
	sh.peersMu.Lock()
	ps := make([]Peer, 0, len(sh.peers))
	for _, p := range sh.peers {
		ps = append(ps, p)
	}
	sh.peersMu.Unlock()
	for _, p := range ps {
		fn(p)
	}
}

// Closer is a store that tells whether it has been closed, by Close or by
// the browser (an IndexedDB connection closed for a version change): one
// that has is opened again for the next SDK.
type Closer interface{ Closed() bool }

// OpenStore returns a handle on the store named name, opening it if the
// runtime has none open. Closing the handle leaves the store open for the
// next SDK; Discard does not.
func (st *Stores) OpenStore(ctx ctxlite.Context, name string) (queue.Store, error) {
	st.mu.Lock()
	defer st.mu.Unlock() // held while opening: a second SDK waits for the first's connection
	sh := st.open[name]
	if c, ok := sh.store().(Closer); ok && c.Closed() {
		sh = nil // the next handle gets a new connection; the old handles keep failing with ErrClosed
	}
	opened := sh == nil
	if opened {
		s, err := st.Open(ctx, name)
		if err != nil {
			return nil, err
		}
		sh = &sharedStore{s: s}
		if st.open == nil {
			st.open = map[string]*sharedStore{}
		}
		st.open[name] = sh
	}
	sh.refs++
	h := &storeHandle{s: sh.s, owner: st, name: name, sh: sh, early: opened && openedEarly(sh.s)}
	if _, ok := sh.s.(fullStore); ok {
		return fullHandle{h}, nil
	}
	return h, nil
}

func (sh *sharedStore) store() queue.Store {
	if sh == nil {
		return nil
	}
	return sh.s
}

// release drops one handle's reference. The store stays open for the
// next SDK while it is the one shared; one no longer shared (discarded, or
// replaced after the browser closed it) closes with its last handle.
func (st *Stores) release(name string, sh *sharedStore) error {
	st.mu.Lock()
	sh.refs--
	closing := sh.refs == 0 && st.open[name] != sh
	st.mu.Unlock()
	if closing {
		return sh.s.Close()
	}
	return nil
}

// discard stops sharing sh: the next SDK opens a store of its own, and sh
// closes with its last handle.
func (st *Stores) discard(name string, sh *sharedStore) {
	st.mu.Lock()
	if st.open[name] == sh {
		delete(st.open, name)
	}
	st.mu.Unlock()
}

// storeHandle is one SDK's store: the shared one, which it closes once,
// and after that fails with queue.ErrClosed as a closed store does.
type storeHandle struct {
	early  bool // this handle's open opened the store, early (OpenedEarly)
	s      queue.Store
	owner  *Stores
	name   string
	sh     *sharedStore
	mu     sync.Mutex
	closed bool
}

func (h *storeHandle) check() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return queue.ErrClosed
	}
	return nil
}

func (h *storeHandle) Close() error {
	h.mu.Lock()
	was := h.closed
	h.closed = true
	h.mu.Unlock()
	if was {
		return nil
	}
	h.sh.peersMu.Lock()
	delete(h.sh.peers, h)
	h.sh.peersMu.Unlock()
	return h.owner.release(h.name, h.sh)
}

// Discard gives up the shared store (an SDK whose start failed in it):
// the next SDK opens a new connection, and this one closes once its last
// handle has. Close the handle after.
func (h *storeHandle) Discard() { h.owner.discard(h.name, h.sh) }

// OpenedEarly tells whether this handle's open opened the store, and found
// it opened early (the worker began opening it while the wasm compiled).
func (h *storeHandle) OpenedEarly() bool { return h.early }

// openedEarly tells whether s is a store the worker began opening while
// the wasm compiled (idbstore.DB.OpenedEarly).
func openedEarly(s queue.Store) bool {
	e, ok := s.(interface{ OpenedEarly() bool })
	return ok && e.OpenedEarly()
}

// Join makes p a Peer of the store's other SDKs until the handle closes.
func (h *storeHandle) Join(p Peer) {
	h.sh.peersMu.Lock()
	defer h.sh.peersMu.Unlock()
	if h.sh.peers == nil {
		h.sh.peers = map[*storeHandle]Peer{}
	}
	h.sh.peers[h] = p
}

// Gone tells every open handle's Peer that records left the store.
func (h *storeHandle) Gone(ids []string) { h.sh.each(func(p Peer) { p.Gone(ids) }) }

// Hold tells every open handle's Peer to keep records out of its sends
// until until.
func (h *storeHandle) Hold(ids []string, until time.Time) {
	h.sh.each(func(p Peer) { p.Hold(ids, until) })
}

func (h *storeHandle) Append(ctx ctxlite.Context, recs []queue.Record) ([]queue.Record, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	return h.s.Append(ctx, recs)
}

func (h *storeHandle) AppendOnce(ctx ctxlite.Context, batches []queue.Batch) ([]queue.Record, []bool, error) {
	if err := h.check(); err != nil {
		return nil, nil, err
	}
	return h.s.AppendOnce(ctx, batches)
}

func (h *storeHandle) DropMarks(ctx ctxlite.Context, before string) error {
	if err := h.check(); err != nil {
		return err
	}
	return h.s.DropMarks(ctx, before)
}

func (h *storeHandle) Oldest(ctx ctxlite.Context, after int64, n int) ([]queue.Record, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	return h.s.Oldest(ctx, after, n)
}

func (h *storeHandle) Update(ctx ctxlite.Context, recs []queue.Record) error {
	if err := h.check(); err != nil {
		return err
	}
	return h.s.Update(ctx, recs)
}

func (h *storeHandle) Delete(ctx ctxlite.Context, seqs []int64) error {
	if err := h.check(); err != nil {
		return err
	}
	return h.s.Delete(ctx, seqs)
}

func (h *storeHandle) Count(ctx ctxlite.Context) (int, int64, error) {
	if err := h.check(); err != nil {
		return 0, 0, err
	}
	return h.s.Count(ctx)
}

func (h *storeHandle) Len(ctx ctxlite.Context) (int, error) {
	if err := h.check(); err != nil {
		return 0, err
	}
	return h.s.Len(ctx)
}

func (h *storeHandle) GetState(ctx ctxlite.Context, key string) (string, bool, error) {
	if err := h.check(); err != nil {
		return "", false, err
	}
	return h.s.GetState(ctx, key)
}

func (h *storeHandle) UpdateState(ctx ctxlite.Context, key string, fn func(string, bool) (string, bool)) (string, error) {
	if err := h.check(); err != nil {
		return "", err
	}
	return h.s.UpdateState(ctx, key, fn)
}

// fullHandle is the handle on a store that also deletes and reads in one
// transaction and reads a snapshot (IndexedDB's): it has them too.
type fullHandle struct{ *storeHandle }

type fullStore interface {
	queue.DeleteReader
	queue.Snapshotter
}

func (h fullHandle) DeleteThenOldest(ctx ctxlite.Context, seqs []int64, after int64, n int) ([]queue.Record, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	return h.s.(fullStore).DeleteThenOldest(ctx, seqs, after, n)
}

func (h fullHandle) Snapshot(ctx ctxlite.Context, keys []string, init queue.Init) (queue.Snapshot, error) {
	if err := h.check(); err != nil {
		return queue.Snapshot{}, err
	}
	return h.s.(fullStore).Snapshot(ctx, keys, init)
}
