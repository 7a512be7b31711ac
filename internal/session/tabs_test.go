package session

import (
	"sync"
	"testing"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// TestTabsShownTogether applies Shown from several tabs to the same stored
// state, as UpdateState serializes them, first in a fixed order and then
// concurrently through a real queue.Memory: one session results.
func TestTabsShownTogether(t *testing.T) {
	tests := []struct {
		name   string
		stored State
		times  []float64 // each tab's reading of the clock, in commit order
		want   string
	}{
		{"two tabs, nothing stored", State{}, []float64{1000, 1000}, "start@1000"},
		{"three tabs, one clock reading a little older", State{}, []float64{1000, 1001, 999}, "start@1000"},
		{"three tabs after a closed browser", State{Open: true, StartMs: 0, LastActiveMs: 5000}, []float64{900_000, 900_000, 900_002}, "end@5000/5s start@900000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.stored
			var evs []Event
			for _, now := range tt.times {
				var e []Event
				s, e = Shown(auto, s, now)
				evs = append(evs, e...)
			}
			if got := evString(evs); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	for _, tt := range tests {
		t.Run(tt.name+", through UpdateState", func(t *testing.T) {
			store := queue.NewMemory()
			ctx := ctxlite.Background()
			if _, err := store.UpdateState(ctx, StateKey, func(string, bool) (string, bool) { return tt.stored.Encode(), true }); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			counts := make([]map[Kind]int, len(tt.times))
			for i, now := range tt.times {
				wg.Go(func() {
					var evs []Event
					_, err := store.UpdateState(ctx, StateKey, func(old string, ok bool) (string, bool) {
						s, _ := Decode(old)
						n, e := Shown(auto, s, now)
						evs = e // the last call's events are the committed ones
						v := n.Encode()
						return v, v != old
					})
					if err != nil {
						t.Error(err)
					}
					counts[i] = map[Kind]int{}
					for _, e := range evs {
						counts[i][e.Kind]++
					}
				})
			}
			wg.Wait()
			var starts, ends int
			for _, c := range counts {
				starts += c[Start]
				ends += c[End]
			}
			wantEnds := 0
			if tt.stored.Open {
				wantEnds = 1
			}
			if starts != 1 || ends != wantEnds {
				t.Errorf("got %v starts and %v ends, want 1 and %v", starts, ends, wantEnds)
			}
		})
	}
}
