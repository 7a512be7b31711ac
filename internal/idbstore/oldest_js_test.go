//go:build js && wasm

package idbstore

import (
	"slices"
	"strings"
	"testing"

	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/queue"
)

// breakRequest makes the object store method (delete, getAll, put) throw
// on its call number nth (counted from 1) from now on, until the test ends.
func breakRequest(t *testing.T, method string, nth int) {
	t.Helper()
	fn, err := safejs.Global().Get("Function")
	if err != nil {
		t.Fatal(err)
	}
	patch, err := fn.New("method", "nth", `
		const proto = IDBObjectStore.prototype
		const real = proto[method]
		let calls = 0
		proto[method] = function (...args) {
			if (++calls === nth) throw new DOMException('broken for the test', 'UnknownError')
			return real.apply(this, args)
		}
		return () => { proto[method] = real }`)
	if err != nil {
		t.Fatal(err)
	}
	restore, err := patch.Invoke(method, nth)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := restore.Invoke(); err != nil {
			t.Error(err)
		}
	})
}

// A DeleteThenOldest that fails anywhere in its transaction deletes
// nothing: not the blocks deleted by key, not the ones rewritten.
func TestDeleteThenOldestFailureDeletesNothing(t *testing.T) {
	for _, c := range []struct {
		name   string
		method string
		nth    int
		read   bool // read the blocks first: deleted by key, not rewritten
	}{
		// Read first: the first block is deleted by key, the second read
		// and rewritten (getAll 1, put 1), then the read (getAll 2).
		{"a delete by key throws", "delete", 1, true},
		{"the read after the delete throws", "getAll", 2, true},
		// Not read: both blocks are read (getAll 1), the first deleted
		// from its callback (delete 1), the second rewritten (put 1), then
		// the read (getAll 2).
		{"the read of the blocks to delete from throws", "getAll", 1, false},
		{"the delete of an emptied block throws", "delete", 1, false},
		{"a rewrite throws", "put", 1, false},
		{"the read after a rewrite throws", "getAll", 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, _ := openFresh(t)
			ctx := testCtx(t)
			var in []queue.Record
			for i := range 120 { // three blocks: 50, 50, 20
				in = append(in, rec(i))
			}
			stored, err := d.Append(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if c.read {
				if _, err := d.Oldest(ctx, 0, 1000); err != nil {
					t.Fatal(err)
				}
			}
			var seqs []int64
			for _, r := range stored[:75] { // a block and a half
				seqs = append(seqs, r.Seq)
			}
			breakRequest(t, c.method, c.nth)
			got, err := d.DeleteThenOldest(ctx, seqs, stored[99].Seq, 50)
			if err == nil || !strings.Contains(err.Error(), "broken for the test") {
				t.Fatalf("got %v (%d records read), want the thrown error", err, len(got))
			}
			left, err := d.Oldest(ctx, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := d.Len(ctx); err != nil || n != 120 || len(left) != 120 {
				t.Fatalf("after the failure: Oldest %d, Len %d (%v); want all 120", len(left), n, err)
			}
			// Delete's shortcut forgot what it was told: a later delete
			// still works.
			got, err = d.DeleteThenOldest(ctx, seqs, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 10 || got[0].ID != "id-75" {
				t.Fatalf("read %d records from %v, want 10 from id-75", len(got), got[0].ID)
			}
		})
	}
}

// The blocks read whole before are deleted by key, the rest rewritten,
// and the read that follows in the transaction sees exactly what is left,
// from any cursor.
func TestDeleteThenOldestReadsWhatIsLeft(t *testing.T) {
	d, _ := openFresh(t)
	ctx := testCtx(t)
	most := countTransactions(t, d)
	var in []queue.Record
	for i := range 160 {
		in = append(in, rec(i))
	}
	stored, err := d.Append(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	seqOf := func(i int) int64 { return stored[i].Seq }
	page, err := d.Oldest(ctx, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	// The first batch confirmed whole (its block known), a record of the
	// second block, and two of the third: the read from before all of
	// them (the cursor at 0) skips every one.
	del := []int64{seqOf(50), seqOf(101), seqOf(102)}
	for _, r := range page {
		del = append(del, r.Seq)
	}
	got, err := d.DeleteThenOldest(ctx, del, 0, 60)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 51; len(want) < 60; i++ {
		if i != 101 && i != 102 {
			want = append(want, in[i].ID)
		}
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("read %v, want %v", ids, want)
	}
	if n, err := d.Len(ctx); err != nil || n != 160-53 {
		t.Fatalf("Len %d (%v), want %d", n, err, 160-53)
	}
	if n := most(); n != 1 {
		t.Errorf("%d transactions in flight at once, want 1", n)
	}
}
