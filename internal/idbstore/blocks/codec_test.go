package blocks

import (
	"encoding/json"
	"github.com/exponea-wasm/tracker/internal/queue"
	"testing"
)

func TestCodecRoundTrip(t *testing.T) {
	in := []queue.Record{
		{Seq: 1, ID: "a", Kind: queue.KindEvent, CreatedMs: 1764320000123, Body: `{"name":"customers/events","x":"\"q\" \u2028 é"}`, Rejections: 2, NotBeforeMs: 5},
		{Seq: 1 << 52, ID: "b", Kind: queue.KindCustomer, Body: ""},
	}
	text := AppendJSON(nil, in, true)
	if !json.Valid(text) {
		t.Fatalf("not valid JSON: %s", text)
	}
	out, err := ParseJSON(text)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if out[i] != in[i] {
			t.Errorf("record %d: got %+v, want %+v", i, out[i], in[i])
		}
	}
	var noSeq []map[string]any
	json.Unmarshal(AppendJSON(nil, in[:1], false), &noSeq)
	if _, ok := noSeq[0]["seq"]; ok {
		t.Error("seq written with withSeq false")
	}
	for _, bad := range []string{`{}`, `[1]`, `[{"seq":1.5}]`, `[{"seq":1e300}]`, `[{"body":5}]`} {
		if _, err := ParseJSON([]byte(bad)); err == nil {
			t.Errorf("ParseJSON(%s) accepted", bad)
		}
	}
}

func FuzzCodec(f *testing.F) {
	f.Add(int64(1), "id", "event", int64(2), "body\x00\"é\xff", 3, int64(4))
	f.Fuzz(func(t *testing.T, seq int64, id, kind string, created int64, body string, rej int, nb int64) {
		if seq > 1<<53 || seq < -(1<<53) || created > 1<<53 || created < -(1<<53) || nb > 1<<53 || nb < -(1<<53) ||
			int64(rej) > 1<<53 || int64(rej) < -(1<<53) {
			return // bindings refuse these before encoding
		}
		in := queue.Record{Seq: seq, ID: id, Kind: queue.Kind(kind), CreatedMs: created, Body: body, Rejections: rej, NotBeforeMs: nb}
		out, err := ParseJSON(AppendJSON(nil, []queue.Record{in}, true))
		if err != nil {
			t.Fatal(err)
		}
		got, want := out[0], in
		want.ID, want.Kind, want.Body = valid(want.ID), queue.Kind(valid(string(want.Kind))), valid(want.Body)
		if got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
}

// valid replaces invalid UTF-8 bytes as AppendString does.
func valid(s string) string {
	b, _ := json.Marshal(s)
	var out string
	json.Unmarshal(b, &out)
	return out
}
