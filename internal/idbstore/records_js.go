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
// what is stored (Delete, Update) or more blocks are needed (Oldest);
// DeleteThenOldest issues Oldest's requests after Delete's.
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

// sortedSeqs returns seqs sorted, without repeats.
func sortedSeqs(seqs []int64) []int64 {
	s := slices.Clone(seqs)
	slices.Sort(s)
	return slices.Compact(s)
}

// rewriteBlocks runs a readwrite transaction of issueRewrite.
func (d *DB) rewriteBlocks(ctx ctxlite.Context, op string, drop, seqs []int64, change func(st safejs.Value, b blocks.Block, v safejs.Value) error) error {
	t, st, err := d.begin(ctx, op, blocksStore, "readwrite")
	if err != nil {
		return err
	}
	if err := d.issueRewrite(t, st, op, drop, seqs, change, nil); err != nil {
		return t.fail(err)
	}
	return t.wait(ctx)
}

// issueRewrite issues, in the readwrite transaction t on the blocks store
// st, the deletes of the blocks of the keys drop, then a getAll of the
// blocks which can hold seqs (sorted; none: no read) whose success callback
// lets change put back or delete each: change gets the block's key and
// seqs (only those are copied into Go) and its JavaScript value. then, if
// not nil, issues what comes after: from that callback, or at once without
// seqs. An error returned here is the caller's to fail t with; one in the
// callback aborts t.
func (d *DB) issueRewrite(t *txn, st safejs.Value, op string, drop, seqs []int64, change func(st safejs.Value, b blocks.Block, v safejs.Value) error, then func() error) error {
	for _, key := range drop {
		if _, err := st.Call("delete", float64(key)); err != nil {
			return d.callErr(op, err)
		}
	}
	if len(seqs) == 0 {
		if then != nil {
			return then()
		}
		return nil
	}
	lo, err1 := number(op, blocks.KeyOf(seqs[0]))
	hi, err2 := number(op, blocks.KeyOf(seqs[len(seqs)-1]))
	if err1 != nil || err2 != nil {
		return newErr(op, "seq out of range", nil)
	}
	rng, err := d.keyRange.Call("bound", lo, hi)
	var req safejs.Value
	if err == nil {
		req, err = st.Call("getAll", rng)
	}
	if err != nil {
		return d.callErr(op, err)
	}
	return t.onSuccess(req, func() error {
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
		bs, err := blocks.ParseSeqs(jsbytes.Bytes(str), blocks.Span)
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
		if then != nil {
			return then()
		}
		return nil
	})
}

// Delete implements queue.Store: in one readwrite transaction, the
// requests of issueDelete.
func (d *DB) Delete(ctx ctxlite.Context, seqs []int64) error {
	const op = "delete"
	if len(seqs) == 0 {
		return d.check(op)
	}
	t, st, err := d.begin(ctx, op, blocksStore, "readwrite")
	if err != nil {
		return err
	}
	dl, err := d.issueDelete(t, st, op, seqs, nil)
	if err != nil {
		err = t.fail(err)
	} else {
		err = t.wait(ctx)
	}
	d.deleted(dl, err)
	return err
}

// deletion is what the requests of one delete leave in the blocks they
// touch, for d.known once the transaction has ended (deleted).
type deletion struct {
	whole []int64           // blocks deleted by key
	left  map[int64][]int64 // blocks read and deleted (nil) or rewritten (the seqs left)
}

// issueDelete issues in t the delete of seqs: by key each block that every
// seq it held when last read is among seqs (blocks.Known: no read needed,
// so the delete is one round of requests), then a read of the other blocks
// holding seqs, whose callback deletes each left empty and rewrites each
// left with fewer records; then it runs then (see issueRewrite).
func (d *DB) issueDelete(t *txn, st safejs.Value, op string, seqs []int64, then func() error) (*deletion, error) {
	del := sortedSeqs(seqs)
	whole, rest := d.known.Split(del, blocks.Span)
	dl := &deletion{whole: whole, left: map[int64][]int64{}}
	err := d.issueRewrite(t, st, op, whole, rest, func(st safejs.Value, b blocks.Block, v safejs.Value) error {
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
			dl.left[b.Key] = nil
			if _, err := st.Call("delete", float64(b.Key)); err != nil {
				return d.callErr(op, err)
			}
			return nil
		}
		dl.left[b.Key] = kept
		return d.keepOnly(op, st, b, v, keep)
	}, then)
	return dl, err
}

// deleted notes in d.known what the delete dl left, once its transaction
// ended with err.
func (d *DB) deleted(dl *deletion, err error) {
	if err != nil {
		// What was read in the transaction may not be what is stored.
		forget := dl.whole
		for key := range dl.left {
			forget = append(forget, key)
		}
		d.known.Forget(forget)
		return
	}
	for _, key := range dl.whole {
		dl.left[key] = nil
	}
	d.known.Set(dl.left)
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
	return d.counted(op, req)
}

// counted reads the count and size of the records from a completed getAll
// on the blocks store.
func (d *DB) counted(op string, req safejs.Value) (int, int64, error) {
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
