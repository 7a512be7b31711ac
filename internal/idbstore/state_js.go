//go:build js && wasm

package idbstore

import (
	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/ctxlite"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// stateValue reads the result of a get on the state store.
func stateValue(op string, v safejs.Value) (string, bool, error) {
	if v.IsUndefined() {
		return "", false, nil
	}
	if v.Type() != safejs.TypeString {
		return "", false, newErr(op, "state value is not a string", nil)
	}
	s, err := v.String()
	if err != nil {
		return "", false, newErr(op, err.Error(), nil)
	}
	return s, true, nil
}

// GetState implements queue.Store
// (https://developer.mozilla.org/en-US/docs/Web/API/IDBObjectStore/get).
func (d *DB) GetState(ctx ctxlite.Context, key string) (string, bool, error) {
	const op = "get state"
	t, st, err := d.begin(ctx, op, stateStore, "readonly")
	if err != nil {
		return "", false, err
	}
	req, err := st.Call("get", key)
	if err != nil {
		return "", false, t.fail(d.callErr(op, err))
	}
	if err := t.wait(ctx); err != nil {
		return "", false, err
	}
	v, err := req.Get("result")
	if err != nil {
		return "", false, d.callErr(op, err)
	}
	return stateValue(op, v)
}

// UpdateState implements queue.Store. In one readwrite transaction it gets
// key and, synchronously inside that request's success callback, calls fn
// and puts the new value, so no other transaction (in any tab) can write key
// in between. fn runs on the JavaScript event callback: it must not block.
// A panic in fn aborts the transaction and is returned as an error.
func (d *DB) UpdateState(ctx ctxlite.Context, key string, fn func(old string, ok bool) (string, bool)) (string, error) {
	const op = "update state"
	t, st, err := d.begin(ctx, op, stateStore, "readwrite")
	if err != nil {
		return "", err
	}
	req, err := st.Call("get", key)
	if err != nil {
		return "", t.fail(d.callErr(op, err))
	}
	var result string // written by the callback before complete fires
	err = t.onSuccess(req, func() error {
		v, err := req.Get("result")
		if err != nil {
			return d.callErr(op, err)
		}
		old, ok, err := stateValue(op, v)
		if err != nil {
			return err
		}
		nv, write := fn(old, ok)
		if !write {
			result = old
			return nil
		}
		if _, err := st.Call("put", nv, key); err != nil {
			return d.callErr(op, err)
		}
		result = nv
		return nil
	})
	if err != nil {
		return "", t.fail(err)
	}
	if err := t.wait(ctx); err != nil {
		return "", err
	}
	return result, nil
}

// Snapshot implements queue.Snapshotter: Count's getAll and a get per key,
// in one transaction on both stores; readonly without init, else
// readwrite, each key's put issued from its get's success callback.
func (d *DB) Snapshot(ctx ctxlite.Context, keys []string, init queue.Init) (queue.Snapshot, error) {
	const op = "snapshot"
	mode := "readonly"
	if init != nil {
		mode = "readwrite"
	}
	t, sts, err := d.beginScope(ctx, op, mode, blocksStore, stateStore)
	if err != nil {
		return queue.Snapshot{}, err
	}
	all, err := sts[0].Call("getAll")
	if err != nil {
		return queue.Snapshot{}, t.fail(d.callErr(op, err))
	}
	sn := queue.Snapshot{Values: make([]string, len(keys)), Has: make([]bool, len(keys))}
	for i, k := range keys {
		g, err := sts[1].Call("get", k)
		if err != nil {
			return queue.Snapshot{}, t.fail(d.callErr(op, err))
		}
		// Written by the callback before complete fires.
		err = t.onSuccess(g, func() error {
			v, err := g.Get("result")
			if err != nil {
				return d.callErr(op, err)
			}
			if sn.Values[i], sn.Has[i], err = stateValue(op, v); err != nil || init == nil {
				return err
			}
			nv, write := init(i, sn.Values[i], sn.Has[i])
			if !write {
				return nil
			}
			if _, err := sts[1].Call("put", nv, k); err != nil {
				return d.callErr(op, err)
			}
			sn.Values[i], sn.Has[i] = nv, true
			return nil
		})
		if err != nil {
			return queue.Snapshot{}, t.fail(err)
		}
	}
	if err := t.wait(ctx); err != nil {
		return queue.Snapshot{}, err
	}
	if sn.N, sn.Bytes, err = d.counted(op, all); err != nil {
		return queue.Snapshot{}, err
	}
	return sn, nil
}
