package flush

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// call is one request held by a heldSender until the test answers it.
type call struct {
	ids    []string
	body   []byte
	answer chan reply
}

type reply struct {
	resp Response
	err  error
}

// heldSender hands every request to the test on calls and blocks until the
// test answers it, so a test decides the order of the answers.
type heldSender struct{ calls chan *call }

func newHeldSender() *heldSender { return &heldSender{calls: make(chan *call, 64)} }

func (s *heldSender) Send(ctx ctxlite.Context, body []byte) (Response, error) {
	c := &call{ids: ids(body), body: body, answer: make(chan reply, 1)}
	s.calls <- c
	r := <-c.answer
	return r.resp, r.err
}

// next returns the next request made, failing the test if none comes.
func (s *heldSender) next(t *testing.T) *call {
	t.Helper()
	select {
	case c := <-s.calls:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no request came")
		return nil
	}
}

// idle fails the test if the pass, once it has nothing left to do but
// wait for answers, has made a request the test has not taken. It runs in
// a synctest bubble: synctest.Wait returns when every goroutine of the
// pass (its own, the requests', the store's) is blocked.
func (s *heldSender) idle(t *testing.T, why string) {
	t.Helper()
	synctest.Wait()
	select {
	case c := <-s.calls:
		t.Fatalf("%s: got a request for %v", why, c.ids)
	default:
	}
}

func (c *call) ok()             { c.answer <- reply{resp: results(c.body, allOK)} }
func (c *call) status(code int) { c.answer <- reply{resp: Response{Status: code}} }

// flushAsync runs f.Flush on its own goroutine.
func flushAsync(f *Flusher, force bool) chan Result {
	done := make(chan Result, 1)
	go func() {
		res, _ := f.Flush(ctx, force)
		done <- res
	}()
	return done
}

// The window opens by one request per accepted batch: one request, then
// two, then three, up to MaxInFlight, and every record is confirmed once.
func TestPipelineWindowOpensWithEachAcceptedBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := fill(t, 500) // 10 batches of 50
		s := newHeldSender()
		f := New(store, s, Config{MaxInFlight: 3}, newClock().Now, fixed(0), Observer{})
		done := flushAsync(f, false)

		first := s.next(t)
		s.idle(t, "one request before the first answer")
		first.ok()
		a, b := s.next(t), s.next(t)
		s.idle(t, "two requests after one accepted batch")
		b.ok() // answers may come in any order
		c, d := s.next(t), s.next(t)
		s.idle(t, "three after two accepted batches")
		a.ok() // a third accepted batch: MaxInFlight holds the window at 3
		e := s.next(t)
		s.idle(t, "three at most")
		for _, x := range []*call{c, d, e} {
			x.ok()
		}
		seen := len(first.ids) + len(a.ids) + len(b.ids) + len(c.ids) + len(d.ids) + len(e.ids)
		for seen < 500 {
			x := s.next(t)
			seen += len(x.ids)
			x.ok()
		}
		res := <-done
		if want := (Result{Sent: 500, Confirmed: 500, Requests: 10}); res != want {
			t.Errorf("got %+v, want %+v", res, want)
		}
		if n := len(all(t, store)); n != 0 {
			t.Errorf("%v records left", n)
		}
	})
}

// During an outage a pass costs one request: the window starts at one.
func TestPipelineOutageCostsOneRequest(t *testing.T) {
	store := fill(t, 1000)
	s := &sender{reply: func(int, []byte) (Response, error) { return Response{Status: 503}, nil }}
	clock := newClock()
	f := New(store, s, Config{MaxInFlight: 4}, clock.Now, fixed(0), Observer{})
	for range 5 {
		clock.Advance(time.Hour)
		if _, err := f.Flush(ctx, false); err == nil {
			t.Fatal("want the 503 as an error")
		}
	}
	if n := s.calls(); n != 5 {
		t.Errorf("5 passes in an outage made %v requests, want 5", n)
	}
}

