//go:build js && wasm

package main

import (
	"context"
	"errors"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// visible: the page is shown again, or restored from the back/forward
// cache; in immediate mode whatever waits goes out now.
func (r *runner) visible() { r.trigger(flush.Timer) }

// keepaliveDone applies the answer to one of the loader's keepalive
// requests (the page lived on to see it) as a normal flush would: confirmed
// records are deleted, rejected ones counted. Records the mirror no longer
// holds were confirmed otherwise meanwhile.
func (r *runner) keepaliveDone(args []byte) error {
	o, err := flush.ParseKeepaliveOutcome(args)
	if err != nil {
		return err
	}
	recs := r.app.mirror.Get(o.IDs)
	if len(recs) == 0 {
		return nil
	}
	var sendErr error
	if o.Failed {
		sendErr = errKeepalive
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err = r.fl.Settle(ctx, recs, o.Response, sendErr)
	return err
}

var errKeepalive = errors.New("keepalive request failed")

// stored tells the loader's close path about records to mirror, one line
// each: seq US id US body.
func (r *runner) emitStored(recs []queue.Record) {
	size := 0
	for _, rec := range recs {
		size += 24 + len(rec.ID) + len(rec.Body)
	}
	b := make([]byte, 0, size)
	for i, rec := range recs {
		if i > 0 {
			b = append(b, '\n')
		}
		b = strconv.AppendInt(b, rec.Seq, 10)
		b = append(b, 0x1f)
		b = append(b, rec.ID...)
		b = append(b, 0x1f)
		b = append(b, rec.Body...)
	}
	r.b.emitRaw("_stored", b)
}

// emitGone tells the loader's close path to forget records (confirmed or
// given up), one id a line.
func (r *runner) emitGone(ids []string) {
	if len(ids) == 0 {
		return
	}
	var b []byte
	for i, id := range ids {
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(b, id...)
	}
	r.b.emitRaw("_gone", b)
}

func (r *runner) onFlush(rep flush.FlushReport) {
	r.app.mirror.Remove(rep.IDs)
	r.emitGone(rep.IDs)
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
	r.emitGone([]string{rep.ID})
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
