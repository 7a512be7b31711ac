package sdk

import (
	"strconv"

	"github.com/exponea-wasm/tracker/internal/flush"
	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// The flusher's reports become the page's "flush", "error" and "drop"
// events (js/exponea.d.ts has their shapes); confirmed and dropped records
// leave the close path's copies.

// onAnswered: the pages' copies (every page's sharing the store) forget
// records the server answered for good before they are deleted, so no
// close path sends one again.
func (r *runner) onAnswered(ids []string) { r.a.gone(ids) }

func (r *runner) onFlush(rep flush.FlushReport) {
	if r.a.cfg.Debug {
		r.a.debug("batch answered " + strconv.Itoa(rep.Status) + ": " + strconv.Itoa(len(rep.IDs)) + " confirmed, " + strconv.Itoa(rep.Rejected) + " rejected")
	}
	b := []byte(`{"status":`)
	b = strconv.AppendInt(b, int64(rep.Status), 10)
	b = append(b, `,"confirmed":`...)
	b = strconv.AppendInt(b, int64(len(rep.IDs)), 10)
	b = append(b, `,"rejected":`...)
	b = strconv.AppendInt(b, int64(rep.Rejected), 10)
	r.a.s.p.Out.Report(ReportFlush, append(b, '}'))
}

func (r *runner) onError(rep flush.ErrorReport) {
	var at int64
	if !rep.Next.IsZero() {
		at = rep.Next.UnixMilli()
	}
	if r.a.cfg.Debug {
		next := "; sending paused until flushData"
		if !rep.Paused {
			next = "; next try in " + strconv.FormatInt(max(at-r.a.s.p.Clock.Now().UnixMilli(), 0), 10) + " ms"
		}
		r.a.debug(rep.Err.Error() + next)
	}
	r.a.s.p.Out.Report(ReportError, errorDetail(rep.Err.Error(), rep.Paused, at))
}

// errorDetail is an "error" event: the message, whether sending is paused,
// and when it resumes (retryAtMs, Unix milliseconds; 0: not said).
func errorDetail(msg string, paused bool, retryAtMs int64) []byte {
	b := []byte(`{"message":`)
	b = jsonx.AppendString(b, msg)
	b = append(b, `,"paused":`...)
	b = strconv.AppendBool(b, paused)
	if retryAtMs != 0 {
		b = append(b, `,"retryAt":`...)
		b = strconv.AppendInt(b, retryAtMs, 10)
	}
	return append(b, '}')
}

func (r *runner) onDrop(rep flush.DropReport) {
	r.dropped.Add(1)
	if r.a.cfg.Debug {
		r.a.debug("dropped " + rep.ID + ": " + rep.Reason)
	}
	r.a.gone([]string{rep.ID})
	b := []byte(`{"id":`)
	b = jsonx.AppendString(b, rep.ID)
	b = append(b, `,"kind":`...)
	b = jsonx.AppendString(b, string(rep.Kind))
	b = append(b, `,"reason":`...)
	b = jsonx.AppendString(b, rep.Reason)
	b = append(b, `,"rejections":`...)
	b = strconv.AppendInt(b, int64(rep.Rejections), 10)
	r.a.s.p.Out.Report(ReportDrop, append(b, '}'))
}

// debugFlush logs what a flush did.
func (a *app) debugFlush(res flush.Result, err error) {
	msg := "flush: " + strconv.Itoa(res.Requests) + " requests, " + strconv.Itoa(res.Sent) + " sent, " +
		strconv.Itoa(res.Confirmed) + " confirmed, " + strconv.Itoa(res.Dropped) + " dropped, " + strconv.Itoa(res.Kept) + " kept"
	if !res.Next.IsZero() {
		msg += ", next at " + strconv.FormatInt(res.Next.UnixMilli(), 10)
	}
	if err != nil {
		msg += " (" + err.Error() + ")"
	}
	a.debug(msg)
}

// debug logs msg when the configuration asks for it. Callers check
// cfg.Debug first, so that no message is built otherwise.
func (a *app) debug(msg string) { a.s.p.Log.Debug(msg) }
