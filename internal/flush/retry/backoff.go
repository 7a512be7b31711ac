package retry

import "time"

// Default backoff parameters.
const (
	// DefaultBase is the first wait and the floor of every wait.
	DefaultBase = time.Second
	// DefaultMax caps the exponential growth of the wait.
	DefaultMax = 5 * time.Minute
)

// Backoff computes waits after failures: exponential growth with full jitter
// and a floor. Attempt n (1-based) waits
//
//	max(Base, jitter() * min(Max, Base * 2^(n-1)))
//
// Full jitter spreads the retries of many clients that failed together (an
// outage ends for everyone at once); the floor keeps an unlucky jitter draw
// near 0 from turning into a burst of requests.
//
// Rate bound: every wait is at least Base, so a failing endpoint sees at
// most one request per Base, that is at most ⌈T/Base⌉ requests in any
// window of length T. With the defaults (Base 1 s) a 30 s outage costs at
// most 30 requests (the jitter 0.0 worst case: one per second); with jitter
// near 1.0 the waits double (1, 2, 4, 8, 16 s) and the same outage costs 5.
// Once the cap is reached requests are on average Max/2 apart (uniform
// jitter), and never closer than Base.
//
// The zero Backoff uses the defaults and no jitter (jitter 1.0). Backoff is
// not safe for concurrent use; the Flusher guards its own.
type Backoff struct {
	// Base is the first wait and the floor (0: DefaultBase).
	Base time.Duration
	// Max caps the exponential term (0: DefaultMax).
	Max time.Duration
	// Jitter returns a number in [0, 1); nil means always 1.
	Jitter func() float64

	failures int
}

// Delay returns the wait before attempt n (1-based; n < 1 counts as 1). It
// draws one jitter value.
func (b *Backoff) Delay(n int) time.Duration {
	base, ceil := b.Base, b.Max
	if base <= 0 {
		base = DefaultBase
	}
	if ceil <= 0 {
		ceil = DefaultMax
	}
	ceil = max(ceil, base)
	d := base
	for i := 1; i < n && d < ceil; i++ {
		if d > ceil/2 {
			d = ceil
			break
		}
		d *= 2
	}
	d = min(d, ceil)
	j := 1.0
	if b.Jitter != nil {
		j = b.Jitter()
	}
	if !(j >= 0) { // also catches NaN
		j = 0
	}
	j = min(j, 1)
	return max(base, time.Duration(j*float64(d)))
}

// Fail records one more consecutive failure and returns the wait before the
// next attempt.
func (b *Backoff) Fail() time.Duration {
	b.failures++
	return b.Delay(b.failures)
}

// Reset forgets past failures, after a success: the next Fail waits Base
// again.
func (b *Backoff) Reset() { b.failures = 0 }
