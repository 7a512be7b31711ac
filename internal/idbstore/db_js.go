//go:build js && wasm

package idbstore

import (
	"sync"

	"github.com/exponea-wasm/tracker/internal/idbstore/blocks"
	"github.com/exponea-wasm/tracker/internal/idbstore/dom"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/hack-pad/safejs"
)

// DB is a queue.Store on an open IDBDatabase
// (https://developer.mozilla.org/en-US/docs/Web/API/IDBDatabase).
type DB struct {
	db       safejs.Value  // the IDBDatabase
	keyRange safejs.Value  // the IDBKeyRange interface object
	json     safejs.Value  // the JSON namespace object
	array    safejs.Value  // the Array constructor
	events   *dom.Listener // versionchange and close on db
	adopted  bool          // the connection is the one the worker script began (PendingOpens)
	known    blocks.Known  // what blocks held when read: Delete's shortcut
	// turn is held by the one transaction of this connection that may be
	// in flight (beginScope takes it, the transaction's complete or abort
	// event gives it back). WebKit (2.50, and Safari) leaves a database
	// unable to run any transaction, in every tab and for minutes, when a
	// Worker ends while two transactions of its connection are in flight
	// (WebKit bug 324094); a tab closed during a burst ends its Worker so.
	// With one at a time it does not happen (0 of 200 Workers ended in a
	// loop of transactions, against 6 of 100 with two loops at once), and
	// little is lost: IndexedDB runs transactions over the same object
	// store one at a time anyway.
	turn chan struct{}

	mu     sync.Mutex // guards reason; never held across a JavaScript call
	reason string     // why the store is closed; "" while open
}

var _ queue.Store = (*DB)(nil)

// OpenedEarly tells whether the connection is the one the worker script
// began opening while the wasm compiled (PendingOpens).
func (d *DB) OpenedEarly() bool { return d.adopted }

// handle reacts to events on the open connection.
func (d *DB) handle(name string, _ safejs.Value) {
	switch name {
	case "versionchange":
		// Another connection wants to upgrade or delete the database: let it.
		d.closeWith("database upgraded or deleted by another connection")
	case "close":
		d.closeWith("connection closed by the browser")
	}
}

// closeWith marks the store closed, closes the connection (its running
// transactions still finish) and drops the event listeners.
func (d *DB) closeWith(reason string) {
	d.mu.Lock()
	if d.reason != "" {
		d.mu.Unlock()
		return
	}
	d.reason = reason
	d.mu.Unlock()
	_, _ = d.db.Call("close")
	d.events.Stop()
}

// Closed tells whether the store is closed: by Close, by a version change
// or by the browser.
func (d *DB) Closed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reason != ""
}

// check returns an error wrapping queue.ErrClosed once the store is closed.
func (d *DB) check(op string) error {
	d.mu.Lock()
	reason := d.reason
	d.mu.Unlock()
	if reason != "" {
		return newErr(op, "store closed: "+reason, queue.ErrClosed)
	}
	return nil
}

// Close implements queue.Store: it closes the connection once its running
// transactions finish. Later calls fail with queue.ErrClosed.
func (d *DB) Close() error {
	d.closeWith("closed by Close")
	return nil
}
