package blocks

import (
	"errors"
	"github.com/exponea-wasm/tracker/internal/queue"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// AppendJSON appends recs as a JSON array of the objects IndexedDB stores:
// {"seq","id","kind","created","body","rejections","notBefore"}
// with seq left out when withSeq is false (the key generator assigns it).
//
// It exists so that a binding can make all of a batch's objects with one
// JSON.parse instead of a dozen calls into JavaScript per record.
func AppendJSON(dst []byte, recs []queue.Record, withSeq bool) []byte {
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

// ErrCorrupt is returned when stored records do not have the shape
// AppendJSON writes.
var ErrCorrupt = errors.New("queue: stored record has an unexpected shape")

// ParseJSON reads what AppendJSON writes (with seq), e.g. the
// JSON.stringify of an IndexedDB getAll result.
func ParseJSON(data []byte) ([]queue.Record, error) {
	if !jsonx.Valid(data) {
		return nil, ErrCorrupt
	}
	return parseRecords(data)
}

// parseRecords is ParseJSON for an array already validated as JSON (a part
// of a validated document): each byte is looked at once more, and strings
// without escapes are not copied twice.
func parseRecords(arr []byte) ([]queue.Record, error) {
	els, ok := jsonx.Elements(arr)
	if !ok {
		return nil, ErrCorrupt
	}
	out := make([]queue.Record, len(els))
	for i, el := range els {
		r := &out[i]
		var err error
		str := func(v []byte) string {
			if v[0] != '"' {
				err = ErrCorrupt
				return ""
			}
			return jsonx.Unquote(v)
		}
		end := jsonx.WalkObject(el, 0, func(k []byte, at int) int {
			e := jsonx.ValueEnd(el, at)
			v := el[at:e]
			if len(v) == 0 {
				err = ErrCorrupt
				return e
			}
			var ierr error
			switch {
			case jsonx.KeyIs(k, "seq"):
				r.Seq, ierr = integer(v)
			case jsonx.KeyIs(k, "created"):
				r.CreatedMs, ierr = integer(v)
			case jsonx.KeyIs(k, "notBefore"):
				r.NotBeforeMs, ierr = integer(v)
			case jsonx.KeyIs(k, "rejections"):
				var n int64
				n, ierr = integer(v)
				r.Rejections = int(n)
			case jsonx.KeyIs(k, "id"):
				r.ID = str(v)
			case jsonx.KeyIs(k, "kind"):
				r.Kind = queue.Kind(str(v))
			case jsonx.KeyIs(k, "body"):
				r.Body = str(v)
			}
			if ierr != nil {
				err = ierr
			}
			return e
		})
		if end < 0 || err != nil {
			return nil, ErrCorrupt
		}
	}
	return out, nil
}

// integer reads a JSON number that must be a whole number in the range a
// JavaScript number holds exactly.
func integer(raw []byte) (int64, error) {
	f, err := jsonx.Number(raw)
	if err != nil || f != float64(int64(f)) || f > 1<<53 || f < -(1<<53) {
		return 0, ErrCorrupt
	}
	return int64(f), nil
}
