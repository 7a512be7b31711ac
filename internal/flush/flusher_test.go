package flush

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

var ctx = ctxlite.Background()

func TestFlushConfirmsAll(t *testing.T) {
	store, s, clock := fill(t, 120), &sender{}, newClock()
	var reports []FlushReport
	f := New(store, s, Config{}, clock.Now, fixed(0), Observer{OnFlush: func(r FlushReport) { reports = append(reports, r) }})
	res, err := f.Flush(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Sent: 120, Confirmed: 120, Requests: 3}
	if res != want {
		t.Errorf("got %+v, want %+v", res, want)
	}
	if n := len(all(t, store)); n != 0 {
		t.Errorf("got %v records left, want 0", n)
	}
	// The batches are cut oldest first; the later ones fly together, so
	// they may be answered in any order.
	var sizes []int
	for _, b := range s.bodies {
		sizes = append(sizes, len(ids(b)))
	}
	slices.Sort(sizes)
	if got, want := sizes, []int{20, 50, 50}; !equal(got, want) {
		t.Errorf("batch sizes: got %v, want %v", got, want)
	}
	if got := ids(s.bodies[0]); got[0] != "id-0" || len(got) != 50 {
		t.Errorf("first batch: got %v, want id-0 to id-49 (oldest first)", got)
	}
	reported := map[string]int{}
	for _, r := range reports {
		if r.Status != 200 {
			t.Errorf("flush report %+v, want status 200", r)
		}
		for _, id := range r.IDs {
			reported[id]++
		}
	}
	if len(reports) != 3 || len(reported) != 120 {
		t.Errorf("got %v flush reports of %v distinct ids, want 3 of all 120", len(reports), len(reported))
	}
	if res, _ := f.Flush(ctx, false); res.Requests != 0 {
		t.Errorf("empty queue: got %v requests, want 0", res.Requests)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFlushRejectionsAndDrop(t *testing.T) {
	store, clock := fill(t, 5), newClock()
	s := &sender{reply: func(_ int, body []byte) (Response, error) {
		return results(body, func(id string) bool { return id != "id-1" }), nil
	}}
	var drops []DropReport
	f := New(store, s, Config{MaxRetries: 3}, clock.Now, fixed(0.999), Observer{OnDrop: func(d DropReport) { drops = append(drops, d) }})

	// Rejection 1: the others are delivered, id-1 is held back 1 s.
	res, err := f.Flush(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Sent: 5, Confirmed: 4, Kept: 1, Requests: 1, Next: t0.Add(time.Second)}); res != want {
		t.Fatalf("got %+v, want %+v", res, want)
	}
	left := all(t, store)
	if len(left) != 1 || left[0].ID != "id-1" || left[0].Rejections != 1 || left[0].NotBeforeMs != t0.Add(time.Second).UnixMilli() {
		t.Fatalf("got %+v, want id-1 with 1 rejection, held 1 s", left)
	}
	if nextAttempt(f) != (time.Time{}) {
		t.Errorf("a rejection must not back off the whole flusher: NextAttempt %v", nextAttempt(f))
	}

	// Not due yet: nothing is sent.
	if res, _ := f.Flush(ctx, false); res.Requests != 0 {
		t.Errorf("held-back record: got %v requests, want 0", res.Requests)
	}

	// Rejection 2 after 1 s, held back 1.998 s.
	clock.Advance(time.Second)
	res, _ = f.Flush(ctx, false)
	if want := clock.Now().Add(1998 * time.Millisecond); !res.Next.Equal(want) {
		t.Errorf("second hold: got %v, want %v", res.Next, want)
	}
	// Rejection 3 = MaxRetries: dropped.
	clock.Advance(2 * time.Second)
	res, err = f.Flush(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Sent: 1, Dropped: 1, Requests: 1}); res != want {
		t.Errorf("got %+v, want %+v", res, want)
	}
	wantDrop := DropReport{ID: "id-1", Kind: queue.KindEvent, Reason: "invalid id-1", Rejections: 3}
	if len(drops) != 1 || drops[0] != wantDrop {
		t.Errorf("drops: got %+v, want %+v", drops, wantDrop)
	}
	if n := len(all(t, store)); n != 0 {
		t.Errorf("got %v records left, want 0", n)
	}
}

func TestFlushPausesOn401(t *testing.T) {
	for _, status := range []int{401, 403} {
		t.Run(itoa(status), func(t *testing.T) {
			store, clock := fill(t, 3), newClock()
			refuse := true
			s := &sender{reply: func(_ int, body []byte) (Response, error) {
				if refuse {
					return Response{Status: status, Body: []byte(`{"success":false,"error":"Invalid token"}`)}, nil
				}
				return results(body, allOK), nil
			}}
			var errs []ErrorReport
			f := New(store, s, Config{}, clock.Now, fixed(0), Observer{OnError: func(r ErrorReport) { errs = append(errs, r) }})
			res, err := f.Flush(ctx, false)
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != status || he.Reason != "Invalid token" {
				t.Fatalf("got %v, want *HTTPError %d", err, status)
			}
			if !isPaused(f) || res.Kept != 3 || len(errs) != 1 || !errs[0].Paused {
				t.Fatalf("got paused %v, %+v, reports %+v; want paused with 3 kept and one report", isPaused(f), res, errs)
			}
			for _, r := range all(t, store) {
				if r.Rejections != 0 {
					t.Errorf("%s: got %v rejections, want 0", r.ID, r.Rejections)
				}
			}
			clock.Advance(time.Hour)
			if _, err := f.Flush(ctx, false); !errors.Is(err, ErrPaused) || s.calls() != 1 {
				t.Errorf("automatic flush while paused: got %v after %v requests, want ErrPaused after 1", err, s.calls())
			}
			refuse = false
			res, err = f.Flush(ctx, true) // manual flushData
			if err != nil || res.Confirmed != 3 || isPaused(f) {
				t.Errorf("forced flush: got %+v, %v, paused %v; want 3 confirmed, not paused", res, err, isPaused(f))
			}
		})
	}
}

