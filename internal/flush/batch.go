package flush

import (
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/wire"
)

// BodySize returns the length in bytes of the body that Body builds for recs.
func BodySize(recs []queue.Record) int {
	total := 0
	for _, r := range recs {
		total += r.Size()
	}
	return wire.BodySize(len(recs), total)
}

// Batch returns the longest prefix of recs that one request can carry: at
// most maxCommands records whose encoded body is shorter than maxBytes. A
// first record too big to fit on its own is returned alone, so the caller
// can see that it never fits and reject it instead of stalling the queue
// behind it. The result shares recs' array but has no spare capacity, so
// appending to it cannot clobber recs.
func Batch(recs []queue.Record, maxCommands, maxBytes int) []queue.Record {
	n, total := 0, 0
	for n < len(recs) && n < maxCommands {
		if wire.BodySize(n+1, total+recs[n].Size()) >= maxBytes {
			break
		}
		total += recs[n].Size()
		n++
	}
	if n == 0 && len(recs) > 0 {
		n = 1
	}
	return recs[:n:n]
}

// Body encodes recs as a batch request body. Each record's Body is already
// the command's JSON, so this only concatenates.
func Body(recs []queue.Record) []byte {
	return wire.AppendBody(make([]byte, 0, BodySize(recs)), len(recs), func(i int) string { return recs[i].Body })
}
