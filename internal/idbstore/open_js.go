//go:build js && wasm

package idbstore

import (
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/idbstore/blocks"
	"github.com/exponea-wasm/tracker/internal/idbstore/dom"
)

// migrate brings a database from version old to SchemaVersion inside the
// versionchange transaction tx. Add a step per version; never edit old
// steps. A step may finish in a request's success callback: a failure there
// goes to fail, which aborts the upgrade, so the database stays as it was.
func migrate(db, tx safejs.Value, old int64, fail func(error)) error {
	if old == 0 {
		return create(db) // what steps 1 and 2 make of an empty database
	}
	if old < 1 {
		opts := map[string]any{"keyPath": seqKey, "autoIncrement": true}
		if _, err := db.Call("createObjectStore", recordsStore, opts); err != nil {
			return err
		}
		if _, err := db.Call("createObjectStore", stateStore); err != nil {
			return err
		}
	}
	if old < 2 {
		if err := blocksFromRecords(db, tx, fail); err != nil {
			return err
		}
	}
	return nil
}

// create makes the Fresh layout in a new database.
func create(db safejs.Value) error {
	for _, spec := range Fresh {
		opts := map[string]any{}
		if spec.KeyPath != "" {
			opts["keyPath"] = spec.KeyPath
		}
		if spec.AutoIncrement {
			opts["autoIncrement"] = true
		}
		st, err := db.Call("createObjectStore", spec.Name, opts)
		if err != nil {
			return err
		}
		for _, ix := range spec.Indexes {
			if _, err := st.Call("createIndex", ix.Name, ix.KeyPath, map[string]any{"multiEntry": ix.MultiEntry}); err != nil {
				return err
			}
		}
	}
	return nil
}

// blocksFromRecords is step 2: it creates the blocks store and its offsets
// index, copies every record of the records store, in seq order, into
// blocks (new seqs, in the same order), and deletes the records store.
func blocksFromRecords(db, tx safejs.Value, fail func(error)) error {
	const op = "upgrade"
	st, err := db.Call("createObjectStore", blocksStore, map[string]any{"keyPath": "k", "autoIncrement": true})
	if err != nil {
		return err
	}
	if _, err := st.Call("createIndex", offsetIndex, "o", map[string]any{"multiEntry": true}); err != nil {
		return err
	}
	old, err := tx.Call("objectStore", recordsStore)
	if err != nil {
		return err
	}
	req, err := old.Call("getAll")
	if err != nil {
		return err
	}
	json, err := safejs.Global().Get("JSON")
	if err != nil {
		return err
	}
	var fn safejs.Func
	fn, err = safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		defer fn.Release()
		err := func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = panicErr(op, p)
				}
			}()
			arr, err := req.Get("result")
			if err != nil {
				return err
			}
			text, err := json.Call("stringify", arr)
			if err != nil {
				return err
			}
			str, err := text.String()
			if err != nil {
				return err
			}
			recs, err := blocks.ParseJSON([]byte(str))
			if err != nil {
				return err
			}
			if len(recs) > 0 {
				if _, _, err := putBlocks(json, st, recs); err != nil {
					return err
				}
			}
			_, err = db.Call("deleteObjectStore", recordsStore)
			return err
		}()
		if err != nil {
			fail(err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return req.Set("onsuccess", fn)
}

// factory returns the IDBFactory
// (https://developer.mozilla.org/en-US/docs/Web/API/IDBFactory).
func factory(op string) (safejs.Value, error) {
	f, err := safejs.Global().Get("indexedDB") // may throw SecurityError
	if err != nil {
		return f, unavailableErr(op, err)
	}
	if f.Type() != safejs.TypeObject {
		return f, newErr(op, "indexedDB is not available", ErrUnavailable)
	}
	return f, nil
}

// opening is an IDBOpenDBRequest in flight
// (https://developer.mozilla.org/en-US/docs/Web/API/IDBOpenDBRequest).
type opening struct {
	req        safejs.Value
	ch         chan string // success, error, blocked
	l          *dom.Listener
	migrateErr error // set by upgradeneeded before error is sent

	mu        sync.Mutex
	abandoned bool // Open gave up (ctx); late events clean up by themselves
}

func (o *opening) handle(name string, ev safejs.Value) {
	if name == "upgradeneeded" {
		o.upgrade(ev)
		return
	}
	o.mu.Lock()
	if !o.abandoned {
		select {
		case o.ch <- name:
		default:
		}
		o.mu.Unlock()
		return
	}
	o.mu.Unlock()
	o.late(name)
}

// upgrade runs the migrations synchronously inside the upgradeneeded event,
// while the versionchange transaction is active.
func (o *opening) upgrade(ev safejs.Value) {
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = panicErr("open", p)
			}
		}()
		v, err := ev.Get("oldVersion")
		if err != nil {
			return err
		}
		old, ok := safeInt(v)
		if !ok {
			return newErr("open", "bad oldVersion", nil)
		}
		db, err := o.req.Get("result")
		if err != nil {
			return err
		}
		tx, err := o.req.Get("transaction")
		if err != nil {
			return err
		}
		return migrate(db, tx, old, o.fail)
	}()
	if err != nil {
		o.fail(err)
	}
}

