package flush

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

func TestFlushStoreErrorsKeepRecords(t *testing.T) {
	tests := []struct {
		method    string
		reply     func(int, []byte) (Response, error)
		wantKept  int
		wantSends int
		wantAfter int // kept once the store works again
	}{
		{"Oldest", nil, 4, 0, 0},
		{"Delete", nil, 4, 1, 0},
		{"Update", func(_ int, body []byte) (Response, error) {
			return results(body, func(id string) bool { return id != "id-2" }), nil
		}, 1, 1, 1}, // confirmed ones are gone, the rejection is not counted
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			mem := fill(t, 4)
			store := &failing{Store: mem}
			store.set(tt.method, true)
			s := &sender{reply: tt.reply}
			var reported error
			f := New(store, s, Config{}, newClock().Now, fixed(0), Observer{OnError: func(r ErrorReport) { reported = r.Err }})
			res, err := f.Flush(ctx, false)
			if !errors.Is(err, errDisk) || !strings.HasPrefix(err.Error(), "flush: store: ") || reported == nil {
				t.Fatalf("got %v (reported %v), want the store's error", err, reported)
			}
			if s.calls() != tt.wantSends {
				t.Errorf("got %v requests, want %v", s.calls(), tt.wantSends)
			}
			left := all(t, mem)
			if len(left) != tt.wantKept || res.Kept != tt.wantKept {
				t.Errorf("got %v records (Kept %v), want %v", len(left), res.Kept, tt.wantKept)
			}
			for _, r := range left {
				if r.Rejections != 0 {
					t.Errorf("%s: got %v rejections, want 0", r.ID, r.Rejections)
				}
			}
			store.set(tt.method, false)
			if res, err := f.Flush(ctx, false); err != nil || res.Kept != tt.wantAfter {
				t.Errorf("after the store recovered: got %+v, %v; want %v kept", res, err, tt.wantAfter)
			}
		})
	}
}

func TestFlushSkipsHeldBackAndHeldRecords(t *testing.T) {
	store, clock := fill(t, 6), newClock()
	recs := all(t, store)
	now := t0.UnixMilli()
	recs[2].NotBeforeMs = now + 3000 // rejected earlier
	recs[4].NotBeforeMs = now - 1    // due
	if err := store.Update(ctx, recs); err != nil {
		t.Fatal(err)
	}
	s := &sender{}
	f := New(store, s, Config{}, clock.Now, fixed(0), Observer{})
	f.Hold([]string{recs[1].ID}, t0.Add(5*time.Second)) // the close path sent it
	f.Hold([]string{recs[3].ID}, t0)                    // a hold that just ended
	res, err := f.Flush(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(s.bodies[0]), []string{"id-0", "id-3", "id-4", "id-5"}; !equal(got, want) {
		t.Errorf("sent %v, want %v", got, want)
	}
	if want := t0.Add(3 * time.Second); res.Kept != 2 || !res.Next.Equal(want) {
		t.Errorf("got Kept %v, Next %v; want 2, %v", res.Kept, res.Next, want)
	}
	clock.Advance(5 * time.Second)
	if res, _ := f.Flush(ctx, false); res.Confirmed != 2 || res.Kept != 0 {
		t.Errorf("once due: got %+v, want 2 confirmed", res)
	}
}

func TestFlushDropsRecordTooLargeToSend(t *testing.T) {
	store := queue.NewMemory()
	big := rec(1)
	big.Body = `{"name":"customers/events","command_id":"id-1","data":"` + strings.Repeat("x", 2000) + `"}`
	if _, err := store.Append(ctx, []queue.Record{rec(0), big, rec(2)}); err != nil {
		t.Fatal(err)
	}
	s := &sender{}
	var drops []DropReport
	f := New(store, s, Config{MaxBytes: 1000}, newClock().Now, fixed(0), Observer{OnDrop: func(d DropReport) { drops = append(drops, d) }})
	res, err := f.Flush(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Sent: 2, Confirmed: 2, Dropped: 1, Requests: 2}); res != want {
		t.Errorf("got %+v, want %+v", res, want)
	}
	if len(drops) != 1 || drops[0].ID != "id-1" || drops[0].Reason != ErrTooLarge.Error() {
		t.Errorf("drops: got %+v, want id-1 as too large", drops)
	}
}

