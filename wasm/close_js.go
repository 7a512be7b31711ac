//go:build js && wasm

package main

import (
	"context"
	"strconv"
	"time"

	"github.com/exponea-wasm/tracker/internal/browser"
	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// close runs inside pagehide / visibilitychange→hidden. It cannot wait for
// IndexedDB or the network: it sends what the mirror holds with keepalive
// fetches, within the browser's 64 KB budget for keepalive bodies in flight.
// The records stay stored until a response confirms them — here if the page
// lives on, else on the next visit, where the collector's command_id dedupe
// keeps delivery exactly-once.
func (r *runner) close(t flush.Trigger) {
	d := r.sched.On(t, time.Now(), r.online.Load())
	if !d.Close {
		return
	}
	r.closeMu.Lock()
	defer r.closeMu.Unlock()
	var recs []queue.Record
	for _, rec := range r.app.mirror.Snapshot() {
		if !r.sentAt[rec.ID] {
			recs = append(recs, rec)
		}
	}
	reqs, _ := flush.ClosePlan(recs, r.inFlight, flush.KeepaliveBudget, flush.DefaultMaxCommands)
	for _, req := range reqs {
		batch, size := req.Records, len(req.Body)
		if err := browser.SendKeepalive(r.closeURL, req.Body, func(resp flush.Response, err error) {
			r.closeMu.Lock()
			r.inFlight -= size
			r.closeMu.Unlock()
			r.settle(batch, resp, err)
		}); err != nil {
			browser.ConsoleWarn("keepalive send failed: " + err.Error())
			break
		}
		r.inFlight += size
		for _, rec := range batch {
			r.sentAt[rec.ID] = true
		}
	}
}

// visible: the page is back (or restored from the back/forward cache).
// Records sent at close and not yet confirmed may be sent again.
func (r *runner) visible() {
	r.closeMu.Lock()
	clear(r.sentAt)
	r.closeMu.Unlock()
	r.trigger(flush.Timer)
}

// settle hands a close-path outcome to the flusher, which deletes what the
// server confirmed, as a normal flush would. It runs on its own goroutine:
// store calls wait.
func (r *runner) settle(batch []queue.Record, resp flush.Response, err error) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		_, _ = r.fl.Settle(ctx, batch, resp, err)
	}()
}

func (r *runner) onFlush(rep flush.FlushReport) {
	r.app.mirror.Remove(rep.IDs)
	b := []byte(`{"status":`)
	b = strconv.AppendInt(b, int64(rep.Status), 10)
	b = append(b, `,"confirmed":`...)
	b = strconv.AppendInt(b, int64(len(rep.IDs)), 10)
	b = append(b, `,"rejected":`...)
	b = strconv.AppendInt(b, int64(rep.Rejected), 10)
	r.b.emitEvent("flush", append(b, '}'))
}

func (r *runner) onError(rep flush.ErrorReport) {
	b := []byte(`{"message":`)
	b = jsonx.AppendString(b, rep.Err.Error())
	b = append(b, `,"paused":`...)
	b = strconv.AppendBool(b, rep.Paused)
	if !rep.Next.IsZero() {
		b = append(b, `,"retryAt":`...)
		b = strconv.AppendInt(b, rep.Next.UnixMilli(), 10)
	}
	r.b.emitEvent("error", append(b, '}'))
}

func (r *runner) onDrop(rep flush.DropReport) {
	r.dropped.Add(1)
	r.app.mirror.Remove([]string{rep.ID})
	b := []byte(`{"id":`)
	b = jsonx.AppendString(b, rep.ID)
	b = append(b, `,"kind":`...)
	b = jsonx.AppendString(b, string(rep.Kind))
	b = append(b, `,"reason":`...)
	b = jsonx.AppendString(b, rep.Reason)
	b = append(b, `,"rejections":`...)
	b = strconv.AppendInt(b, int64(rep.Rejections), 10)
	r.b.emitEvent("drop", append(b, '}'))
}
