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
	t, st, err := d.begin(ctx, op, recordsStore, "readwrite")
	if err != nil {
		return nil, err
	}
	reqs := make([]safejs.Value, len(recs))
	for i, r := range recs {
		obj, err := d.toJS(op, r, false)
		if err != nil {
			return nil, t.fail(err)
		}
		if reqs[i], err = st.Call("put", obj); err != nil {
			return nil, t.fail(d.callErr(op, err))
		}
	}
	if err := t.wait(ctx); err != nil {
		return nil, err
	}
	// A finished request keeps its result, so reading the keys here
	// rather than in one onsuccess callback per put saves a JS-to-Go event
	// per record.
	out := make([]queue.Record, len(recs))
	for i, r := range recs {
		key, err := reqs[i].Get("result")
		if err != nil {
			return nil, d.callErr(op, err)
		}
		seq, ok := safeInt(key)
		if !ok {
			return nil, newErr(op, "generated key is not a safe integer", nil)
		}
		r.Seq = seq
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
	return records(op, res)
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
	for _, r := range recs {
		obj, err := d.toJS(op, r, true)
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
	for _, seq := range seqs {
		key, err := number(op, seq)
		if err != nil {
			return t.fail(err)
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
	n, err := arr.Length()
	if err != nil {
		return 0, 0, d.callErr(op, err)
	}
	var total int64
	for i := range n {
		body, err := index(arr, i, pBody)
		if err != nil {
			return 0, 0, newErr(op, err.Error(), nil)
		}
		if body.Type() != safejs.TypeString {
			return 0, 0, newErr(op, "record property body is not a string", nil)
		}
		s, err := body.String()
		if err != nil {
			return 0, 0, newErr(op, err.Error(), nil)
		}
		total += int64(len(s))
	}
	return n, total, nil
}

// index returns arr[i][p].
func index(arr safejs.Value, i int, p string) (safejs.Value, error) {
	v, err := arr.Index(i)
	if err != nil {
		return v, err
	}
	return v.Get(p)
}
