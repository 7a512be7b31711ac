package flush

import "github.com/exponea-wasm/tracker/internal/queue"

// Request limits of the Bloomreach Engagement batch endpoint.
const (
	// DefaultMaxCommands is the most commands one batch request carries.
	DefaultMaxCommands = 50
	// DefaultMaxBytes bounds a batch request body: the body must be
	// shorter than this.
	DefaultMaxBytes = 800_000
)

const (
	bodyHead = `{"commands":[`
	bodyTail = `]}`
)

// BodySize returns the length in bytes of the body that Body builds for recs.
func BodySize(recs []queue.Record) int {
	n := len(bodyHead) + len(bodyTail)
	for i, r := range recs {
		if i > 0 {
			n++ // comma
		}
		n += r.Size()
	}
	return n
}

// Batch returns the longest prefix of recs that one request can carry: at
// most maxCommands records whose encoded body is shorter than maxBytes
// (zero or negative limits mean the defaults). A first record too big to fit
// on its own is returned alone, so the caller can see that it never fits and
// reject it instead of stalling the queue behind it. The result shares recs'
// array but has no spare capacity, so appending to it cannot clobber recs.
func Batch(recs []queue.Record, maxCommands, maxBytes int) []queue.Record {
	if maxCommands <= 0 {
		maxCommands = DefaultMaxCommands
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	size := len(bodyHead) + len(bodyTail)
	n := 0
	for n < len(recs) && n < maxCommands {
		add := recs[n].Size()
		if n > 0 {
			add++
		}
		if size+add >= maxBytes {
			break
		}
		size += add
		n++
	}
	if n == 0 && len(recs) > 0 {
		n = 1
	}
	return recs[:n:n]
}

// Body encodes recs as a batch request body, {"commands":[<body>,...]}. Each
// record's Body is already the command's JSON, so this only concatenates.
func Body(recs []queue.Record) []byte {
	b := make([]byte, 0, BodySize(recs))
	b = append(b, bodyHead...)
	for i, r := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r.Body...)
	}
	return append(b, bodyTail...)
}