// A request that fails while others are in flight stops the pass: nothing
// more is sent, the answers still in flight settle their records (a
// success is confirmed, a failure kept), and the backoff counts one
// failure, not one per request.
func TestPipelineFailureBesideOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := fill(t, 300)
		s := newHeldSender()
		clock := newClock()
		f := New(store, s, Config{MaxInFlight: 3, BackoffBase: time.Second, BackoffMax: time.Hour}, clock.Now, fixed(1), Observer{})
		done := flushAsync(f, false)
		s.next(t).ok()
		s.next(t).ok()
		s.next(t).ok() // the first two, answered in turn, opened the window to 3
		x, y, z := s.next(t), s.next(t), s.next(t)
		y.status(503)
		s.idle(t, "after a failure")
		x.ok()
		z.status(500)
		res := <-done
		if want := (Result{Sent: 300, Confirmed: 200, Kept: 100, Requests: 6}); res.Sent != want.Sent || res.Confirmed != want.Confirmed || res.Kept != want.Kept || res.Requests != want.Requests {
			t.Errorf("got %+v, want %+v", res, want)
		}
		// One failure with full jitter (fixed(1)) waits Base; two would wait
		// 2·Base.
		if got, want := res.Next.Sub(clock.Now()), time.Second; got != want {
			t.Errorf("backing off %v, want %v (one failure)", got, want)
		}
		left := all(t, store)
		var got []string
		for _, r := range left {
			got = append(got, r.ID)
		}
		want := append(slices.Clone(y.ids), z.ids...)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("kept %v, want the failed batches' records", got)
		}
	})
}

// What the server says outright holds whichever answer the pass reads
// first: a 429's Retry-After read after a network failure beside it is
// waited for in full, and a 401 read after a failure pauses. (The relay's
// fault test saw a pass resume 30 ms after a 429 with Retry-After: 1,
// because a reset connection beside it was read first.)
func TestPipelineServerWordsBesideAFailure(t *testing.T) {
	for _, tt := range []struct {
		name      string
		answer    func(*call)
		wantNext  time.Duration // the wait the pass reports (0: paused)
		wantPause bool
	}{
		{"429 with Retry-After: 1", func(c *call) { c.answer <- reply{resp: Response{Status: 429, RetryAfter: "1"}} }, time.Second, false},
		{"401", func(c *call) { c.status(401) }, 0, true},
		{"503 without Retry-After", func(c *call) { c.status(503) }, 5 * time.Millisecond, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store := fill(t, 300)
				s := newHeldSender()
				clock := newClock()
				f := New(store, s, Config{MaxInFlight: 2, BackoffBase: 5 * time.Millisecond, BackoffMax: time.Hour}, clock.Now, fixed(1), Observer{})
				done := flushAsync(f, false)
				s.next(t).ok() // opens the window to 2
				x, y := s.next(t), s.next(t)
				y.answer <- reply{err: errors.New("connection reset by peer")} // read first
				s.idle(t, "after a failure")
				tt.answer(x)
				res := <-done
				if got := res.Next.Sub(clock.Now()); !tt.wantPause && got != tt.wantNext {
					t.Errorf("waits %v, want %v", got, tt.wantNext)
				}
				if hold, err := f.hold(clock.Now()); tt.wantPause != (err == ErrPaused) || !hold {
					t.Errorf("hold = %v, %v; want held, paused %v", hold, err, tt.wantPause)
				}
			})
		})
	}
}

// A batch holding a customers command waits for every request before it to
// be answered, and nothing after it goes before its answer.
func TestPipelineCustomersCommandFliesAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := queue.NewMemory()
		recs := make([]queue.Record, 200)
		for i := range recs {
			recs[i] = rec(i)
		}
		recs[120].Kind = queue.KindCustomer // in the third batch
		if _, err := m.Append(ctx, recs); err != nil {
			t.Fatal(err)
		}
		s := newHeldSender()
		f := New(m, s, Config{MaxInFlight: 4}, newClock().Now, fixed(0), Observer{})
		done := flushAsync(f, false)
		s.next(t).ok() // id-0..49; the window opens to 2
		second := s.next(t)
		s.idle(t, "the customers batch while id-50..99 is in flight")
		second.ok()
		third := s.next(t)
		if third.ids[0] != "id-100" {
			t.Fatalf("third request %v, want id-100..149", third.ids)
		}
		s.idle(t, "anything beside the customers batch")
		third.ok()
		s.next(t).ok()
		if res := <-done; res.Confirmed != 200 {
			t.Errorf("got %+v, want all 200 confirmed", res)
		}
	})
}

// panickySender panics, as a bug in a Sender binding would.
type panickySender struct{}

func (panickySender) Send(ctxlite.Context, []byte) (Response, error) { panic("fetch broke") }

// A Sender that panics on its request's goroutine makes Flush panic on its
// caller's, as a Send on the caller's goroutine would have, once every
// request of the pass has ended; every record is kept.
func TestPipelineSenderPanicReachesTheCaller(t *testing.T) {
	store := fill(t, 120)
	f := New(store, panickySender{}, Config{}, newClock().Now, fixed(0), Observer{})
	func() {
		defer func() {
			if v := recover(); v != "fetch broke" {
				t.Errorf("recovered %v, want the Sender's panic", v)
			}
		}()
		_, _ = f.Flush(ctx, false)
		t.Error("Flush returned")
	}()
	if n := len(all(t, store)); n != 120 {
		t.Errorf("%v records left, want 120", n)
	}
	// The Flusher is free again.
	f.sender = &sender{}
	if res, err := f.Flush(ctx, false); err != nil || res.Confirmed != 120 {
		t.Errorf("next Flush: %+v, %v", res, err)
	}
}

