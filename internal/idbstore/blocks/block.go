package blocks

import (
	"github.com/exponea-wasm/tracker/internal/queue"
	"strconv"

	"github.com/exponea-wasm/tracker/internal/jsonx"
)

// A block is how the IndexedDB store keeps records: up to span records in
// one stored value {k, o: [offset, …], z: [size, …], r: [record, …]}, where
// k is the value's key, each record's seq is k×span + its offset, z holds
// the records' sizes and r the objects of AppendJSON without seq. The
// binding decides span and assigns k; this file is the encoding, kept pure
// so that it is tested and fuzzed natively.

// MaxSafe is Number.MAX_SAFE_INTEGER: int64 values up to it in magnitude
// survive the trip through a JavaScript number exactly.
const MaxSafe = 1<<53 - 1

// Block is a stored block read back: its key, its records' seqs and, when
// read with them, its records (seqs set).
type Block struct {
	Key  int64
	Seqs []int64
	Recs []queue.Record
}

// Append appends recs as a JSON array of new block values without k,
// at most span records and, unless one record alone is larger, maxBytes of
// bodies each. It returns how many records each block holds.
func Append(dst []byte, recs []queue.Record, span, maxBytes int) ([]byte, []int) {
	var sizes []int
	dst = append(dst, '[')
	for len(recs) > 0 {
		n, size := 1, recs[0].Size()
		for n < len(recs) && n < span && size+recs[n].Size() <= maxBytes {
			size += recs[n].Size()
			n++
		}
		if len(sizes) > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"o":[`...)
		for i := range n {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, int64(i), 10)
		}
		dst = append(dst, `],"z":`...)
		dst = AppendSizes(dst, recs[:n])
		dst = append(dst, `,"r":`...)
		dst = AppendJSON(dst, recs[:n], false)
		dst = append(dst, '}')
		sizes = append(sizes, n)
		recs = recs[n:]
	}
	return append(dst, ']'), sizes
}

// AppendSizes appends the sizes of recs as a JSON array.
func AppendSizes(dst []byte, recs []queue.Record) []byte {
	dst = append(dst, '[')
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(r.Size()), 10)
	}
	return append(dst, ']')
}

// Parse reads a JSON array of stored block values (the
// JSON.stringify of a getAll result) written with this span. Offsets must
// be whole, ascending and below span, one per record.
func Parse(data []byte, span int64) ([]Block, error) { return readBlocks(data, span, true) }

// ParseSeqs is Parse for blocks reduced to {k, o} (JSON.stringify
// with the replacer ["k", "o"]): keys and seqs, no records.
func ParseSeqs(data []byte, span int64) ([]Block, error) { return readBlocks(data, span, false) }

// readBlocks validates data once, then reads it without checking its
// syntax again.
func readBlocks(data []byte, span int64, withRecs bool) ([]Block, error) {
	if !jsonx.Valid(data) {
		return nil, ErrCorrupt
	}
	els, ok := jsonx.Elements(data)
	if !ok {
		return nil, ErrCorrupt
	}
	out := make([]Block, len(els))
	for i, el := range els {
		var (
			offs [][]byte
			b    = &out[i]
			k    = -1.0
			err  error
		)
		end := jsonx.WalkObject(el, 0, func(key []byte, at int) int {
			e := jsonx.ValueEnd(el, at)
			v := el[at:e]
			var ok = true
			switch {
			case jsonx.KeyIs(key, "k"):
				var nerr error
				if k, nerr = jsonx.Number(v); nerr != nil {
					k = -1
				}
			case jsonx.KeyIs(key, "o"):
				offs, ok = jsonx.Elements(v)
			case jsonx.KeyIs(key, "r"):
				if withRecs {
					var rerr error
					if b.Recs, rerr = parseRecords(v); rerr != nil {
						ok = false
					}
				}
			}
			if !ok {
				err = ErrCorrupt
			}
			return e
		})
		if end < 0 || err != nil {
			return nil, ErrCorrupt
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

// Count sums the records and sizes of a JSON array of blocks reduced
// to {o, z} (JSON.stringify with the replacer ["o", "z"]).
func Count(data []byte) (n int, total int64, err error) {
	els, err := jsonx.Array(data)
	if err != nil {
		return 0, 0, ErrCorrupt
	}
	for _, el := range els {
		var offs, sizes [][]byte
		ms, err := jsonx.Object(el)
		if err != nil {
			return 0, 0, ErrCorrupt
		}
		for _, m := range ms {
			switch m.Key {
			case "o":
				offs, err = jsonx.Array(m.Value)
			case "z":
				sizes, err = jsonx.Array(m.Value)
			}
			if err != nil {
				return 0, 0, ErrCorrupt
			}
		}
		if len(offs) != len(sizes) {
			return 0, 0, ErrCorrupt
		}
		n += len(offs)
		for _, z := range sizes {
			f, err := jsonx.Number(z)
			if err != nil || f < 0 || f != float64(int64(f)) {
				return 0, 0, ErrCorrupt
			}
			total += int64(f)
		}
	}
	return n, total, nil
}
