package wire

import "math"

// ProjectsPath is the path prefix of the API's endpoints: a project's
// token, then the endpoint ("batch", or a command name) follow it.
const ProjectsPath = "/track/v2/projects/"

// Command names of the batch endpoint.
const (
	// CommandEvent tracks an event for a customer.
	CommandEvent = "customers/events"
	// CommandCustomer updates a customer's properties (and merges ids).
	CommandCustomer = "customers"
	// CommandTime asks for the server's time.
	CommandTime = "system/time"
)

// Limits of the API.
const (
	// MaxCommands is the most commands one batch request carries.
	MaxCommands = 50
	// MaxBodyBytes bounds a batch request body: a body must be shorter.
	MaxBodyBytes = 800_000
	// MaxCommandBytes bounds one encoded command, so that any command fits
	// in a request of its own with room to spare.
	MaxCommandBytes = MaxBodyBytes - 1024
	// MaxValueBytes is the largest encoded property value accepted.
	MaxValueBytes = 16 * 1024
	// MaxTimestamp is the latest event time accepted, in Unix seconds (the
	// year 2286): later values are a unit mistake, milliseconds passed as
	// seconds. The earliest is anything after the epoch (MinTimestamp,
	// exclusive).
	MaxTimestamp = 9_999_999_999
	// MinTimestamp is the exclusive lower bound of an event time.
	MinTimestamp = 0
	// MaxCommandIDBytes bounds a command_id, in bytes of UTF-8. The SDK's
	// ids are UUIDs (36 bytes); other clients may send any id up to this
	// length, without control characters.
	MaxCommandIDBytes = 128
)

// ValidTimestamp reports whether ts, in Unix seconds, is an event time the
// API accepts: after MinTimestamp, at most MaxTimestamp, and a number.
func ValidTimestamp(ts float64) bool {
	return ts > MinTimestamp && ts <= MaxTimestamp && !math.IsNaN(ts)
}

// validCommandID reports whether id is a command_id the API accepts: 1 to
// MaxCommandIDBytes bytes with no control character (C0, DEL, C1).
func validCommandID(id string) bool {
	if id == "" || len(id) > MaxCommandIDBytes {
		return false
	}
	for _, r := range id {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return false
		}
	}
	return true
}

// ValueFits reports whether a property value encoded in n bytes is within
// MaxValueBytes.
func ValueFits(n int) bool { return n <= MaxValueBytes }
