package flush

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// events is a log of what the fakes did, in order, that a fake can wait on.
type events struct {
	mu  sync.Mutex
	log []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	e.log = append(e.log, s)
	e.mu.Unlock()
}

func (e *events) has(s string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Contains(e.log, s)
}

// await waits up to a second for s to be logged.
func (e *events) await(t *testing.T, s, by string) {
	for deadline := time.Now().Add(time.Second); !e.has(s); {
		if time.Now().After(deadline) {
			t.Errorf("%s: %q did not happen meanwhile", by, s)
			return
		}
		time.Sleep(50 * time.Microsecond)
	}
}

func (e *events) index(s string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Index(e.log, s)
}

// opStore logs the store calls the flusher makes and counts those running;
// hook, if set, runs inside a call after its start is logged.
type opStore struct {
	queue.Store
	ev      *events
	running atomic.Int32
	hook    func(op string)
}

func (s *opStore) around(op string, fn func() error) error {
	s.running.Add(1)
	defer s.running.Add(-1)
	s.ev.add(op + " start")
	if s.hook != nil {
		s.hook(op)
	}
	err := fn()
	s.ev.add(op + " end")
	return err
}

func (s *opStore) Oldest(ctx ctxlite.Context, after int64, n int) (recs []queue.Record, err error) {
	err = s.around("oldest>"+strconv.FormatInt(after, 10), func() error {
		recs, err = s.Store.Oldest(ctx, after, n)
		return err
	})
	return recs, err
}

func (s *opStore) Delete(ctx ctxlite.Context, seqs []int64) error {
	return s.around("delete "+fmt.Sprint(seqs), func() error { return s.Store.Delete(ctx, seqs) })
}

func (s *opStore) Update(ctx ctxlite.Context, recs []queue.Record) error {
	return s.around("update "+strconv.Itoa(len(recs)), func() error { return s.Store.Update(ctx, recs) })
}

func (s *opStore) Len(ctx ctxlite.Context) (int, error) {
	var n int
	err := s.around("len", func() (err error) {
		n, err = s.Store.Len(ctx)
		return err
	})
	return n, err
}

// inFlight counts a sender's requests in flight and the most seen at once.
type inFlight struct{ now, most atomic.Int32 }

func (c *inFlight) enter() {
	n := c.now.Add(1)
	for m := c.most.Load(); n > m && !c.most.CompareAndSwap(m, n); m = c.most.Load() {
	}
}

func (c *inFlight) leave() { c.now.Add(-1) }

// Batch n of 3 holds Seqs 3n+1..3n+3. While request n is in flight, the
// flusher must read the page after it (Oldest after 3n+3) and delete batch
// n-1: each of these calls waits for the request to start, and the request
// waits for them to start, so the test passes only if they truly overlap.
func TestFlushOverlapsStoreWithRequest(t *testing.T) {
	ev := &events{}
	store := &opStore{Store: fill(t, 9), ev: ev}
	store.hook = func(op string) {
		var n int64
		switch {
		case strings.HasPrefix(op, "oldest>") && op != "oldest>0":
			after, _ := strconv.ParseInt(op[len("oldest>"):], 10, 64)
			n = after/3 - 1 // read ahead during request n
		case strings.HasPrefix(op, "delete ["):
			first, _ := strconv.ParseInt(strings.Fields(op[len("delete ["):])[0], 10, 64)
			if n = (first-1)/3 + 1; n == 3 {
				return // the last batch's delete overlaps nothing
			}
		default:
			return
		}
		ev.await(t, "send "+strconv.FormatInt(n, 10)+" start", op)
	}
	var flight inFlight
	s := &sender{}
	s.reply = func(n int, body []byte) (Response, error) {
		flight.enter()
		defer flight.leave()
		ev.add("send " + strconv.Itoa(n) + " start")
		ev.await(t, "oldest>"+strconv.Itoa(3*n+3)+" start", "request "+strconv.Itoa(n))
		if n > 0 {
			ev.await(t, fmt.Sprintf("delete [%d %d %d] start", 3*n-2, 3*n-1, 3*n), "request "+strconv.Itoa(n))
		}
		ev.add("send " + strconv.Itoa(n) + " end")
		return results(body, allOK), nil
	}
	var reports []FlushReport
	f := New(store, s, Config{MaxCommands: 3, MaxInFlight: 1}, newClock().Now, fixed(0), Observer{OnFlush: func(r FlushReport) { reports = append(reports, r) }})
	res, err := f.Flush(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Sent: 9, Confirmed: 9, Requests: 3}); res != want {
		t.Errorf("got %+v, want %+v", res, want)
	}
	if n := flight.most.Load(); n != 1 {
		t.Errorf("got %v requests in flight at once, want 1", n)
	}
	if store.running.Load() != 0 {
		t.Error("Flush returned with a store call running")
	}
	// The queue was counted after the last delete ended.
	if i, j := ev.index("delete [7 8 9] end"), ev.index("len start"); i < 0 || j < i {
		t.Errorf("len at %v, last delete done at %v; want len after: %q", j, i, ev.log)
	}
	if len(reports) != 3 || reports[2].IDs[0] != "id-6" {
		t.Errorf("flush reports: got %+v, want 3 in order", reports)
	}
	if n := len(all(t, store)); n != 0 {
		t.Errorf("got %v records left, want 0", n)
	}
}

