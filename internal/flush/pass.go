package flush

import (
	"context"
	"slices"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"

	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// pass is the state of one Flush: a cursor through the queue and the halves
// of refused batches still to send.
//
// The cursor only moves forward. Every record behind it was confirmed,
// dropped, held back with a NotBeforeMs in the future, or not due; so a pass
// never sends a record twice unless bisecting, and it ends.
//
// Each request runs on its own goroutine (launch) and posts its answer
// back; the store's I/O overlaps the requests in flight: one goroutine
// reads the page after the cursor (readAhead) and another writes the
// outcome of the last batch answered (writeBehind). They touch only records
// of their own (ahead of the cursor; answered), so they cannot race with
// each other or with a request. The pass goroutine alone moves the cursor,
// counts, calls the Observer and decides; it waits for the write (join)
// before it acts on the next answer, reports anything, writes itself, or
// returns, so the reports come in the order of the answers with the counts
// of a sequential pass over them, and Flush never returns with a request or
// a store call still running. With MaxInFlight 1 the pass is sequential.
// With a queue.DeleteReader, the outcome of an answer that only deletes
// waits for the pass's next read, usually the read ahead of the request
// that the answer let go out, and is written with it in one store call
// (see writeBehind): one transaction per batch of a backlog.
type pass struct {
	f       *Flusher
	ctx     ctxlite.Context
	after   int64            // Seq cursor
	stack   [][]queue.Record // halves of refused batches, next on top
	more    bool             // the last batch read left due records behind it
	wake    int64            // earliest held-back due time seen, Unix ms (0: none)
	res     Result
	overlap bool         // write outcomes behind the next request (Flush, not Settle)
	ahead   *readAhead   // the page after the cursor, being read; nil: none
	write   *writeBehind // the outcome of the last answered batch, being written; nil: none
}

// readAhead is a store read of the page after a cursor, made while a request
// is in flight. It only reads: dropping it loses nothing.
type readAhead struct {
	after  int64
	n      int
	cancel context.CancelFunc
	done   chan struct{} // closed when page and err are set
	page   []queue.Record
	err    error
}

// writeBehind is the Delete and Update of one answered batch, made while the
// next request is in flight; join reports it. With a queue.DeleteReader, a
// delete alone waits (pending) for the pass's next read, to be made in one
// transaction with it: the read ahead of the next request (readAhead), or
// a read the pass waits for (read). If no read comes before the pass waits
// for an answer, it starts then (startWrite), and join makes it at the
// latest.
type writeBehind struct {
	ctx      ctxlite.Context
	del      []int64        // confirmed and dropped records
	upd      []queue.Record // rejected records, held back
	ids      []string       // confirmed records' IDs
	drops    []DropReport
	status   int // 2xx status for the flush report, 0: none
	rejected int
	pending  bool          // not started: waits for the next read
	done     chan struct{} // closed when delErr and updErr are set
	delErr   error
	updErr   error
}

// run makes the write: Delete, then Update.
func (w *writeBehind) run(store queue.Store) {
	defer close(w.done)
	defer recoverInto(&w.delErr)
	if len(w.del) > 0 {
		if w.delErr = store.Delete(w.ctx, w.del); w.delErr != nil {
			return
		}
	}
	if len(w.upd) > 0 {
		w.updErr = store.Update(w.ctx, w.upd)
	}
}

// deleteThenOldest makes the pending delete (w has no Update) with the read
// of up to n records after after, in one transaction of dr.
func (w *writeBehind) deleteThenOldest(dr queue.DeleteReader, after int64, n int) (page []queue.Record, err error) {
	defer close(w.done)
	defer func() {
		recoverInto(&err)
		w.delErr = err
	}()
	return dr.DeleteThenOldest(w.ctx, w.del, after, n)
}

func (p *pass) run(force bool) error {
	defer p.dropAhead()
	err := p.loop(force)
	// A write still running belongs to a batch answered before whatever
	// ended the loop: a sequential pass would have stopped at its error.
	werr := p.join()
	if pe, ok := err.(*PanicError); ok && pe.sender {
		// The Sender panicked on its request's goroutine. Every request
		// has ended and every write with it: the panic goes on to Flush's
		// caller, as it would have had Send run on the caller's goroutine.
		panic(pe.Value)
	}
	if werr != nil {
		return werr
	}
	return err
}

// flight is one request of the pass on the wire, and then its answer.
type flight struct {
	batch    []queue.Record
	customer bool // batch holds a customers command: nothing else flies beside it
	resp     Response
	err      error       // Sender's error: no response
	panic    *PanicError // the Sender panicked
}

// loop keeps up to window requests in flight until nothing is due or
// something ends the pass, then waits for every request still in flight
// and acts on its answer: a request that was made is always settled.
//
// The window opens one request at a time: a pass starts with one request
// in flight and allows one more after each batch the server accepts (up to
// MaxInFlight), so an outage or a refusal costs one request, as it would
// sequentially, and a backlog soon has them all busy.
//
// A second request goes out only while there is a backlog: after a batch
// that took everything due (fewer than MaxCommands records), nothing more
// is read until the wire is empty. A page tracking now and then thus sends
// what came meanwhile in one request, as a sequential sender would, rather
// than a request per event whose reads and deletes the page's next stores
// wait behind (measured in Chromium, one event every 5 ms: 10-12 ms from a
// call to its record stored with every batch on the wire at once, 5 ms
// this way).
//
// A batch holding a customers command flies alone: it waits for every
// request before it to be answered, and nothing after it is sent before
// its answer, so the server applies a customer's property updates in the
// order they were made (events, which carry their own timestamps, may be
// confirmed in any order).
func (p *pass) loop(force bool) error {
	var (
		stop     error          // why the pass stops sending; nil: it has not
		stopped  bool           // no more requests: stop, nothing due, or held
		window   = 1            // requests allowed in flight now
		inFlight int            // requests on the wire
		alone    bool           // the request in flight holds a customers command
		waiting  []queue.Record // a customers batch waiting for the wire to empty
		failed   bool           // a request of this pass failed: the gate is set
		broken   bool           // the store (or the Sender) failed: answers go unused
		drained  bool           // the last batch sent took all that was due
	)
	results := make(chan *flight, p.f.cfg.MaxInFlight)
	for {
		for !stopped && inFlight < window && !alone && !(drained && inFlight > 0) {
			if err := p.ctx.Err(); err != nil {
				stop, stopped = err, true
				break
			}
			now := p.f.clock()
			if !force {
				if hold, err := p.f.hold(now); hold {
					stop, stopped = err, true
					break
				}
			}
			batch := waiting
			waiting = nil
			if batch == nil {
				var err error
				if batch, err = p.nextBatch(now); err != nil {
					stop, stopped, broken = err, true, true
					break
				}
				if batch == nil {
					break // nothing due now; an answer may make more due
				}
			}
			fl := &flight{batch: batch, customer: hasCustomer(batch)}
			if fl.customer && inFlight > 0 {
				waiting = batch
				break
			}
			alone = fl.customer
			drained = !p.more
			inFlight++
			p.launch(fl, results)
		}
		if inFlight == 0 {
			break
		}
		p.startWrite() // no read came to carry it: behind the requests
		fl := <-results
		inFlight--
		if fl.customer {
			alone = false
		}
		if broken {
			// The store failed: writing more outcomes would fail too, and
			// a Sender that panicked may have answered anything. The
			// records stay queued, to be sent again (the server dedupes).
			continue
		}
		accepted, err := p.answer(fl, failed)
		if accepted && window < p.f.cfg.MaxInFlight {
			window++
		}
		if err != nil {
			switch err.(type) {
			case *storeError, *PanicError:
				broken = true
			}
			failed = failed || isFailure(err)
			if stop == nil {
				stop = err
			}
			stopped = true
		}
	}
	return stop
}

// launch sends fl's batch on its own goroutine, which posts fl to results
// when the answer (or the failure) is in.
func (p *pass) launch(fl *flight, results chan<- *flight) {
	f := p.f
	p.res.Requests++
	p.res.Sent += len(fl.batch)
	if p.more {
		// More are queued behind this batch. (Otherwise it was all there
		// was; reading ahead would only add a transaction that the page's
		// next append has to wait for.)
		p.readAhead()
	}
	body := Body(fl.batch)
	ctx, sender := p.ctx, f.sender
	go func() {
		defer func() { results <- fl }()
		defer func() {
			if v := recover(); v != nil {
				fl.panic = &PanicError{Value: v, sender: true}
			}
		}()
		fl.resp, fl.err = sender.Send(ctx, body)
	}()
}

// answer acts on the answer to fl. accepted tells whether the server took
// the batch (a 2xx with results); a non-nil error ends the pass. After a
// failure of this pass (failed) the sender is already backing off or
// paused, and an answer that was in flight beside it only settles its
// records: it neither reopens nor extends the gate.
func (p *pass) answer(fl *flight, failed bool) (accepted bool, err error) {
	// The outcome of the batch answered before must be written before this
	// answer is acted on. If it could not be, the pass ends as it would
	// have before this request: the answer is dropped, and the batch,
	// confirmed or not, stays queued (to be sent again; the server
	// dedupes).
	if werr := p.join(); werr != nil {
		return false, werr
	}
	if fl.panic != nil {
		return false, fl.panic
	}
	if fl.err != nil && p.ctx.Err() != nil {
		return false, p.ctx.Err() // abandoned by the caller: not an outage
	}
	from := ownRequest
	if failed {
		from = besideFailure
	}
	action, err := p.settle(fl.batch, fl.resp, fl.err, from)
	return action == Apply, err
}

// isFailure tells whether err, which ended a pass, set the gate (a failed
// or refused request), as against a store failure or a panic.
func isFailure(err error) bool {
	switch err.(type) {
	case *HTTPError, *netError:
		return true
	}
	return err == ErrPaused
}

// hasCustomer tells whether batch holds a customers command.
func hasCustomer(batch []queue.Record) bool {
	for _, r := range batch {
		if r.Kind == queue.KindCustomer {
			return true
		}
	}
	return false
}

// nextBatch returns the next batch to send, or nil when nothing is due.
func (p *pass) nextBatch(now time.Time) ([]queue.Record, error) {
	if n := len(p.stack); n > 0 {
		b := p.stack[n-1]
		p.stack = p.stack[:n-1]
		p.more = true // the other half, and the records after the cursor
		return b, nil
	}
	for {
		due, err := p.due(now)
		if err != nil || len(due) == 0 {
			return nil, err
		}
		b := Batch(due, p.f.cfg.MaxCommands, p.f.cfg.MaxBytes)
		p.after = b[len(b)-1].Seq
		p.more = len(due) == p.f.cfg.MaxCommands || len(b) < len(due)
		if BodySize(b) < p.f.cfg.MaxBytes {
			return b, nil
		}
		// A lone record that no request can carry: give it up now rather
		// than let it stall the records behind it (after the reports of
		// the batch before it).
		if err := p.join(); err != nil {
			return nil, err
		}
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
		page, err := p.read(after, limit)
		if err != nil {
			if werr := p.join(); werr != nil {
				return nil, werr
			}
			return nil, p.f.storeFailed(err)
		}
		for _, r := range page {
			after = r.Seq
			if r.NotBeforeMs > ms {
				p.heldUntil(r.NotBeforeMs)
				continue
			}
			if until := p.f.heldUntil(r.ID, now); !until.IsZero() {
				p.heldUntil(until.UnixMilli())
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

// read returns up to n records after Seq after: the page read ahead if it is
// that one, else a fresh read.
func (p *pass) read(after int64, n int) ([]queue.Record, error) {
	if a := p.ahead; a != nil {
		if a.after == after && a.n == n {
			p.ahead = nil
			<-a.done
			a.cancel()
			return a.page, a.err
		}
		p.dropAhead()
	}
	if w := p.write; w != nil && w.pending {
		w.pending = false
		return w.deleteThenOldest(p.f.dr, after, n)
	}
	return p.f.store.Oldest(p.ctx, after, n)
}

// startWrite starts the pending write, if any, on its own goroutine.
func (p *pass) startWrite() {
	if w := p.write; w != nil && w.pending {
		w.pending = false
		go w.run(p.f.store)
	}
}

// readAhead starts reading the page after the cursor, unless that read is
// already under way. The cursor does not move before the next read, since
// halves of refused batches lie behind it.
func (p *pass) readAhead() {
	if p.ahead != nil {
		return
	}
	a := &readAhead{after: p.after, n: p.f.cfg.MaxCommands, done: make(chan struct{})}
	p.ahead = a
	if w := p.write; w != nil && w.pending {
		// The delete of the last answered batch goes with this read, in
		// one transaction. It is not given up with the read: a.cancel
		// does nothing, and a dropped read still ends the write.
		w.pending = false
		a.cancel = func() {}
		dr := p.f.dr
		go func() {
			defer close(a.done)
			a.page, a.err = w.deleteThenOldest(dr, a.after, a.n)
		}()
		return
	}
	ctx, cancel := ctxlite.Cancel(p.ctx)
	a.cancel = cancel
	store := p.f.store
	go func() {
		defer close(a.done)
		defer recoverInto(&a.err)
		a.page, a.err = store.Oldest(ctx, a.after, a.n)
	}()
}

// dropAhead stops and forgets the read ahead, if any, once it has ended.
func (p *pass) dropAhead() {
	if a := p.ahead; a != nil {
		p.ahead = nil
		a.cancel()
		<-a.done
	}
}

func (p *pass) heldUntil(ms int64) {
	if p.wake == 0 || ms < p.wake {
		p.wake = ms
	}
}

// origin tells whose request an answer is to.
type origin int

const (
	// ownRequest: a request of the pass itself.
	ownRequest origin = iota
	// closeRequest: a keepalive request of the page-close path. It cannot
	// be resent, so a refused batch of several records is kept as is (the
	// next Flush bisects it); and its failures neither pause nor back off
	// the sender, since they say nothing certain about the sender's own
	// requests (the close path carries the key in the URL, and the
	// browser's keepalive limits can fail it).
	closeRequest
	// besideFailure: a request of the pass that was in flight when another
	// one failed. Its answer settles its records, but the gate stays as the
	// failure set it (a success that was under way says nothing about the
	// outage; a second failure is the same outage) — except for what the
	// server says outright, whichever answer came first: a refusal of the
	// credentials pauses, and a Retry-After is waited for in full.
	besideFailure
)

// settle acts on the answer to batch, and returns what it did.
func (p *pass) settle(batch []queue.Record, resp Response, sendErr error, from origin) (Action, error) {
	f := p.f
	now := f.clock()
	v := Decide(resp, sendErr, len(batch), now)
	// The request happened; record its outcome even if ctx ends now, or
	// confirmed records would be sent again.
	ctx := ctxlite.Detach(p.ctx)
	switch v.Action {
	case Apply:
		if from != besideFailure {
			f.succeeded()
		}
		p.apply(ctx, batch, v.Outcomes, now, resp.Status)
		return v.Action, nil
	case Split:
		if from == ownRequest {
			h := len(batch) / 2
			p.stack = append(p.stack, batch[h:], batch[:h])
		}
		return v.Action, nil
	case Reject:
		f.reportError(v.Err)
		p.apply(ctx, batch, []wire.Result{{Errors: []string{v.Reason}}}, now, 0)
		return v.Action, nil
	case Pause:
		if from != closeRequest {
			f.pause()
		}
	default:
		switch from {
		case ownRequest:
			f.failed(now, v.RetryAfter)
		case besideFailure:
			f.waitAtLeast(now.Add(v.RetryAfter))
		}
	}
	f.reportError(v.Err)
	return v.Action, v.Err
}

// apply writes the per-command outcomes of batch with one Delete (confirmed
// and dropped records) and one Update (rejected records, held back by the
// backoff for their rejection count). status is the 2xx status to report,
// or 0 for no flush report. In a Flush the writes run behind the next
// request; join waits for them, counts and reports.
func (p *pass) apply(ctx ctxlite.Context, batch []queue.Record, outs []wire.Result, now time.Time, status int) {
	f := p.f
	w := &writeBehind{ctx: ctx, status: status, done: make(chan struct{})}
	for i, r := range batch {
		o := outs[i]
		if o.OK {
			w.del = append(w.del, r.Seq)
			w.ids = append(w.ids, r.ID)
			continue
		}
		r.Rejections++
		if r.Rejections >= f.cfg.MaxRetries {
			w.del = append(w.del, r.Seq)
			w.drops = append(w.drops, DropReport{ID: r.ID, Kind: r.Kind, Reason: o.Reason(), Rejections: r.Rejections})
			continue
		}
		r.NotBeforeMs = now.Add(f.records.Delay(r.Rejections)).UnixMilli()
		w.upd = append(w.upd, r)
	}
	w.rejected = len(batch) - len(w.ids)
	if f.obs.OnAnswered != nil && len(w.del) > 0 {
		answered := slices.Clone(w.ids)
		for _, d := range w.drops {
			answered = append(answered, d.ID)
		}
		f.obs.OnAnswered(answered)
	}
	p.write = w
	if p.overlap && f.dr != nil && len(w.del) > 0 && len(w.upd) == 0 {
		// Deleted with the next read, in one transaction (read).
		w.pending = true
		return
	}
	// Only behind a full batch, the sign of a backlog: after a partial one
	// the pass is about to end, and a write running beside its last read
	// only makes the page's next append wait for two transactions.
	if p.overlap && len(batch) == f.cfg.MaxCommands {
		go w.run(f.store)
	} else {
		w.run(f.store)
	}
}

// join waits for the outcome being written, if any, then counts and reports
// it as a sequential pass would have right after writing it. A non-nil
// error (a store failure) ends the pass.
func (p *pass) join() error {
	w := p.write
	if w == nil {
		return nil
	}
	p.write = nil
	if w.pending {
		w.pending = false
		w.run(p.f.store)
	}
	<-w.done
	f := p.f
	if w.delErr != nil {
		return f.storeFailed(w.delErr)
	}
	p.res.Confirmed += len(w.ids)
	p.res.Dropped += len(w.drops)
	if w.status != 0 && f.obs.OnFlush != nil {
		f.obs.OnFlush(FlushReport{Status: w.status, IDs: w.ids, Rejected: w.rejected})
	}
	f.reportDrops(w.drops)
	if w.updErr != nil {
		return f.storeFailed(w.updErr)
	}
	for _, r := range w.upd {
		p.heldUntil(r.NotBeforeMs)
	}
	return nil
}

// finish counts what is left and works out Result.Next. Every write of the
// pass has ended (run and Settle join them).
func (p *pass) finish(err error) (Result, error) {
	f := p.f
	n, cerr := f.store.Len(ctxlite.Detach(p.ctx))
	p.res.Kept = n
	if cerr != nil {
		p.res.Kept = -1
		if err == nil {
			err = f.storeFailed(cerr)
		}
	}
	now := f.clock()
	next, paused := f.next(now)
	if paused {
		return p.res, err
	}
	p.res.Next = next // the end of a backoff: nothing goes sooner
	if next.IsZero() && p.wake != 0 && p.res.Kept != 0 {
		// A record held back, or held, comes due then; if that time passed
		// while the pass ran, flush again at once.
		p.res.Next = time.UnixMilli(max(p.wake, now.UnixMilli())).In(now.Location())
	}
	return p.res, err
}

// Settle applies the answer to a request made outside Flush (the keepalive
// requests of the page-close path) to the records it
// carried, as Flush would: confirmed records are deleted, rejected ones
// counted, failures back off or pause. A batch refused as a whole is kept
// unchanged (the next Flush bisects it). Pass the Sender-style error for a
// request that got no response. Settle waits for a running Flush.
func (f *Flusher) Settle(ctx ctxlite.Context, sent []queue.Record, resp Response, sendErr error) (Result, error) {
	release, err := f.acquire(ctx)
	if err != nil {
		return Result{Kept: -1}, err
	}
	defer release()
	p := &pass{f: f, ctx: ctx}
	defer f.release(sent) // confirmed, counted, or free to go again
	if len(sent) > 0 {
		p.res.Sent, p.res.Requests = len(sent), 1
		_, err = p.settle(sent, resp, sendErr, closeRequest)
		if werr := p.join(); werr != nil {
			err = werr
		}
	}
	return p.finish(err)
}

// recoverInto turns a panic of a store call on one of the pass's own
// goroutines into *err, so that it ends the pass like any store failure
// instead of the program.
func recoverInto(err *error) {
	if p := recover(); p != nil {
		*err = &PanicError{Value: p}
	}
}