// fail aborts the upgrade; the open request then fails with err.
func (o *opening) fail(err error) {
	if o.migrateErr == nil {
		o.migrateErr = err
	}
	if tx, err := o.req.Get("transaction"); err == nil {
		_, _ = tx.Call("abort")
	}
}

// late handles success or error after Open gave up: it closes a connection
// nobody will use (it would block other tabs' upgrades) and releases the
// listeners.
func (o *opening) late(name string) {
	switch name {
	case "success":
		if db, err := o.req.Get("result"); err == nil {
			_, _ = db.Call("close")
		}
		o.l.Stop()
	case "error":
		o.l.Stop()
	}
}

// Open opens (creating or upgrading as needed) the database name at
// SchemaVersion. Failures to use IndexedDB wrap ErrUnavailable; if ctx ends
// first (say another tab blocks the upgrade) the error wraps ctx.Err().
//
// Where the worker script began opening the database while the wasm
// compiled (see PendingOpens), Open takes that request; if it failed (it
// leaves a database of an older version to the migrations here, aborting
// its upgrade), Open opens the database itself.
func Open(ctx ctxlite.Context, name string) (*DB, error) {
	const op = "open"
	if err := ctx.Err(); err != nil {
		return nil, ctxErr(op, err)
	}
	f, err := factory(op)
	if err != nil {
		return nil, err
	}
	g := safejs.Global()
	keyRange, err1 := g.Get("IDBKeyRange")
	json, err2 := g.Get("JSON")
	array, err3 := g.Get("Array")
	if err1 != nil || err2 != nil || err3 != nil || keyRange.Type() != safejs.TypeFunction {
		return nil, newErr(op, "IDBKeyRange is not available", ErrUnavailable)
	}
	d := &DB{keyRange: keyRange, json: json, array: array, turn: make(chan struct{}, 1)}
	if req, ok := adopt(name); ok {
		db, err := await(ctx, req, false)
		if err == nil {
			_ = db.Set("onversionchange", safejs.Null()) // the script's: ours follow
			if usable(db) {
				d.adopted = true
				return d.with(db)
			}
			_, _ = db.Call("close")
		}
		if ctx.Err() != nil {
			return nil, err
		}
	}
	req, err := f.Call("open", name, SchemaVersion)
	if err != nil {
		return nil, unavailableErr(op, err)
	}
	db, err := await(ctx, req, true)
	if err != nil {
		return nil, err
	}
	return d.with(db)
}

