package wire

import (
	"slices"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// Props is a JSON object kept as its members, values raw: the customer_ids
// and properties of a command.
type Props []jsonx.Member

// AppendJSON appends p as a JSON object.
func (p Props) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for i, m := range p {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = m.AppendKey(dst)
		dst = append(dst, ':')
		dst = append(dst, m.Value...)
	}
	return append(dst, '}')
}

// Event is a customers/events command.
type Event struct {
	// ID is the command_id, the record's UUID.
	ID string
	// CustomerIDs is the customer_ids object (the cookie first).
	CustomerIDs Props
	// Type is the event type as a JSON string literal, kept as the page
	// wrote it (see jsonx.Member.RawKey).
	Type []byte
	// Timestamp is when the event happened, in Unix seconds.
	Timestamp float64
	// Properties are the event's properties.
	Properties Props
}

// AppendJSON appends the command.
func (e *Event) AppendJSON(dst []byte) []byte {
	// Room for the whole command up front, rather than growing dst while
	// writing it.
	dst = slices.Grow(dst, commandSize(e.ID, e.CustomerIDs, e.Properties)+len(e.Type))
	dst = append(dst, `{"name":"`+CommandEvent+`","command_id":`...)
	dst = jsonx.AppendString(dst, e.ID)
	dst = append(dst, `,"data":{"customer_ids":`...)
	dst = e.CustomerIDs.AppendJSON(dst)
	dst = append(dst, `,"event_type":`...)
	dst = append(dst, e.Type...)
	dst = append(dst, `,"timestamp":`...)
	dst = jsonx.AppendFloat(dst, e.Timestamp)
	dst = append(dst, `,"properties":`...)
	dst = e.Properties.AppendJSON(dst)
	return append(dst, "}}"...)
}

// Customer is a customers command.
type Customer struct {
	// ID is the command_id, the record's UUID.
	ID string
	// CustomerIDs is the customer_ids object (the cookie first).
	CustomerIDs Props
	// Properties are the customer properties to set.
	Properties Props
}

// AppendJSON appends the command.
func (c *Customer) AppendJSON(dst []byte) []byte {
	dst = slices.Grow(dst, commandSize(c.ID, c.CustomerIDs, c.Properties))
	dst = append(dst, `{"name":"`+CommandCustomer+`","command_id":`...)
	dst = jsonx.AppendString(dst, c.ID)
	dst = append(dst, `,"data":{"customer_ids":`...)
	dst = c.CustomerIDs.AppendJSON(dst)
	dst = append(dst, `,"properties":`...)
	dst = c.Properties.AppendJSON(dst)
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
