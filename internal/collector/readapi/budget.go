package readapi

import "sync"

// budget bounds the bytes of the answers being built or written at once.
// An answer is built whole (so that a failed read is a clean 500, and a
// read transaction never waits on a slow client), and a client that does
// not read it holds it until the write timeout: without a bound, a few
// stalled readers of large answers hold hundreds of megabytes.
type budget struct {
	mu   sync.Mutex
	left int64
}

// take reserves n bytes, or reports false when they are not free.
func (b *budget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.left {
		return false
	}
	b.left -= n
	return true
}

// give returns n bytes taken before.
func (b *budget) give(n int64) {
	b.mu.Lock()
	b.left += n
	b.mu.Unlock()
}