// slowLen is a store whose Len takes d of the fake clock's time.
type slowLen struct {
	queue.Store
	clock *fakeClock
	d     time.Duration
}

func (s slowLen) Len(c ctxlite.Context) (int, error) {
	s.clock.Advance(s.d)
	return s.Store.Len(c)
}

// A record held back until a time that passes at the end of the pass (here
// while the queue is counted, after the last read) is due at once:
// Result.Next says flush now, not nothing.
func TestNextWhenAHeldBackRecordComesDueAsThePassEnds(t *testing.T) {
	m := queue.NewMemory()
	clock := newClock()
	late := rec(1)
	late.NotBeforeMs = clock.Now().Add(5 * time.Millisecond).UnixMilli()
	if _, err := m.Append(ctx, []queue.Record{rec(0), late}); err != nil {
		t.Fatal(err)
	}
	f := New(slowLen{m, clock, 10 * time.Millisecond}, &sender{}, Config{}, clock.Now, fixed(0), Observer{})
	res, err := f.Flush(ctx, false)
	if err != nil || res.Confirmed != 1 || res.Kept != 1 {
		t.Fatalf("got %+v, %v; want id-0 confirmed, id-1 kept", res, err)
	}
	if !res.Next.Equal(clock.Now()) {
		t.Errorf("Next %v, want now (%v): id-1 came due as the pass ended", res.Next, clock.Now())
	}
	if res, _ := f.Flush(ctx, false); res.Confirmed != 1 || !res.Next.IsZero() {
		t.Errorf("the next pass: %+v, want id-1 confirmed and nothing waiting", res)
	}
}

// arrivingStore appends the next group of records right after each read
// (Oldest, DeleteThenOldest) that returns any: records tracked while a
// batch goes out.
type arrivingStore struct {
	*queue.Memory
	mu     sync.Mutex
	groups [][]queue.Record
}

func (s *arrivingStore) Oldest(c ctxlite.Context, after int64, n int) ([]queue.Record, error) {
	page, err := s.Memory.Oldest(c, after, n)
	return s.arrive(c, page, err)
}

func (s *arrivingStore) DeleteThenOldest(c ctxlite.Context, seqs []int64, after int64, n int) ([]queue.Record, error) {
	page, err := s.Memory.DeleteThenOldest(c, seqs, after, n)
	return s.arrive(c, page, err)
}

func (s *arrivingStore) arrive(c ctxlite.Context, page []queue.Record, err error) ([]queue.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && len(page) > 0 && len(s.groups) > 0 {
		g := s.groups[0]
		s.groups = s.groups[1:]
		if _, aerr := s.Memory.Append(c, g); aerr != nil {
			return nil, aerr
		}
	}
	return page, err
}

// A batch that took everything due was all there was: what is tracked
// while it is on the wire waits for its answer and goes in one request,
// not in a second request beside it (a page tracking now and then would
// otherwise send a request per event).
func TestPipelineNoSecondRequestWithoutABacklog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &arrivingStore{Memory: fill(t, 1), groups: [][]queue.Record{
			{rec(1), rec(2), rec(3)}, // arrive while the first request flies
			{rec(4), rec(5)},         // arrive while the second flies
		}}
		s := newHeldSender()
		f := New(store, s, Config{MaxInFlight: 4}, newClock().Now, fixed(0), Observer{})
		done := flushAsync(f, false)

		first := s.next(t)
		if !slices.Equal(first.ids, []string{"id-0"}) {
			t.Fatalf("first request: %v", first.ids)
		}
		first.ok() // accepted: the window is 2 now
		second := s.next(t)
		if !slices.Equal(second.ids, []string{"id-1", "id-2", "id-3"}) {
			t.Fatalf("second request: %v", second.ids)
		}
		s.idle(t, "no backlog, a request on the wire")
		second.ok()
		third := s.next(t)
		if !slices.Equal(third.ids, []string{"id-4", "id-5"}) {
			t.Fatalf("third request: %v", third.ids)
		}
		third.ok()
		if res := <-done; res.Requests != 3 || res.Kept != 0 {
			t.Fatalf("result %+v, want 3 requests and nothing kept", res)
		}
	})
}
