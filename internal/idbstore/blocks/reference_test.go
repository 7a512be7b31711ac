package blocks

import (
	"reflect"
	"testing"

	"github.com/exponea-wasm/tracker/internal/jsonx"
	"github.com/exponea-wasm/tracker/internal/queue"
)

// The readers as they were before they read validated JSON in one pass
// (jsonx.Array and jsonx.Object at every level): the reference the
// one-pass readers must agree with.

func readBlocksRef(data []byte, span int64, withRecs bool) ([]Block, error) {
	els, err := jsonx.Array(data)
	if err != nil {
		return nil, ErrCorrupt
	}
	out := make([]Block, len(els))
	for i, el := range els {
		ms, err := jsonx.Object(el)
		if err != nil {
			return nil, ErrCorrupt
		}
		var offs [][]byte
		b := &out[i]
		k := -1.0
		for _, m := range ms {
			switch m.Key {
			case "k":
				k, err = jsonx.Number(m.Value)
			case "o":
				offs, err = jsonx.Array(m.Value)
			case "r":
				if withRecs {
					b.Recs, err = parseJSONRef(m.Value)
				}
			}
			if err != nil {
				return nil, ErrCorrupt
			}
		}
		if k < 0 || k != float64(int64(k)) || k > float64(MaxSafe/span-1) || withRecs && len(offs) != len(b.Recs) {
			return nil, ErrCorrupt
		}
		b.Key = int64(k)
		b.Seqs = make([]int64, len(offs))
		last := int64(-1)
		for j, o := range offs {
			f, err := jsonx.Number(o)
			if err != nil || f != float64(int64(f)) || int64(f) <= last || int64(f) >= span {
				return nil, ErrCorrupt
			}
			last = int64(f)
			b.Seqs[j] = b.Key*span + last
			if withRecs {
				b.Recs[j].Seq = b.Seqs[j]
			}
		}
	}
	return out, nil
}

func parseJSONRef(data []byte) ([]queue.Record, error) {
	els, err := jsonx.Array(data)
	if err != nil {
		return nil, err
	}
	out := make([]queue.Record, len(els))
	for i, el := range els {
		ms, err := jsonx.Object(el)
		if err != nil {
			return nil, ErrCorrupt
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
				return nil, ErrCorrupt
			}
		}
	}
	return out, nil
}

// FuzzReadersMatchReference: the one-pass readers accept exactly what the
// validating reference accepts, and read the same blocks and records.
func FuzzReadersMatchReference(f *testing.F) {
	text, _ := Append(nil, blockRecs(3, 10), 2, 1<<20)
	f.Add(store(f, text, 1))
	f.Add([]byte(`[{"k":1,"o":[0,3],"r":[{"id":"a"},{"id":"b"}]}]`))
	f.Add([]byte(`[{"k":1,"o":[0],"r":[{"id":"a\"\u00e9\ud800","body":"{\"x\":1}","kind":"event","created":1,"k":[1,{"r":2}]}]}]`))
	f.Add([]byte(`[{"k":1,"o":[0],"r":[{"id":3}]}]`))
	f.Add([]byte(`[{"k":1, "o" : [ 0 ] ,"r":[ {"id" :"a","id":"b"} ] } ]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, withRecs := range []bool{true, false} {
			got, err := readBlocks(data, 50, withRecs)
			want, werr := readBlocksRef(data, 50, withRecs)
			if (err == nil) != (werr == nil) || err == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("readBlocks(%q, %v) = %+v, %v; the reference: %+v, %v", data, withRecs, got, err, want, werr)
			}
		}
		got, err := ParseJSON(data)
		want, werr := parseJSONRef(data)
		if (err == nil) != (werr == nil) || err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseJSON(%q) = %+v, %v; the reference: %+v, %v", data, got, err, want, werr)
		}
	})
}
