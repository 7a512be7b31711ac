//go:build js && wasm

package idbstore

import (
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/idbstore/dom"
)

// txn is one IDBTransaction
// (https://developer.mozilla.org/en-US/docs/Web/API/IDBTransaction) and the
// Go funcs attached to it and its requests
// (https://developer.mozilla.org/en-US/docs/Web/API/IDBRequest).
type txn struct {
	d    *DB
	op   string
	tx   safejs.Value
	done chan string    // "complete" or "abort"
	l    *dom.Listener  // complete and abort: they end the transaction's turn
	once sync.Once      // gives the turn back
	reqs []safejs.Value // requests whose onsuccess is one of fns
	fns  []safejs.Func
	// cbErr is the first error of a success callback, which then aborted
	// the transaction. Callbacks write it before the abort event, which
	// reaches wait through done, so wait may read it after receiving.
	cbErr error
}

// begin starts a transaction on one object store in mode "readonly" or
// "readwrite" and returns it with the store
// (https://developer.mozilla.org/en-US/docs/Web/API/IDBDatabase/transaction).
// Issue every request before calling wait, without blocking in between.
func (d *DB) begin(ctx ctxlite.Context, op, store, mode string) (*txn, safejs.Value, error) {
	t, sts, err := d.beginScope(ctx, op, mode, store)
	if err != nil {
		return nil, safejs.Value{}, err
	}
	return t, sts[0], nil
}

// beginScope is begin on several object stores at once; it returns them in
// the order named.
func (d *DB) beginScope(ctx ctxlite.Context, op, mode string, stores ...string) (*txn, []safejs.Value, error) {
	if err := d.check(op); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, ctxErr(op, err)
	}
	// Waiting for the turn is waiting before this transaction exists, so
	// it cannot commit early.
	select {
	case d.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, newErr(op, "waiting for the transaction before: "+ctx.Err().Error(), ctx.Err())
	}
	scope := make([]any, len(stores))
	for i, s := range stores {
		scope[i] = s
	}
	tx, err := d.db.Call("transaction", scope, mode)
	if err != nil {
		<-d.turn
		if v, ok := dom.Thrown(err); ok {
			if name, _ := dom.Exception(v); name == "InvalidStateError" {
				// The connection is closing: closed by the browser, or a
				// versionchange event we have not seen yet.
				d.closeWith("connection closed")
			}
		}
		return nil, nil, d.callErr(op, err)
	}
	t := &txn{d: d, op: op, tx: tx, done: make(chan string, 2)}
	// The turn ends with the transaction, whoever waits for it or not: a
	// wait that timed out has asked for an abort, and the abort event
	// still comes.
	forward := dom.Send(t.done)
	if t.l, err = dom.Listen(tx, func(name string, ev safejs.Value) {
		t.endTurn()
		t.l.Stop()
		forward(name, ev)
	}, "complete", "abort"); err != nil {
		t.abort()
		t.endTurn() // no event will say when it ended; it was aborted before any request
		return nil, nil, d.callErr(op, err)
	}
	sts := make([]safejs.Value, len(stores))
	for i, s := range stores {
		if sts[i], err = tx.Call("objectStore", s); err != nil {
			return nil, nil, t.fail(d.callErr(op, err))
		}
	}
	return t, sts, nil
}

// endTurn lets the next transaction of the connection begin.
func (t *txn) endTurn() { t.once.Do(func() { <-t.d.turn }) }

// abort aborts the transaction; it fails harmlessly once the transaction is
// committing or finished.
func (t *txn) abort() { _, _ = t.tx.Call("abort") }

// fail aborts the transaction, releases it and returns err; for errors
// while issuing requests.
func (t *txn) fail(err error) error {
	t.abort()
	t.release(false)
	return err
}

// onSuccess sets req.onsuccess to fn. fn runs inside the JavaScript event,
// while the transaction is active, so it may issue further requests; it must
// not block. An error or panic in fn aborts the transaction and becomes
// wait's error.
func (t *txn) onSuccess(req safejs.Value, fn func() error) error {
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		defer func() {
			if p := recover(); p != nil {
				t.callbackFailed(panicErr(t.op, p))
			}
		}()
		if err := fn(); err != nil {
			t.callbackFailed(err)
		}
		return nil
	})
	if err != nil {
		return t.d.callErr(t.op, err)
	}
	t.reqs = append(t.reqs, req)
	t.fns = append(t.fns, f)
	if err := req.Set("onsuccess", f); err != nil {
		return t.d.callErr(t.op, err)
	}
	return nil
}

func (t *txn) callbackFailed(err error) {
	if t.cbErr == nil {
		t.cbErr = err
	}
	t.abort()
}

// wait waits for the transaction to complete or abort, or for ctx to end
// (then it aborts the transaction). It releases everything on every path.
func (t *txn) wait(ctx ctxlite.Context) error {
	select {
	case name := <-t.done:
		return t.finish(name)
	case <-ctx.Done():
		select {
		case name := <-t.done: // it finished anyway: report that
			return t.finish(name)
		default:
		}
		t.abort()
		t.release(false)
		return ctxErr(t.op, ctx.Err())
	}
}

func (t *txn) finish(name string) error {
	t.release(name == "complete")
	if name == "complete" {
		return nil
	}
	if t.cbErr != nil {
		return t.cbErr
	}
	ex, err := t.tx.Get("error")
	if err != nil || ex.IsNull() || ex.IsUndefined() {
		return newErr(t.op, "transaction aborted", kindOf("", t.d.Closed()))
	}
	return t.d.domErr(t.op, ex)
}

// release releases the requests' funcs. When the transaction did not
// complete, it first unsets the requests' onsuccess so that no late event
// can call a released func. The complete and abort listeners stay until
// one of them fires: that ends the transaction's turn.
func (t *txn) release(completed bool) {
	for i, f := range t.fns {
		if !completed {
			_ = t.reqs[i].Set("onsuccess", nil)
		}
		f.Release()
	}
	t.fns, t.reqs = nil, nil
}
