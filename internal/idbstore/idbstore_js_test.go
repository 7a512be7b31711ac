//go:build js && wasm

package idbstore

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/idbstore/dom"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/exponea-wasm/tracker/internal/queue/queuetest"
)

var dbSeq atomic.Int64

func testCtx(t *testing.T) ctxlite.Context {
	ctx, cancel := ctxlite.Timeout(ctxlite.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// freshName returns a database name no other test uses and deletes that
// database when the test ends.
func freshName(t *testing.T) string {
	name := "idbstore-test-" + strconv.FormatInt(dbSeq.Add(1), 10)
	t.Cleanup(func() {
		ctx, cancel := ctxlite.Timeout(ctxlite.Background(), 5*time.Second)
		defer cancel()
		if err := deleteDB(ctx, name); err != nil {
			t.Errorf("delete %s: %v", name, err)
		}
	})
	return name
}

func openFresh(t *testing.T) (*DB, string) {
	name := freshName(t)
	d, err := Open(testCtx(t), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, name
}

func rec(i int) queue.Record {
	return queue.Record{ID: "id-" + strconv.Itoa(i), Kind: queue.KindCustomer, CreatedMs: 1_700_000_000_000 + int64(i), Body: `{"n":"ž` + strconv.Itoa(i) + `"}`}
}

func TestContract(t *testing.T) {
	queuetest.Run(t, func(t *testing.T) queue.Store {
		d, _ := openFresh(t)
		return d
	})
}

func TestAppendManyInOneCall(t *testing.T) {
	d, _ := openFresh(t)
	ctx := testCtx(t)
	in := make([]queue.Record, 2000)
	var size int64
	for i := range in {
		in[i] = rec(i)
		size += int64(in[i].Size())
	}
	stored, err := d.Append(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Oldest(ctx, 0, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(in) {
		t.Fatalf("got %d records, want %d", len(got), len(in))
	}
	for i, r := range got {
		want := in[i]
		want.Seq = stored[i].Seq
		if r != want || (i > 0 && r.Seq <= got[i-1].Seq) {
			t.Fatalf("record %d: got %+v, want %+v", i, r, want)
		}
	}
	if n, b, err := d.Count(ctx); err != nil || n != len(in) || b != size {
		t.Fatalf("count: got %d, %d, %v; want %d, %d", n, b, err, len(in), size)
	}
}

func TestReopenKeepsData(t *testing.T) {
	name := freshName(t)
	ctx := testCtx(t)
	d, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	first, err := d.Append(ctx, []queue.Record{rec(1), rec(2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.UpdateState(ctx, "cookie", func(string, bool) (string, bool) { return "c1", true }); err != nil {
		t.Fatal(err)
	}
	d.Close()

	d, err = Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := d.Oldest(ctx, 0, 10)
	if err != nil || len(got) != 2 || got[0] != first[0] || got[1] != first[1] {
		t.Fatalf("after reopen: got %+v, %v; want %+v", got, err, first)
	}
	if v, ok, err := d.GetState(ctx, "cookie"); err != nil || !ok || v != "c1" {
		t.Fatalf("state after reopen: got %q %v %v", v, ok, err)
	}
	more, err := d.Append(ctx, []queue.Record{rec(3)})
	if err != nil || more[0].Seq <= first[1].Seq {
		t.Fatalf("append after reopen: got %+v, %v", more, err)
	}
}

// openRaw opens name at version from JavaScript, as another tab running a
// newer schema would, and returns the connection once it succeeds.
func openRaw(t *testing.T, ctx ctxlite.Context, name string, version int) safejs.Value {
	f, err := factory("test")
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.Call("open", name, version)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 4)
	l, err := dom.Listen(req, dom.Send(ch), "success", "error", "blocked")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	for {
		select {
		case ev := <-ch:
			switch ev {
			case "success":
				db, err := req.Get("result")
				if err != nil {
					t.Fatal(err)
				}
				return db
			case "blocked":
				t.Log("open at higher version blocked; waiting for the old connection to close")
				continue
			}
			ex, _ := req.Get("error")
			n, m := dom.Exception(ex)
			t.Fatalf("open %s v%d: %s %s", name, version, n, m)
		case <-ctx.Done():
			t.Fatalf("open %s v%d: %v (our connection did not close on versionchange)", name, version, ctx.Err())
		}
	}
}

func TestVersionChangeClosesStore(t *testing.T) {
	d, name := openFresh(t)
	ctx := testCtx(t)
	if _, err := d.Append(ctx, []queue.Record{rec(1)}); err != nil {
		t.Fatal(err)
	}
	short, cancel := ctxlite.Timeout(ctx, 3*time.Second)
	defer cancel()
	other := openRaw(t, short, name, SchemaVersion+1)
	defer other.Call("close")
	if _, err := d.Append(ctx, []queue.Record{rec(2)}); !errors.Is(err, queue.ErrClosed) {
		t.Fatalf("append after versionchange: got %v, want ErrClosed", err)
	}
	if _, _, err := d.GetState(ctx, "x"); !errors.Is(err, queue.ErrClosed) {
		t.Fatalf("get state after versionchange: got %v, want ErrClosed", err)
	}
	_, _ = other.Call("close")
	// The database is now newer than this code: Open must fail cleanly.
	if d2, err := Open(ctx, name); !errors.Is(err, ErrUnavailable) {
		if err == nil {
			d2.Close()
		}
		t.Fatalf("open of a newer database: got %v, want ErrUnavailable", err)
	}
}

func TestConcurrentUpdateStateCreatesOnce(t *testing.T) {
	d, _ := openFresh(t)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	got := make([]string, 8)
	errs := make([]error, len(got))
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = d.UpdateState(ctx, "uid", func(old string, ok bool) (string, bool) {
				if ok {
					return old, false
				}
				return "v" + strconv.Itoa(i), true
			})
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != got[0] {
			t.Fatalf("goroutine %d: got %q, %v; goroutine 0 got %q", i, got[i], errs[i], got[0])
		}
	}
	if v, ok, err := d.GetState(ctx, "uid"); err != nil || !ok || v != got[0] {
		t.Fatalf("stored: got %q %v %v, want %q", v, ok, err, got[0])
	}
}

func TestUpdateStatePanicAborts(t *testing.T) {
	d, _ := openFresh(t)
	ctx := testCtx(t)
	_, err := d.UpdateState(ctx, "k", func(string, bool) (string, bool) { panic("boom") })
	if err == nil {
		t.Fatal("want an error from a panicking fn")
	}
	if _, ok, err := d.GetState(ctx, "k"); ok || err != nil {
		t.Fatalf("after panic: ok=%v err=%v, want nothing stored", ok, err)
	}
}

func TestQuotaExceptionMapsToErrQuota(t *testing.T) {
	d, _ := openFresh(t)
	ex, err := safejs.Global().Get("DOMException")
	if err != nil {
		t.Fatal(err)
	}
	e, err := ex.New("disk full", "QuotaExceededError")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.domErr("append", e); !errors.Is(err, queue.ErrQuota) {
		t.Fatalf("got %v, want ErrQuota", err)
	}
}

func TestOpenWithoutIndexedDB(t *testing.T) {
	g := safejs.Global()
	saved, err := g.Get("indexedDB")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Set("indexedDB", safejs.Undefined()); err != nil {
		t.Fatal(err)
	}
	defer g.Set("indexedDB", saved)
	if _, err := Open(testCtx(t), "never"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
}

func TestOpenHonoursContext(t *testing.T) {
	ctx, cancel := ctxlite.Cancel(ctxlite.Background())
	cancel()
	if _, err := Open(ctx, "never"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// deleteDB deletes the database name (IDBFactory.deleteDatabase), waiting
// while other connections block it until ctx ends. Open connections of this
// package close themselves when asked to.
func deleteDB(ctx ctxlite.Context, name string) error {
	const op = "delete database"
	f, err := factory(op)
	if err != nil {
		return err
	}
	req, err := f.Call("deleteDatabase", name)
	if err != nil {
		return unavailableErr(op, err)
	}
	ch := make(chan string, 3)
	l, err := dom.Listen(req, dom.Send(ch), "success", "error", "blocked")
	if err != nil {
		return unavailableErr(op, err)
	}
	defer l.Stop()
	blocked := false
	for {
		select {
		case ev := <-ch:
			switch ev {
			case "success":
				return nil
			case "error":
				ex, _ := req.Get("error")
				name, msg := dom.Exception(ex)
				return newErr(op, dom.Join(name, msg), nil)
			}
			blocked = true
		case <-ctx.Done():
			msg := ctx.Err().Error()
			if blocked {
				msg = "blocked by another open connection: " + msg
			}
			return newErr(op, msg, ctx.Err())
		}
	}
}

// Delete deletes by key a block whose every seq it read is being deleted,
// and that never takes a record it was not asked to delete: not one that
// another connection removed or kept in the meantime, not one appended
// after the read.
func TestDeleteOfBlocksReadBefore(t *testing.T) {
	d1, name := openFresh(t)
	ctx := testCtx(t)
	d2, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	seqsOf := func(rs []queue.Record) []int64 {
		out := make([]int64, len(rs))
		for i, r := range rs {
			out[i] = r.Seq
		}
		return out
	}
	left := func(want int) []queue.Record {
		t.Helper()
		got, err := d1.Oldest(ctx, -1, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := d2.Len(ctx); err != nil || n != want || len(got) != want {
			t.Fatalf("left: Oldest %d, Len %d (%v); want %d", len(got), n, err, want)
		}
		return got
	}
	a, err := d1.Append(ctx, []queue.Record{rec(0), rec(1), rec(2), rec(3), rec(4)}) // one block
	if err != nil {
		t.Fatal(err)
	}
	left(5) // d1 has read the block: 5 seqs
	// Another tab confirms the first record; then records are appended.
	if err := d2.Delete(ctx, []int64{a[0].Seq}); err != nil {
		t.Fatal(err)
	}
	b, err := d2.Append(ctx, []queue.Record{rec(5), rec(6)})
	if err != nil {
		t.Fatal(err)
	}
	// d1 deletes all it read (by key), nothing of the later block.
	if err := d1.Delete(ctx, seqsOf(a)); err != nil {
		t.Fatal(err)
	}
	got := left(2)
	if got[0].ID != "id-5" || got[1].ID != "id-6" {
		t.Fatalf("left %v, want id-5 and id-6", got)
	}
	// Part of a block read: the rest stays, and goes with a later delete.
	if err := d1.Delete(ctx, []int64{b[0].Seq}); err != nil {
		t.Fatal(err)
	}
	if got := left(1); got[0].ID != "id-6" {
		t.Fatalf("left %v, want id-6", got)
	}
	// A block read whole, of which only some seqs are deleted, is
	// rewritten, not deleted.
	c, err := d2.Append(ctx, []queue.Record{rec(7), rec(8), rec(9)})
	if err != nil {
		t.Fatal(err)
	}
	left(4)
	if err := d1.Delete(ctx, []int64{b[1].Seq, c[0].Seq, c[2].Seq}); err != nil {
		t.Fatal(err)
	}
	if got := left(1); got[0].ID != "id-8" {
		t.Fatalf("left %v, want id-8", got)
	}
}

// countTransactions wraps the connection's transaction method to count the
// transactions in flight (created, not yet complete or aborted); it returns
// the most seen at once so far.
func countTransactions(t *testing.T, d *DB) func() int {
	t.Helper()
	fn, err := safejs.Global().Get("Function")
	if err != nil {
		t.Fatal(err)
	}
	wrap, err := fn.New("db", "state", `
		const begin = db.transaction.bind(db)
		db.transaction = (...args) => {
			const tx = begin(...args)
			state.now++
			state.most = Math.max(state.most, state.now)
			const end = () => { state.now-- }
			tx.addEventListener('complete', end)
			tx.addEventListener('abort', end)
			return tx
		}`)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := safejs.Global().Get("Object")
	if err != nil {
		t.Fatal(err)
	}
	state, err := obj.New()
	if err == nil {
		err = state.Set("now", 0)
	}
	if err == nil {
		err = state.Set("most", 0)
	}
	if err == nil {
		_, err = wrap.Invoke(d.db, state)
	}
	if err != nil {
		t.Fatal(err)
	}
	return func() int {
		v, err := state.Get("most")
		if err != nil {
			t.Fatal(err)
		}
		n, err := v.Int()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// Store calls from many goroutines, some of them given up on by their
// context while their transaction is in flight: never two transactions of
// the connection in flight at once (see DB.turn), and every call not given
// up on does its work.
func TestOneTransactionInFlightAtATime(t *testing.T) {
	d, _ := openFresh(t)
	most := countTransactions(t, d)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	var appended, timedOut atomic.Int64
	errs := make(chan error, 100)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				recs := make([]queue.Record, 20)
				for k := range recs {
					recs[k] = rec(g*1000 + i*20 + k)
				}
				if _, err := d.Append(ctx, recs); err != nil {
					errs <- err
					return
				}
				appended.Add(20)
				old, err := d.Oldest(ctx, 0, 10)
				if err == nil && len(old) > 0 && g%2 == 0 {
					err = d.Delete(ctx, []int64{old[0].Seq})
				}
				if err == nil {
					_, err = d.UpdateState(ctx, "k"+strconv.Itoa(g), func(string, bool) (string, bool) { return strconv.Itoa(i), true })
				}
				if err == nil {
					_, err = d.Len(ctx)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // calls that time out, while in flight or waiting their turn
		defer wg.Done()
		for i := range 20 {
			short, cancel := ctxlite.Timeout(ctxlite.Background(), time.Duration(i%4)*time.Millisecond)
			_, err := d.Append(short, []queue.Record{rec(9000 + i)})
			cancel()
			if errors.Is(err, context.DeadlineExceeded) {
				timedOut.Add(1)
			} else if err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := most(); n != 1 {
		t.Errorf("%v transactions in flight at once, want 1", n)
	}
	if _, err := d.Len(ctx); err != nil {
		t.Fatalf("after the calls that timed out: %v", err)
	}
	t.Logf("%v records appended by the calls that waited; %v calls of 20 timed out", appended.Load(), timedOut.Load())
	if timedOut.Load() == 0 {
		t.Error("no call timed out: the test did not exercise a transaction given up on")
	}
}
