//go:build js && wasm

package idbstore

import (
	"context"
	"slices"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/hack-pad/safejs"
)

// The queue is kept in blocks of records, not one IndexedDB value per
// record: Chromium spends about 100 µs on every put request whatever its
// size, so 10,000 single-record puts take 1.0–1.5 s where one put of the
// same 10,000 records takes under 0.1 s (measured in Chromium 156, in a page
// and in a Worker).
//
// The blocks store has out-of-line keys: a block's key is the seq of its
// first record when it was written. Its value is {s: [seq, …], r: [record,
// …]}: the seqs in ascending order, and the record objects (queue.AppendJSON
// with seq) in the same order. A block is written with at most blockSpan
// records whose seqs lie in [key, key+blockSpan), and only ever loses
// records afterwards, so every seq of a block stays in that range: the
// records with seqs from a to b are all in the blocks keyed from
// a-blockSpan+1 to b. A block that loses every record is deleted.
//
// The meta store holds, under queueMeta, {next, n}: the next seq to assign
// and the number of records, written in the same transactions as the
// blocks, so that both stay exact across tabs.
const (
	blocksStore = "blocks"
	metaStore   = "meta"
	queueMeta   = "queue"
	// blockSpan is the most records per block; the flusher's batch size,
	// so that a batch sent and confirmed usually deletes whole blocks.
	// Part of the schema: changing it needs a new SchemaVersion.
	blockSpan = 50
	// blockBytes ends a block early once its bodies reach this size.
	blockBytes = 1 << 20
)

// queueState is the meta store's record of the queue.
type queueState struct{ next, n int64 }

// readQueueState reads the result of a get of queueMeta.
func readQueueState(op string, req safejs.Value) (queueState, error) {
	v, err := req.Get("result")
	if err != nil {
		return queueState{}, newErr(op, err.Error(), nil)
	}
	if v.IsUndefined() {
		return queueState{next: 1}, nil
	}
	nv, err1 := v.Get("next")
	cv, err2 := v.Get("n")
	if err1 != nil || err2 != nil {
		return queueState{}, newErr(op, "queue metadata unreadable", nil)
	}
	next, ok1 := safeInt(nv)
	n, ok2 := safeInt(cv)
	if !ok1 || !ok2 || next < 1 || n < 0 {
		return queueState{}, newErr(op, "queue metadata corrupt", nil)
	}
	return queueState{next: next, n: n}, nil
}

// writeQueueState puts m under queueMeta.
func (d *DB) writeQueueState(op string, meta safejs.Value, m queueState) error {
	v, err := d.object.New()
	if err == nil {
		err = v.Set("next", float64(m.next))
	}
	if err == nil {
		err = v.Set("n", float64(max(m.n, 0)))
	}
	if err == nil {
		_, err = meta.Call("put", v, queueMeta)
	}
	if err != nil {
		return d.callErr(op, err)
	}
	return nil
}

