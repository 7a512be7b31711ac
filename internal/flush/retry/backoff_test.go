package retry

import (
	"math"
	"testing"
	"time"
)

func secs(f ...float64) []time.Duration {
	out := make([]time.Duration, len(f))
	for i, s := range f {
		out[i] = time.Duration(math.Round(s*1e3)) * time.Millisecond
	}
	return out
}

func TestBackoffSequence(t *testing.T) {
	tests := []struct {
		name   string
		jitter float64
		want   []time.Duration // attempts 1..12
	}{
		{"jitter 0 stays on the floor", 0, secs(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)},
		{"jitter 0.5", 0.5, secs(1, 1, 2, 4, 8, 16, 32, 64, 128, 150, 150, 150)},
		{"jitter 0.999", 0.999, secs(1, 1.998, 3.996, 7.992, 15.984, 31.968, 63.936, 127.872, 255.744, 299.7, 299.7, 299.7)},
		{"out-of-range jitter is clamped", 7, secs(1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Backoff{Base: time.Second, Max: 5 * time.Minute, Jitter: fixed(tt.jitter)}
			for i, want := range tt.want {
				got := b.Fail().Round(time.Millisecond)
				if got != want {
					t.Errorf("attempt %d: got %v, want %v", i+1, got, want)
				}
			}
			if got := b.failures; got != len(tt.want) {
				t.Errorf("failures: got %v, want %v", got, len(tt.want))
			}
		})
	}
}

func TestBackoffReset(t *testing.T) {
	b := Backoff{Jitter: fixed(0.999)}
	for range 5 {
		b.Fail()
	}
	b.Reset()
	if got, want := b.Fail(), time.Second; got != want {
		t.Errorf("first wait after a reset: got %v, want %v", got, want)
	}
	if got, want := b.failures, 1; got != want {
		t.Errorf("failures: got %v, want %v", got, want)
	}
}

func TestBackoffLimits(t *testing.T) {
	tests := []struct {
		name string
		b    Backoff
		n    int
		want time.Duration
	}{
		{"zero value uses the defaults", Backoff{}, 1, time.Second},
		{"zero value caps at the default max", Backoff{}, 40, 5 * time.Minute},
		{"attempt 0 counts as 1", Backoff{Jitter: fixed(0.9)}, 0, time.Second},
		{"huge attempt does not overflow", Backoff{Base: time.Hour, Max: math.MaxInt64, Jitter: fixed(0.5)}, 1 << 30, math.MaxInt64 / 2},
		{"max below base means base", Backoff{Base: time.Minute, Max: time.Second}, 5, time.Minute},
		{"NaN jitter is 0", Backoff{Jitter: fixed(math.NaN())}, 5, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.b.Delay(tt.n)
			if d := got - tt.want; d < -time.Microsecond || d > time.Microsecond {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// fixed returns a jitter source that always draws j.
func fixed(j float64) func() float64 { return func() float64 { return j } }
