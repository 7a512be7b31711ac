//go:build js && wasm

package idbstore

import (
	"slices"
	"strconv"
	"sync"

	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/idbstore/blocks"
	"github.com/exponea-wasm/tracker/internal/jsbytes"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// The layout of the blocks store (its values, its offsets index) is
// described in package blocks (layout.go: Span, MaxBytes).
//
// Every method is one transaction with one round of requests, plus one more
// issued from the first round's success callback where a write depends on
// what is stored (Delete, Update) or more blocks are needed (Oldest).
const (
	blocksStore = "blocks"
	offsetIndex = "offsets"
)

// checkNumbers fails if a field of recs would not survive the trip through
// a JavaScript number.
func checkNumbers(op string, recs []queue.Record) error {
	for _, r := range recs {
		for _, v := range [...]int64{r.Seq, r.CreatedMs, int64(r.Rejections), r.NotBeforeMs} {
			if _, err := number(op, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// textBufs keeps the buffers putBlocks writes the JSON of new blocks into
// (a few hundred KB for a burst's 500 calls): reused rather than left as
// garbage, which would grow the wasm linear memory.
var textBufs = sync.Pool{New: func() any { return new([]byte) }}

// putBlocks puts recs into the blocks store st as new blocks, with one
// JSON.parse for all of them, and returns the put requests (whose results
// are the keys) and the records per block. Its errors are JavaScript
// exceptions.
func putBlocks(json, st safejs.Value, recs []queue.Record) ([]safejs.Value, []int, error) {
	buf := textBufs.Get().(*[]byte)
	text, sizes := blocks.Append((*buf)[:0], recs, blocks.Span, blocks.MaxBytes)
	arr, err := json.Call("parse", jsbytes.String(text)) // JSON.parse copies it
	*buf = text
	textBufs.Put(buf)
	if err != nil {
		return nil, nil, err
	}
	reqs := make([]safejs.Value, len(sizes))
	for i := range sizes {
		v, err := arr.Index(i)
		if err == nil {
			reqs[i], err = st.Call("put", v)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return reqs, sizes, nil
}

// Append implements queue.Store: one put per block of up to blocks.Span
// records, in one readwrite transaction; the seqs follow from the keys the
// generator assigned.
func (d *DB) Append(ctx ctxlite.Context, recs []queue.Record) ([]queue.Record, error) {
	const op = "append"
	if len(recs) == 0 {
		return nil, d.check(op)
	}
	if err := checkNumbers(op, recs); err != nil {
		return nil, err
	}
	t, st, err := d.begin(ctx, op, blocksStore, "readwrite")
	if err != nil {
		return nil, err
	}
	reqs, sizes, err := putBlocks(d.json, st, recs)
	if err != nil {
		return nil, t.fail(d.callErr(op, err))
	}
	if err := t.wait(ctx); err != nil {
		return nil, err
	}
	return d.stored(op, recs, reqs, sizes)
}

// stored returns recs with the seqs that follow from the keys the put
// requests reqs were given, sizes[i] records in the i-th block.
func (d *DB) stored(op string, recs []queue.Record, reqs []safejs.Value, sizes []int) ([]queue.Record, error) {
	out := make([]queue.Record, 0, len(recs))
	for i, req := range reqs {
		v, err := req.Get("result")
		if err != nil {
			return nil, d.callErr(op, err)
		}
		k, ok := safeInt(v)
		if !ok || k < 0 || k > blocks.MaxSafe/blocks.Span-1 {
			return nil, newErr(op, "generated key out of range", nil)
		}
		for j := range sizes[i] {
			r := recs[len(out)]
			r.Seq = k*blocks.Span + int64(j)
			out = append(out, r)
		}
	}
	return out, nil
}

// AppendOnce implements queue.Store: one readwrite transaction over the
// blocks and the state store issues a get of every mark, and the success
// callback of the last get puts the marks not found and the records of
// their batches, in blocks, as Append does.
func (d *DB) AppendOnce(ctx ctxlite.Context, batches []queue.Batch) ([]queue.Record, []bool, error) {
	const op = "append once"
	for _, b := range batches {
		if err := checkNumbers(op, b.Recs); err != nil {
			return nil, nil, err
		}
	}
	t, sts, err := d.beginScope(ctx, op, "readwrite", blocksStore, stateStore)
	if err != nil {
		return nil, nil, err
	}
	skipped := make([]bool, len(batches))
	gets := make([]safejs.Value, len(batches))
	last := -1
	for i, b := range batches {
		if b.Mark == "" {
			continue
		}
		if gets[i], err = sts[1].Call("get", queue.MarkKey(b.Mark)); err != nil {
			return nil, nil, t.fail(d.callErr(op, err))
		}
		last = i
	}
	var (
		recs  []queue.Record
		reqs  []safejs.Value
		sizes []int
	)
	// put runs once every get has succeeded (requests of a transaction
	// succeed in the order they were made): it skips the marked batches.
	put := func() error {
		for i, b := range batches {
			if b.Mark != "" {
				v, err := gets[i].Get("result")
				if err != nil {
					return d.callErr(op, err)
				}
				if !v.IsUndefined() {
					skipped[i] = true
					continue
				}
				if _, err := sts[1].Call("put", "1", queue.MarkKey(b.Mark)); err != nil {
					return d.callErr(op, err)
				}
			}
			recs = append(recs, b.Recs...)
		}
		if len(recs) == 0 {
			return nil
		}
		var err error
		if reqs, sizes, err = putBlocks(d.json, sts[0], recs); err != nil {
			return d.callErr(op, err)
		}
		return nil
	}
	if last < 0 {
		err = put()
	} else {
		err = t.onSuccess(gets[last], put)
	}
	if err != nil {
		return nil, nil, t.fail(err)
	}
	if err := t.wait(ctx); err != nil {
		return nil, nil, err
	}
	stored, err := d.stored(op, recs, reqs, sizes)
	return stored, skipped, err
}

// DropMarks implements queue.Store with one delete of the key range of
// marks before before.
func (d *DB) DropMarks(ctx ctxlite.Context, before string) error {
	const op = "drop marks"
	t, st, err := d.begin(ctx, op, stateStore, "readwrite")
	if err != nil {
		return err
	}
	rng, err := d.keyRange.Call("bound", queue.MarkKey(""), queue.MarkKey(before), false, true)
	if err == nil {
		_, err = st.Call("delete", rng)
	}
	if err != nil {
		return t.fail(d.callErr(op, err))
	}
	return t.wait(ctx)
}

// readBlocks brings an array of block values into Go with one
// JSON.stringify.
func (d *DB) readBlocks(op string, arr safejs.Value) ([]blocks.Block, error) {
	text, err := d.json.Call("stringify", arr)
	if err != nil {
		return nil, d.callErr(op, err)
	}
	s, err := text.String()
	if err != nil {
		return nil, newErr(op, err.Error(), nil)
	}
	bs, err := blocks.Parse([]byte(s), blocks.Span)
	if err != nil {
		return nil, newErr(op, err.Error(), nil)
	}
	return bs, nil
}

// Oldest implements queue.Store with getAll on the blocks from the one that
// can hold seq after+1: two blocks first, then, from the success callback,
// as many more as the records still wanted need.
func (d *DB) Oldest(ctx ctxlite.Context, after int64, n int) ([]queue.Record, error) {
	const op = "oldest"
	if n <= 0 {
		return nil, d.check(op)
	}
	from, err := number(op, blocks.KeyOf(max(after+1, 0)))
	if err != nil {
		return nil, err
	}
	t, st, err := d.begin(ctx, op, blocksStore, "readonly")
	if err != nil {
		return nil, err
	}
	acc, err := d.array.New()
	if err != nil {
		return nil, t.fail(d.callErr(op, err))
	}
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
	if err == nil {
		err = fetch(rng, first)
	} else {
		err = d.callErr(op, err)
	}
	if err != nil {
		return nil, t.fail(err)
	}
	if err := t.wait(ctx); err != nil {
		return nil, err
	}
	bs, err := d.readBlocks(op, acc)
	if err != nil {
		return nil, err
	}
	d.known.Note(bs)
	var recs []queue.Record
	for _, b := range bs {
		for _, r := range b.Recs {
			if r.Seq > after && len(recs) < n {
				recs = append(recs, r)
			}
		}
	}
	return recs, nil
}

// sortedSeqs returns seqs sorted, without repeats.
func sortedSeqs(seqs []int64) []int64 {
	s := slices.Clone(seqs)
	slices.Sort(s)
	return slices.Compact(s)
}

// rewriteBlocks runs a readwrite transaction that deletes the blocks of the
// keys drop, then reads the blocks which can hold seqs (sorted; none: no
// read) with one getAll and, in its success callback, lets change put back
// or delete each: change gets the block's key and seqs (only those are
// copied into Go) and its JavaScript value.
func (d *DB) rewriteBlocks(ctx ctxlite.Context, op string, drop, seqs []int64, change func(st safejs.Value, b blocks.Block, v safejs.Value) error) error {
	t, st, err := d.begin(ctx, op, blocksStore, "readwrite")
	if err != nil {
		return err
	}
	for _, key := range drop {
		if _, err := st.Call("delete", float64(key)); err != nil {
			return t.fail(d.callErr(op, err))
		}
	}
	if len(seqs) == 0 {
		return t.wait(ctx)
	}
	lo, err1 := number(op, blocks.KeyOf(seqs[0]))
	hi, err2 := number(op, blocks.KeyOf(seqs[len(seqs)-1]))
	if err1 != nil || err2 != nil {
		return t.fail(newErr(op, "seq out of range", nil))
	}
	rng, err := d.keyRange.Call("bound", lo, hi)
	var req safejs.Value
	if err == nil {
		req, err = st.Call("getAll", rng)
	}
	if err != nil {
		return t.fail(d.callErr(op, err))
	}
	err = t.onSuccess(req, func() error {
		res, err := req.Get("result")
		if err != nil {
			return d.callErr(op, err)
		}
		text, err := d.json.Call("stringify", res, []any{"k", "o"})
		if err != nil {
			return d.callErr(op, err)
		}
		str, err := text.String()
		if err != nil {
			return newErr(op, err.Error(), nil)
		}
		bs, err := blocks.ParseSeqs([]byte(str), blocks.Span)
		if err != nil {
			return newErr(op, err.Error(), nil)
		}
		for i, b := range bs {
			v, err := res.Index(i)
			if err != nil {
				return d.callErr(op, err)
			}
			if err := change(st, b, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return t.fail(err)
	}
	return t.wait(ctx)
}

// Delete implements queue.Store: in one readwrite transaction it deletes
// by key each block that every seq it held when last read is among seqs
// (blocks.Known: no read needed, so the transaction is one round of
// requests), then reads the other blocks holding seqs, deletes each left
// empty and rewrites each left with fewer records.
func (d *DB) Delete(ctx ctxlite.Context, seqs []int64) error {
	const op = "delete"
	if len(seqs) == 0 {
		return d.check(op)
	}
	del := sortedSeqs(seqs)
	whole, rest := d.known.Split(del, blocks.Span)
	left := map[int64][]int64{} // what the rewrites leave, once they are committed
	err := d.rewriteBlocks(ctx, op, whole, rest, func(st safejs.Value, b blocks.Block, v safejs.Value) error {
		keep := make([]bool, len(b.Seqs))
		var kept []int64
		for i, s := range b.Seqs {
			if _, found := slices.BinarySearch(del, s); !found {
				keep[i] = true
				kept = append(kept, s)
			}
		}
		switch len(kept) {
		case len(b.Seqs):
			return nil
		case 0:
			left[b.Key] = nil
			if _, err := st.Call("delete", float64(b.Key)); err != nil {
				return d.callErr(op, err)
			}
			return nil
		}
		left[b.Key] = kept
		return d.keepOnly(op, st, b, v, keep)
	})
	if err != nil {
		// What was read in the transaction may not be what is stored.
		for key := range left {
			whole = append(whole, key)
		}
		d.known.Forget(whole)
		return err
	}
	for _, key := range whole {
		left[key] = nil
	}
	d.known.Set(left)
	return nil
}

// keepOnly puts the block back with only the records marked in keep: one
// slice of r and of z per run of kept records.
func (d *DB) keepOnly(op string, st safejs.Value, b blocks.Block, v safejs.Value, keep []bool) error {
	r, err := v.Get("r")
	if err != nil {
		return d.callErr(op, err)
	}
	z, err := v.Get("z")
	if err != nil {
		return d.callErr(op, err)
	}
	var rs, zs []any
	offs := []byte{'['}
	for i := 0; i < len(keep); {
		if !keep[i] {
			i++
			continue
		}
		j := i
		for j < len(keep) && keep[j] {
			if len(offs) > 1 {
				offs = append(offs, ',')
			}
			offs = strconv.AppendInt(offs, b.Seqs[j]-b.Key*blocks.Span, 10)
			j++
		}
		rp, err := r.Call("slice", i, j)
		var zp safejs.Value
		if err == nil {
			zp, err = z.Call("slice", i, j)
		}
		if err != nil {
			return d.callErr(op, err)
		}
		rs, zs = append(rs, rp), append(zs, zp)
		i = j
	}
	offs = append(offs, ']')
	nr, nz := rs[0].(safejs.Value), zs[0].(safejs.Value)
	if len(rs) > 1 {
		if nr, err = nr.Call("concat", rs[1:]...); err == nil {
			nz, err = nz.Call("concat", zs[1:]...)
		}
		if err != nil {
			return d.callErr(op, err)
		}
	}
	no, err := d.json.Call("parse", jsbytes.String(offs))
	if err == nil {
		err = v.Set("o", no)
	}
	if err == nil {
		err = v.Set("z", nz)
	}
	if err == nil {
		err = v.Set("r", nr)
	}
	if err == nil {
		_, err = st.Call("put", v)
	}
	if err != nil {
		return d.callErr(op, err)
	}
	return nil
}

// Update implements queue.Store: in one readwrite transaction it reads the
// blocks holding the records and puts back each one in which a record was
// replaced; records no longer stored are skipped.
func (d *DB) Update(ctx ctxlite.Context, recs []queue.Record) error {
	const op = "update"
	if len(recs) == 0 {
		return d.check(op)
	}
	objs, err := d.toJS(op, recs)
	if err != nil {
		return err
	}
	at := make(map[int64]int, len(recs))
	seqs := make([]int64, len(recs))
	for i, r := range recs {
		at[r.Seq] = i
		seqs[i] = r.Seq
	}
	return d.rewriteBlocks(ctx, op, nil, sortedSeqs(seqs), func(st safejs.Value, b blocks.Block, v safejs.Value) error {
		var r, z safejs.Value
		changed := false
		for j, s := range b.Seqs {
			i, ok := at[s]
			if !ok {
				continue
			}
			if !changed {
				r, err = v.Get("r")
				if err == nil {
					z, err = v.Get("z")
				}
				if err != nil {
					return d.callErr(op, err)
				}
				changed = true
			}
			o, err := objs(i)
			if err != nil {
				return err
			}
			if err := r.SetIndex(j, o); err != nil {
				return d.callErr(op, err)
			}
			if err := z.SetIndex(j, recs[i].Size()); err != nil {
				return d.callErr(op, err)
			}
		}
		if !changed {
			return nil
		}
		if _, err := st.Call("put", v); err != nil {
			return d.callErr(op, err)
		}
		return nil
	})
}

// Len implements queue.Store: the count of the offsets index, one entry per
// record, which IndexedDB keeps without reading any value.
func (d *DB) Len(ctx ctxlite.Context) (int, error) {
	const op = "len"
	t, st, err := d.begin(ctx, op, blocksStore, "readonly")
	if err != nil {
		return 0, err
	}
	idx, err := st.Call("index", offsetIndex)
	var req safejs.Value
	if err == nil {
		req, err = idx.Call("count")
	}
	if err != nil {
		return 0, t.fail(d.callErr(op, err))
	}
	if err := t.wait(ctx); err != nil {
		return 0, err
	}
	res, err := req.Get("result")
	if err != nil {
		return 0, d.callErr(op, err)
	}
	return res.Int()
}

// Count implements queue.Store: one getAll, and one JSON.stringify that
// keeps only each block's offsets and sizes, so no record is copied into Go.
func (d *DB) Count(ctx ctxlite.Context) (int, int64, error) {
	const op = "count"
	t, st, err := d.begin(ctx, op, blocksStore, "readonly")
	if err != nil {
		return 0, 0, err
	}
	req, err := st.Call("getAll")
	if err != nil {
		return 0, 0, t.fail(d.callErr(op, err))
	}
	if err := t.wait(ctx); err != nil {
		return 0, 0, err
	}
	arr, err := req.Get("result")
	if err != nil {
		return 0, 0, d.callErr(op, err)
	}
	text, err := d.json.Call("stringify", arr, []any{"o", "z"})
	if err != nil {
		return 0, 0, d.callErr(op, err)
	}
	str, err := text.String()
	if err != nil {
		return 0, 0, newErr(op, err.Error(), nil)
	}
	n, total, err := blocks.Count([]byte(str))
	if err != nil {
		return 0, 0, newErr(op, err.Error(), nil)
	}
	return n, total, nil
}
