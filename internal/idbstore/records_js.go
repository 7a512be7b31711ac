//go:build js && wasm

package idbstore

import (
	"context"

	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/hack-pad/safejs"
)

// Append implements queue.Store. It puts every record without seq in one
// readwrite transaction (the key generator assigns seq) and, once the
// transaction completes, reads each put request's result, the generated key
// (https://developer.mozilla.org/en-US/docs/Web/API/IDBObjectStore/put).
func (d *DB) Append(ctx context.Context, recs []queue.Record) ([]queue.Record, error) {
	const op = "append"
	if len(recs) == 0 {
		return nil, d.check(op)
	}
	t, st, err := d.begin(ctx, op, recordsStore, "readwrite")
	if err != nil {
		return nil, err
	}
	obj, err := d.toJS(op, recs, false)
	if err != nil {
		return nil, t.fail(err)
	}
	reqs := make([]safejs.Value, len(recs))
	for i := range recs {
		o, err := obj(i)
		if err != nil {
			return nil, t.fail(err)
		}
		if reqs[i], err = st.Call("put", o); err != nil {
			return nil, t.fail(d.callErr(op, err))
		}
	}
	if err := t.wait(ctx); err != nil {
		return nil, err
	}
	// A finished request keeps its result. The key generator counts up by
	// one per put and one transaction writes the store at a time, so the
	// keys are consecutive: read the first and the last, and each only if
	// they are not.
	key := func(i int) (int64, error) {
		v, err := reqs[i].Get("result")
		if err != nil {
			return 0, d.callErr(op, err)
		}
		seq, ok := safeInt(v)
		if !ok {
			return 0, newErr(op, "generated key is not a safe integer", nil)
		}
		return seq, nil
	}
	first, err := key(0)
	if err != nil {
		return nil, err
	}
	last, err := key(len(recs) - 1)
	if err != nil {
		return nil, err
	}
	out := make([]queue.Record, len(recs))
	for i, r := range recs {
		r.Seq = first + int64(i)
		if last-first != int64(len(recs)-1) {
			if r.Seq, err = key(i); err != nil {
				return nil, err
			}
		}
		out[i] = r
	}
	return out, nil
}

// Oldest implements queue.Store with getAll(IDBKeyRange.lowerBound(after,
// true), n) (https://developer.mozilla.org/en-US/docs/Web/API/IDBObjectStore/getAll,
// https://developer.mozilla.org/en-US/docs/Web/API/IDBKeyRange/lowerBound_static).
func (d *DB) Oldest(ctx context.Context, after int64, n int) ([]queue.Record, error) {
	const op = "oldest"
	if n <= 0 { // getAll treats a count of 0 as "no limit"
		if err := d.check(op); err != nil {
			return nil, err
		}
		return nil, nil
	}
	from, err := number(op, after)
	if err != nil {
		return nil, err
	}
	t, st, err := d.begin(ctx, op, recordsStore, "readonly")
	if err != nil {
		return nil, err
	}
	rng, err := d.keyRange.Call("lowerBound", from, true)
	if err != nil {
		return nil, t.fail(d.callErr(op, err))
	}
	req, err := st.Call("getAll", rng, min(n, 1<<32-1))
	if err != nil {
		return nil, t.fail(d.callErr(op, err))
	}
	if err := t.wait(ctx); err != nil {
		return nil, err
	}
	res, err := req.Get("result")
	if err != nil {
		return nil, d.callErr(op, err)
	}
	return d.records(op, res)
}

// Update implements queue.Store. In one readwrite transaction it issues a get
// per record and, in that get's success callback, a put only if the record
// still exists.
func (d *DB) Update(ctx context.Context, recs []queue.Record) error {
	const op = "update"
	if len(recs) == 0 {
		return d.check(op)
	}
	t, st, err := d.begin(ctx, op, recordsStore, "readwrite")
	if err != nil {
		return err
	}
	objs, err := d.toJS(op, recs, true)
	if err != nil {
		return t.fail(err)
	}
	for i, r := range recs {
		obj, err := objs(i)
		if err != nil {
			return t.fail(err)
		}
		req, err := st.Call("get", float64(r.Seq)) // toJS checked the range
		if err != nil {
			return t.fail(d.callErr(op, err))
		}
		err = t.onSuccess(req, func() error {
			old, err := req.Get("result")
			if err != nil {
				return d.callErr(op, err)
			}
			if old.IsUndefined() {
				return nil // deleted meanwhile: skip
			}
			if _, err := st.Call("put", obj); err != nil {
				return d.callErr(op, err)
			}
			return nil
		})
		if err != nil {
			return t.fail(err)
		}
	}
	return t.wait(ctx)
}

// Delete implements queue.Store: one delete request per seq in one
// readwrite transaction; deleting a missing key is not an error.
func (d *DB) Delete(ctx context.Context, seqs []int64) error {
	const op = "delete"
	if len(seqs) == 0 {
		return d.check(op)
	}
	t, st, err := d.begin(ctx, op, recordsStore, "readwrite")
	if err != nil {
		return err
	}
	for _, run := range queue.Runs(seqs) {
		lo, err := number(op, run.First)
		if err != nil {
			return t.fail(err)
		}
		hi, err := number(op, run.Last)
		if err != nil {
			return t.fail(err)
		}
		key := safejs.Value(safejs.Null())
		if lo == hi {
			key, err = safejs.ValueOf(lo)
		} else {
			key, err = d.keyRange.Call("bound", lo, hi)
		}
		if err != nil {
			return t.fail(d.callErr(op, err))
		}
		if _, err := st.Call("delete", key); err != nil {
			return t.fail(d.callErr(op, err))
		}
	}
	return t.wait(ctx)
}

// Count implements queue.Store. Sizes are UTF-8 byte lengths of the bodies,
// which IndexedDB cannot compute, so Count reads every record with getAll()
// and copies each body into Go to measure it: O(total stored bytes) in time
// and transient memory, fine for a queue kept small by eviction. Keep a
// running total in the state store if this ever shows up in profiles.
// Len implements queue.Store with IDBObjectStore.count, which reads no
// record.
func (d *DB) Len(ctx context.Context) (int, error) {
	const op = "len"
	t, st, err := d.begin(ctx, op, recordsStore, "readonly")
	if err != nil {
		return 0, err
	}
	req, err := st.Call("count")
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

func (d *DB) Count(ctx context.Context) (int, int64, error) {
	const op = "count"
	t, st, err := d.begin(ctx, op, recordsStore, "readonly")
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
	recs, err := d.records(op, arr)
	if err != nil {
		return 0, 0, err
	}
	var total int64
	for _, r := range recs {
		total += int64(r.Size())
	}
	n := len(recs)
	return n, total, nil
}
