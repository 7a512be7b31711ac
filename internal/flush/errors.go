package flush

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// ErrPaused is returned by Flush while sending is paused after the server
// refused the credentials (401/403) or the endpoint (404). A forced Flush
// lifts it.
var ErrPaused = errors.New("flush: paused after an authorization failure")

// ErrNetwork matches (with errors.Is) every failure to get a response at
// all; the Sender's own error is wrapped beside it.
var ErrNetwork = errors.New("flush: network failure")

// ErrTooLarge is the drop reason of a record whose command alone exceeds the
// request size limit, so that no request can ever carry it.
var ErrTooLarge = errors.New("flush: record larger than the request limit")

// HTTPError is a batch request that got an HTTP response other than a usable
// 2xx. Callers decide on Status: 401/403/404 pause, 408/429/5xx back off.
type HTTPError struct {
	// Status is the HTTP status code.
	Status int
	// RetryAfter is the server's Retry-After, parsed and capped (0: none).
	RetryAfter time.Duration
	// Reason is the server's error text, when the body had one.
	Reason string
	// Err is the underlying cause, such as wire.ErrMalformed, or nil.
	Err error
}

// Error implements error.
func (e *HTTPError) Error() string {
	s := "flush: HTTP " + strconv.Itoa(e.Status)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + strings.TrimPrefix(strings.TrimPrefix(e.Err.Error(), "flush: "), "wire: ")
	}
	if e.RetryAfter > 0 {
		s += " (retry after " + e.RetryAfter.String() + ")"
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *HTTPError) Unwrap() error { return e.Err }

// netError wraps a Sender's error so that it matches ErrNetwork and the
// original alike.
type netError struct{ err error }

func (e *netError) Error() string   { return ErrNetwork.Error() + ": " + e.err.Error() }
func (e *netError) Unwrap() []error { return []error{ErrNetwork, e.err} }

// storeError wraps a queue.Store failure; the records stay as they were.
type storeError struct{ err error }

func (e *storeError) Error() string { return "flush: store: " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// PanicError is a panic recovered from a store call on a goroutine of the
// Flusher's own; the pass ends with it as with a store error, the records
// as they were. (A Sender's panic is recovered on its request's goroutine
// too, but only to be raised again on Flush's once every request of the
// pass has ended.)
type PanicError struct {
	Value  any
	sender bool // from Sender.Send: Flush panics with Value
}

func (e *PanicError) Error() string {
	switch v := e.Value.(type) {
	case error:
		return "flush: panic: " + v.Error()
	case string:
		return "flush: panic: " + v
	}
	return "flush: panic"
}