// usable tells whether the connection db begins transactions. The worker
// script's versionchange handler may have closed a connection it began
// after Open took it, before Open took its events over: no event says so
// then, and the start would fail at its first transaction. The one begun
// here is aborted at once, so the next on its store need not wait for it
// to commit.
func usable(db safejs.Value) bool {
	tx, err := db.Call("transaction", blocksStore, "readonly")
	if err != nil {
		return false
	}
	_, _ = tx.Call("abort")
	return true
}

// with makes d the store on connection db, following its versionchange
// and close events.
func (d *DB) with(db safejs.Value) (*DB, error) {
	d.db = db
	var err error
	if d.events, err = dom.Listen(db, d.handle, "versionchange", "close"); err != nil {
		_, _ = db.Call("close")
		return nil, unavailableErr("open", err)
	}
	return d, nil
}

// adopt takes the request the worker script began for name, if any, out
// of PendingOpens.
func adopt(name string) (safejs.Value, bool) {
	m, err := safejs.Global().Get(PendingOpens)
	if err != nil || m.Type() != safejs.TypeObject {
		return safejs.Null(), false
	}
	req, err := m.Call("get", name)
	if err != nil || req.Type() != safejs.TypeObject {
		return safejs.Null(), false
	}
	_, _ = m.Call("delete", name)
	return req, true
}

// settled returns the outcome of the open request req once it has one
// (done): the connection, or the error it failed with. Its readyState is
// "done" already in upgradeneeded, while the upgrade transaction runs: a
// connection taken then throws InvalidStateError at its first transaction
// (and closing it aborts the upgrade), so a request has succeeded only
// once it has no upgrade transaction.
func settled(op string, req safejs.Value) (db safejs.Value, done bool, err error) {
	st, err := req.Get("readyState")
	if err != nil {
		return safejs.Null(), false, nil
	}
	if s, _ := st.String(); s != "done" {
		return safejs.Null(), false, nil
	}
	ex, err := req.Get("error")
	if failed, _ := ex.Truthy(); err != nil || failed {
		return safejs.Null(), true, unavailable(op, ex)
	}
	if tx, err := req.Get("transaction"); err != nil || !(tx.IsNull() || tx.IsUndefined()) {
		return safejs.Null(), false, nil // upgrading
	}
	db, err = req.Get("result")
	return db, true, err
}

// await waits for the open request req to succeed and returns the
// connection. With upgrade, Open's own request, it runs the migrations in
// upgradeneeded; a request the worker script began upgrades by itself
// and may be settled already, or be upgrading still.
func await(ctx ctxlite.Context, req safejs.Value, upgrade bool) (safejs.Value, error) {
	const op = "open"
	if !upgrade {
		if db, done, err := settled(op, req); done {
			return db, err
		}
	}
	o := &opening{req: req, ch: make(chan string, 4)}
	events := []string{"success", "error", "blocked"}
	if upgrade {
		events = append(events, "upgradeneeded")
	}
	var err error
	if o.l, err = dom.Listen(req, o.handle, events...); err != nil {
		return safejs.Null(), unavailableErr(op, err)
	}
	blocked := false
	for {
		select {
		case ev := <-o.ch:
			switch ev {
			case "blocked":
				blocked = true
				continue
			case "error":
				o.l.Stop()
				if o.migrateErr != nil {
					return safejs.Null(), newErr(op, "upgrade: "+o.migrateErr.Error(), ErrUnavailable)
				}
				ex, _ := req.Get("error")
				return safejs.Null(), unavailable(op, ex)
			}
			o.l.Stop()
			db, err := req.Get("result")
			if err != nil {
				return safejs.Null(), unavailableErr(op, err)
			}
			return db, nil
		case <-ctx.Done():
			err := ctx.Err()
			var pending []string
			o.mu.Lock()
			o.abandoned = true
			for len(o.ch) > 0 {
				pending = append(pending, <-o.ch)
			}
			o.mu.Unlock()
			for _, name := range pending {
				o.late(name)
			}
			msg := err.Error()
			if blocked {
				msg = "blocked by another open connection: " + msg
			}
			return safejs.Null(), newErr(op, msg, err)
		}
	}
}
