package flush

import (
	"math"
	"strings"
	"testing"
	"time"
)

// poisonSender refuses every batch that holds id-37 with a whole-batch 400.
func poisonSender() *sender {
	return &sender{reply: func(_ int, body []byte) (Response, error) {
		for _, id := range ids(body) {
			if id == "id-37" {
				return Response{Status: 400, Body: []byte(`{"success":false,"error":"Invalid event_type"}`)}, nil
			}
		}
		return results(body, allOK), nil
	}}
}

func TestFlushIsolatesPoisonRecord(t *testing.T) {
	tests := []struct {
		name        string
		maxCommands int
		maxRequests int // 1 + 2·⌈log2 n⌉+1 for the poisoned batch, + other batches
	}{
		{"one batch of 100", 100, 1 + 2*7 + 1},
		{"two batches of 50", 50, 1 + 2*6 + 1 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, s, clock := fill(t, 100), poisonSender(), newClock()
			f := New(store, s, Config{MaxCommands: tt.maxCommands, MaxRetries: 2}, clock.Now, fixed(0), Observer{})
			res, err := f.Flush(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			if res.Confirmed != 99 || res.Kept != 1 || res.Dropped != 0 {
				t.Errorf("got %+v, want 99 confirmed, 1 kept", res)
			}
			if res.Requests > tt.maxRequests {
				t.Errorf("got %v requests, want at most %v", res.Requests, tt.maxRequests)
			}
			left := all(t, store)
			if len(left) != 1 || left[0].ID != "id-37" || left[0].Rejections != 1 {
				t.Fatalf("got %+v, want id-37 with 1 rejection", left)
			}
			// The second rejection drops it, with the server's reason.
			var drop DropReport
			f.obs.OnDrop = func(d DropReport) { drop = d }
			clock.Advance(time.Second)
			if res, _ := f.Flush(ctx, false); res.Dropped != 1 || res.Requests != 1 {
				t.Errorf("got %+v, want 1 request and 1 dropped", res)
			}
			if drop.ID != "id-37" || drop.Reason != "Invalid event_type" {
				t.Errorf("drop: got %+v, want id-37 for Invalid event_type", drop)
			}
		})
	}
}

func TestFlushBisectBound(t *testing.T) {
	for _, n := range []int{2, 3, 7, 16, 33, 50, 100} {
		for _, bad := range []int{0, n / 2, n - 1} {
			store := fill(t, n)
			s := &sender{reply: func(_ int, body []byte) (Response, error) {
				if strings.Contains(string(body), `"id-`+itoa(bad)+`"`) {
					return Response{Status: 413}, nil
				}
				return results(body, allOK), nil
			}}
			f := New(store, s, Config{MaxCommands: 100}, newClock().Now, fixed(0), Observer{})
			res, _ := f.Flush(ctx, false)
			bound := 2*int(math.Ceil(math.Log2(float64(n)))) + 1
			if extra := res.Requests - 1; extra > bound || res.Confirmed != n-1 {
				t.Errorf("n=%d bad=%d: got %v extra requests and %v confirmed, want at most %v and %v", n, bad, extra, res.Confirmed, bound, n-1)
			}
		}
	}
}

func itoa(i int) string { return rec(i).ID[3:] }
