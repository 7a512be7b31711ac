package tracker

import (
	"slices"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// Command names of the Bloomreach Engagement batch API.
const (
	CommandEvent    = "customers/events"
	CommandCustomer = "customers"
)

// AppendEventCommand appends a customers/events command; eventType is a
// JSON string literal (kept as the page wrote it, see jsonx.Member.RawKey).
func AppendEventCommand(dst []byte, id string, ids Props, eventType []byte, ts float64, props Props) []byte {
	// Room for the whole command up front, rather than growing dst while
	// writing it.
	dst = slices.Grow(dst, commandSize(id, ids, props)+len(eventType))
	dst = append(dst, `{"name":"customers/events","command_id":`...)
	dst = jsonx.AppendString(dst, id)
	dst = append(dst, `,"data":{"customer_ids":`...)
	dst = ids.AppendJSON(dst)
	dst = append(dst, `,"event_type":`...)
	dst = append(dst, eventType...)
	dst = append(dst, `,"timestamp":`...)
	dst = jsonx.AppendFloat(dst, ts)
	dst = append(dst, `,"properties":`...)
	dst = props.AppendJSON(dst)
	return append(dst, "}}"...)
}

// AppendCustomerCommand appends a customers command.
func AppendCustomerCommand(dst []byte, id string, ids Props, props Props) []byte {
	dst = slices.Grow(dst, commandSize(id, ids, props))
	dst = append(dst, `{"name":"customers","command_id":`...)
	dst = jsonx.AppendString(dst, id)
	dst = append(dst, `,"data":{"customer_ids":`...)
	dst = ids.AppendJSON(dst)
	dst = append(dst, `,"properties":`...)
	dst = props.AppendJSON(dst)
	return append(dst, "}}"...)
}

// commandSize is about how long a command with these parts encodes: the
// fixed text (109 bytes for an event) and a timestamp (at most 24), plus
// the parts' lengths. Escapes can make it longer; append then grows the
// buffer as usual.
func commandSize(id string, ids, props Props) int {
	return 136 + len(id) + encodedSize(ids) + encodedSize(props)
}

// encodedSize is about how long p.AppendJSON writes p.
func encodedSize(p Props) int {
	n := 2
	for _, m := range p {
		k := len(m.RawKey)
		if m.RawKey == nil {
			k = len(m.Key) + 2
		}
		n += k + len(m.Value) + 2
	}
	return n
}