func TestFlushHonoursRetryAfter(t *testing.T) {
	tests := []struct {
		name, header string
		want         time.Duration
	}{
		{"seconds", "120", 120 * time.Second},
		{"HTTP-date", t0.Add(90 * time.Second).Format("Mon, 02 Jan 2006 15:04:05 GMT"), 90 * time.Second},
		{"shorter than the backoff", "0", time.Second},
		{"garbage", "soon", time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, clock := fill(t, 3), newClock()
			down := true
			s := &sender{reply: func(_ int, body []byte) (Response, error) {
				if down {
					return Response{Status: 503, RetryAfter: tt.header}, nil
				}
				return results(body, allOK), nil
			}}
			f := New(store, s, Config{}, clock.Now, fixed(0), Observer{})
			res, err := f.Flush(ctx, false)
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != 503 {
				t.Fatalf("got %v, want *HTTPError 503", err)
			}
			if got, want := nextAttempt(f), t0.Add(tt.want); !got.Equal(want) || !res.Next.Equal(want) {
				t.Fatalf("NextAttempt: got %v (Result.Next %v), want %v", got, res.Next, want)
			}
			down = false
			clock.Advance(tt.want - time.Millisecond)
			if res, _ := f.Flush(ctx, false); res.Requests != 0 {
				t.Errorf("before Retry-After: got %v requests, want 0", res.Requests)
			}
			clock.Advance(time.Millisecond)
			if nextAttempt(f) != (time.Time{}) {
				t.Errorf("NextAttempt at the time: got %v, want zero", nextAttempt(f))
			}
			if res, _ := f.Flush(ctx, false); res.Confirmed != 3 {
				t.Errorf("after Retry-After: got %+v, want 3 confirmed", res)
			}
		})
	}
}

func TestFlushKeepsOnFailure(t *testing.T) {
	tests := []struct {
		name  string
		reply Response
		err   error
	}{
		{"network error", Response{}, errors.New("TypeError: Failed to fetch")},
		{"500", Response{Status: 500}, nil},
		{"429", Response{Status: 429}, nil},
		{"200 with mismatched results", Response{Status: 200, Body: []byte(`{"results":[{"success":true}]}`)}, nil},
		{"200 garbage", Response{Status: 200, Body: []byte(`<html>`)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, clock := fill(t, 3), newClock()
			s := &sender{reply: func(int, []byte) (Response, error) { return tt.reply, tt.err }}
			f := New(store, s, Config{}, clock.Now, fixed(0), Observer{})
			for range 20 { // twenty failures in a row: still nothing lost
				if _, err := f.Flush(ctx, true); err == nil {
					t.Fatal("got no error")
				}
			}
			if tt.err != nil {
				if _, err := f.Flush(ctx, true); !errors.Is(err, ErrNetwork) || !errors.Is(err, tt.err) {
					t.Errorf("got %v, want ErrNetwork wrapping the sender's error", err)
				}
			}
			left := all(t, store)
			if len(left) != 3 {
				t.Fatalf("got %v records, want 3", len(left))
			}
			for _, r := range left {
				if r.Rejections != 0 || r.NotBeforeMs != 0 {
					t.Errorf("%s: got %v rejections, not before %v; want none", r.ID, r.Rejections, r.NotBeforeMs)
				}
			}
			if nextAttempt(f).IsZero() {
				t.Error("NextAttempt: got zero, want a backoff")
			}
		})
	}
}

// The records the server answered for are announced before they are
// deleted: a copy kept for the page's close path must never outlive the
// confirmation, or the close path could send a confirmed record again.
func TestAnsweredBeforeDeleted(t *testing.T) {
	store := &deleteWatch{Memory: fill(t, 3)}
	var answered []string
	s := &sender{reply: func(_ int, body []byte) (Response, error) {
		return results(body, func(id string) bool { return id != "id-1" }), nil
	}}
	f := New(store, s, Config{MaxRetries: 1}, newClock().Now, fixed(0), Observer{OnAnswered: func(ids []string) {
		if store.deleted > 0 {
			t.Errorf("OnAnswered(%v) after %d deletes", ids, store.deleted)
		}
		answered = append(answered, ids...)
	}})
	if _, err := f.Flush(ctx, false); err != nil {
		t.Fatal(err)
	}
	slices.Sort(answered)
	if got, want := answered, []string{"id-0", "id-1", "id-2"}; !slices.Equal(got, want) {
		t.Errorf("answered %v, want %v (the rejected one dropped at its last retry too)", got, want)
	}
	if store.deleted == 0 {
		t.Error("nothing was deleted")
	}
}

// deleteWatch counts Delete and DeleteThenOldest calls.
type deleteWatch struct {
	*queue.Memory
	deleted int
}

func (d *deleteWatch) Delete(ctx ctxlite.Context, seqs []int64) error {
	d.deleted++
	return d.Memory.Delete(ctx, seqs)
}

func (d *deleteWatch) DeleteThenOldest(ctx ctxlite.Context, seqs []int64, after int64, n int) ([]queue.Record, error) {
	d.deleted++
	return d.Memory.DeleteThenOldest(ctx, seqs, after, n)
}