// checkNumbers fails if a field of recs would not survive the trip through
// a JavaScript number.
func checkNumbers(op string, recs []queue.Record) error {
	for _, r := range recs {
		for _, v := range [...]int64{r.Seq, r.Created, int64(r.Rejections), r.NotBefore, r.LeaseUntil} {
			if _, err := number(op, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendBlocks appends recs (seqs set, ascending) as a JSON array of block
// values, and returns the blocks' keys.
func appendBlocks(dst []byte, recs []queue.Record) ([]byte, []int64) {
	var keys []int64
	dst = append(dst, '[')
	for len(recs) > 0 {
		n, size := 1, recs[0].Size()
		for n < len(recs) && n < blockSpan && recs[n].Seq-recs[0].Seq < blockSpan && size+recs[n].Size() <= blockBytes {
			size += recs[n].Size()
			n++
		}
		if len(keys) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"s":`...)
		dst = appendSeqs(dst, recs[:n])
		dst = append(dst, `,"r":`...)
		dst = queue.AppendJSON(dst, recs[:n], true)
		dst = append(dst, '}')
		keys = append(keys, recs[0].Seq)
		recs = recs[n:]
	}
	return append(dst, ']'), keys
}

func appendSeqs(dst []byte, recs []queue.Record) []byte {
	dst = append(dst, '[')
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, r.Seq, 10)
	}
	return append(dst, ']')
}

// putBlocks puts recs (seqs set, ascending) into the blocks store st, with
// one JSON.parse for all of them. Its errors are JavaScript exceptions.
func putBlocks(json, st safejs.Value, recs []queue.Record) error {
	text, keys := appendBlocks(nil, recs)
	arr, err := json.Call("parse", string(text))
	if err != nil {
		return err
	}
	for i, k := range keys {
		v, err := arr.Index(i)
		if err == nil {
			_, err = st.Call("put", v, float64(k))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Append implements queue.Store. In one readwrite transaction on the blocks
// and meta stores it reads the queue's next seq and, in that request's
// success callback, puts the records as blocks and the new {next, n}.
func (d *DB) Append(ctx context.Context, recs []queue.Record) ([]queue.Record, error) {
	const op = "append"
	if len(recs) == 0 {
		return nil, d.check(op)
	}
	if err := checkNumbers(op, recs); err != nil {
		return nil, err
	}
	t, sts, err := d.beginScope(ctx, op, "readwrite", blocksStore, metaStore)
	if err != nil {
		return nil, err
	}
	blocks, meta := sts[0], sts[1]
	req, err := meta.Call("get", queueMeta)
	if err != nil {
		return nil, t.fail(d.callErr(op, err))
	}
	out := make([]queue.Record, len(recs)) // written by the callback before complete
	err = t.onSuccess(req, func() error {
		m, err := readQueueState(op, req)
		if err != nil {
			return err
		}
		if _, err := number(op, m.next+int64(len(recs))); err != nil {
			return err
		}
		for i, r := range recs {
			r.Seq = m.next + int64(i)
			out[i] = r
		}
		if err := putBlocks(d.json, blocks, out); err != nil {
			return d.callErr(op, err)
		}
		m.next += int64(len(recs))
		m.n += int64(len(recs))
		return d.writeQueueState(op, meta, m)
	})
	if err != nil {
		return nil, t.fail(err)
	}
	if err := t.wait(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// cursor walks the blocks store with openCursor
// (https://developer.mozilla.org/en-US/docs/Web/API/IDBObjectStore/openCursor),
// calling fn with each block's key and value inside the request's success
// callback, while the transaction is active. fn returns whether to go on;
// end runs once after the last block fn saw.
func (t *txn) cursor(st, rng safejs.Value, fn func(cur safejs.Value, key int64, v safejs.Value) (bool, error), end func() error) error {
	req, err := st.Call("openCursor", rng)
	if err != nil {
		return t.d.callErr(t.op, err)
	}
	return t.onSuccess(req, func() error {
		cur, err := req.Get("result")
		if err != nil {
			return t.d.callErr(t.op, err)
		}
		if cur.IsNull() {
			return end()
		}
		kv, err1 := cur.Get("key")
		v, err2 := cur.Get("value")
		if err1 != nil || err2 != nil {
			return newErr(t.op, "cursor unreadable", nil)
		}
		key, ok := safeInt(kv)
		if !ok {
			return newErr(t.op, "block key is not a safe integer", nil)
		}
		more, err := fn(cur, key, v)
		if err != nil {
			return err
		}
		if !more {
			return end()
		}
		if _, err := cur.Call("continue"); err != nil {
			return t.d.callErr(t.op, err)
		}
		return nil
	})
}

// blockRange returns the key range of the blocks that can hold seqs from lo
// to hi (hi < 0: no upper end), or null for every block.
func (d *DB) blockRange(op string, lo, hi int64) (safejs.Value, error) {
	from := lo - blockSpan + 1
	if from < 1 && hi < 0 {
		return safejs.Null(), nil
	}
	a, err := number(op, max(from, 0))
	if err != nil {
		return safejs.Value{}, err
	}
	if hi < 0 {
		v, err := d.keyRange.Call("lowerBound", a)
		if err != nil {
			return v, d.callErr(op, err)
		}
		return v, nil
	}
	b, err := number(op, hi)
	if err != nil {
		return safejs.Value{}, err
	}
	v, err := d.keyRange.Call("bound", a, b)
	if err != nil {
		return v, d.callErr(op, err)
	}
	return v, nil
}

// Oldest implements queue.Store. A cursor collects blocks from the first
// that can hold seq after+1 until they hold at least n records past after;
// one JSON.stringify then brings them into Go.
func (d *DB) Oldest(ctx context.Context, after int64, n int) ([]queue.Record, error) {
	const op = "oldest"
	if n <= 0 {
		return nil, d.check(op)
	}
	if _, err := number(op, after); err != nil {
		return nil, err
	}
	rng, err := d.blockRange(op, after+1, -1)
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
	err = t.cursor(st, rng, func(_ safejs.Value, key int64, v safejs.Value) (bool, error) {
		r, err := v.Get("r")
		if err != nil {
			return false, d.callErr(op, err)
		}
		l, err := r.Length()
		if err != nil {
			return false, d.callErr(op, err)
		}
		if _, err := acc.Call("push", r); err != nil {
			return false, d.callErr(op, err)
		}
		// At most after-key+1 of the block's records are not past after.
		if key <= after {
			l -= int(min(after-key+1, int64(l)))
		}
		got += l
		return got < n, nil
	}, func() error { return nil })
	if err != nil {
		return nil, t.fail(err)
	}
	if err := t.wait(ctx); err != nil {
		return nil, err
	}
	flat, err := acc.Call("flat")
	if err != nil {
		return nil, d.callErr(op, err)
	}
	recs, err := d.records(op, flat)
	if err != nil {
		return nil, err
	}
	i := 0
	for i < len(recs) && recs[i].Seq <= after {
		i++
	}
	recs = recs[i:]
	if len(recs) > n {
		recs = recs[:n]
	}
	return recs, nil
}

// blockSeqs reads a block's seqs.
func (d *DB) blockSeqs(op string, v safejs.Value) ([]int64, safejs.Value, error) {
	s, err := v.Get("s")
	if err != nil {
		return nil, s, d.callErr(op, err)
	}
	text, err := d.json.Call("stringify", s)
	if err != nil {
		return nil, s, d.callErr(op, err)
	}
	str, err := text.String()
	if err != nil {
		return nil, s, newErr(op, err.Error(), nil)
	}
	els, err := jsonx.Array([]byte(str))
	if err != nil {
		return nil, s, newErr(op, "block seqs unreadable", nil)
	}
	seqs := make([]int64, len(els))
	for i, e := range els {
		f, err := jsonx.Number(e)
		if err != nil || f != float64(int64(f)) {
			return nil, s, newErr(op, "block seq is not an integer", nil)
		}
		seqs[i] = int64(f)
	}
	return seqs, s, nil
}

// sortedSeqs returns seqs sorted, without repeats.
func sortedSeqs(seqs []int64) []int64 {
	s := slices.Clone(seqs)
	slices.Sort(s)
	return slices.Compact(s)
}

// Delete implements queue.Store. In one readwrite transaction on the blocks
// and meta stores, a cursor over the blocks that can hold the seqs deletes
// each block left empty and rewrites each block left with fewer records;
// the meta count goes down by the records actually deleted.
func (d *DB) Delete(ctx context.Context, seqs []int64) error {
	const op = "delete"
	if len(seqs) == 0 {
		return d.check(op)
	}
	del := sortedSeqs(seqs)
	rng, err := d.blockRange(op, del[0], del[len(del)-1])
	if err != nil {
		return err
	}
	t, sts, err := d.beginScope(ctx, op, "readwrite", blocksStore, metaStore)
	if err != nil {
		return err
	}
	blocks, meta := sts[0], sts[1]
	mreq, err := meta.Call("get", queueMeta)
	if err != nil {
		return t.fail(d.callErr(op, err))
	}
	var m queueState
	err = t.onSuccess(mreq, func() (err error) {
		m, err = readQueueState(op, mreq) // before the cursor's first step: requests run in order
		return err
	})
	if err != nil {
		return t.fail(err)
	}
	removed := int64(0)
	err = t.cursor(blocks, rng, func(cur safejs.Value, _ int64, v safejs.Value) (bool, error) {
		have, _, err := d.blockSeqs(op, v)
		if err != nil {
			return false, err
		}
		keep := make([]bool, len(have))
		kept := 0
		for i, s := range have {
			if _, found := slices.BinarySearch(del, s); !found {
				keep[i] = true
				kept++
			}
		}
		switch {
		case kept == len(have):
			return true, nil
		case kept == 0:
			if _, err := cur.Call("delete"); err != nil {
				return false, d.callErr(op, err)
			}
		default:
			if err := d.rewrite(op, cur, v, have, keep); err != nil {
				return false, err
			}
		}
		removed += int64(len(have) - kept)
		return true, nil
	}, func() error {
		if removed == 0 {
			return nil
		}
		m.n -= removed
		return d.writeQueueState(op, meta, m)
	})
	if err != nil {
		return t.fail(err)
	}
	return t.wait(ctx)
}

// rewrite updates the block under cur to hold only the records marked in
// keep: one slice call per run of kept records.
func (d *DB) rewrite(op string, cur, v safejs.Value, have []int64, keep []bool) error {
	r, err := v.Get("r")
	if err != nil {
		return d.callErr(op, err)
	}
	var parts []any
	var s []byte
	s = append(s, '[')
	for i := 0; i < len(keep); {
		if !keep[i] {
			i++
			continue
		}
		j := i
		for j < len(keep) && keep[j] {
			if len(s) > 1 {
				s = append(s, ',')
			}
			s = strconv.AppendInt(s, have[j], 10)
			j++
		}
		part, err := r.Call("slice", i, j)
		if err != nil {
			return d.callErr(op, err)
		}
		parts = append(parts, part)
		i = j
	}
	s = append(s, ']')
	nr := parts[0].(safejs.Value)
	if len(parts) > 1 {
		if nr, err = nr.Call("concat", parts[1:]...); err != nil {
			return d.callErr(op, err)
		}
	}
	ns, err := d.json.Call("parse", string(s))
	if err == nil {
		err = v.Set("s", ns)
	}
	if err == nil {
		err = v.Set("r", nr)
	}
	if err == nil {
		_, err = cur.Call("update", v)
	}
	if err != nil {
		return d.callErr(op, err)
	}
	return nil
}

// Update implements queue.Store. In one readwrite transaction a cursor over
// the blocks that can hold the records replaces each stored record with the
// one of the same seq; records no longer stored are skipped.
func (d *DB) Update(ctx context.Context, recs []queue.Record) error {
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
	seqs = sortedSeqs(seqs)
	rng, err := d.blockRange(op, seqs[0], seqs[len(seqs)-1])
	if err != nil {
		return err
	}
	t, st, err := d.begin(ctx, op, blocksStore, "readwrite")
	if err != nil {
		return err
	}
	err = t.cursor(st, rng, func(cur safejs.Value, _ int64, v safejs.Value) (bool, error) {
		have, _, err := d.blockSeqs(op, v)
		if err != nil {
			return false, err
		}
		var r safejs.Value
		changed := false
		for j, s := range have {
			i, ok := at[s]
			if !ok {
				continue
			}
			if !changed {
				if r, err = v.Get("r"); err != nil {
					return false, d.callErr(op, err)
				}
				changed = true
			}
			o, err := objs(i)
			if err != nil {
				return false, err
			}
			if err := r.SetIndex(j, o); err != nil {
				return false, d.callErr(op, err)
			}
		}
		if changed {
			if _, err := cur.Call("update", v); err != nil {
				return false, d.callErr(op, err)
			}
		}
		return true, nil
	}, func() error { return nil })
	if err != nil {
		return t.fail(err)
	}
	return t.wait(ctx)
}

// Len implements queue.Store: the meta store's count, one small read.
func (d *DB) Len(ctx context.Context) (int, error) {
	const op = "len"
	t, st, err := d.begin(ctx, op, metaStore, "readonly")
	if err != nil {
		return 0, err
	}
	req, err := st.Call("get", queueMeta)
	if err != nil {
		return 0, t.fail(d.callErr(op, err))
	}
	if err := t.wait(ctx); err != nil {
		return 0, err
	}
	m, err := readQueueState(op, req)
	return int(m.n), err
}

// Count implements queue.Store. Sizes are UTF-8 byte lengths of the bodies,
// which IndexedDB cannot compute, so Count reads every block with getAll()
// and copies each body into Go to measure it: O(total stored bytes) in time
// and transient memory, fine for a queue kept small by eviction and counted
// only when the tracker's running estimate passes a limit.
func (d *DB) Count(ctx context.Context) (int, int64, error) {
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
	nb, err := arr.Length()
	if err != nil {
		return 0, 0, d.callErr(op, err)
	}
	acc, err := d.array.New()
	if err != nil {
		return 0, 0, d.callErr(op, err)
	}
	for i := range nb {
		b, err := arr.Index(i)
		var r safejs.Value
		if err == nil {
			r, err = b.Get("r")
		}
		if err == nil {
			_, err = acc.Call("push", r)
		}
		if err != nil {
			return 0, 0, d.callErr(op, err)
		}
	}
	flat, err := acc.Call("flat")
	if err != nil {
		return 0, 0, d.callErr(op, err)
	}
	recs, err := d.records(op, flat)
	if err != nil {
		return 0, 0, err
	}
	var total int64
	for _, r := range recs {
		total += int64(r.Size())
	}
	return len(recs), total, nil
}
