//go:build js && wasm

package idbstore

import (
	"github.com/exponea-wasm/tracker/internal/queue"
	"github.com/hack-pad/safejs"
)

// maxSafe is Number.MAX_SAFE_INTEGER: int64 values up to it in magnitude
// survive the trip through a JavaScript number exactly.
const maxSafe = 1<<53 - 1

// Property names of a stored record object.
const (
	pSeq        = "seq"
	pID         = "id"
	pKind       = "kind"
	pCreated    = "created"
	pBody       = "body"
	pRejections = "rejections"
	pNotBefore  = "notBefore"
	pLeaseUntil = "leaseUntil"
)

// number converts v to a JavaScript number, failing if it is not exact.
func number(op string, v int64) (float64, error) {
	if v > maxSafe || v < -maxSafe {
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
	if err != nil || f > maxSafe || f < -maxSafe || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

// toJS builds the stored object for r; withSeq false leaves seq out so that
// the object store's key generator assigns it.
func (d *DB) toJS(op string, r queue.Record, withSeq bool) (safejs.Value, error) {
	obj, err := d.object.New()
	if err != nil {
		return obj, d.callErr(op, err)
	}
	nums := [...]struct {
		p string
		v int64
	}{
		{pSeq, r.Seq}, {pCreated, r.Created}, {pRejections, int64(r.Rejections)},
		{pNotBefore, r.NotBefore}, {pLeaseUntil, r.LeaseUntil},
	}
	for i, n := range nums {
		if i == 0 && !withSeq {
			continue
		}
		f, err := number(op, n.v)
		if err != nil {
			return obj, err
		}
		if err := obj.Set(n.p, f); err != nil {
			return obj, d.callErr(op, err)
		}
	}
	for _, s := range [...]struct{ p, v string }{{pID, r.ID}, {pKind, string(r.Kind)}, {pBody, r.Body}} {
		if err := obj.Set(s.p, s.v); err != nil {
			return obj, d.callErr(op, err)
		}
	}
	return obj, nil
}

// fromJS reads a stored record object.
func fromJS(op string, obj safejs.Value) (queue.Record, error) {
	var r queue.Record
	if obj.Type() != safejs.TypeObject {
		return r, newErr(op, "stored record is not an object", nil)
	}
	var rej int64
	for _, n := range [...]struct {
		p string
		v *int64
	}{
		{pSeq, &r.Seq}, {pCreated, &r.Created}, {pRejections, &rej},
		{pNotBefore, &r.NotBefore}, {pLeaseUntil, &r.LeaseUntil},
	} {
		v, err := obj.Get(n.p)
		if err != nil {
			return r, newErr(op, err.Error(), nil)
		}
		var ok bool
		if *n.v, ok = safeInt(v); !ok {
			return r, newErr(op, "record property "+n.p+" is not a safe integer", nil)
		}
	}
	r.Rejections = int(rej)
	var kind string
	for _, s := range [...]struct {
		p string
		v *string
	}{{pID, &r.ID}, {pKind, &kind}, {pBody, &r.Body}} {
		v, err := obj.Get(s.p)
		if err != nil {
			return r, newErr(op, err.Error(), nil)
		}
		if v.Type() != safejs.TypeString {
			return r, newErr(op, "record property "+s.p+" is not a string", nil)
		}
		if *s.v, err = v.String(); err != nil {
			return r, newErr(op, err.Error(), nil)
		}
	}
	r.Kind = queue.Kind(kind)
	return r, nil
}

// records reads an array of stored record objects.
func records(op string, arr safejs.Value) ([]queue.Record, error) {
	n, err := arr.Length()
	if err != nil {
		return nil, newErr(op, err.Error(), nil)
	}
	out := make([]queue.Record, 0, n)
	for i := range n {
		v, err := arr.Index(i)
		if err != nil {
			return nil, newErr(op, err.Error(), nil)
		}
		r, err := fromJS(op, v)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
