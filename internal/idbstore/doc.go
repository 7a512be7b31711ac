// Package idbstore implements queue.Store on IndexedDB, for GOOS=js
// GOARCH=wasm builds running in a browser (or under Node with
// fake-indexeddb in tests). The encoding of what it stores is package
// blocks (internal/idbstore/blocks), pure Go, tested and fuzzed natively;
// the rest builds only for js/wasm.
//
// The database has two object stores: "blocks" holds the queue's records,
// up to 50 per value (an IndexedDB request costs ~100 µs in Chromium
// whatever its size, so a burst is stored with one put per 50 records, not
// per record), and "state" holds string values under out-of-line string
// keys. Package blocks (internal/idbstore/blocks, layout.go) describes the
// layout. Open runs versioned schema migrations; SchemaVersion is the
// current version. Package dom (internal/idbstore/dom) holds the event
// listeners and the reading of thrown DOMExceptions.
//
// Every JavaScript call goes through github.com/hack-pad/safejs, so a
// browser exception becomes a Go error, never a panic.
//
// Transactions: every method runs in exactly one IndexedDB transaction. It
// creates the transaction, issues all its requests synchronously (requests
// that depend on a read are issued inside that read's success callback) and
// then waits for the transaction's complete or abort event. Nothing in
// between waits on a timer, a channel or I/O, because a transaction
// auto-commits as soon as control returns to the JavaScript event loop with
// no request pending.
//
// Concurrency: the methods may be called from several goroutines at once;
// each call gets its own transaction, and a connection has one transaction
// in flight at a time: the next begins once the last has completed or
// aborted (DB.turn says why: a WebKit bug). Across tabs, IndexedDB
// serialises read-write transactions on the same object store. Never call a
// method from inside a js.FuncOf callback's own goroutine (a JavaScript
// event handler, such as a click listener): it blocks until an IndexedDB
// event arrives, which JavaScript cannot deliver until the handler returns,
// so it deadlocks. Start a goroutine instead. The fn given to UpdateState
// runs inside an IndexedDB success callback: it must not block, wait or call
// the store.
//
// Cancelling the context aborts the method's transaction. A write whose
// context ends while it is already committing may still be stored although
// the method returns the context's error.
package idbstore