// A request that fails while the next page is read ahead: that page is
// never sent and stays queued, untouched, and the pass reports as before.
func TestFlushFailureDropsReadAhead(t *testing.T) {
	tests := []struct {
		name   string
		reply  func(body []byte, cancel func()) (Response, error)
		want   Result // Next left out
		errIs  error
		paused bool
	}{
		{"503", func([]byte, func()) (Response, error) { return Response{Status: 503}, nil },
			Result{Sent: 6, Confirmed: 3, Kept: 6, Requests: 2}, nil, false},
		{"network", func([]byte, func()) (Response, error) { return Response{}, errors.New("reset") },
			Result{Sent: 6, Confirmed: 3, Kept: 6, Requests: 2}, ErrNetwork, false},
		{"401", func([]byte, func()) (Response, error) { return Response{Status: 401}, nil },
			Result{Sent: 6, Confirmed: 3, Kept: 6, Requests: 2}, nil, true},
		{"ctx ends", func(_ []byte, cancel func()) (Response, error) { cancel(); return Response{}, context.Canceled },
			Result{Sent: 6, Confirmed: 3, Kept: 6, Requests: 2}, context.Canceled, false},
		{"ctx ends after a success", func(body []byte, cancel func()) (Response, error) { cancel(); return results(body, allOK), nil },
			Result{Sent: 6, Confirmed: 6, Kept: 3, Requests: 2}, context.Canceled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &events{}
			store := &opStore{Store: fill(t, 9), ev: ev}
			c, cancel := ctxlite.Cancel(ctx)
			defer cancel()
			s := &sender{}
			s.reply = func(n int, body []byte) (Response, error) {
				if n == 0 {
					return results(body, allOK), nil
				}
				// Let the read of the third batch happen first.
				ev.await(t, "oldest>6 end", "request 1")
				return tt.reply(body, cancel)
			}
			var errs []error
			f := New(store, s, Config{MaxCommands: 3, MaxInFlight: 1}, newClock().Now, fixed(0), Observer{OnError: func(r ErrorReport) { errs = append(errs, r.Err) }})
			res, err := f.Flush(c, false)
			if tt.errIs != nil && !errors.Is(err, tt.errIs) || tt.errIs == nil && err == nil {
				t.Errorf("got error %v, want %v", err, tt.errIs)
			}
			if res.Next = (time.Time{}); res != tt.want {
				t.Errorf("got %+v, want %+v", res, tt.want)
			}
			if s.calls() != 2 {
				t.Errorf("got %v requests, want 2: the batch read ahead must not be sent", s.calls())
			}
			if isPaused(f) != tt.paused {
				t.Errorf("paused: got %v, want %v", isPaused(f), tt.paused)
			}
			if store.running.Load() != 0 {
				t.Error("Flush returned with a store call running")
			}
			left := all(t, store)
			if len(left) != tt.want.Kept || left[len(left)-1].ID != "id-8" {
				t.Fatalf("got %+v, want the last %v records", left, tt.want.Kept)
			}
			for _, r := range left {
				if r.Rejections != 0 || r.NotBeforeMs != 0 {
					t.Errorf("%s: got %+v, want it untouched", r.ID, r)
				}
			}
			if tt.errIs == context.Canceled && len(errs) != 0 {
				t.Errorf("abandoned pass: got OnError %v, want none", errs)
			}
			// Everything goes out once it is possible again.
			s.mu.Lock()
			s.reply = nil
			s.mu.Unlock()
			if res, err := f.Flush(ctx, true); err != nil || res.Confirmed != tt.want.Kept || res.Kept != 0 {
				t.Errorf("next flush: got %+v, %v; want the rest confirmed", res, err)
			}
		})
	}
}

