//go:build js && wasm

package idbstore

import (
	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/idbstore/blocks"
	"github.com/exponea-wasm/tracker/internal/jsbytes"
	"github.com/exponea-wasm/tracker/internal/queue"
)

var _ queue.DeleteReader = (*DB)(nil)

// readBlocks brings an array of block values into Go with one
// JSON.stringify. The text is parsed where it lies (jsbytes.Bytes): the
// parser only reads it, and keeps no part of it.
func (d *DB) readBlocks(op string, arr safejs.Value) ([]blocks.Block, error) {
	text, err := d.json.Call("stringify", arr)
	if err != nil {
		return nil, d.callErr(op, err)
	}
	s, err := text.String()
	if err != nil {
		return nil, newErr(op, err.Error(), nil)
	}
	bs, err := blocks.Parse(jsbytes.Bytes(s), blocks.Span)
	if err != nil {
		return nil, newErr(op, err.Error(), nil)
	}
	return bs, nil
}

// Oldest implements queue.Store: one readonly transaction of issueOldest.
func (d *DB) Oldest(ctx ctxlite.Context, after int64, n int) ([]queue.Record, error) {
	const op = "oldest"
	if n <= 0 {
		return nil, d.check(op)
	}
	t, st, err := d.begin(ctx, op, blocksStore, "readonly")
	if err != nil {
		return nil, err
	}
	rd, err := d.issueOldest(t, st, op, after, n)
	if err != nil {
		return nil, t.fail(err)
	}
	if err := t.wait(ctx); err != nil {
		return nil, err
	}
	return rd.records(d, op)
}

// DeleteThenOldest implements queue.DeleteReader: one readwrite transaction
// issues the requests of issueDelete and then, once its rewrites are
// issued, those of issueOldest, so the read sees the delete done (IndexedDB
// runs a transaction's requests in the order they were made). A failure of
// any request aborts the delete too. The records read are parsed once the
// transaction has completed, outside its turn (a burst's transactions run
// one after another, and a parse inside one would hold up the next): a
// record that cannot be parsed is an error after the delete was committed,
// which queue.DeleteReader allows.
func (d *DB) DeleteThenOldest(ctx ctxlite.Context, seqs []int64, after int64, n int) ([]queue.Record, error) {
	const op = "delete then oldest"
	if len(seqs) == 0 {
		if n <= 0 {
			return nil, d.check(op)
		}
		return d.Oldest(ctx, after, n)
	}
	t, st, err := d.begin(ctx, op, blocksStore, "readwrite")
	if err != nil {
		return nil, err
	}
	var rd *oldestRead
	dl, err := d.issueDelete(t, st, op, seqs, func() error {
		if n <= 0 {
			return nil
		}
		var err error
		rd, err = d.issueOldest(t, st, op, after, n)
		return err
	})
	if err != nil {
		err = t.fail(err)
	} else {
		err = t.wait(ctx)
	}
	d.deleted(dl, err)
	if err != nil || rd == nil {
		return nil, err
	}
	return rd.records(d, op)
}

// oldestRead is a read of issueOldest: the block values it gathered.
type oldestRead struct {
	after int64
	n     int
	acc   safejs.Value // the Array of block values
}

// records parses the read's blocks, once its transaction has completed,
// notes them in d.known and returns the records.
func (rd *oldestRead) records(d *DB, op string) ([]queue.Record, error) {
	bs, err := d.readBlocks(op, rd.acc)
	if err != nil {
		return nil, err
	}
	d.known.Note(bs)
	var recs []queue.Record
	for _, b := range bs {
		for _, r := range b.Recs {
			if r.Seq > rd.after && len(recs) < rd.n {
				recs = append(recs, r)
			}
		}
	}
	return recs, nil
}

// issueOldest issues in t a getAll on the blocks from the one that can hold
// seq after+1: two blocks first, then, from the success callback, as many
// more as the records still wanted need. n > 0.
func (d *DB) issueOldest(t *txn, st safejs.Value, op string, after int64, n int) (*oldestRead, error) {
	from, err := number(op, blocks.KeyOf(max(after+1, 0)))
	if err != nil {
		return nil, err
	}
	acc, err := d.array.New()
	if err != nil {
		return nil, d.callErr(op, err)
	}
	rd := &oldestRead{after: after, n: n, acc: acc}
	got := 0
	var fetch func(rng safejs.Value, count int) error
	fetch = func(rng safejs.Value, count int) error {
		req, err := st.Call("getAll", rng, count)
		if err != nil {
			return d.callErr(op, err)
		}
		return t.onSuccess(req, func() error {
			res, err := req.Get("result")
			if err != nil {
				return d.callErr(op, err)
			}
			nb, err := res.Length()
			if err != nil {
				return d.callErr(op, err)
			}
			var last safejs.Value
			for i := range nb {
				b, err := res.Index(i)
				var r, kv safejs.Value
				if err == nil {
					r, err = b.Get("r")
				}
				if err == nil {
					kv, err = b.Get("k")
				}
				if err == nil {
					_, err = acc.Call("push", b)
				}
				if err != nil {
					return d.callErr(op, err)
				}
				l, err := r.Length()
				if err != nil {
					return d.callErr(op, err)
				}
				k, _ := safeInt(kv)
				if k == blocks.KeyOf(after+1) { // at most this many are not past after
					l -= min(int((after+1)%blocks.Span), l)
				}
				got += l
				last = kv
			}
			if got >= n || nb < count {
				return nil
			}
			more, err := d.keyRange.Call("lowerBound", last, true)
			if err != nil {
				return d.callErr(op, err)
			}
			// Blocks hold at least one record each: ask for no more blocks
			// than records wanted, and for at least as many as the blocks
			// so far held per record.
			return fetch(more, min(n-got, max(2, (n-got)*nb/max(got, 1)+1)))
		})
	}
	// A block that starts at after+1 (the next batch of a backlog written
	// in full blocks) usually holds all n; otherwise its head is gone and
	// the block after it is needed too.
	first := 2
	if (after+1)%blocks.Span == 0 && n <= blocks.Span {
		first = 1
	}
	rng, err := d.keyRange.Call("lowerBound", from)
	if err != nil {
		return nil, d.callErr(op, err)
	}
	return rd, fetch(rng, first)
}
