package blocks

import (
	"encoding/json"
	"github.com/exponea-wasm/tracker/internal/queue"
	"strconv"
	"strings"
	"testing"
)

// store simulates what IndexedDB does with Append' output: each value
// gets its key k from a generator starting at firstKey; it returns the
// JSON.stringify of the stored values.
func store(t testing.TB, text []byte, firstKey int64) []byte {
	t.Helper()
	var vals []map[string]any
	if err := json.Unmarshal(text, &vals); err != nil {
		t.Fatalf("Append wrote invalid JSON: %v\n%s", err, text)
	}
	for i, v := range vals {
		v["k"] = firstKey + int64(i)
	}
	out, err := json.Marshal(vals)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func blockRecs(n, bodySize int) []queue.Record {
	recs := make([]queue.Record, n)
	for i := range recs {
		recs[i] = queue.Record{ID: "id-" + strconv.Itoa(i), Kind: queue.KindEvent, CreatedMs: int64(1_700_000_000_000 + i),
			Body: `{"n":"` + strings.Repeat("ž", bodySize/2) + `"}`, Rejections: i % 3, NotBeforeMs: int64(i)}
	}
	return recs
}

func TestBlocksRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		n, bodySize, maxBytes int
		blocks                []int
	}{
		{1, 10, 1 << 20, []int{1}},
		{50, 10, 1 << 20, []int{50}},
		{51, 10, 1 << 20, []int{50, 1}},
		{130, 10, 1 << 20, []int{50, 50, 30}},
		{5, 1000, 2100, []int{2, 2, 1}}, // the byte bound ends blocks early
		{3, 5000, 2100, []int{1, 1, 1}}, // a record over it still gets a block
	} {
		recs := blockRecs(tc.n, tc.bodySize)
		text, sizes := Append(nil, recs, 50, tc.maxBytes)
		if len(sizes) != len(tc.blocks) {
			t.Fatalf("%d records: blocks of %v, want %v", tc.n, sizes, tc.blocks)
		}
		for i := range sizes {
			if sizes[i] != tc.blocks[i] {
				t.Fatalf("%d records: blocks of %v, want %v", tc.n, sizes, tc.blocks)
			}
		}
		stored := store(t, text, 7)
		bs, err := Parse(stored, 50)
		if err != nil {
			t.Fatal(err)
		}
		var got []queue.Record
		for i, b := range bs {
			if b.Key != 7+int64(i) {
				t.Fatalf("block %d: key %d", i, b.Key)
			}
			for j, r := range b.Recs {
				if r.Seq != b.Key*50+int64(j) {
					t.Fatalf("block %d record %d: seq %d, want %d", i, j, r.Seq, b.Key*50+int64(j))
				}
				r.Seq = 0
				got = append(got, r)
			}
		}
		if len(got) != len(recs) {
			t.Fatalf("got %d records back, want %d", len(got), len(recs))
		}
		var total int64
		for i := range recs {
			if got[i] != recs[i] {
				t.Fatalf("record %d: got %+v, want %+v", i, got[i], recs[i])
			}
			total += int64(recs[i].Size())
		}
		seqs, err := ParseSeqs(stored, 50)
		if err != nil || len(seqs) != len(bs) {
			t.Fatalf("ParseSeqs: %d blocks, %v; want %d", len(seqs), err, len(bs))
		}
		for i, b := range seqs {
			if b.Key != bs[i].Key || b.Recs != nil || len(b.Seqs) != len(bs[i].Recs) {
				t.Fatalf("ParseSeqs block %d: %+v", i, b)
			}
			for j, s := range b.Seqs {
				if s != bs[i].Recs[j].Seq {
					t.Fatalf("ParseSeqs block %d seq %d: %d, want %d", i, j, s, bs[i].Recs[j].Seq)
				}
			}
		}
		n, bytes, err := Count(stored)
		if err != nil || n != len(recs) || bytes != total {
			t.Fatalf("count: %d, %d, %v; want %d, %d", n, bytes, err, len(recs), total)
		}
	}
}

func TestParseBlocksRefusesCorruptBlocks(t *testing.T) {
	r := `{"id":"a","kind":"event","created":1,"body":"{}","rejections":0,"notBefore":0,"leaseUntil":0}`
	for _, bad := range []string{
		`{`,
		`[1]`,
		`[{"o":[0],"r":[` + r + `]}]`,         // no key
		`[{"k":-1,"o":[0],"r":[` + r + `]}]`,  // negative key
		`[{"k":1.5,"o":[0],"r":[` + r + `]}]`, // fractional key
		`[{"k":1,"o":[0,1],"r":[` + r + `]}]`, // more offsets than records
		`[{"k":1,"o":[50],"r":[` + r + `]}]`,  // offset out of the span
		`[{"k":1,"o":[1,1],"r":[` + r + `,` + r + `]}]`, // repeated offset
		`[{"k":1,"o":[2,1],"r":[` + r + `,` + r + `]}]`, // offsets not ascending
		`[{"k":1,"o":[0],"r":[{"id":3}]}]`,              // bad record
		`[{"k":1e300,"o":[0],"r":[` + r + `]}]`,         // seq past 2^53
	} {
		if _, err := Parse([]byte(bad), 50); err == nil {
			t.Errorf("Parse(%s) accepted it", bad)
		}
	}
	for _, bad := range []string{`[{"o":[0,1],"z":[1]}]`, `[{"o":[0],"z":[-1]}]`, `[{"o":[0],"z":["1"]}]`, `x`} {
		if _, _, err := Count([]byte(bad)); err == nil {
			t.Errorf("Count(%s) accepted it", bad)
		}
	}
}

// FuzzParseBlocks: any input is parsed or refused, never a panic; what is
// accepted has seqs inside its blocks' spans, ascending within a block.
func FuzzParseBlocks(f *testing.F) {
	text, _ := Append(nil, blockRecs(3, 10), 2, 1<<20)
	f.Add(store(f, text, 1))
	f.Add([]byte(`[{"k":1,"o":[0,3],"r":[{"id":"a"},{"id":"b"}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bs, err := Parse(data, 50)
		if err != nil {
			return
		}
		for _, b := range bs {
			for j, r := range b.Recs {
				if r.Seq < b.Key*50 || r.Seq >= (b.Key+1)*50 || j > 0 && r.Seq <= b.Recs[j-1].Seq {
					t.Fatalf("block %d: seq %d out of order or span", b.Key, r.Seq)
				}
			}
		}
	})
}