// nthFailing fails the nth Delete call (1-based) of the store it wraps.
type nthFailing struct {
	queue.Store
	n, calls atomic.Int32
}

func (s *nthFailing) Delete(ctx ctxlite.Context, seqs []int64) error {
	if s.calls.Add(1) == s.n.Load() {
		return errDisk
	}
	return s.Store.Delete(ctx, seqs)
}

// A delete written behind the next request that fails ends the pass at the
// next step, as it ended it at once before: every record it did not delete
// is still queued, even those the server confirmed, and nothing more is
// sent.
func TestFlushWriteBehindErrorEndsPass(t *testing.T) {
	for _, nth := range []int32{1, 2, 3} {
		t.Run("delete "+strconv.Itoa(int(nth)), func(t *testing.T) {
			mem := fill(t, 12)
			store := &nthFailing{Store: mem}
			store.n.Store(nth)
			s := &sender{}
			var (
				errs    []error
				flushed int
			)
			f := New(store, s, Config{MaxCommands: 3, MaxInFlight: 1}, newClock().Now, fixed(0), Observer{
				OnError: func(r ErrorReport) { errs = append(errs, r.Err) },
				OnFlush: func(r FlushReport) { flushed += len(r.IDs) },
			})
			res, err := f.Flush(ctx, false)
			if !errors.Is(err, errDisk) || len(errs) != 1 || !errors.Is(errs[0], errDisk) {
				t.Fatalf("got %v (reported %v), want the store's error once", err, errs)
			}
			confirmed := 3 * int(nth-1) // the batches deleted before
			if res.Confirmed != confirmed || flushed != confirmed || res.Kept != 12-confirmed || len(all(t, mem)) != 12-confirmed {
				t.Errorf("got %+v (reported %v confirmed, %v stored), want %v confirmed, the rest kept", res, flushed, len(all(t, mem)), confirmed)
			}
			// At most the request made while the failing delete ran follows it.
			if res.Requests < int(nth) || res.Requests > int(nth)+1 || res.Sent != 3*res.Requests || s.calls() != res.Requests {
				t.Errorf("got %+v after %v calls, want %v or %v requests", res, s.calls(), nth, nth+1)
			}
			if res, err := f.Flush(ctx, false); err != nil || res.Confirmed != 12-confirmed || res.Kept != 0 {
				t.Errorf("once the store works: got %+v, %v; want the rest confirmed", res, err)
			}
		})
	}
}

func goroutineID() string {
	b := make([]byte, 64)
	return strings.Fields(string(b[:runtime.Stack(b, false)]))[1]
}

