//go:build js && wasm

package idbstore

import (
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/idbstore/dom"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// A database created new (Fresh, as the worker script creates one while
// the wasm compiles) has the layout the migrations make of a version 1
// database.
func TestFreshLayoutIsWhatTheMigrationsMake(t *testing.T) {
	ctx := testCtx(t)
	fresh, _ := openFresh(t)
	name := freshName(t)
	writeVersion1(t, name, nil, nil)
	migrated, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer migrated.Close()
	got, want := layout(t, fresh.db), layout(t, migrated.db)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("a new database:\n%v\nmigrated from version 1:\n%v", got, want)
	}
	if !strings.Contains(strings.Join(got, "\n"), blocksStore) {
		t.Fatalf("no %s store in %v", blocksStore, got)
	}
}

// Open takes the request the worker script began (PendingOpens), pending
// or done, and uses its connection; a request the script gave up (it
// aborts the upgrade of an older database) leaves Open to open and
// migrate the database itself.
func TestOpenTakesTheWorkersRequest(t *testing.T) {
	ctx := testCtx(t)
	for _, tc := range []struct {
		name   string
		v1     bool // an older database, whose upgrade the script aborts
		settle bool // the request is done before Open
	}{{"pending", false, false}, {"done", false, true}, {"older database", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			name := freshName(t)
			if tc.v1 {
				writeVersion1(t, name, []queue.Record{rec(1)}, map[string]string{"cookie": "c-1"})
			}
			req := workerOpen(t, name, nil)
			if tc.settle {
				done := make(chan string, 2)
				l, err := dom.Listen(req, func(ev string, _ safejs.Value) { done <- ev }, "success", "error")
				if err != nil {
					t.Fatal(err)
				}
				ev := <-done
				l.Stop()
				if want := map[bool]string{false: "success", true: "error"}[tc.v1]; ev != want {
					t.Fatalf("the script's request: %s, want %s", ev, want)
				}
			}
			d, err := Open(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.OpenedEarly() == tc.v1 {
				t.Errorf("OpenedEarly %v for %s", d.OpenedEarly(), tc.name)
			}
			if m, _ := safejs.Global().Get(PendingOpens); mustHas(t, m, name) {
				t.Error("the request is still in PendingOpens after Open")
			}
			if _, err := d.Append(ctx, []queue.Record{rec(2)}); err != nil {
				t.Fatal(err)
			}
			want := 1
			if tc.v1 {
				want = 2
				if v, ok, err := d.GetState(ctx, "cookie"); err != nil || !ok || v != "c-1" {
					t.Errorf("the older database's state after Open: %q %v %v", v, ok, err)
				}
			}
			if n, err := d.Len(ctx); err != nil || n != want {
				t.Errorf("%d records (%v), want %d", n, err, want)
			}
		})
	}
}

// Open waits for the upgrade of the worker script's request to end. The
// request's readyState is "done" already in upgradeneeded: a connection
// taken then failed its first transaction with InvalidStateError, and
// closing it aborted the upgrade, so the next worker found no database and
// raced again (WebKit's CI run started the SDK in 9 Workers, every one
// failing at "count: store closed: connection closed").
func TestOpenWaitsForTheWorkersUpgrade(t *testing.T) {
	ctx := testCtx(t)
	name := freshName(t)
	var released atomic.Bool
	upgrading := make(chan struct{})
	workerOpen(t, name, func(tx safejs.Value) {
		close(upgrading)
		holdUntil(t, tx, &released)
	})
	<-upgrading
	type result struct {
		d   *DB
		err error
	}
	opened := make(chan result, 1)
	go func() {
		d, err := Open(ctx, name)
		opened <- result{d, err}
	}()
	select {
	case r := <-opened:
		released.Store(true)
		if r.err == nil {
			defer r.d.Close()
		}
		t.Fatalf("Open returned while the script's upgrade ran (%v)", r.err)
	case <-time.After(100 * time.Millisecond):
	}
	released.Store(true)
	r := <-opened
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer r.d.Close()
	if !r.d.OpenedEarly() {
		t.Error("Open did not take the script's connection")
	}
	if _, err := r.d.Append(ctx, []queue.Record{rec(1)}); err != nil {
		t.Fatal(err)
	}
	if n, err := r.d.Len(ctx); err != nil || n != 1 {
		t.Errorf("%d records (%v), want 1", n, err)
	}
}

