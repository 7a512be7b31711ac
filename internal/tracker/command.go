package tracker

import (
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
	dst = append(dst, `{"name":"customers","command_id":`...)
	dst = jsonx.AppendString(dst, id)
	dst = append(dst, `,"data":{"customer_ids":`...)
	dst = ids.AppendJSON(dst)
	dst = append(dst, `,"properties":`...)
	dst = props.AppendJSON(dst)
	return append(dst, "}}"...)
}
