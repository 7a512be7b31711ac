package ingest

import (
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/exponea-wasm/tracker/internal/collector/access"
)

// maxBuckets bounds the clients a limiter remembers. Past it the clients
// not seen for longest are forgotten (a forgotten client starts again
// with a full bucket, a burst more than it would have had).
const maxBuckets = 16384

// limiter is a token bucket per client (access.Client: an IPv4 address,
// an IPv6 /64): rate tokens a second, bursts of up to max(1, rate)
// requests. Its memory is bounded: buckets live in two generations of up
// to maxBuckets/2 each, and when the current one is full the older one is
// dropped whole, so a flood of new sources costs nothing per request
// beyond a map insert.
type limiter struct {
	rate, burst float64

	mu        sync.Mutex
	cur, prev map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		return nil
	}
	return &limiter{rate: rate, burst: math.Max(1, rate), cur: map[string]*bucket{}, prev: map[string]*bucket{}}
}

// allow takes a token for r's client; a nil limiter allows everything.
// The client is the connection's peer: X-Forwarded-For is not trusted.
func (l *limiter) allow(r *http.Request, now time.Time) bool {
	if l == nil {
		return true
	}
	key := access.Client(r.RemoteAddr)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.cur[key]
	if b == nil {
		if b = l.prev[key]; b != nil {
			delete(l.prev, key)
		} else {
			b = &bucket{tokens: l.burst, at: now}
		}
		if len(l.cur) >= maxBuckets/2 {
			l.prev, l.cur = l.cur, map[string]*bucket{}
		}
		l.cur[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
