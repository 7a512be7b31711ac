//go:build js && wasm

package idbstore

import (
	"errors"

	"github.com/exponea-wasm/tracker/internal/idbstore/dom"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/hack-pad/safejs"
)

// ErrUnavailable is returned (wrapped) by Open when IndexedDB cannot be used:
// indexedDB is missing, access to it is denied, opening is refused (for
// instance in some private modes), or the stored schema is newer than
// SchemaVersion. The caller should fall back to queue.Memory.
var ErrUnavailable = errors.New("idbstore: indexedDB is not available")

// opError is every error this package returns: "idbstore: op: msg". It wraps
// kind (queue.ErrQuota, queue.ErrClosed, ErrUnavailable, a context error or
// nil) for errors.Is.
type opError struct {
	op, msg string
	kind    error
}

func (e *opError) Error() string { return "idbstore: " + e.op + ": " + e.msg }
func (e *opError) Unwrap() error { return e.kind }

func newErr(op, msg string, kind error) error { return &opError{op: op, msg: msg, kind: kind} }

func ctxErr(op string, err error) error { return newErr(op, err.Error(), err) }

// kindOf maps a DOMException name to the queue error it means.
func kindOf(name string, closed bool) error {
	switch {
	case name == "QuotaExceededError":
		return queue.ErrQuota
	case name == "InvalidStateError" || closed:
		return queue.ErrClosed
	}
	return nil
}

// domErr turns a DOMException (a request's or transaction's error) into an
// error for op.
func (d *DB) domErr(op string, ex safejs.Value) error {
	name, msg := dom.Exception(ex)
	return newErr(op, dom.Join(name, msg), kindOf(name, d.Closed()))
}

// callErr turns the error of a safejs call (usually a thrown DOMException)
// into an error for op.
func (d *DB) callErr(op string, err error) error {
	if v, ok := dom.Thrown(err); ok {
		return d.domErr(op, v)
	}
	return newErr(op, err.Error(), kindOf("", d.Closed()))
}

// unavailable wraps an Open or Delete failure (thrown or the request's
// error) in ErrUnavailable.
func unavailable(op string, ex safejs.Value) error {
	name, msg := dom.Exception(ex)
	return newErr(op, dom.Join(name, msg), ErrUnavailable)
}

// panicErr converts a recovered panic value.
func panicErr(op string, p any) error {
	switch p := p.(type) {
	case error:
		return newErr(op, "panic: "+p.Error(), p)
	case string:
		return newErr(op, "panic: "+p, nil)
	}
	return newErr(op, "panic", nil)
}

// unavailableErr is unavailable for the error of a safejs call.
func unavailableErr(op string, err error) error {
	if v, ok := dom.Thrown(err); ok {
		return unavailable(op, v)
	}
	return newErr(op, err.Error(), ErrUnavailable)
}