// One pass through a rejection, a drop, a record too large, a bisected
// batch and a refused record reports exactly what a sequential pass does,
// in the same order, from the caller's goroutine, however long the store
// takes.
func TestFlushReportsInOrder(t *testing.T) {
	want := []string{
		"flush 200 [id-0 id-1 id-3] rejected 1",
		"drop id-2: invalid id-2 (1)",
		"flush 200 [id-4] rejected 0",
		"drop id-5: " + ErrTooLarge.Error() + " (0)",
		"flush 200 [id-6 id-7] rejected 0",
		"error flush: HTTP 400: Invalid event_type",
		"drop id-8: Invalid event_type (1)",
		"flush 200 [id-9] rejected 0",
		"flush 200 [id-10 id-11 id-12 id-13] rejected 0",
	}
	wantSent := [][]string{
		{"id-0", "id-1", "id-2", "id-3"}, {"id-4"}, {"id-6", "id-7", "id-8", "id-9"}, {"id-6", "id-7"},
		{"id-8", "id-9"}, {"id-8"}, {"id-9"}, {"id-10", "id-11", "id-12", "id-13"},
	}
	for _, jitter := range []time.Duration{0, 300 * time.Microsecond} {
		for i := range 5 {
			mem := queue.NewMemory()
			recs := make([]queue.Record, 14)
			for i := range recs {
				recs[i] = rec(i)
			}
			recs[5].Body = `{"name":"customers/events","command_id":"id-5","data":"` + strings.Repeat("x", 2000) + `"}`
			if _, err := mem.Append(ctx, recs); err != nil {
				t.Fatal(err)
			}
			store := &opStore{Store: mem, ev: &events{}}
			if jitter > 0 {
				rng := rand.New(rand.NewPCG(uint64(i), 1))
				var mu sync.Mutex
				store.hook = func(string) {
					mu.Lock()
					d := time.Duration(rng.Int64N(int64(jitter)))
					mu.Unlock()
					time.Sleep(d)
				}
			}
			s := &sender{reply: func(n int, body []byte) (Response, error) {
				if slices.Contains(ids(body), "id-8") {
					return Response{Status: 400, Body: []byte(`{"success":false,"error":"Invalid event_type"}`)}, nil
				}
				return results(body, func(id string) bool { return id != "id-2" }), nil
			}}
			caller := goroutineID()
			var got []string
			note := func(s string) {
				if id := goroutineID(); id != caller {
					t.Errorf("%s: reported on goroutine %s, want the caller's %s", s, id, caller)
				}
				got = append(got, s)
			}
			f := New(store, s, Config{MaxCommands: 4, MaxBytes: 1000, MaxRetries: 1, MaxInFlight: 1}, newClock().Now, fixed(0), Observer{
				OnFlush: func(r FlushReport) { note(fmt.Sprintf("flush %d %v rejected %d", r.Status, r.IDs, r.Rejected)) },
				OnDrop:  func(d DropReport) { note(fmt.Sprintf("drop %s: %s (%d)", d.ID, d.Reason, d.Rejections)) },
				OnError: func(r ErrorReport) { note("error " + r.Err.Error()) },
			})
			res, err := f.Flush(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			if w := (Result{Sent: 19, Confirmed: 11, Dropped: 3, Requests: 8}); res != w {
				t.Errorf("got %+v, want %+v", res, w)
			}
			if !equal(got, want) {
				t.Errorf("jitter %v: reports\n got %q\nwant %q", jitter, got, want)
			}
			for i, b := range s.bodies {
				if i >= len(wantSent) || !equal(ids(b), wantSent[i]) {
					t.Errorf("request %d: got %v, want %v", i, ids(b), wantSent[min(i, len(wantSent)-1)])
				}
			}
		}
	}
}

// Many passes with random latencies and answers, one request at a time and
// several: never more than MaxInFlight requests at once, a batch holding a
// customers command alone on the wire, no store call outliving Flush, a
// record deleted only once the server confirmed it (or the flusher dropped
// it), sent at most once per pass unless a refused batch is bisected, and
// Result counting just that.
func TestFlushOverlapInvariants(t *testing.T) {
	for _, k := range []int{1, 3} {
		t.Run("in flight "+strconv.Itoa(k), func(t *testing.T) { testOverlapInvariants(t, k) })
	}
}

func testOverlapInvariants(t *testing.T, k int) {
	rng := rand.New(rand.NewPCG(7, uint64(k)))
	var rmu sync.Mutex
	rnd := func(n int64) int64 {
		rmu.Lock()
		defer rmu.Unlock()
		return rng.Int64N(n)
	}
	ev := &events{}
	store := &opStore{Store: queue.NewMemory(), ev: ev, hook: func(string) { time.Sleep(time.Duration(rnd(200)) * time.Microsecond) }}
	var (
		flight    inFlight
		mu        sync.Mutex
		accepted  = map[string]bool{} // answered success:true by the server
		sends     = map[string]int{}  // in this pass
		refused   = map[string]bool{} // in a batch refused whole, in this pass
		confirmed = map[string]bool{} // reported by OnFlush
		dropped   = map[string]bool{}
	)
	customer := func(id string) bool { n, _ := strconv.Atoi(strings.TrimPrefix(id, "id-")); return n%7 == 3 }
	var alone, beside atomic.Int32 // requests in flight holding a customers command, and not
	s := &sender{reply: func(_ int, body []byte) (Response, error) {
		sent := ids(body)
		own := &beside
		for _, id := range sent {
			if customer(id) {
				own = &alone
			}
		}
		own.Add(1)
		if alone.Load() > 1 || alone.Load() == 1 && beside.Load() > 0 {
			t.Errorf("a customers command flew beside another request: %v", sent)
		}
		flight.enter()
		defer func() { flight.leave(); own.Add(-1) }()
		time.Sleep(time.Duration(rnd(300)) * time.Microsecond)
		mu.Lock()
		defer mu.Unlock()
		for _, id := range sent {
			sends[id]++
		}
		switch rnd(10) {
		case 0:
			return Response{Status: 503}, nil
		case 1:
			return Response{}, errors.New("offline")
		case 2:
			if len(sent) > 1 {
				for _, id := range sent {
					refused[id] = true
				}
				return Response{Status: 400}, nil
			}
		}
		return results(body, func(id string) bool {
			ok := rnd(8) != 0
			accepted[id] = accepted[id] || ok
			return ok
		}), nil
	}}
	clock := newClock()
	f := New(store, s, Config{MaxCommands: 5, MaxRetries: 2, MaxInFlight: k}, clock.Now, fixed(0), Observer{
		OnFlush: func(r FlushReport) {
			for _, id := range r.IDs {
				confirmed[id] = true
			}
		},
		OnDrop: func(d DropReport) { dropped[d.ID] = true },
	})
	var total Result
	next := 0
	// Whether two requests overlap in a pass is up to the goroutines'
	// timing, and on busy cores 60 passes have all gone one at a time
	// (1 run in 100 under two busy loops): passes go on until some have
	// overlapped, every one checked alike.
	for round := 0; round < 60 || flight.most.Load() < int32(min(k, 2)) && round < 600; round++ {
		add := make([]queue.Record, rnd(30))
		for i := range add {
			add[i] = rec(next)
			if customer(add[i].ID) {
				add[i].Kind = queue.KindCustomer
			}
			next++
		}
		if len(add) > 0 {
			if _, err := store.Append(ctx, add); err != nil {
				t.Fatal(err)
			}
		}
		clear(sends)
		clear(refused)
		res, _ := f.Flush(ctx, round%3 == 0)
		total.Confirmed += res.Confirmed
		total.Dropped += res.Dropped
		total.Requests += res.Requests
		for id, n := range sends {
			if n > 1 && !refused[id] {
				t.Fatalf("round %d: %s sent %v times in one pass without bisection", round, id, n)
			}
		}
		if store.running.Load() != 0 {
			t.Fatalf("round %d: Flush returned with a store call running", round)
		}
		left := all(t, store)
		if res.Kept != len(left) {
			t.Fatalf("round %d: Kept %v, %v stored", round, res.Kept, len(left))
		}
		stored := map[string]bool{}
		for _, r := range left {
			stored[r.ID] = true
		}
		for i := range next {
			id := rec(i).ID
			if gone := !stored[id]; gone != (confirmed[id] || dropped[id]) || confirmed[id] && !accepted[id] {
				t.Fatalf("round %d: %s deleted %v, reported confirmed %v, accepted %v, dropped %v", round, id, gone, confirmed[id], accepted[id], dropped[id])
			}
		}
		clock.Advance(time.Minute)
	}
	// Whether the window reaches k here depends on timing (the window opens
	// per accepted batch, and a second request needs a backlog); that it
	// does is TestPipelineWindowOpensWithEachAcceptedBatch's job. This test
	// needs requests to overlap at all, and never more than k.
	if n, least := flight.most.Load(), int32(min(k, 2)); n > int32(k) || n < least {
		t.Errorf("got at most %v requests in flight at once, want %v to %v", n, least, k)
	}
	if total.Confirmed != len(confirmed) || total.Dropped != len(dropped) || total.Requests != s.calls() {
		t.Errorf("Results summed to %+v; want %v confirmed, %v dropped, %v requests", total, len(confirmed), len(dropped), s.calls())
	}
	t.Logf("confirmed %v, dropped %v of %v in %v requests", len(confirmed), len(dropped), next, s.calls())
	if len(confirmed) < next/4 || len(dropped) == 0 {
		t.Errorf("got %v confirmed and %v dropped of %v: the test exercises too little", len(confirmed), len(dropped), next)
	}
}

// panickyStore panics in Delete, as a bug in a store binding would.
type panickyStore struct{ queue.Store }

func (panickyStore) Delete(ctxlite.Context, []int64) error { panic("delete broke") }

// A panic on one of the pass's own goroutines (the write behind a full
// batch) ends the pass with an error like a store failure: the program goes
// on, and every record is still queued.
func TestPanicBehindARequestEndsThePass(t *testing.T) {
	mem := fill(t, 120)
	store := panickyStore{mem}
	var reports []ErrorReport
	f := New(store, &sender{}, Config{}, newClock().Now, fixed(0), Observer{OnError: func(r ErrorReport) { reports = append(reports, r) }})
	_, err := f.Flush(ctx, false)
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Error() != "flush: panic: delete broke" {
		t.Fatalf("got %v, want the panic as an error", err)
	}
	if len(reports) != 1 {
		t.Errorf("got %d error reports, want 1", len(reports))
	}
	if n, _ := mem.Len(ctx); n != 120 {
		t.Errorf("%d records left, want all 120", n)
	}
}
