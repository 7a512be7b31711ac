package flush

import (
	"context"
	"time"

	"github.com/exponea-wasm/tracker/internal/queue"
)

// pass is the state of one Flush: a cursor through the queue and the halves
// of refused batches still to send.
//
// The cursor only moves forward. Every record behind it was confirmed,
// dropped, held back with a NotBefore in the future, or not due; so a pass
// never sends a record twice unless bisecting, and it ends.
type pass struct {
	f     *Flusher
	ctx   context.Context
	after int64            // Seq cursor
	stack [][]queue.Record // halves of refused batches, next on top
	wake  int64            // earliest held-back due time seen, Unix ms (0: none)
	res   Result
}

func (p *pass) run(force bool) error {
	for {
		if err := p.ctx.Err(); err != nil {
			return err
		}
		now := p.f.clock()
		if !force {
			if hold, err := p.f.hold(now); hold {
				return err
			}
		}
		batch, err := p.nextBatch(now)
		if err != nil || batch == nil {
			return err
		}
		if err := p.send(batch); err != nil {
			return err
		}
	}
}

// nextBatch returns the next batch to send, or nil when nothing is due.
func (p *pass) nextBatch(now time.Time) ([]queue.Record, error) {
	if n := len(p.stack); n > 0 {
		b := p.stack[n-1]
		p.stack = p.stack[:n-1]
		return b, nil
	}
	for {
		due, err := p.due(now)
		if err != nil || len(due) == 0 {
			return nil, err
		}
		b := Batch(due, p.f.cfg.MaxCommands, p.f.cfg.MaxBytes)
		p.after = b[len(b)-1].Seq
		if BodySize(b) < p.f.cfg.MaxBytes {
			return b, nil
		}
		// A lone record that no request can carry: give it up now rather
		// than let it stall the records behind it.
		d := DropReport{ID: b[0].ID, Kind: b[0].Kind, Reason: ErrTooLarge.Error(), Rejections: b[0].Rejections}
		if err := p.f.store.Delete(p.ctx, []int64{b[0].Seq}); err != nil {
			return nil, p.f.storeFailed(err)
		}
		p.res.Dropped++
		p.f.reportDrops([]DropReport{d})
	}
}

// due reads up to MaxCommands due records after the cursor, in Seq order,
// noting when the records it skips become due.
func (p *pass) due(now time.Time) ([]queue.Record, error) {
	ms := now.UnixMilli()
	limit := p.f.cfg.MaxCommands
	var due []queue.Record
	for after := p.after; len(due) < limit; {
		page, err := p.f.store.Oldest(p.ctx, after, limit)
		if err != nil {
			return nil, p.f.storeFailed(err)
		}
		for _, r := range page {
			after = r.Seq
			if r.NotBefore > ms || r.LeaseUntil > ms {
				p.heldUntil(max(r.NotBefore, r.LeaseUntil))
				continue
			}
			if due = append(due, r); len(due) == limit {
				break
			}
		}
		if len(page) < limit {
			break
		}
	}
	return due, nil
}

func (p *pass) heldUntil(ms int64) {
	if p.wake == 0 || ms < p.wake {
		p.wake = ms
	}
}

// send makes one request for batch and acts on the verdict. A non-nil
// error ends the pass.
func (p *pass) send(batch []queue.Record) error {
	f := p.f
	p.res.Requests++
	p.res.Sent += len(batch)
	resp, err := f.sender.Send(p.ctx, Body(batch))
	if err != nil && p.ctx.Err() != nil {
		return p.ctx.Err() // abandoned by the caller: not an outage
	}
	return p.settle(batch, resp, err, true)
}

