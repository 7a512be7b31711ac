package queue

// Kind tells what a record's command is; eviction rules and reports use it.
type Kind string

// The kinds of command a record can hold.
const (
	KindEvent    Kind = "event"    // customers/events
	KindCustomer Kind = "customer" // customers (identifyCustomer)
)

// Record is one queued command.
//
// Body is the complete command object as sent inside a batch's "commands"
// array, e.g. {"name":"customers/events","command_id":ID,"data":{...}}. It
// is built once, when the record is tracked, so that the customer ids it was
// tracked with travel with it whatever happens to the stored ids later.
type Record struct {
	// Seq orders records; the store assigns it on Append (1, 2, 3, ...).
	Seq int64
	// ID is the record's UUID; it is the command_id on the wire and stays the
	// same across retries, reloads and tabs, so the server can dedupe.
	ID string
	// Kind is the command's kind.
	Kind Kind
	// CreatedMs is when the record was tracked, in Unix milliseconds.
	CreatedMs int64
	// Body is the command JSON.
	Body string
	// Rejections counts how often the server rejected this very command
	// (per-command success:false, or a 4xx isolated to it). Network errors,
	// 5xx and 429 never count.
	Rejections int
	// NotBeforeMs, in Unix milliseconds, holds the record back until then
	// (0: send at once).
	NotBeforeMs int64
}

// Size is the record's size as it counts toward request and storage limits.
func (r Record) Size() int { return len(r.Body) }
