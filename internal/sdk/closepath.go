package sdk

import (
	"errors"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/sdk/closepath"
)

// The close path's bookkeeping is package closepath's (the loader's copy of
// the unsent records, and the SDK's); here it is wired to the flusher.

// closeSent holds the records the page just sent at close (a JSON array of
// their ids) out of the SDK's own requests until the answers come back
// (_keepaliveDone) or closeHold has passed: if the page lives on (a tab
// switch), sending them again meanwhile would deliver them twice.
func (a *app) closeSent(args []byte) {
	ids, err := closepath.ParseIDs(args)
	if err != nil {
		a.s.p.Log.Warn("_closeSent: " + err.Error())
		return
	}
	a.hold(ids, a.s.p.Clock.Now().Add(closeHold)) // every SDK on the store: another page's would send them too
}

// keepaliveDone applies the answer to one of the loader's keepalive
// requests as a normal flush would: confirmed records are deleted, rejected
// ones counted. Records the mirror no longer holds were confirmed otherwise
// meanwhile.
func (r *runner) keepaliveDone(args []byte) error {
	o, err := closepath.ParseOutcome(args)
	if err != nil {
		return err
	}
	recs := r.a.close.Records(o.IDs)
	if len(recs) == 0 {
		return nil
	}
	var sendErr error
	if o.Failed {
		sendErr = errKeepalive
	}
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), callTimeout)
	defer cancel()
	_, err = r.fl.Settle(ctx, recs, o.Response, sendErr)
	return err
}

var errKeepalive = errors.New("keepalive request failed")
