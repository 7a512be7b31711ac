package sdk

import (
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/sdk/journal"
)

// once runs fn for a journaled call of entry unless the entry was applied
// before, and marks it applied after (package journal).
func (a *app) once(entry string, fn func() error) error {
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	defer cancel()
	return journal.Once(ctx, a.store, entry, fn)
}

// dropOldMarks forgets the marks of entries too old to be handed over
// again.
func (a *app) dropOldMarks() {
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	defer cancel()
	if err := journal.DropOld(ctx, a.store, a.s.p.Clock.Now()); err != nil {
		a.s.p.Log.Warn("dropping old journal marks: " + err.Error())
	}
}

// closeHold is how long records the page sent at close are kept out of the
// SDK's own requests while the answer may still come back (see
// flush.Flusher.Hold): a keepalive request usually ends within a second.
const closeHold = 10 * time.Second