// A connection of the script's closed before Open took its events over
// (the script's versionchange handler closes it; no event tells Open):
// Open opens the database itself rather than fail at the first
// transaction.
func TestOpenDoesNotTakeAClosedConnection(t *testing.T) {
	ctx := testCtx(t)
	name := freshName(t)
	req := workerOpen(t, name, nil)
	done := make(chan string, 2)
	l, err := dom.Listen(req, func(ev string, _ safejs.Value) { done <- ev }, "success", "error")
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-done; ev != "success" {
		t.Fatalf("the script's request: %s", ev)
	}
	l.Stop()
	db, _ := req.Get("result")
	if _, err := db.Call("close"); err != nil {
		t.Fatal(err)
	}
	d, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.OpenedEarly() {
		t.Error("Open took the closed connection")
	}
	if _, err := d.Append(ctx, []queue.Record{rec(1)}); err != nil {
		t.Fatal(err)
	}
}

// holdUntil keeps the transaction tx busy, a request after another, until
// released.
func holdUntil(t *testing.T, tx safejs.Value, released *atomic.Bool) {
	t.Helper()
	st, err := tx.Call("objectStore", blocksStore)
	if err != nil {
		t.Fatal(err)
	}
	var next safejs.Func
	next, err = safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		if released.Load() {
			next.Release()
			return nil
		}
		if req, err := st.Call("count"); err == nil {
			_ = req.Set("onsuccess", next)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err := st.Call("count")
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Set("onsuccess", next); err != nil {
		t.Fatal(err)
	}
}

// workerOpen does what the worker script's preopen does (js/src/worker.js):
// it opens name at SchemaVersion, creates a new database as Fresh, aborts
// the upgrade of an older one, and leaves the request in PendingOpens.
// upgraded, if not nil, runs in upgradeneeded after the stores are made,
// with the upgrade transaction.
func workerOpen(t *testing.T, name string, upgraded func(tx safejs.Value)) safejs.Value {
	t.Helper()
	f, err := factory("test")
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.Call("open", name, SchemaVersion)
	if err != nil {
		t.Fatal(err)
	}
	var l *dom.Listener
	l, err = dom.Listen(req, func(_ string, ev safejs.Value) {
		defer l.Stop()
		old, _ := ev.Get("oldVersion")
		if n, _ := old.Int(); n != 0 {
			tx, _ := req.Get("transaction")
			_, _ = tx.Call("abort")
			return
		}
		db, _ := req.Get("result")
		if err := create(db); err != nil {
			t.Error(err)
		}
		if upgraded != nil {
			tx, _ := req.Get("transaction")
			upgraded(tx)
		}
	}, "upgradeneeded")
	if err != nil {
		t.Fatal(err)
	}
	g := safejs.Global()
	m, _ := g.Get(PendingOpens)
	if m.Type() != safejs.TypeObject {
		ctor, _ := g.Get("Map")
		m, _ = ctor.New()
		_ = g.Set(PendingOpens, m)
	}
	if _, err := m.Call("set", name, req); err != nil {
		t.Fatal(err)
	}
	return req
}

func mustHas(t *testing.T, m safejs.Value, key string) bool {
	t.Helper()
	v, err := m.Call("has", key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := v.Bool()
	return b
}

// layout describes db's object stores and indexes, a line each.
func layout(t *testing.T, db safejs.Value) []string {
	t.Helper()
	str := func(v safejs.Value) string {
		j, _ := safejs.Global().Get("JSON")
		s, _ := j.Call("stringify", v)
		out, _ := s.String()
		return out
	}
	names, err := db.Get("objectStoreNames")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := names.Get("length")
	count, _ := n.Int()
	var stores []string
	for i := 0; i < count; i++ {
		s, _ := names.Call("item", i)
		name, _ := s.String()
		stores = append(stores, name)
	}
	var out []string
	for _, name := range stores {
		tx, err := db.Call("transaction", name, "readonly")
		if err != nil {
			t.Fatal(err)
		}
		st, _ := tx.Call("objectStore", name)
		kp, _ := st.Get("keyPath")
		ai, _ := st.Get("autoIncrement")
		out = append(out, "store "+name+" keyPath "+str(kp)+" autoIncrement "+str(ai))
		ixNames, _ := st.Get("indexNames")
		ln, _ := ixNames.Get("length")
		k, _ := ln.Int()
		for i := 0; i < k; i++ {
			x, _ := ixNames.Call("item", i)
			ixName, _ := x.String()
			ix, _ := st.Call("index", ixName)
			ikp, _ := ix.Get("keyPath")
			me, _ := ix.Get("multiEntry")
			un, _ := ix.Get("unique")
			out = append(out, "  index "+ixName+" keyPath "+str(ikp)+" multiEntry "+str(me)+" unique "+str(un))
		}
	}
	return out
}