func TestFlushContextEnds(t *testing.T) {
	store := fill(t, 3)
	c, cancel := ctxlite.Cancel(ctx)
	s := &sender{reply: func(int, []byte) (Response, error) {
		cancel()
		return Response{}, context.Canceled
	}}
	f := New(store, s, Config{}, newClock().Now, fixed(0), Observer{})
	res, err := f.Flush(c, false)
	if !errors.Is(err, context.Canceled) || res.Kept != 3 {
		t.Fatalf("got %+v, %v; want context.Canceled with 3 kept", res, err)
	}
	if !nextAttempt(f).IsZero() {
		t.Errorf("an abandoned request is not an outage: NextAttempt %v, want zero", nextAttempt(f))
	}

	// A request that completed is recorded even if ctx ended meanwhile.
	c, cancel = ctxlite.Cancel(ctx)
	s.reply = func(_ int, body []byte) (Response, error) {
		cancel()
		return results(body, allOK), nil
	}
	res, err = f.Flush(c, false)
	if !errors.Is(err, context.Canceled) || res.Confirmed != 3 || len(all(t, store)) != 0 {
		t.Errorf("got %+v, %v; want 3 confirmed and deleted, then context.Canceled", res, err)
	}
}

// Settle applies the close path's answers: per-command outcomes as a Flush
// would; failures are reported but neither back off nor pause the sender's
// own requests.
func TestSettle(t *testing.T) {
	tests := []struct {
		name      string
		resp      func(body []byte) Response
		err       error
		wantKept  int
		wantError bool
	}{
		{"confirmed", func(b []byte) Response { return results(b, allOK) }, nil, 1, false},
		{"one rejected", func(b []byte) Response { return results(b, func(id string) bool { return id != "id-0" }) }, nil, 2, false},
		{"whole batch refused: kept unchanged", func([]byte) Response { return Response{Status: 400} }, nil, 4, false},
		{"503", func([]byte) Response { return Response{Status: 503} }, nil, 4, true},
		{"no response", func([]byte) Response { return Response{} }, errors.New("aborted"), 4, true},
		{"401", func([]byte) Response { return Response{Status: 401} }, nil, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := fill(t, 4)
			sent := all(t, store)[:3]
			f := New(store, &sender{}, Config{}, newClock().Now, fixed(0), Observer{})
			res, err := f.Settle(ctx, sent, tt.resp(Body(sent)), tt.err)
			if (err != nil) != tt.wantError || res.Kept != tt.wantKept || res.Sent != 3 {
				t.Errorf("got %+v, %v; want Kept %v, error %v", res, err, tt.wantKept, tt.wantError)
			}
			if !nextAttempt(f).IsZero() || isPaused(f) {
				t.Errorf("backing off until %v, paused %v; want neither", nextAttempt(f), isPaused(f))
			}
			for _, r := range all(t, store) {
				if want := map[bool]int{true: 1}[r.ID == "id-0" && tt.name == "one rejected"]; r.Rejections != want {
					t.Errorf("%s: got %v rejections, want %v", r.ID, r.Rejections, want)
				}
			}
		})
	}
}

// A record the close path sent is held until the answer to that request is
// settled: a failed keepalive request frees it for the next Flush at once.
func TestSettleReleasesHeldRecords(t *testing.T) {
	store, clock := fill(t, 2), newClock()
	sent := all(t, store)
	s := &sender{}
	f := New(store, s, Config{}, clock.Now, fixed(0), Observer{})
	f.Hold([]string{sent[0].ID, sent[1].ID}, t0.Add(time.Minute))
	if res, _ := f.Flush(ctx, false); res.Requests != 0 || !res.Next.Equal(t0.Add(time.Minute)) {
		t.Fatalf("held: got %+v, want no request and Next at the hold's end", res)
	}
	if _, err := f.Settle(ctx, sent, Response{}, errors.New("keepalive aborted")); err == nil {
		t.Fatal("a failed request settled without an error")
	}
	if res, _ := f.Flush(ctx, false); res.Confirmed != 2 {
		t.Errorf("after the failed keepalive: got %+v, want both sent and confirmed", res)
	}
}
