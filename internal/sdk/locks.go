package sdk

import (
	"sync"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
)

// Locks are the locks of one runtime that serves several pages (a
// SharedWorker): the SDKs of its pages take them to send one at a time,
// as the tabs of an origin take Web Locks. Outer, if set, is then taken
// inside them: the origin's lock, which excludes the other runtimes of the
// origin (a page with a dedicated Worker, another SDK version).
//
// A SharedWorker does not always take the origin's Web Lock: Firefox
// evicts from its back/forward cache a page whose SharedWorker holds one
// when the page goes (bench/sharedworker-probe.mjs, BF_VARIANTS=hold=lock),
// and a SharedWorker sends for every page of the origin.
type Locks struct {
	Outer func(ctx ctxlite.Context, name string, fn func()) (held bool, err error)

	mu    sync.Mutex
	slots map[string]chan struct{}
}

// WithLock runs fn while holding the runtime's lock name (and Outer's),
// waiting for it until ctx ends; it has the signature of
// Platform.WithLock. held is true unless Outer says there are no locks.
func (l *Locks) WithLock(ctx ctxlite.Context, name string, fn func()) (held bool, err error) {
	slot := l.slot(name)
	select {
	case slot <- struct{}{}:
	case <-ctx.Done():
		return true, ctx.Err()
	}
	defer func() { <-slot }()
	if l.Outer == nil {
		fn()
		return true, nil
	}
	held, err = l.Outer(ctx, name, fn)
	if !held && err == nil {
		fn() // no Web Locks: the runtime's own lock still holds
		return true, nil
	}
	return held, err
}

func (l *Locks) slot(name string) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.slots == nil {
		l.slots = map[string]chan struct{}{}
	}
	s, ok := l.slots[name]
	if !ok {
		s = make(chan struct{}, 1)
		l.slots[name] = s
	}
	return s
}