// settle acts on the answer to batch. With bisect false (the close path,
// which cannot resend) a refused batch of several records is kept as is.
func (p *pass) settle(batch []queue.Record, resp Response, sendErr error, bisect bool) error {
	f := p.f
	now := f.clock()
	v := Decide(resp, sendErr, len(batch), now)
	// The request happened; record its outcome even if ctx ends now, or
	// confirmed records would be sent again.
	ctx := context.WithoutCancel(p.ctx)
	switch v.Action {
	case Apply:
		f.succeeded()
		return p.apply(ctx, batch, v.Outcomes, now, resp.Status)
	case Split:
		if bisect {
			h := len(batch) / 2
			p.stack = append(p.stack, batch[h:], batch[:h])
		}
		return nil
	case Reject:
		f.reportError(v.Err)
		return p.apply(ctx, batch, []Outcome{{Errors: []string{v.Reason}}}, now, 0)
	case Pause:
		f.pause()
	default:
		f.failed(now, v.RetryAfter)
	}
	f.reportError(v.Err)
	return v.Err
}

// apply writes the per-command outcomes of batch with one Delete (confirmed
// and dropped records) and one Update (rejected records, held back by the
// backoff for their rejection count). status is the 2xx status to report,
// or 0 for no flush report.
func (p *pass) apply(ctx context.Context, batch []queue.Record, outs []Outcome, now time.Time, status int) error {
	f := p.f
	var (
		del   []int64
		upd   []queue.Record
		ids   []string
		drops []DropReport
	)
	for i, r := range batch {
		o := outs[i]
		if o.OK {
			del = append(del, r.Seq)
			ids = append(ids, r.ID)
			continue
		}
		r.Rejections++
		if r.Rejections >= f.cfg.MaxRetries {
			del = append(del, r.Seq)
			drops = append(drops, DropReport{ID: r.ID, Kind: r.Kind, Reason: o.Reason(), Rejections: r.Rejections})
			continue
		}
		r.NotBefore = now.Add(f.records.Delay(r.Rejections)).UnixMilli()
		upd = append(upd, r)
	}
	if len(del) > 0 {
		if err := f.store.Delete(ctx, del); err != nil {
			return f.storeFailed(err)
		}
	}
	p.res.Confirmed += len(ids)
	p.res.Dropped += len(drops)
	if status != 0 && f.obs.OnFlush != nil {
		f.obs.OnFlush(FlushReport{Status: status, IDs: ids, Rejected: len(batch) - len(ids)})
	}
	f.reportDrops(drops)
	if len(upd) > 0 {
		if err := f.store.Update(ctx, upd); err != nil {
			return f.storeFailed(err)
		}
		for _, r := range upd {
			p.heldUntil(r.NotBefore)
		}
	}
	return nil
}

// finish counts what is left and works out Result.Next.
func (p *pass) finish(err error) (Result, error) {
	f := p.f
	n, cerr := f.store.Len(context.WithoutCancel(p.ctx))
	p.res.Kept = n
	if cerr != nil {
		p.res.Kept = -1
		if err == nil {
			err = f.storeFailed(cerr)
		}
	}
	now := f.clock()
	f.mu.Lock()
	next, paused := f.next, f.paused
	f.mu.Unlock()
	if paused {
		return p.res, err
	}
	if next.After(now) {
		p.res.Next = next
	}
	if p.wake != 0 && p.res.Kept != 0 {
		if w := time.UnixMilli(p.wake).In(now.Location()); w.After(now) && (p.res.Next.IsZero() || w.Before(p.res.Next)) {
			p.res.Next = w
		}
	}
	return p.res, err
}

// Settle applies the answer to a request made outside Flush (the keepalive
// requests of the page-close path) to the records it
// carried, as Flush would: confirmed records are deleted, rejected ones
// counted, failures back off or pause. A batch refused as a whole is kept
// unchanged (the next Flush bisects it). Pass the Sender-style error for a
// request that got no response. Settle waits for a running Flush.
func (f *Flusher) Settle(ctx context.Context, sent []queue.Record, resp Response, sendErr error) (Result, error) {
	release, err := f.acquire(ctx)
	if err != nil {
		return Result{Kept: -1}, err
	}
	defer release()
	p := &pass{f: f, ctx: ctx}
	if len(sent) > 0 {
		p.res.Sent, p.res.Requests = len(sent), 1
		err = p.settle(sent, resp, sendErr, false)
	}
	return p.finish(err)
}
