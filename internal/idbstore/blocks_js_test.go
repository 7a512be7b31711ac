//go:build js && wasm

package idbstore

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/exponea-wasm/tracker/internal/idbstore/blocks"
	"github.com/exponea-wasm/tracker/internal/idbstore/dom"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/hack-pad/safejs"
)

// TestBlocksMatchMemoryStore runs the same random operations on the
// IndexedDB store and on queue.Memory, the reference, and compares every
// answer: appends of 1 to 130 records (so blocks of one, full blocks and
// partial last blocks), deletes of scattered, repeated and missing seqs
// (whole blocks deleted, blocks rewritten), updates, and reads from every
// kind of position inside a block. The stores number records differently
// (here seq = block key × 50 + offset), so seqs are translated through the
// pairs the appends returned.
func TestBlocksMatchMemoryStore(t *testing.T) {
	d, _ := openFresh(t)
	ctx := testCtx(t)
	ref := queue.NewMemory()
	rng := rand.New(rand.NewPCG(1, 2))
	toRef := map[int64]int64{}
	tr := func(m map[int64]int64, s int64) int64 {
		if v, ok := m[s]; ok {
			return v
		}
		return s // a missing seq: missing in both
	}
	same := func(a, b []queue.Record) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			x := a[i]
			x.Seq = tr(toRef, x.Seq)
			if x != b[i] {
				return false
			}
		}
		return true
	}
	id := 0
	for step := range 150 {
		var seqs []int64 // the store's seqs of what is stored
		if all, err := d.Oldest(ctx, 0, 1<<30); err == nil {
			for _, r := range all {
				seqs = append(seqs, r.Seq)
			}
		}
		pick := func() int64 { // mostly stored seqs, sometimes missing ones
			if len(seqs) == 0 || rng.IntN(8) == 0 {
				return 1e12 + rng.Int64N(100)
			}
			return seqs[rng.IntN(len(seqs))]
		}
		what := ""
		switch k := rng.IntN(10); {
		case k < 3:
			n := []int{1, 1, 3, 49, 50, 51, 130}[rng.IntN(7)]
			recs := make([]queue.Record, n)
			for i := range recs {
				id++
				recs[i] = rec(id)
			}
			a, err1 := d.Append(ctx, recs)
			b, err2 := ref.Append(ctx, recs)
			if err1 != nil || err2 != nil || len(a) != len(b) {
				t.Fatalf("step %d append %d: got %v %v, want %v %v", step, n, a, err1, b, err2)
			}
			for i := range a {
				if i > 0 && a[i].Seq <= a[i-1].Seq || len(seqs) > 0 && a[i].Seq <= seqs[len(seqs)-1] {
					t.Fatalf("step %d append: seqs not ascending: %v after %v", step, a, seqs)
				}
				toRef[a[i].Seq] = b[i].Seq
			}
			if !same(a, b) {
				t.Fatalf("step %d append %d: got %v, want %v", step, n, a, b)
			}
			what = "append " + strconv.Itoa(n)
		case k < 6:
			var del []int64
			switch rng.IntN(3) {
			case 0: // a run, as a confirmed batch is
				if len(seqs) > 0 {
					i := rng.IntN(len(seqs))
					del = seqs[i:min(len(seqs), i+rng.IntN(60)+1)]
				}
			default:
				for range rng.IntN(20) + 1 {
					del = append(del, pick())
				}
			}
			del = append(del, pick()) // a repeat or a missing one, sometimes
			if err := d.Delete(ctx, del); err != nil {
				t.Fatalf("step %d delete: %v", step, err)
			}
			refDel := make([]int64, len(del))
			for i, s := range del {
				refDel[i] = tr(toRef, s)
			}
			_ = ref.Delete(ctx, refDel)
			what = "delete " + strconv.Itoa(len(del))
		case k < 7:
			var upd, refUpd []queue.Record
			for range rng.IntN(10) + 1 {
				s := pick()
				r := rec(int(s % 1000))
				r.Seq, r.Rejections, r.NotBeforeMs = s, rng.IntN(5), rng.Int64N(1e12)
				upd = append(upd, r)
				r.Seq = tr(toRef, s)
				refUpd = append(refUpd, r)
			}
			if err := d.Update(ctx, upd); err != nil {
				t.Fatalf("step %d update: %v", step, err)
			}
			_ = ref.Update(ctx, refUpd)
			what = "update"
		default:
			after := int64(0)
			if rng.IntN(3) > 0 && len(seqs) > 0 {
				after = seqs[rng.IntN(len(seqs))]
			}
			n := rng.IntN(120) + 1
			a, err1 := d.Oldest(ctx, after, n)
			b, _ := ref.Oldest(ctx, tr(toRef, after), n)
			if err1 != nil || !same(a, b) {
				t.Fatalf("step %d oldest(%d, %d): got %d records %v, want %d", step, after, n, len(a), err1, len(b))
			}
			what = "oldest"
		}
		n1, err := d.Len(ctx)
		n2, _ := ref.Len(ctx)
		if err != nil || n1 != n2 {
			t.Fatalf("step %d (%s): len %d %v, want %d", step, what, n1, err, n2)
		}
		c1, b1, err := d.Count(ctx)
		c2, b2, _ := ref.Count(ctx)
		if err != nil || c1 != c2 || b1 != b2 {
			t.Fatalf("step %d (%s): count %d, %d bytes, %v; want %d, %d", step, what, c1, b1, err, c2, b2)
		}
	}
	a, err := d.Oldest(ctx, 0, 1<<30)
	b, _ := ref.Oldest(ctx, 0, 1<<30)
	if err != nil || !same(a, b) {
		t.Fatalf("final contents: got %d records %v, want %d", len(a), err, len(b))
	}
	n1, b1, err := d.Count(ctx)
	n2, b2, _ := ref.Count(ctx)
	if err != nil || n1 != n2 || b1 != b2 {
		t.Fatalf("count: got %d, %d, %v; want %d, %d", n1, b1, err, n2, b2)
	}
}

