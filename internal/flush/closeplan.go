package flush

import "github.com/exponea-wasm/tracker/internal/queue"

// KeepaliveBudget is the browsers' limit on the summed body sizes of all
// in-flight fetch(..., {keepalive: true}) requests of a page (64 KiB in the
// Fetch standard); a request over it is refused outright.
const KeepaliveBudget = 64 << 10

// Request is one keepalive request of a close plan: its body and the
// records it carries, in order.
type Request struct {
	Body    []byte
	Records []queue.Record
}

// ClosePlan splits records (already in Seq order, from an in-memory mirror)
// into requests for keepalive fetch at page close: each body
// {"commands":[...]} carries at most maxCommands commands (0: the default),
// chunks are consecutive, and the bodies together take at most
// budget - inFlight bytes. Records that do not fit are left for the next
// visit and returned as rest. Nothing is skipped over: the first record that
// does not fit ends the plan, so the records behind it keep their order.
func ClosePlan(recs []queue.Record, inFlight, budget, maxCommands int) (reqs []Request, rest []queue.Record) {
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
		reqs = append(reqs, Request{Body: body, Records: chunk})
		avail -= len(body)
		i += len(chunk)
	}
	return reqs, recs[i:]
}
