package flush

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/flush/retry"
)

// TestOutageRequestBound hammers a Flusher with automatic flushes (every
// 10 ms, as a burst of tracked events would) through a 30 s outage and
// counts the requests that reach the server: the backoff, not the caller,
// bounds them to one per Base.
func TestOutageRequestBound(t *testing.T) {
	tests := []struct {
		name   string
		jitter func() float64
		fail   Response
		err    error
		want   int // -1: only the bound
	}{
		{"jitter 0: one per second", fixed(0), Response{Status: 503}, nil, 30},
		{"jitter 0.5", fixed(0.5), Response{Status: 503}, nil, 6},                     // 0 1 2 4 8 16
		{"jitter 0.999: doubling waits", fixed(0.999), Response{Status: 503}, nil, 5}, // 0 1 3 7 15
		{"network errors", fixed(0), Response{}, errDisk, 30},
		{"random jitter", rand.New(rand.NewPCG(1, 2)).Float64, Response{Status: 500}, nil, -1},
	}
	const outage, tick = 30 * time.Second, 10 * time.Millisecond
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			s := &sender{reply: func(int, []byte) (Response, error) { return tt.fail, tt.err }}
			f := New(fill(t, 3), s, Config{}, clock.Now, tt.jitter, Observer{})
			for clock.Now().Before(t0.Add(outage)) {
				f.Flush(ctxlite.Background(), false)
				clock.Advance(tick)
			}
			got := s.calls()
			if bound := int(outage / retry.DefaultBase); got > bound {
				t.Errorf("got %v requests, want at most %v (one per Base)", got, bound)
			}
			if tt.want >= 0 && got != tt.want {
				t.Errorf("got %v requests, want %v", got, tt.want)
			}
		})
	}
}
