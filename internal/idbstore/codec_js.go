//go:build js && wasm

package idbstore

import (
	"github.com/hack-pad/safejs"

	"github.com/exponea-wasm/tracker/internal/idbstore/blocks"
	"github.com/exponea-wasm/tracker/internal/jsbytes"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// seqKey is the key path of schema version 1's records store, and the
// property of a record object holding its seq; the other properties are
// written by blocks.AppendJSON.
const seqKey = "seq"

// number converts v to a JavaScript number, failing if it is not exact.
func number(op string, v int64) (float64, error) {
	if v > blocks.MaxSafe || v < -blocks.MaxSafe {
		return 0, newErr(op, "integer out of the safe JavaScript range", nil)
	}
	return float64(v), nil
}

// safeInt converts a JavaScript number holding a safe integer.
func safeInt(v safejs.Value) (int64, bool) {
	if v.Type() != safejs.TypeNumber {
		return 0, false
	}
	f, err := v.Float()
	if err != nil || f > blocks.MaxSafe || f < -blocks.MaxSafe || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

// toJS builds the stored objects for recs (a block's records, without seq)
// with one JSON.parse. It returns an accessor for the array's elements.
func (d *DB) toJS(op string, recs []queue.Record) (func(i int) (safejs.Value, error), error) {
	if err := checkNumbers(op, recs); err != nil {
		return nil, err
	}
	arr, err := d.json.Call("parse", jsbytes.String(blocks.AppendJSON(nil, recs, false)))
	if err != nil {
		return nil, d.callErr(op, err)
	}
	return func(i int) (safejs.Value, error) {
		v, err := arr.Index(i)
		if err != nil {
			return v, d.callErr(op, err)
		}
		return v, nil
	}, nil
}
