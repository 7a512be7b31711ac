package flush

import "github.com/exponea-wasm/tracker/internal/queue"

// KeepaliveBudget is the browsers' limit on the summed body sizes of all
// in-flight fetch(..., {keepalive: true}) requests of a page (64 KiB in the
// Fetch standard); a request over it is refused outright.
const KeepaliveBudget = 64 << 10

// ClosePlan splits records (already in Seq order, from an in-memory mirror)
// into request bodies for keepalive fetch at page close: each body
// {"commands":[...]} carries at most maxCommands commands (0: the default),
// chunks are consecutive, and the bodies together take at most
// budget - inFlight bytes. Records that do not fit are left for the next
// visit and returned as rest; sent lists the records the bodies carry, in
// order. Nothing is skipped over: the first record that does not fit ends
// the plan, so the records behind it keep their order.
func ClosePlan(recs []queue.Record, inFlight, budget, maxCommands int) (bodies [][]byte, sent []queue.Record, rest []queue.Record) {
	if maxCommands <= 0 {
		maxCommands = DefaultMaxCommands
	}
	avail := budget - inFlight
	i := 0
	for i < len(recs) && avail > len(bodyHead)+len(bodyTail) {
		// Batch wants a strict bound; a body may use avail exactly.
		chunk := Batch(recs[i:], maxCommands, min(avail+1, DefaultMaxBytes))
		if BodySize(chunk) > avail {
			break
		}
		body := Body(chunk)
		bodies = append(bodies, body)
		avail -= len(body)
		i += len(chunk)
	}
	return bodies, recs[:i:i], recs[i:]
}