// TestUpgradeFromVersion1 opens a database written by schema version 1 (one
// value per record, seqs from the key generator, with gaps) and checks that
// every record, in order, and the state survive the upgrade (records are
// renumbered), and that new seqs come after them.
func TestUpgradeFromVersion1(t *testing.T) {
	name := freshName(t)
	ctx := testCtx(t)
	var old []queue.Record
	for i, seq := range []int64{3, 4, 5, 9, 70, 71, 200} {
		r := rec(i)
		r.Seq, r.Rejections, r.NotBeforeMs = seq, i%3, int64(i)*1000
		old = append(old, r)
	}
	writeVersion1(t, name, old, map[string]string{"cookie": "c-1"})

	d, err := Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := d.Oldest(ctx, 0, 100)
	if err != nil || len(got) != len(old) {
		t.Fatalf("after upgrade: got %+v, %v; want %+v", got, err, old)
	}
	for i, r := range got {
		w := old[i]
		w.Seq = r.Seq
		if r != w || i > 0 && r.Seq <= got[i-1].Seq {
			t.Fatalf("after upgrade, record %d: got %+v, want %+v", i, r, w)
		}
	}
	if n, err := d.Len(ctx); err != nil || n != len(old) {
		t.Fatalf("len after upgrade: %d %v, want %d", n, err, len(old))
	}
	if o, err := d.Oldest(ctx, got[3].Seq, 2); err != nil || len(o) != 2 || o[0] != got[4] || o[1] != got[5] {
		t.Fatalf("oldest after the 4th: %+v %v", o, err)
	}
	if v, ok, err := d.GetState(ctx, "cookie"); err != nil || !ok || v != "c-1" {
		t.Fatalf("state after upgrade: %q %v %v", v, ok, err)
	}
	more, err := d.Append(ctx, []queue.Record{rec(100)})
	if err != nil || more[0].Seq <= got[len(got)-1].Seq {
		t.Fatalf("append after upgrade: %+v %v, want a seq after %d", more, err, got[len(got)-1].Seq)
	}
	var seqs []int64
	for _, r := range got {
		seqs = append(seqs, r.Seq)
	}
	if err := d.Delete(ctx, seqs); err != nil {
		t.Fatal(err)
	}
	if rest, err := d.Oldest(ctx, 0, 100); err != nil || len(rest) != 1 || rest[0] != more[0] {
		t.Fatalf("after deleting the old records: %+v %v", rest, err)
	}
}

// writeVersion1 creates database name at version 1 with schema version 1's
// stores, holding recs (with their seqs) and state, from JavaScript.
func writeVersion1(t *testing.T, name string, recs []queue.Record, state map[string]string) {
	t.Helper()
	f, err := factory("test")
	if err != nil {
		t.Fatal(err)
	}
	req, err := f.Call("open", name, 1)
	if err != nil {
		t.Fatal(err)
	}
	json, _ := safejs.Global().Get("JSON")
	ch := make(chan string, 4)
	var upErr error
	l, err := dom.Listen(req, func(ev string, _ safejs.Value) {
		if ev == "upgradeneeded" {
			upErr = func() error {
				db, err := req.Get("result")
				if err != nil {
					return err
				}
				if err := migrate1Only(db); err != nil {
					return err
				}
				tx, _ := req.Get("transaction")
				st, _ := tx.Call("objectStore", recordsStore)
				arr, err := json.Call("parse", string(blocks.AppendJSON(nil, recs, true)))
				if err != nil {
					return err
				}
				for i := range recs {
					o, _ := arr.Index(i)
					if _, err := st.Call("put", o); err != nil {
						return err
					}
				}
				ss, _ := tx.Call("objectStore", stateStore)
				for k, v := range state {
					if _, err := ss.Call("put", v, k); err != nil {
						return err
					}
				}
				return nil
			}()
			return
		}
		ch <- ev
	}, "upgradeneeded", "success", "error")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	if ev := <-ch; ev != "success" || upErr != nil {
		t.Fatalf("writing a version 1 database: %s %v", ev, upErr)
	}
	db, _ := req.Get("result")
	_, _ = db.Call("close")
}

// migrate1Only is schema version 1's step of migrate.
func migrate1Only(db safejs.Value) error {
	opts := map[string]any{"keyPath": seqKey, "autoIncrement": true}
	if _, err := db.Call("createObjectStore", recordsStore, opts); err != nil {
		return err
	}
	_, err := db.Call("createObjectStore", stateStore)
	return err
}
