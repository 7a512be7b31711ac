package idbstore

import (
	"errors"
	"github.com/exponea-wasm/tracker/internal/queue"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// appendJSON appends recs as a JSON array of the objects IndexedDB stores:
// {"seq","id","kind","created","body","rejections","notBefore"}
// with seq left out when withSeq is false (the key generator assigns it).
//
// It exists so that a binding can make all of a batch's objects with one
// JSON.parse instead of a dozen calls into JavaScript per record.
func appendJSON(dst []byte, recs []queue.Record, withSeq bool) []byte {
	dst = append(dst, '[')
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '{')
		if withSeq {
			dst = append(dst, `"seq":`...)
			dst = strconv.AppendInt(dst, r.Seq, 10)
			dst = append(dst, ',')
		}
		dst = append(dst, `"id":`...)
		dst = jsonx.AppendString(dst, r.ID)
		dst = append(dst, `,"kind":`...)
		dst = jsonx.AppendString(dst, string(r.Kind))
		dst = append(dst, `,"created":`...)
		dst = strconv.AppendInt(dst, r.CreatedMs, 10)
		dst = append(dst, `,"body":`...)
		dst = jsonx.AppendString(dst, r.Body)
		dst = append(dst, `,"rejections":`...)
		dst = strconv.AppendInt(dst, int64(r.Rejections), 10)
		dst = append(dst, `,"notBefore":`...)
		dst = strconv.AppendInt(dst, r.NotBeforeMs, 10)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// errCorrupt is returned when stored records do not have the shape
// appendJSON writes.
var errCorrupt = errors.New("queue: stored record has an unexpected shape")

// parseJSON reads what appendJSON writes (with seq), e.g. the
// JSON.stringify of an IndexedDB getAll result.
func parseJSON(data []byte) ([]queue.Record, error) {
	els, err := jsonx.Array(data)
	if err != nil {
		return nil, err
	}
	out := make([]queue.Record, len(els))
	for i, el := range els {
		ms, err := jsonx.Object(el)
		if err != nil {
			return nil, errCorrupt
		}
		r := &out[i]
		for _, m := range ms {
			switch m.Key {
			case "seq":
				r.Seq, err = integer(m.Value)
			case "created":
				r.CreatedMs, err = integer(m.Value)
			case "notBefore":
				r.NotBeforeMs, err = integer(m.Value)
			case "rejections":
				var n int64
				n, err = integer(m.Value)
				r.Rejections = int(n)
			case "id":
				r.ID, err = jsonx.String(m.Value)
			case "kind":
				var k string
				k, err = jsonx.String(m.Value)
				r.Kind = queue.Kind(k)
			case "body":
				r.Body, err = jsonx.String(m.Value)
			}
			if err != nil {
				return nil, errCorrupt
			}
		}
	}
	return out, nil
}

// integer reads a JSON number that must be a whole number in the range a
// JavaScript number holds exactly.
func integer(raw []byte) (int64, error) {
	f, err := jsonx.Number(raw)
	if err != nil || f != float64(int64(f)) || f > 1<<53 || f < -(1<<53) {
		return 0, errCorrupt
	}
	return int64(f), nil
}
